// A recording device's storage, simulated for tests and demonstrations (issue 4, item 1):
// real H.264 video with AAC (MP4) or PCM (AVI) audio, split the way recorders split,
// JPEG photos with EXIF, audio recordings, device-style names for a chosen naming scheme,
// optional Mandarin speech at the start of each segment, and defects planted on request
// (a missing file number, an edited file, a truncated file, stops in the recording).
//
// Unedited files look like a device's, not like FFmpeg's: every file is written with
// -fflags +bitexact (no "Lavf…" encoder tag), no metadata copied from the inputs, device
// handler names, x264's SEI (its version banner) stripped from the bitstream, and the
// device's firmware string in the comment tag (FFmpeg's MP4 muxer writes the ©too/encoder
// atom only as its own name, so the firmware cannot go there). Edited files are re-encoded
// by FFmpeg with its defaults, exactly the traces an editing tool leaves.
//
// Speed: one short stretch of video and of room noise is encoded once and every segment is
// a stream copy of it, looped (-stream_loop) to the segment's length; a 60-minute
// simulation takes a second or two.
//
// Times. The session runs from --start for --minutes of wall clock; each --gap M:S stops
// the recording at minute M for S seconds. Each run of recording is split every
// --split-minutes into back-to-back files. Names and container times use the device's
// clock: true time + --clock-offset seconds, shown in the device's time zone. Each kind
// (video, photo, audio) has its own file counter from 1; --drop-seq, --edit-seq and
// --truncate-seq refer to the video counter.
//
// The volume root gets zhilu-device.json (see DEVICE_INFO_FILE in domain/file-names.ts).

import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../domain/errors.js';
import {
  ALL_SCHEMES,
  DEVICE_INFO_FILE,
  epochToWallTime,
  formatDeviceInfo,
  schemeById,
  wallTimeToEpoch,
  type DeviceInfo,
  type FileNameScheme,
} from '../domain/file-names.js';
import { buildExifSegment, insertExif } from './exif.js';
import { ff, runFfmpeg } from './ffmpeg.js';

export interface SimulateOptions {
  /** Volume root to create; must not exist or be empty. */
  dir: string;
  serial: string;
  /** Officer code written into names of schemes that carry one. */
  officer: string;
  /** ISO 8601 start, e.g. 2026-08-04T10:00:00+08:00; without a zone, a wall time in `timeZone`. */
  start: string;
  /** Wall-clock length of the session, minutes (0 < N ≤ 1440). */
  minutes: number;
  /** Default 10. */
  splitMinutes?: number;
  gaps?: readonly SimulatedGapInput[];
  dropSeq?: readonly number[];
  editSeq?: readonly number[];
  truncateSeq?: readonly number[];
  photos?: number;
  audio?: number;
  /** A scheme id (ALL_SCHEMES); default 'device-officer-time'. */
  naming?: string;
  speech?: boolean;
  /** The device clock's zone, default Asia/Shanghai. */
  timeZone?: string;
  /** Device clock − true time, seconds (default 0). */
  clockOffsetSeconds?: number;
  gps?: { lat: number; lng: number } | null;
  model?: string;
  maker?: string;
  firmware?: string;
  /** 'WxH', even numbers, default '160x120'. */
  videoSize?: string;
  /** Frames per second, default 2. */
  fps?: number;
}

export interface SimulatedGapInput {
  /** Minute of the session at which recording stopped. */
  atMinute: number;
  /** How long it stayed stopped. */
  seconds: number;
}

export type PlantedDefect = 'SEQUENCE_GAP' | 'EDITED' | 'UNREADABLE';
export type SpeechLine = 'notify' | 'resume' | 'continue' | 'audio';

export interface SimulatedFile {
  /** Relative to the volume root, POSIX separators. */
  path: string;
  kind: 'video' | 'photo' | 'audio';
  /** The device's counter for this kind, from 1. */
  sequence: number;
  /** True start (ISO 8601 UTC); the name and container show it on the device clock. */
  start: string;
  /** True end (ISO 8601 UTC); equal to start for photos. */
  end: string;
  /** The device's wall time in the name, 'YYYY-MM-DDTHH:mm:ss.SSS'. */
  deviceTime: string;
  durationMs: number;
  /** False for a dropped file (listed so the plan is complete). */
  present: boolean;
  planted: PlantedDefect[];
  /** Which spoken line starts the file, if any. */
  speech: SpeechLine | null;
  bytes: number | null;
}

export interface SimulationResult {
  dir: string;
  device: DeviceInfo;
  naming: string;
  timeZone: string;
  clockOffsetSeconds: number;
  splitSeconds: number;
  /** Stops in the recording (true times). */
  gaps: { from: string; to: string; seconds: number }[];
  files: SimulatedFile[];
  elapsedMs: number;
}

/** Pinyin for espeak-ng's cmn-latn-pinyin voice. */
export const SPEECH_TEXT: Record<SpeechLine, string> = {
  // 你好，我们是执法人员，本次执法全程录音录像。
  notify: 'ni3 hao3, wo3 men5 shi4 zhi2 fa3 ren2 yuan2, ben3 ci4 zhi2 fa3 quan2 cheng2 lu4 yin1 lu4 xiang4.',
  // 现在恢复录像，中断原因是设备电量不足。
  resume: 'xian4 zai4 hui1 fu4 lu4 xiang4, zhong1 duan4 yuan2 yin1 shi4 she4 bei4 dian4 liang4 bu4 zu2.',
  // 继续检查。
  continue: 'ji4 xu4 jian3 cha2.',
  // 现场询问开始。
  audio: 'xian4 chang3 xun2 wen4 kai1 shi3.',
};

const DEFAULTS = {
  splitMinutes: 10,
  naming: 'device-officer-time',
  timeZone: 'Asia/Shanghai',
  model: 'ZFY-AV',
  maker: 'ZHILU-SIM',
  firmware: 'ZFY-AV 2.1.3',
  videoSize: '160x120',
  fps: 2,
};
const AUDIO_FILE_SECONDS = 20;
const MAX_VIDEO_FILES = 5000;
const CHUNK_SECONDS = 60;
const SPEECH_CHUNK_SECONDS = 12;
/** Where an edit cuts footage out: this share of the file from its middle. */
const EDIT_CUT = { from: 0.4, to: 0.6 };
/** How far an editor's export moves creation_time. */
const EDIT_TIME_SHIFT_MS = (3 * 60 + 15) * 60_000;
/** A truncated file keeps this share of its bytes. */
const TRUNCATE_KEEP = 0.4;

// ─── Validation and plan (pure) ────────────────────────────────────────────────────

function invalid(option: string, zh: string, en: string): AppError {
  return new AppError(
    'SIMULATE_INVALID',
    400,
    { zh: `${option}：${zh}`, en: `${option}: ${en}` },
    { option },
  );
}

/** 'M:S' → gap; throws SIMULATE_INVALID. */
export function parseGap(text: string): SimulatedGapInput {
  const m = /^\s*(\d+(?:\.\d+)?):(\d+)\s*$/.exec(text);
  if (!m)
    throw invalid(
      '--gap',
      `格式应为 分钟:秒，例如 12:30，而不是 “${text}”`,
      `expected MINUTE:SECONDS such as 12:30, not "${text}"`,
    );
  return { atMinute: Number(m[1]), seconds: Number(m[2]) };
}

/** An ISO 8601 time; without a zone it is a wall time in `timeZone`. Null when invalid. */
export function parseStart(text: string, timeZone: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    text.trim(),
  );
  if (!m) return null;
  const local = `${m[1]}T${m[2]}:${m[3] ?? '00'}.${(m[4] ?? '').padEnd(3, '0')}`;
  if (!m[5]) return wallTimeToEpoch(local, timeZone);
  const utc = wallTimeToEpoch(local, 'UTC');
  if (utc === null) return null;
  if (m[5].toUpperCase() === 'Z') return utc;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(m[5])!;
  if (Number(z[2]) > 14 || Number(z[3]) > 59) return null;
  return utc - (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
}

export interface PlannedFile extends Omit<SimulatedFile, 'bytes' | 'start' | 'end'> {
  startMs: number;
  /** Device clock at the start, epoch ms. */
  deviceMs: number;
  edit: boolean;
  truncate: boolean;
}

export interface SimulationPlan {
  options: Required<Omit<SimulateOptions, 'gps' | 'gaps' | 'dropSeq' | 'editSeq' | 'truncateSeq'>> & {
    gps: { lat: number; lng: number } | null;
  };
  scheme: FileNameScheme;
  startMs: number;
  endMs: number;
  splitMs: number;
  width: number;
  height: number;
  gaps: { fromMs: number; toMs: number }[];
  files: PlannedFile[];
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/** Checks every option and lays out every file; throws SIMULATE_INVALID with what to fix. */
export function planSimulation(o: SimulateOptions): SimulationPlan {
  const timeZone = o.timeZone ?? DEFAULTS.timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw invalid('--tz', `未知时区 “${timeZone}”`, `unknown time zone "${timeZone}"`);
  }
  if (!/^[A-Za-z0-9-]{1,32}$/.test(o.serial ?? ''))
    throw invalid(
      '--serial',
      '只能包含字母、数字和连字符，最长 32 个字符',
      'letters, digits and hyphens only, at most 32 characters',
    );
  if (!/^[A-Za-z0-9]{1,32}$/.test(o.officer ?? ''))
    throw invalid(
      '--officer',
      '只能包含字母和数字，最长 32 个字符',
      'letters and digits only, at most 32 characters',
    );
  const startMs = parseStart(o.start ?? '', timeZone);
  if (startMs === null)
    throw invalid(
      '--start',
      `不是有效的 ISO 8601 时间：“${o.start}”（例如 2026-08-04T10:00:00+08:00）`,
      `not a valid ISO 8601 time: "${o.start}" (e.g. 2026-08-04T10:00:00+08:00)`,
    );
  if (
    typeof o.minutes !== 'number' ||
    !Number.isFinite(o.minutes) ||
    o.minutes < 1 / 60 ||
    o.minutes > 24 * 60
  )
    throw invalid(
      '--minutes',
      '须至少 1 秒（1/60 分钟）且不超过 1440',
      'must be at least 1 second (1/60 minute) and at most 1440',
    );
  const splitMinutes = o.splitMinutes ?? DEFAULTS.splitMinutes;
  if (!Number.isFinite(splitMinutes) || splitMinutes < 1 / 60 || splitMinutes > 24 * 60)
    throw invalid(
      '--split-minutes',
      '须至少 1 秒（1/60 分钟）且不超过 1440',
      'must be at least 1 second (1/60 minute) and at most 1440',
    );
  if (o.minutes / splitMinutes > MAX_VIDEO_FILES)
    throw invalid(
      '--split-minutes',
      `分段太短：会产生超过 ${MAX_VIDEO_FILES} 个文件`,
      `split too short: it would make more than ${MAX_VIDEO_FILES} files`,
    );
  const naming = o.naming ?? DEFAULTS.naming;
  const scheme = schemeById(naming);
  if (!scheme?.format)
    throw invalid(
      '--naming',
      `未知命名方案 “${naming}”，可选：${ALL_SCHEMES.map((s) => s.id).join(', ')}`,
      `unknown naming scheme "${naming}"; one of ${ALL_SCHEMES.map((s) => s.id).join(', ')}`,
    );
  const count = (name: string, v: number | undefined) => {
    const n = v ?? 0;
    if (!isInt(n) || n < 0 || n > 1000)
      throw invalid(name, '须为 0 到 1000 的整数', 'must be a whole number from 0 to 1000');
    return n;
  };
  const photos = count('--photos', o.photos);
  const audio = count('--audio', o.audio);
  const clockOffsetSeconds = o.clockOffsetSeconds ?? 0;
  if (!Number.isFinite(clockOffsetSeconds) || Math.abs(clockOffsetSeconds) > 10 * 366 * 86_400)
    throw invalid(
      '--clock-offset',
      '须为秒数，绝对值不超过十年',
      'must be seconds, at most ten years either way',
    );
  const videoSize = o.videoSize ?? DEFAULTS.videoSize;
  const size = /^(\d{2,4})x(\d{2,4})$/.exec(videoSize);
  const width = Number(size?.[1]);
  const height = Number(size?.[2]);
  if (!size || width % 2 || height % 2 || width < 16 || height < 16 || width > 1920 || height > 1080)
    throw invalid(
      '--video-size',
      '须为 宽x高（偶数，16x16 到 1920x1080）',
      'must be WIDTHxHEIGHT (even numbers, 16x16 to 1920x1080)',
    );
  const fps = o.fps ?? DEFAULTS.fps;
  if (!isInt(fps) || fps < 1 || fps > 30)
    throw invalid('--fps', '须为 1 到 30 的整数', 'must be a whole number from 1 to 30');
  const gps = o.gps ?? null;
  if (gps && !(Math.abs(gps.lat) <= 90 && Math.abs(gps.lng) <= 180))
    throw invalid('--gps', '纬度 −90…90，经度 −180…180', 'latitude −90…90, longitude −180…180');

  // Runs of recording between the gaps.
  const totalMs = Math.round(o.minutes * 60_000);
  const gaps = [...(o.gaps ?? [])]
    .map((g) => {
      if (!Number.isFinite(g.atMinute) || !isInt(g.seconds) || g.seconds < 1)
        throw invalid('--gap', '须为 分钟:秒，秒数至少为 1', 'must be MINUTE:SECONDS with at least 1 second');
      const fromMs = Math.round(g.atMinute * 60_000);
      const toMs = fromMs + g.seconds * 1000;
      if (fromMs < 1000 || toMs > totalMs - 1000)
        throw invalid(
          '--gap',
          `${g.atMinute}:${g.seconds} 超出录制范围（须在第 0 分钟之后开始，并在第 ${o.minutes} 分钟之前恢复）`,
          `${g.atMinute}:${g.seconds} is outside the recording (it must start after minute 0 and resume before minute ${o.minutes})`,
        );
      return { fromMs, toMs };
    })
    .sort((a, b) => a.fromMs - b.fromMs);
  for (let i = 1; i < gaps.length; i++)
    if (gaps[i]!.fromMs < gaps[i - 1]!.toMs + 1000)
      throw invalid(
        '--gap',
        '两次中断重叠或间隔不足 1 秒',
        'two gaps overlap or are less than 1 second apart',
      );
  const runs: { fromMs: number; toMs: number }[] = [];
  let at = 0;
  for (const g of gaps) {
    runs.push({ fromMs: at, toMs: g.fromMs });
    at = g.toMs;
  }
  runs.push({ fromMs: at, toMs: totalMs });

  const splitMs = Math.round(splitMinutes * 60_000);
  const deviceOffsetMs = Math.round(clockOffsetSeconds * 1000);
  const files: PlannedFile[] = [];
  const used = new Set<string>();
  const fields = (kind: PlannedFile['kind'], sequence: number, t: number) => {
    for (let bump = 0; ; bump += 1000) {
      const deviceMs = t + bump + deviceOffsetMs;
      const deviceTime = epochToWallTime(deviceMs, timeZone);
      const p = scheme.format!({
        deviceCode: o.serial,
        officerCode: o.officer,
        sequence,
        localTime: deviceTime,
        kind,
      });
      if (!used.has(p.toLowerCase()) || bump > 3_600_000) {
        used.add(p.toLowerCase());
        return { path: p, deviceMs, deviceTime, startMs: t + bump };
      }
    }
  };
  let seq = 0;
  runs.forEach((run, r) => {
    for (let t = run.fromMs; t < run.toMs; t += splitMs) {
      const durationMs = Math.min(splitMs, run.toMs - t);
      seq += 1;
      const f = fields('video', seq, startMs + t);
      files.push({
        ...f,
        kind: 'video',
        sequence: seq,
        durationMs,
        present: true,
        planted: [],
        speech: o.speech ? (t === run.fromMs ? (r === 0 ? 'notify' : 'resume') : 'continue') : null,
        edit: false,
        truncate: false,
      });
    }
  });
  const videos = files.length;
  const lists = {
    '--drop-seq': o.dropSeq ?? [],
    '--edit-seq': o.editSeq ?? [],
    '--truncate-seq': o.truncateSeq ?? [],
  };
  const seen = new Map<number, string>();
  for (const [option, list] of Object.entries(lists))
    for (const n of list) {
      if (!isInt(n) || n < 1 || n > videos)
        throw invalid(
          option,
          `没有第 ${n} 号录像文件（本次共 ${videos} 个）`,
          `there is no video file number ${n} (this simulation has ${videos})`,
        );
      const other = seen.get(n);
      if (other && other !== option)
        throw invalid(
          option,
          `第 ${n} 号文件已用于 ${other}`,
          `file number ${n} is already used by ${other}`,
        );
      seen.set(n, option);
    }
  for (const f of files) {
    if (lists['--drop-seq'].includes(f.sequence)) {
      f.present = false;
      f.planted.push('SEQUENCE_GAP');
    }
    if (lists['--edit-seq'].includes(f.sequence)) {
      f.edit = true;
      f.planted.push('EDITED');
    }
    if (lists['--truncate-seq'].includes(f.sequence)) {
      f.truncate = true;
      f.planted.push('UNREADABLE');
    }
  }

  // Photos and audio recordings, spread over the recorded time.
  const recorded = runs.reduce((s, r) => s + r.toMs - r.fromMs, 0);
  const atRecorded = (offset: number) => {
    let left = offset;
    for (const r of runs) {
      if (left < r.toMs - r.fromMs) return r.fromMs + left;
      left -= r.toMs - r.fromMs;
    }
    return runs.at(-1)!.toMs - 1;
  };
  for (let i = 0; i < photos; i++) {
    const t = startMs + Math.floor(atRecorded(Math.floor(((i + 0.5) / photos) * recorded)) / 1000) * 1000;
    const f = fields('photo', i + 1, t);
    files.push({
      ...f,
      kind: 'photo',
      sequence: i + 1,
      durationMs: 0,
      present: true,
      planted: [],
      speech: null,
      edit: false,
      truncate: false,
    });
  }
  const audioMs = Math.min(AUDIO_FILE_SECONDS * 1000, Math.max(1000, recorded));
  for (let i = 0; i < audio; i++) {
    const t = startMs + Math.floor(atRecorded(Math.floor(((i + 0.35) / audio) * recorded)) / 1000) * 1000;
    const f = fields('audio', i + 1, t);
    files.push({
      ...f,
      kind: 'audio',
      sequence: i + 1,
      durationMs: audioMs,
      present: true,
      planted: [],
      speech: o.speech ? 'audio' : null,
      edit: false,
      truncate: false,
    });
  }

  return {
    options: {
      dir: o.dir,
      serial: o.serial,
      officer: o.officer,
      start: o.start,
      minutes: o.minutes,
      splitMinutes,
      photos,
      audio,
      naming,
      speech: o.speech ?? false,
      timeZone,
      clockOffsetSeconds,
      gps,
      model: o.model ?? DEFAULTS.model,
      maker: o.maker ?? DEFAULTS.maker,
      firmware: o.firmware ?? DEFAULTS.firmware,
      videoSize,
      fps,
    },
    scheme,
    startMs,
    endMs: startMs + totalMs,
    splitMs,
    width,
    height,
    gaps: gaps.map((g) => ({ fromMs: startMs + g.fromMs, toMs: startMs + g.toMs })),
    files,
  };
}

// ─── Writing ───────────────────────────────────────────────────────────────────────

const iso = (t: number) => new Date(t).toISOString();
const secs = (ms: number) => (ms / 1000).toFixed(3);

/** Runs `fn` over `items` with at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

async function ensureEmptyDir(dir: string): Promise<void> {
  try {
    const entries = await fs.readdir(dir);
    if (entries.length > 0)
      throw new AppError(
        'SIMULATE_DIR_NOT_EMPTY',
        400,
        {
          zh: `目录不为空：${dir}（请指定新目录或空目录）`,
          en: `Directory is not empty: ${dir} (give a new or empty one)`,
        },
        { dir },
      );
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      return fs.mkdir(dir, { recursive: true }).then(() => undefined);
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR')
      throw new AppError(
        'SIMULATE_DIR_NOT_EMPTY',
        400,
        { zh: `不是目录：${dir}`, en: `Not a directory: ${dir}` },
        { dir },
      );
    throw e;
  }
}

/** espeak-ng's Mandarin (pinyin) voice into a WAV file; $ZHILU_ESPEAK overrides the command. */
async function speak(line: SpeechLine, file: string): Promise<void> {
  const command = process.env.ZHILU_ESPEAK?.trim() || 'espeak-ng';
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, ['-v', 'cmn-latn-pinyin', '-s', '150', '-w', file, SPEECH_TEXT[line]], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new AppError('ESPEAK_MISSING', 500, {
              zh: '找不到 espeak-ng：请安装（apt install espeak-ng）或不用 --speech',
              en: 'espeak-ng not found: install it (apt install espeak-ng) or leave out --speech',
            })
          : e,
      ),
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`espeak-ng failed: ${err.trim() || code}`)),
    );
  });
}

interface Assets {
  tmp: string;
  video: string;
  noiseAac: string;
  speechWav: Partial<Record<SpeechLine, string>>;
  speechAac: Partial<Record<SpeechLine, string>>;
}

const BITEXACT = ff`-fflags +bitexact -flags:v +bitexact -flags:a +bitexact`;
const noise = (rate: number, seed: number) =>
  `anoisesrc=color=pink:amplitude=0.01:sample_rate=${rate}:seed=${seed}`;
/** Mixes the speech input, delayed half a second, into the noise input at `rate`, as [a]. */
const mixSpeech = (rate: number, noiseInput = 0, speechInput = 1) =>
  `[${speechInput}:a]aresample=${rate},adelay=500:all=1[s];[${noiseInput}:a][s]amix=inputs=2:duration=first:normalize=0[a]`;

async function prepareAssets(plan: SimulationPlan, tmp: string): Promise<Assets> {
  const { width, height, files } = plan;
  const { fps } = plan.options;
  const longest = Math.max(1, ...files.filter((f) => f.kind === 'video').map((f) => f.durationMs / 1000));
  const chunk = Math.min(CHUNK_SECONDS, Math.ceil(longest));
  const lines = [...new Set(files.map((f) => f.speech).filter((s): s is SpeechLine => s !== null))];
  const a: Assets = {
    tmp,
    video: path.join(tmp, 'video.mp4'),
    noiseAac: path.join(tmp, 'noise.aac'),
    speechWav: {},
    speechAac: {},
  };
  const aac = ff`-c:a aac -b:a 24k -ac 1 ${BITEXACT} -f adts`;
  const jobs: Promise<unknown>[] = [];
  if (files.some((f) => f.kind === 'video'))
    // One GOP per second so any cut lands on a key frame; x264's SEI (its version banner) removed.
    jobs.push(
      runFfmpeg(ff`-f lavfi -i testsrc=size=${width}x${height}:rate=${fps} -t ${chunk}
        -c:v libx264 -preset ultrafast -g ${fps} -pix_fmt yuv420p -bsf:v filter_units=remove_types=6
        ${BITEXACT} -map_metadata -1 -y ${a.video}`),
    );
  jobs.push(runFfmpeg(ff`-f lavfi -i ${noise(16_000, 7)} -t ${CHUNK_SECONDS} ${aac} -y ${a.noiseAac}`));
  for (const line of lines) {
    const wav = path.join(tmp, `speech-${line}.wav`);
    const out = path.join(tmp, `speech-${line}.aac`);
    a.speechWav[line] = wav;
    a.speechAac[line] = out;
    jobs.push(
      speak(line, wav).then(() =>
        runFfmpeg(ff`-f lavfi -i ${noise(16_000, 11)} -i ${wav} -filter_complex ${mixSpeech(16_000)} -map [a]
          -t ${SPEECH_CHUNK_SECONDS} ${aac} -y ${out}`),
      ),
    );
  }
  await Promise.all(jobs);
  return a;
}

/** Metadata a device writes: nothing copied from the inputs, its own handler names and firmware. */
function deviceTags(plan: SimulationPlan, f: PlannedFile, hasVideo: boolean): string[] {
  const { model, firmware, gps } = plan.options;
  const sign = (n: number) => (n >= 0 ? '+' : '');
  const location =
    gps && `location=${sign(gps.lat)}${gps.lat.toFixed(4)}${sign(gps.lng)}${gps.lng.toFixed(4)}/`;
  return ff`-map_metadata -1 -metadata creation_time=${iso(f.deviceMs)} -metadata comment=${firmware}
    ${location ? ['-metadata', location] : []}
    ${hasVideo ? ff`-metadata:s:v handler_name=${`${model} Video`} -metadata:s:v encoder=` : []}
    -metadata:s:a handler_name=${`${model} Audio`} -metadata:s:a encoder=`;
}

/** Local wall time as AVI/WAV write it: 'YYYY-MM-DD HH:MM:SS'. */
const riffDate = (deviceTime: string) => deviceTime.slice(0, 19).replace('T', ' ');

async function writeVideo(plan: SimulationPlan, a: Assets, f: PlannedFile, out: string): Promise<void> {
  const seconds = secs(f.durationMs);
  if (path.extname(out).toLowerCase() === '.avi') {
    // Older DVRs: H.264 in AVI with PCM sound, the date in the INFO list.
    const speech = f.speech ? a.speechWav[f.speech] : undefined;
    const audio = speech ? ff`-i ${speech} -filter_complex ${mixSpeech(8000, 1, 2)}` : [];
    await runFfmpeg(ff`-stream_loop -1 -i ${a.video} -f lavfi -i ${noise(8000, f.sequence)} ${audio}
      -t ${seconds} -map 0:v:0 -map ${speech ? '[a]' : '1:a:0'}
      -c:v copy -bsf:v h264_mp4toannexb -c:a pcm_s16le -ac 1 -ar 8000
      ${BITEXACT} -map_metadata -1 -metadata date=${riffDate(f.deviceTime)} -metadata comment=${plan.options.firmware}
      -f avi -y ${out}`);
    return;
  }
  // The speech chunk, then enough room noise (ADTS frames concatenate byte for byte).
  const speech = f.speech ? a.speechAac[f.speech] : undefined;
  const noiseChunks = Math.ceil(f.durationMs / 1000 / CHUNK_SECONDS) + 1;
  const audio = speech
    ? ff`-i concat:${[speech, ...Array.from({ length: noiseChunks }, () => a.noiseAac)].join('|')}`
    : ff`-stream_loop -1 -i ${a.noiseAac}`;
  await runFfmpeg(ff`-stream_loop -1 -i ${a.video} ${audio} -t ${seconds} -map 0:v:0 -map 1:a:0 -c copy
    ${BITEXACT} ${deviceTags(plan, f, true)} -f mp4 -y ${out}`);
}

async function writeAudio(plan: SimulationPlan, a: Assets, f: PlannedFile, out: string): Promise<void> {
  const speech = f.speech ? a.speechWav[f.speech] : undefined;
  const rate = 16_000;
  const input = ff`-f lavfi -i ${noise(rate, 100 + f.sequence)} ${speech ? ff`-i ${speech} -filter_complex ${mixSpeech(rate)}` : []}
    -map ${speech ? '[a]' : '0:a:0'} -t ${secs(f.durationMs)} -ac 1 -ar ${rate}`;
  const { model, firmware } = plan.options;
  if (path.extname(out).toLowerCase() === '.wav') {
    // Broadcast WAV: the bext chunk carries the device's local date and time.
    await runFfmpeg(ff`${input} -c:a pcm_s16le ${BITEXACT} -map_metadata -1 -write_bext 1
      -metadata origination_date=${f.deviceTime.slice(0, 10)} -metadata origination_time=${f.deviceTime.slice(11, 19)}
      -metadata originator=${model} -metadata description=${firmware} -f wav -y ${out}`);
    return;
  }
  await runFfmpeg(ff`${input} -c:a aac -b:a 24k ${BITEXACT} ${deviceTags(plan, f, false)} -f mp4 -y ${out}`);
}

async function writePhotos(
  plan: SimulationPlan,
  a: Assets,
  photos: PlannedFile[],
  root: string,
): Promise<void> {
  if (photos.length === 0) return;
  const pattern = path.join(a.tmp, 'photo-%04d.jpg');
  await runFfmpeg(ff`-f lavfi -i testsrc=size=${plan.width * 2}x${plan.height * 2}:rate=1
    -frames:v ${photos.length} -q:v 5 -pix_fmt yuvj420p ${BITEXACT} -y ${pattern}`);
  const { maker, model, firmware, gps } = plan.options;
  for (const [i, f] of photos.entries()) {
    const jpeg = await fs.readFile(path.join(a.tmp, `photo-${String(i + 1).padStart(4, '0')}.jpg`));
    const exif = buildExifSegment({
      make: maker,
      model,
      software: firmware,
      dateTimeOriginal: f.deviceTime,
      ...(gps ? { gps } : {}),
    });
    const out = path.join(root, f.path);
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, insertExif(jpeg, exif));
  }
}

/**
 * Rewrites a file the way an editing tool exports it: a stretch cut out of the middle (the
 * concat demuxer joins the parts before and after), video re-encoded by FFmpeg with its
 * default tags (encoder Lavf…, handler VideoHandler), audio re-muxed, and creation_time set
 * to a later "export" time.
 */
async function editFile(plan: SimulationPlan, f: PlannedFile, file: string, tmpDir: string): Promise<void> {
  const avi = path.extname(file).toLowerCase() === '.avi';
  const d = f.durationMs / 1000;
  const quoted = `'${file.replaceAll("'", "'\\''")}'`;
  const cutFrom = Math.floor(d * EDIT_CUT.from);
  const cutTo = Math.ceil(d * EDIT_CUT.to);
  const list = path.join(tmpDir, `edit-${f.sequence}.ffconcat`);
  await fs.writeFile(
    list,
    cutFrom >= 1 && cutTo > cutFrom && cutTo < d
      ? `ffconcat version 1.0\nfile ${quoted}\noutpoint ${cutFrom}\nfile ${quoted}\ninpoint ${cutTo}\n`
      : `ffconcat version 1.0\nfile ${quoted}\n`, // too short to cut: re-encoded only
  );
  const shifted = f.deviceMs + EDIT_TIME_SHIFT_MS;
  const time = avi
    ? ff`-metadata date=${riffDate(epochToWallTime(shifted, plan.options.timeZone))}`
    : ff`-metadata creation_time=${iso(shifted)}`;
  const tmp = path.join(tmpDir, `edit-${f.sequence}${path.extname(file)}`);
  try {
    await runFfmpeg(ff`-f concat -safe 0 -i ${list} -map 0:v:0 -map 0:a:0
      -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a copy -map_metadata -1 ${time}
      -f ${avi ? 'avi' : 'mp4'} -y ${tmp}`);
    await fs.copyFile(tmp, file);
  } finally {
    await fs.rm(list, { force: true });
    await fs.rm(tmp, { force: true });
  }
}

/** Writes the simulated device volume. Throws SIMULATE_INVALID, SIMULATE_DIR_NOT_EMPTY, FFMPEG_MISSING, ESPEAK_MISSING. */
export async function simulateDevice(options: SimulateOptions): Promise<SimulationResult> {
  const started = Date.now();
  const plan = planSimulation(options);
  const root = path.resolve(options.dir);
  await ensureEmptyDir(root);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'zhilu-sim-'));
  try {
    const assets = await prepareAssets(plan, tmp);
    const present = plan.files.filter((f) => f.present);
    for (const dir of new Set(present.map((f) => path.dirname(path.join(root, f.path)))))
      await fs.mkdir(dir, { recursive: true });
    const media = present.filter((f) => f.kind !== 'photo');
    await pool(media, 2, async (f) => {
      const out = path.join(root, f.path);
      if (f.kind === 'video') await writeVideo(plan, assets, f, out);
      else await writeAudio(plan, assets, f, out);
      if (f.edit) await editFile(plan, f, out, tmp);
      if (f.truncate) {
        const { size } = await fs.stat(out);
        await fs.truncate(out, Math.floor(size * TRUNCATE_KEEP));
      }
    });
    await writePhotos(
      plan,
      assets,
      present.filter((f) => f.kind === 'photo'),
      root,
    );
    const device: DeviceInfo = {
      format: 'zhilu-device/1',
      serial: plan.options.serial,
      model: plan.options.model,
      maker: plan.options.maker,
      firmware: plan.options.firmware,
      naming: plan.options.naming,
      timeZone: plan.options.timeZone,
    };
    const { format: _format, ...infoFields } = device;
    await fs.writeFile(path.join(root, DEVICE_INFO_FILE), formatDeviceInfo(infoFields));

    const files: SimulatedFile[] = [];
    for (const f of plan.files) {
      const bytes = f.present ? (await fs.stat(path.join(root, f.path))).size : null;
      files.push({
        path: f.path,
        kind: f.kind,
        sequence: f.sequence,
        start: iso(f.startMs),
        end: iso(f.startMs + f.durationMs),
        deviceTime: f.deviceTime,
        durationMs: f.durationMs,
        present: f.present,
        planted: f.planted,
        speech: f.speech,
        bytes,
      });
    }
    return {
      dir: root,
      device,
      naming: plan.options.naming,
      timeZone: plan.options.timeZone,
      clockOffsetSeconds: plan.options.clockOffsetSeconds,
      splitSeconds: plan.splitMs / 1000,
      gaps: plan.gaps.map((g) => ({
        from: iso(g.fromMs),
        to: iso(g.toMs),
        seconds: (g.toMs - g.fromMs) / 1000,
      })),
      files,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
