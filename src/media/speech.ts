// Is someone speaking at the start of a recording (A8.1 notification, A11.2 resumed
// recording)? A measure from ffmpeg's own audio filters, no speech recogniser: the first
// SPEECH_WINDOW_SECONDS of the first audio track, band-passed to the telephone speech band
// (where voices carry their energy and wind rumble, hum and hiss do not), cut into
// half-second windows whose RMS level astats reports. A window is voiced when it is both
// loud in absolute terms and clearly above the recording's own noise floor; enough voiced
// windows make "speech". The result is stored for the compliance rules, which decide what
// it means; it is evidence of sound in the speech band, not proof of words.
import { ff, runTool, stderrTail, type RunOptions } from './ffmpeg.js';

/** How much of the start is examined. */
export const SPEECH_WINDOW_SECONDS = 15;
/** One measurement per half second: short enough for one word, long enough for a stable RMS. */
export const SPEECH_FRAME_MS = 500;
/** Analysis rate: the band below 3.4 kHz needs no more, and it makes frames an exact sample count. */
const ANALYSIS_RATE = 16_000;
/** The speech band, Hz (the classic telephone band). */
export const SPEECH_BAND = { lowHz: 300, highHz: 3400 };
/**
 * A voiced frame's band RMS is at least this (dBFS). Speech picked up by a body camera at
 * conversational distance measures about −30…−15 dBFS in the band; a quiet room about
 * −60…−50. −40 sits between with 10 dB to spare on either side.
 */
export const VOICED_MIN_DB = -40;
/**
 * …and at least this far above the noise floor (the NOISE_FLOOR_PERCENTILE of the frames):
 * a loud but steady noise (an engine, a fan) is not speech; speech comes and goes.
 */
export const VOICED_OVER_FLOOR_DB = 6;
export const NOISE_FLOOR_PERCENTILE = 0.1;
/** Voiced time needed to call it speech: two frames, about one short spoken phrase. */
export const MIN_SPEECH_MS = 1000;

export const SPEECH_METHOD = `ffmpeg highpass=${SPEECH_BAND.lowHz},lowpass=${SPEECH_BAND.highHz},astats ${SPEECH_FRAME_MS}ms frames over ${SPEECH_WINDOW_SECONDS}s; voiced ≥ ${VOICED_MIN_DB} dBFS and floor+${VOICED_OVER_FLOOR_DB} dB; speech ≥ ${MIN_SPEECH_MS} ms`;

export interface SpeechMeasure {
  speech: boolean;
  /** Voiced time within the window, ms. */
  speechMs: number;
  /** Start of the first voiced frame, ms from the start; null when none. */
  firstSpeechAtMs: number | null;
  /** Loudest sample in the band, dBFS; null for silence or no audio. */
  peakDb: number | null;
  method: string;
}

export interface SpeechFrame {
  atMs: number;
  rmsDb: number;
  peakDb: number;
}

const NONE = (): SpeechMeasure => ({
  speech: false,
  speechMs: 0,
  firstSpeechAtMs: null,
  peakDb: null,
  method: SPEECH_METHOD,
});

const level = (v: string): number => (/^-?inf$/i.test(v.trim()) ? -Infinity : Number(v));

/** ametadata's print output → frames (exported for tests). */
export function parseAstatsFrames(text: string): SpeechFrame[] {
  const frames: SpeechFrame[] = [];
  let current: SpeechFrame | null = null;
  for (const line of text.split(/\r?\n/)) {
    const start = /pts_time:\s*(-?[\d.]+)/.exec(line);
    if (start) {
      current = { atMs: Math.round(Number(start[1]) * 1000), rmsDb: -Infinity, peakDb: -Infinity };
      frames.push(current);
      continue;
    }
    const kv = /^lavfi\.astats\.Overall\.(RMS_level|Peak_level)=(.*)$/.exec(line.trim());
    if (!kv || !current) continue;
    const n = level(kv[2]!);
    if (Number.isNaN(n)) continue;
    if (kv[1] === 'RMS_level') current.rmsDb = n;
    else current.peakDb = n;
  }
  return frames;
}

/** The decision from the frames (pure; exported for tests). */
export function classifySpeech(frames: readonly SpeechFrame[]): SpeechMeasure {
  const out = NONE();
  if (frames.length === 0) return out;
  const sorted = frames.map((f) => f.rmsDb).sort((a, b) => a - b);
  const floor = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * NOISE_FLOOR_PERCENTILE))]!;
  const peak = Math.max(...frames.map((f) => f.peakDb));
  out.peakDb = Number.isFinite(peak) ? Math.round(peak * 10) / 10 : null;
  for (const f of frames) {
    const voiced =
      Number.isFinite(f.rmsDb) &&
      f.rmsDb >= VOICED_MIN_DB &&
      (!Number.isFinite(floor) || f.rmsDb - floor >= VOICED_OVER_FLOOR_DB);
    if (!voiced) continue;
    out.speechMs += SPEECH_FRAME_MS;
    out.firstSpeechAtMs ??= f.atMs;
  }
  out.speech = out.speechMs >= MIN_SPEECH_MS;
  return out;
}

/**
 * Measures the start of `input`'s first audio track. `hasAudio: false` (known from the
 * probe) answers without running ffmpeg. Throws FFMPEG_FAILED when ffmpeg cannot decode it.
 */
export async function measureSpeechAtStart(
  input: string,
  what: { hasAudio: boolean },
  opts: Pick<RunOptions, 'signal' | 'env'> = {},
): Promise<SpeechMeasure> {
  if (!what.hasAudio) return NONE();
  const samples = (ANALYSIS_RATE * SPEECH_FRAME_MS) / 1000;
  const graph = [
    `aresample=${ANALYSIS_RATE}`,
    'pan=mono|c0=c0',
    `highpass=f=${SPEECH_BAND.lowHz}`,
    `lowpass=f=${SPEECH_BAND.highHz}`,
    `asetnsamples=n=${samples}:p=0`,
    'astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level+Peak_level',
    'ametadata=mode=print:file=-',
  ].join(',');
  const r = await runTool(
    'ffmpeg',
    ff`-hide_banner -nostdin -loglevel error -t ${SPEECH_WINDOW_SECONDS} -protocol_whitelist file
      -i ${`file:${input}`} -map 0:a:0 -vn -sn -dn -af ${graph} -f null -`,
    { ...opts, timeoutMs: 120_000, maxStdoutBytes: 4 * 1024 * 1024 },
  );
  if (r.code !== 0 || r.timedOut) {
    const why = r.timedOut ? 'timed out' : stderrTail(r.stderr) || `exit ${r.code ?? r.signal}`;
    throw Object.assign(new Error(`ffmpeg speech measure failed: ${why}`), { code: 'FFMPEG_FAILED' });
  }
  return classifySpeech(parseAstatsFrames(r.stdout.toString('utf8')));
}
