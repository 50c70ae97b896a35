// The browser-playable copy of a recording (never a substitute for the original, which
// stays byte for byte as imported): H.264 High/AAC in MP4 with the index (moov) first
// (+faststart) so playback starts before the whole file arrives, fitted inside 1280×720
// (720×1280 for portrait) keeping the aspect ratio, never enlarged. Audio recordings get
// an AAC .m4a. Photos need none (the thumbnail and the original JPEG serve).
import { ff, runFfmpeg, type RunOptions } from './ffmpeg.js';

/** The long side and short side a proxy may have at most ("720p"). */
export const PROXY_MAX = { long: 1280, short: 720 };
/** x264 quality: 23 is its default and visually fine for review; lower is bigger. */
export const PROXY_CRF = 23;
/** veryfast: about 3× quicker than medium for a few percent more bytes at the same CRF. */
export const PROXY_PRESET = 'veryfast';
export const PROXY_AUDIO_BITRATE = '96k';

export interface ProxyInput {
  kind: 'video' | 'audio';
  /** Source frame size when known (decides landscape or portrait). */
  width: number | null;
  height: number | null;
  hasAudio: boolean;
  durationMs: number | null;
}

export interface ProxyResult {
  mediaType: 'video/mp4' | 'audio/mp4';
  extension: '.mp4' | '.m4a';
}

/** The scale filter that fits the frame inside the 720p box, keeping the aspect and even sizes. */
export function proxyScaleFilter(width: number | null, height: number | null): string {
  const portrait = width !== null && height !== null && height > width;
  const w = portrait ? PROXY_MAX.short : PROXY_MAX.long;
  const h = portrait ? PROXY_MAX.long : PROXY_MAX.short;
  return `scale=w='min(${w},iw)':h='min(${h},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2`;
}

/** Long recordings take long to transcode: allow well over real time before calling it hung. */
export function proxyTimeoutMs(durationMs: number | null): number {
  return 10 * 60_000 + 2 * (durationMs ?? 3_600_000);
}

/** Writes the proxy to `output`; throws FFMPEG_FAILED (with ffmpeg's reason) on failure. */
export async function makeProxy(
  input: string,
  output: string,
  what: ProxyInput,
  opts: Pick<RunOptions, 'signal' | 'env'> = {},
): Promise<ProxyResult> {
  const run = { ...opts, timeoutMs: proxyTimeoutMs(what.durationMs) };
  const src = ff`-protocol_whitelist file -i ${`file:${input}`}`;
  const audio = ff`-c:a aac -b:a ${PROXY_AUDIO_BITRATE}`;
  if (what.kind === 'audio') {
    await runFfmpeg(
      ff`${src} -map 0:a:0 -vn -sn -dn ${audio} -map_metadata -1 -movflags +faststart -f mp4 -y ${output}`,
      run,
    );
    return { mediaType: 'audio/mp4', extension: '.m4a' };
  }
  await runFfmpeg(
    ff`${src} -map 0:v:0 ${what.hasAudio ? ['-map', '0:a:0'] : []} -sn -dn
      -vf ${proxyScaleFilter(what.width, what.height)} -c:v libx264 -preset ${PROXY_PRESET} -crf ${PROXY_CRF}
      -profile:v high -pix_fmt yuv420p ${what.hasAudio ? audio : ['-an']}
      -map_metadata -1 -movflags +faststart -f mp4 -y ${output}`,
    run,
  );
  return { mediaType: 'video/mp4', extension: '.mp4' };
}
