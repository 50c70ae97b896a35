// Thumbnails for the recordings list: one JPEG, THUMBNAIL_WIDTH pixels wide (height keeps
// the aspect), from a video at about one second in (the first frame of a shorter clip:
// body cameras often open on a black or blurred frame) or from a photo. Audio has none.
// Input and output are files the caller owns; the original is only ever read.
import fs from 'node:fs/promises';
import { ff, runFfmpeg, type RunOptions } from './ffmpeg.js';

export const THUMBNAIL_WIDTH = 320;
/** Where a video's thumbnail is taken, when the clip is at least twice as long. */
export const THUMBNAIL_AT_SECONDS = 1;
/** JPEG quality on ffmpeg's 2 (best)…31 scale: small files, no visible blocking at 320 px. */
const JPEG_QSCALE = 5;

export interface ThumbnailInput {
  kind: 'video' | 'photo';
  /** Null when unknown: the frame at THUMBNAIL_AT_SECONDS is tried, then the first. */
  durationMs: number | null;
}

const args = (input: string, output: string, seekSeconds: number) =>
  ff`${seekSeconds > 0 ? ['-ss', String(seekSeconds)] : []} -protocol_whitelist file -i ${`file:${input}`}
    -map 0:v:0 -frames:v 1 -an -sn -dn -map_metadata -1
    -vf ${`scale=${THUMBNAIL_WIDTH}:-2:flags=bicubic,format=yuvj420p`} -c:v mjpeg -q:v ${JPEG_QSCALE}
    -f image2 -update 1 -y ${output}`;

async function nonEmpty(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (s) => s.size > 0,
    () => false,
  );
}

/** Writes the thumbnail to `output` (a .jpg path). Throws FFMPEG_FAILED when no frame could be made. */
export async function makeThumbnail(
  input: string,
  output: string,
  what: ThumbnailInput,
  opts: Pick<RunOptions, 'signal' | 'env'> = {},
): Promise<void> {
  const run = (seek: number) => runFfmpeg(args(input, output, seek), { ...opts, timeoutMs: 120_000 });
  const long = what.durationMs === null || what.durationMs >= 2 * THUMBNAIL_AT_SECONDS * 1000;
  if (what.kind === 'video' && long) {
    await fs.rm(output, { force: true });
    await run(THUMBNAIL_AT_SECONDS);
    // A seek past the end (a wrong duration) writes nothing without failing: use the first frame.
    if (await nonEmpty(output)) return;
  }
  await run(0);
  if (!(await nonEmpty(output))) throw new Error('ffmpeg produced no thumbnail frame');
}
