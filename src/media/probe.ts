// What a media file is: ffprobe's format and streams, plus two cheap checks ffprobe does not
// do — the container structure (a truncated MP4, MOV, AVI or WAV still half-probes, so the
// top-level boxes or RIFF chunks are walked against the file size; a JPEG must end with
// EOI) and the JPEG's EXIF (read by ./exif.ts). Bad media never throws: it comes back as
// { ok: false, error }. Only a missing ffprobe throws (FFMPEG_MISSING: a set-up problem).

import fs from 'node:fs/promises';
import path from 'node:path';
import { isAppError } from '../domain/errors.js';
import { assertTimeZone, wallTimeToEpoch } from '../domain/file-names.js';
import type { MediaInfo } from '../domain/import-rules.js';
import { exifOffsetMs, readJpegExif } from './exif.js';
import { runTool, stderrTail } from './ffmpeg.js';

export type { MediaInfo } from '../domain/import-rules.js';

export interface ProbeOptions {
  /** Zone for container times written without one (AVI date, WAV bext, EXIF). Default Asia/Shanghai. */
  timeZone?: string;
  /** Default 60 s. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

const empty = (error: string, sizeBytes: number | null = null): MediaInfo => ({
  ok: false,
  error,
  warnings: [],
  formatName: null,
  durationMs: null,
  bitRate: null,
  sizeBytes,
  creationTime: null,
  creationTimeRaw: null,
  tags: {},
  encoder: null,
  handlerNames: [],
  gps: null,
  exifTime: null,
  exifLocalTime: null,
});

interface FfprobeStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: {
    format_name?: string;
    duration?: string;
    bit_rate?: string;
    size?: string;
    tags?: Record<string, string>;
  };
}

const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

function rate(v: string | undefined): number | null {
  const m = /^(\d+)\/(\d+)$/.exec(v ?? '');
  if (!m || Number(m[2]) === 0 || Number(m[1]) === 0) return null;
  return Math.round((Number(m[1]) / Number(m[2])) * 1000) / 1000;
}

const IMAGE_CODECS = new Set(['mjpeg', 'png', 'bmp', 'webp', 'gif', 'tiff', 'hevc_image', 'jpegxl']);

/**
 * Container time → epoch ms. ISO 8601 with a zone is absolute; without one, and the AVI
 * (ICRD) and WAV (bext) forms, are wall times read in `timeZone`. Times before 1971 are
 * "unset" (MP4 writes 0 = 1904 or 1970 when a device has no clock).
 */
export function parseContainerTime(
  value: string | undefined,
  timeZone: string,
  date?: string,
): number | null {
  if (!value) return null;
  const v = value.trim();
  let t: number | null = null;
  const iso =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(v);
  const slash = /^(\d{4})[/:](\d{2})[/:](\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(v);
  const months = 'jan feb mar apr may jun jul aug sep oct nov dec'.split(' ');
  const ctime = /^[A-Za-z]{3} ([A-Za-z]{3}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(v);
  const clock = /^(\d{2}):(\d{2}):(\d{2})$/.exec(v);
  const wall = (y: string, mo: string, d: string, h: string, mi: string, s: string, frac = '') =>
    wallTimeToEpoch(`${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.slice(0, 3).padEnd(3, '0')}`, timeZone);
  if (iso) {
    const [, y, mo, d, h, mi, s, frac, zone] = iso as unknown as string[];
    if (zone) {
      const local = wallTimeToEpoch(
        `${y}-${mo}-${d}T${h}:${mi}:${s}.${(frac ?? '').slice(0, 3).padEnd(3, '0')}`,
        'UTC',
      );
      if (local !== null) {
        const z =
          zone.toUpperCase() === 'Z'
            ? 0
            : exifOffsetMs(zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone);
        t = local - z;
      }
    } else t = wall(y!, mo!, d!, h!, mi!, s!, frac ?? '');
  } else if (slash) t = wall(slash[1]!, slash[2]!, slash[3]!, slash[4]!, slash[5]!, slash[6]!);
  else if (ctime) {
    const mo = months.indexOf(ctime[1]!.toLowerCase()) + 1;
    if (mo > 0)
      t = wall(
        ctime[6]!,
        String(mo).padStart(2, '0'),
        ctime[2]!.padStart(2, '0'),
        ctime[3]!,
        ctime[4]!,
        ctime[5]!,
      );
  } else if (clock && date && /^\d{4}-\d{2}-\d{2}$/.test(date.trim())) {
    const [y, mo, d] = date.trim().split('-') as [string, string, string];
    t = wall(y, mo, d, clock[1]!, clock[2]!, clock[3]!);
  }
  if (t === null || t < Date.UTC(1971, 0, 1)) return null;
  return t;
}

/**
 * An ISO 6709 location ('+33.5800+114.0200/', '+3334.80+11401.20+050/', …) → degrees.
 * The integer digits of each part tell its form: DD(D), DD(D)MM or DD(D)MMSS.
 */
export function parseIso6709(value: string | undefined): { lat: number; lng: number } | null {
  if (!value) return null;
  const m = /^([+-])(\d+)(\.\d+)?([+-])(\d+)(\.\d+)?/.exec(value.trim());
  if (!m) return null;
  const part = (sign: string, int: string, frac: string | undefined, degDigits: number) => {
    const f = Number(`0${frac ?? ''}`);
    let deg: number;
    if (int.length <= degDigits) deg = Number(int) + f;
    else if (int.length === degDigits + 2)
      deg = Number(int.slice(0, degDigits)) + (Number(int.slice(degDigits)) + f) / 60;
    else if (int.length === degDigits + 4)
      deg =
        Number(int.slice(0, degDigits)) +
        Number(int.slice(degDigits, degDigits + 2)) / 60 +
        (Number(int.slice(degDigits + 2)) + f) / 3600;
    else return NaN;
    return (sign === '-' ? -1 : 1) * deg;
  };
  const lat = part(m[1]!, m[2]!, m[3], 2);
  const lng = part(m[4]!, m[5]!, m[6], 3);
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180)
    return null;
  return { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
}

// ─── Structure check ───────────────────────────────────────────────────────────────

const BMFF_TOP = new Set([
  'ftyp',
  'moov',
  'mdat',
  'free',
  'skip',
  'wide',
  'uuid',
  'pnot',
  'styp',
  'sidx',
  'moof',
  'mfra',
  'meta',
]);
const MAX_BOXES = 10_000;

async function readAt(fh: fs.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/**
 * Null when the container's own bookkeeping fits the file size, else why not. Recognises
 * ISO BMFF (MP4, MOV, M4A, 3GP), RIFF (AVI, WAV) and JPEG; other formats are left to ffprobe.
 */
export async function checkStructure(file: string, size: number): Promise<string | null> {
  const fh = await fs.open(file, 'r');
  try {
    const head = await readAt(fh, 0, 12);
    if (head.length >= 8 && BMFF_TOP.has(head.toString('latin1', 4, 8))) {
      let o = 0;
      let sawMoov = false;
      for (let n = 0; o < size && n < MAX_BOXES; n++) {
        const h = await readAt(fh, o, 16);
        if (h.length < 8) return `truncated: ${size - o} stray bytes after the last box at offset ${o}`;
        const type = h.toString('latin1', 4, 8);
        let boxSize = h.readUInt32BE(0);
        if (boxSize === 1) {
          if (h.length < 16) return `truncated: box '${type}' header cut at offset ${o}`;
          boxSize = Number(h.readBigUInt64BE(8));
        } else if (boxSize === 0) boxSize = size - o; // runs to the end of the file
        if (type === 'moov') sawMoov = true;
        if (boxSize < 8) return `corrupt: box '${type}' at offset ${o} declares ${boxSize} bytes`;
        if (o + boxSize > size)
          return `truncated: box '${type}' at offset ${o} declares ${boxSize} bytes, only ${size - o} present`;
        o += boxSize;
      }
      if (!sawMoov && o >= size) return "incomplete: no 'moov' box (the recording was never finalised)";
      return null;
    }
    if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF') {
      let o = 0;
      for (let n = 0; o < size && n < MAX_BOXES; n++) {
        const h = await readAt(fh, o, 8);
        if (h.length < 8) return `truncated: ${size - o} stray bytes after the last RIFF chunk`;
        const id = h.toString('latin1', 0, 4);
        const chunk = h.readUInt32LE(4);
        if (id !== 'RIFF' && n === 0) return null;
        if (chunk === 0 || chunk === 0xffffffff) return null; // streamed: size never filled in
        const end = o + 8 + chunk + (chunk % 2);
        if (o + 8 + chunk > size)
          return `truncated: RIFF chunk '${id}' at offset ${o} declares ${chunk} bytes, only ${size - o - 8} present`;
        o = end;
      }
      return null;
    }
    if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
      const tailLen = Math.min(size, 64 * 1024);
      const tail = await readAt(fh, size - tailLen, tailLen);
      for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return null;
      return 'truncated: JPEG has no end-of-image marker';
    }
    return null;
  } finally {
    await fh.close();
  }
}

/** ffprobe names the file in its messages; the server's path is nobody's business. */
const hidePath = (message: string, abs: string) =>
  message.replaceAll(`file:${abs}`, '<file>').replaceAll(abs, '<file>');

// ─── Probe ─────────────────────────────────────────────────────────────────────────

/** Media facts about one file. Never throws for bad media; throws FFMPEG_MISSING without ffprobe. */
export async function probe(file: string, opts: ProbeOptions = {}): Promise<MediaInfo> {
  const timeZone = opts.timeZone ?? 'Asia/Shanghai';
  assertTimeZone(timeZone);
  const abs = path.resolve(file);
  let size: number;
  try {
    const st = await fs.stat(abs);
    if (!st.isFile()) return empty('not a regular file');
    size = st.size;
  } catch (e) {
    return empty(`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (size === 0) return empty('empty file (0 bytes)', 0);

  let structure: string | null;
  try {
    structure = await checkStructure(abs, size);
  } catch (e) {
    return empty(`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, size);
  }

  let out: FfprobeOutput;
  let warnings: string[] = [];
  try {
    const r = await runTool(
      'ffprobe',
      [
        '-v',
        'error',
        '-protocol_whitelist',
        'file',
        '-print_format',
        'json',
        '-show_format',
        '-show_streams',
        `file:${abs}`,
      ],
      {
        timeoutMs: opts.timeoutMs ?? 60_000,
        env: opts.env,
        signal: opts.signal,
        maxStdoutBytes: 8 * 1024 * 1024,
      },
    );
    if (r.timedOut) return empty('ffprobe timed out', size);
    if (r.stdoutOverflow) return empty('ffprobe output too large', size);
    if (r.code !== 0)
      return empty(
        structure ?? (hidePath(stderrTail(r.stderr), abs) || `ffprobe exit ${r.code ?? r.signal}`),
        size,
      );
    out = JSON.parse(r.stdout.toString('utf8')) as FfprobeOutput;
    warnings = r.stderr
      .split(/\r?\n/)
      .map((l) => hidePath(l.trim(), abs))
      .filter(Boolean)
      .slice(0, 20);
  } catch (e) {
    if (isAppError(e)) throw e;
    return empty(`ffprobe output unreadable: ${e instanceof Error ? e.message : String(e)}`, size);
  }

  const streams = (out.streams ?? []).filter((s) => s.codec_type === 'video' || s.codec_type === 'audio');
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  const fmt = out.format ?? {};
  const formatName = fmt.format_name ?? null;

  const tags: Record<string, string> = {};
  for (const [k, val] of Object.entries(fmt.tags ?? {})) tags[k.toLowerCase()] = String(val);
  const handlerNames: string[] = [];
  let streamEncoder: string | null = null;
  for (const s of out.streams ?? []) {
    for (const [k, val] of Object.entries(s.tags ?? {}))
      tags[`${s.index ?? 0}:${k.toLowerCase()}`] = String(val);
    const handler = Object.entries(s.tags ?? {}).find(([k]) => k.toLowerCase() === 'handler_name')?.[1];
    if (handler) handlerNames.push(String(handler));
    const enc = Object.entries(s.tags ?? {}).find(([k]) => k.toLowerCase() === 'encoder')?.[1];
    if (enc && streamEncoder === null) streamEncoder = String(enc);
  }

  const isImage =
    !!v &&
    !a &&
    IMAGE_CODECS.has(v.codec_name ?? '') &&
    (/image2|_pipe$/.test(formatName ?? '') || num(v.nb_frames) === 1);
  const seconds = num(fmt.duration);
  const durationMs = isImage || seconds === null ? null : Math.round(seconds * 1000);

  // Container time: creation_time, else AVI 'date' (ICRD), else WAV bext date + time, else a stream's.
  const streamCreation = (out.streams ?? []).map((s) => s.tags?.creation_time).find(Boolean);
  const rawCreation = tags.creation_time ?? tags.date ?? streamCreation ?? null;
  let creationTime = parseContainerTime(tags.creation_time, timeZone, tags.date);
  if (creationTime === null && tags.date) creationTime = parseContainerTime(tags.date, timeZone);
  if (creationTime === null && streamCreation) creationTime = parseContainerTime(streamCreation, timeZone);
  const creationTimeRaw =
    tags.creation_time && tags.date && /^\d{2}:\d{2}:\d{2}$/.test(tags.creation_time)
      ? `${tags.date} ${tags.creation_time}`
      : rawCreation;

  let gps = parseIso6709(
    tags.location ?? tags['location-eng'] ?? tags['com.apple.quicktime.location.iso6709'],
  );

  let exifTime: number | null = null;
  let exifLocalTime: string | null = null;
  if (v?.codec_name === 'mjpeg' && isImage) {
    const exif = await readJpegExif(abs);
    if (exif) {
      exifLocalTime = exif.dateTimeOriginal;
      if (exifLocalTime) {
        exifTime = exif.offsetTimeOriginal
          ? wallTimeToEpoch(exifLocalTime, 'UTC')! - exifOffsetMs(exif.offsetTimeOriginal)
          : wallTimeToEpoch(exifLocalTime, timeZone);
        tags['exif:datetimeoriginal'] = exifLocalTime;
      }
      if (exif.make) tags['exif:make'] = exif.make;
      if (exif.model) tags['exif:model'] = exif.model;
      if (exif.software) tags['exif:software'] = exif.software;
      if (exif.offsetTimeOriginal) tags['exif:offsettimeoriginal'] = exif.offsetTimeOriginal;
      gps ??= exif.gps;
    }
  }

  const error = structure ?? (streams.length === 0 ? 'no audio or video stream' : undefined);
  return {
    ok: error === undefined,
    ...(error !== undefined ? { error } : {}),
    warnings,
    formatName,
    durationMs,
    bitRate: num(fmt.bit_rate),
    sizeBytes: size,
    ...(v
      ? {
          video: {
            codec: v.codec_name ?? 'unknown',
            width: num(v.width),
            height: num(v.height),
            fps: isImage ? null : (rate(v.avg_frame_rate) ?? rate(v.r_frame_rate)),
          },
        }
      : {}),
    ...(a
      ? {
          audio: {
            codec: a.codec_name ?? 'unknown',
            sampleRate: num(a.sample_rate),
            channels: num(a.channels),
          },
        }
      : {}),
    creationTime,
    creationTimeRaw,
    tags,
    encoder: tags.encoder ?? tags.software ?? streamEncoder,
    handlerNames,
    gps,
    exifTime,
    exifLocalTime,
  };
}
