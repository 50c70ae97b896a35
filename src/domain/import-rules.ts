// Rules the import applies to each device file (A11.4, A13.1, A19.1, A21.1(5)): missing
// device file numbers, signs of editing, impossible clock times, the upload deadline.
// Pure: no I/O, no clock. Every finding carries a short code and a zh-CN / English text
// saying why, so a custodian can see what tripped it and judge.

import { dayBounds } from './activity.js';
import { epochToWallTime, zoneOffsetMs, type ParsedName } from './file-names.js';

// ─── What the probe reports about a file (src/media/probe.ts fills it) ─────────────

export interface MediaInfo {
  /** False when the file cannot be read as media (zero bytes, truncated, garbage). */
  ok: boolean;
  /** Why `ok` is false, in ffprobe's or the structure check's words. */
  error?: string;
  /** Non-fatal complaints ffprobe printed while reading a file it could read. */
  warnings: string[];
  /** ffprobe's format name, e.g. 'mov,mp4,m4a,3gp,3g2,mj2', 'avi', 'wav', 'image2'. */
  formatName: string | null;
  /** Null for still images and when unknown. */
  durationMs: number | null;
  bitRate: number | null;
  sizeBytes: number | null;
  video?: { codec: string; width: number | null; height: number | null; fps: number | null };
  audio?: { codec: string; sampleRate: number | null; channels: number | null };
  /** When the container says it was made, epoch ms (creation_time; AVI date; WAV bext date+time). */
  creationTime: number | null;
  /** The container's creation value as written, kept beside the parsed one. */
  creationTimeRaw: string | null;
  /** Format tags under their own keys; stream tags as '<stream index>:<key>'; EXIF as 'exif:<tag>'. Keys lower-case. */
  tags: Record<string, string>;
  /** The format's encoder tag (AVI: its ISFT, shown as 'software'), else the first stream's. */
  encoder: string | null;
  handlerNames: string[];
  gps: { lat: number; lng: number } | null;
  /** JPEG EXIF DateTimeOriginal as epoch ms (its OffsetTimeOriginal, else the probe's time zone). */
  exifTime: number | null;
  /** JPEG EXIF DateTimeOriginal as written, 'YYYY-MM-DDTHH:mm:ss.SSS'. */
  exifLocalTime: string | null;
}

// ─── SEQUENCE_GAP (A11.4, A21.1(1)) ───────────────────────────────────────────────

export interface SequenceGap {
  /** First missing number. */
  from: number;
  /** Last missing number. */
  to: number;
  count: number;
}

/**
 * Missing device file numbers between the lowest and highest present, as ranges (a reset
 * counter or a wild number never produces a list of millions). Duplicates, non-integers and
 * negatives are ignored. With `after` (the highest number this device's group reached in an
 * earlier import) the numbers between it and the lowest present are missing too — unless
 * the lowest present is not above it, which means the counter was reset (device formatted).
 */
export function sequenceGaps(seqs: readonly number[], opts: { after?: number | null } = {}): SequenceGap[] {
  const sorted = [...new Set(seqs.filter((n) => Number.isSafeInteger(n) && n >= 0))].sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const after = opts.after;
  if (after !== undefined && after !== null && Number.isSafeInteger(after) && sorted[0]! > after)
    sorted.unshift(after);
  const gaps: SequenceGap[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b - a > 1) gaps.push({ from: a + 1, to: b - 1, count: b - a - 1 });
  }
  return gaps;
}

/**
 * Gaps per counter: files are grouped by `sequenceGroup` (files without one are skipped).
 * `previous` maps a group to the highest number an earlier import saw.
 */
export function sequenceGapsByGroup(
  names: readonly Pick<ParsedName, 'sequence' | 'sequenceGroup'>[],
  previous: ReadonlyMap<string, number> = new Map(),
): (SequenceGap & { group: string })[] {
  const groups = new Map<string, number[]>();
  for (const n of names) {
    if (n.sequence === null || n.sequenceGroup === null) continue;
    const list = groups.get(n.sequenceGroup) ?? [];
    list.push(n.sequence);
    groups.set(n.sequenceGroup, list);
  }
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([group, seqs]) =>
      sequenceGaps(seqs, { after: previous.get(group) ?? null }).map((g) => ({ group, ...g })),
    );
}

// ─── EDITED (A11.4, A21.1(5)) ──────────────────────────────────────────────────────

export type EditReasonCode =
  | 'EDITOR_TAG'
  | 'REMUXER_HANDLER'
  | 'CREATION_TIME_MISMATCH'
  | 'CREATION_DATE_MISMATCH'
  | 'LONGER_THAN_SPLIT'
  | 'OVERLAPS_NEXT'
  | 'SHORTER_THAN_SPLIT';

export interface EditReason {
  code: EditReasonCode;
  zh: string;
  en: string;
  /** The values that tripped it (tag key and value, seconds off, …). */
  evidence: Record<string, string | number>;
}

export interface EditFinding {
  code: 'EDITED';
  reasons: EditReason[];
}

/**
 * Editing tools, transcoders and re-muxers whose names show up in encoder, software or
 * handler tags. Recorders write their own firmware or chip vendor there; any of these means
 * the file was written again by software after it left the device.
 */
export const EDITING_TOOLS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'FFmpeg (libavformat)', pattern: /\bLavf\d*/ },
  { name: 'FFmpeg (libavcodec)', pattern: /\bLavc\d*/ },
  { name: 'HandBrake', pattern: /HandBrake/i },
  { name: 'Adobe Premiere', pattern: /Premiere/i },
  { name: 'Adobe After Effects', pattern: /After ?Effects/i },
  { name: 'Adobe Media Encoder', pattern: /Adobe Media Encoder/i },
  { name: 'MainConcept (Adobe encoders)', pattern: /MainConcept/i },
  { name: 'Adobe Photoshop / Lightroom', pattern: /Photoshop|Lightroom/i },
  { name: 'Final Cut Pro', pattern: /Final ?Cut/i },
  { name: 'iMovie', pattern: /iMovie/i },
  { name: 'DaVinci Resolve', pattern: /DaVinci|Blackmagic Design/i },
  { name: '剪映 / CapCut', pattern: /剪映|CapCut|JianYing|Jianying/i },
  { name: '爱剪辑', pattern: /爱剪辑|AiJianJi/i },
  { name: '格式工厂 / Format Factory', pattern: /格式工厂|Format ?Factory/i },
  { name: '快剪辑', pattern: /快剪辑/ },
  { name: '会声会影 / VideoStudio', pattern: /会声会影|VideoStudio/i },
  { name: 'Camtasia', pattern: /Camtasia/i },
  { name: 'VEGAS', pattern: /\bVEGAS\b|Sony Vegas/i },
  { name: 'Filmora / Wondershare', pattern: /Filmora|Wondershare|万兴/i },
  { name: 'Movavi', pattern: /Movavi/i },
  { name: 'Shotcut', pattern: /Shotcut/i },
  { name: 'Kdenlive', pattern: /Kdenlive/i },
  { name: 'OpenShot', pattern: /OpenShot/i },
  { name: 'Avidemux', pattern: /Avidemux/i },
  { name: 'VirtualDub', pattern: /VirtualDub/i },
  { name: 'MEncoder', pattern: /MEncoder/i },
  { name: 'GPAC MP4Box', pattern: /MP4Box|GPAC/i },
  { name: 'mkvmerge', pattern: /mkvmerge/i },
  { name: 'GIMP', pattern: /\bGIMP\b/i },
  { name: '美图秀秀 / Meitu', pattern: /美图|Meitu/i },
  { name: '醒图 / Snapseed / PicsArt', pattern: /醒图|Snapseed|PicsArt/i },
];

/** Tag keys that name the software that wrote a file. */
const SOFTWARE_KEYS = new Set([
  'encoder',
  'encoded_by',
  'encoding_tool',
  'software',
  'writing_application',
  'writing_library',
  'com.apple.quicktime.software',
  'handler_name',
  'compressor_name',
]);

/** libavformat's default track handler names: FFmpeg re-muxed the file without keeping the device's. */
const FFMPEG_HANDLERS = new Set(['VideoHandler', 'SoundHandler', 'DataHandler', 'SubtitleHandler']);

export interface EditCheckOptions {
  /** How far the container time may be from the name's time, ms. Default 120 s. */
  toleranceMs?: number;
  /**
   * The device's time zone. With it, a container time that equals the name's wall time
   * read as UTC (a common firmware habit) is accepted, and date-only names are compared.
   */
  timeZone?: string;
  /** The device's split length in seconds (files of a continuous recording are at most this long). */
  splitSeconds?: number | null;
  /** The device's next file of the same kind, by name time. */
  next?: { recordedAt: number | null } | null;
  /** Slack for duration comparisons, ms (names have one-second resolution). Default 3 s. */
  durationToleranceMs?: number;
}

const seconds = (ms: number) => Math.round(ms / 1000);

/**
 * Signs that a file was edited, re-encoded or re-muxed after recording. Each reason is
 * explainable on its own; a file with none returns null. Unreadable files return null
 * (UNREADABLE covers them).
 */
export function editSigns(
  info: MediaInfo,
  parsed: ParsedName,
  opts: EditCheckOptions = {},
): EditFinding | null {
  if (!info.ok) return null;
  const reasons: EditReason[] = [];
  const tol = opts.toleranceMs ?? 120_000;
  const durTol = opts.durationToleranceMs ?? 3_000;

  // 1. Software tags.
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(info.tags)) {
    const bare = key.replace(/^(?:\d+|exif):/, '');
    if (!SOFTWARE_KEYS.has(bare)) continue;
    for (const tool of EDITING_TOOLS) {
      if (!tool.pattern.test(value) || seen.has(`${tool.name}|${value}`)) continue;
      seen.add(`${tool.name}|${value}`);
      reasons.push({
        code: 'EDITOR_TAG',
        zh: `文件的 ${key} 标签为 “${value}”，表明由 ${tool.name} 重新写入`,
        en: `The ${key} tag is "${value}": the file was written again by ${tool.name}`,
        evidence: { tag: key, value, tool: tool.name },
      });
    }
  }
  for (const handler of new Set(info.handlerNames)) {
    if (!FFMPEG_HANDLERS.has(handler)) continue;
    reasons.push({
      code: 'REMUXER_HANDLER',
      zh: `轨道处理器名为 FFmpeg 默认值 “${handler}”，表明文件经过重新封装`,
      en: `A track handler is FFmpeg's default "${handler}": the file was re-muxed`,
      evidence: { handler },
    });
  }

  // 2. Container time against the name's time.
  const containerTime = info.creationTime ?? info.exifTime;
  const source = info.creationTime !== null ? 'creation_time' : 'EXIF DateTimeOriginal';
  if (containerTime !== null && parsed.recordedAt !== null) {
    const diff = containerTime - parsed.recordedAt;
    const quirk = opts.timeZone ? zoneOffsetMs(parsed.recordedAt, opts.timeZone) : null;
    const fits = Math.abs(diff) <= tol || (quirk !== null && Math.abs(diff - quirk) <= tol);
    if (!fits)
      reasons.push({
        code: 'CREATION_TIME_MISMATCH',
        zh: `容器时间（${source}）与文件名时间相差 ${seconds(diff)} 秒，超过允许的 ${seconds(tol)} 秒`,
        en: `The container time (${source}) is ${seconds(diff)} s from the name's time, beyond the ${seconds(tol)} s allowed`,
        evidence: { source, differenceSeconds: seconds(diff), toleranceSeconds: seconds(tol) },
      });
  } else if (containerTime !== null && parsed.recordedAt === null && parsed.localDate && opts.timeZone) {
    const tz = opts.timeZone;
    const quirk = zoneOffsetMs(containerTime, tz);
    const dates = [
      containerTime - tol,
      containerTime + tol,
      containerTime - quirk - tol,
      containerTime - quirk + tol,
    ].map((t) => epochToWallTime(t, tz).slice(0, 10));
    if (!dates.includes(parsed.localDate))
      reasons.push({
        code: 'CREATION_DATE_MISMATCH',
        zh: `容器时间（${source}）的日期 ${dates[0]} 与文件名日期 ${parsed.localDate} 不符`,
        en: `The container time (${source}) falls on ${dates[0]}, not on the name's date ${parsed.localDate}`,
        evidence: { source, containerDate: dates[0]!, nameDate: parsed.localDate },
      });
  }

  // 3. Duration against the device's split length and the next file.
  const d = info.durationMs;
  const start = parsed.recordedAt;
  const split = opts.splitSeconds ? opts.splitSeconds * 1000 : null;
  const next = opts.next?.recordedAt ?? null;
  if (d !== null && start !== null && (parsed.kind === 'video' || parsed.kind === 'audio')) {
    if (split !== null && d > split + durTol)
      reasons.push({
        code: 'LONGER_THAN_SPLIT',
        zh: `时长 ${seconds(d)} 秒超过设备分段时长 ${seconds(split)} 秒，设备不会写出这样的文件`,
        en: `Duration ${seconds(d)} s exceeds the device's split length of ${seconds(split)} s; the device cannot have written it`,
        evidence: { durationSeconds: seconds(d), splitSeconds: seconds(split) },
      });
    if (next !== null && next > start && start + d > next + durTol)
      reasons.push({
        code: 'OVERLAPS_NEXT',
        zh: `本文件结束于下一个文件开始之后 ${seconds(start + d - next)} 秒，同一设备的录像不会重叠`,
        en: `The file ends ${seconds(start + d - next)} s after the next file begins; one device's recordings cannot overlap`,
        evidence: { durationSeconds: seconds(d), nextStartsAfterSeconds: seconds(next - start) },
      });
    if (split !== null && next !== null && Math.abs(next - start - split) <= durTol && d < split - durTol)
      reasons.push({
        code: 'SHORTER_THAN_SPLIT',
        zh: `下一个文件在分段时长后紧接开始（连续录像），但本文件只有 ${seconds(d)} 秒，缺少 ${seconds(split - d)} 秒`,
        en: `The next file continues the recording after one split length, but this file lasts only ${seconds(d)} s: ${seconds(split - d)} s are missing`,
        evidence: {
          durationSeconds: seconds(d),
          splitSeconds: seconds(split),
          missingSeconds: seconds(split - d),
        },
      });
  }

  return reasons.length ? { code: 'EDITED', reasons } : null;
}

// ─── CLOCK_OFFSET (A5.1) ───────────────────────────────────────────────────────────

export interface ClockFinding {
  code: 'CLOCK_OFFSET';
  reason: 'IN_FUTURE' | 'BEFORE_DEVICE';
  zh: string;
  en: string;
  /** How far beyond the limit, ms (positive). */
  byMs: number;
}

/**
 * A device time that cannot be right: later than `now` (beyond `toleranceMs`, default
 * 5 minutes), or earlier than the device existed (`deviceSince`: its purchase date or when
 * zhilu first saw it; null when unknown). Pass the time the device reported, uncorrected:
 * it is the device clock being judged.
 */
export function clockFindings(
  recordedAt: number,
  now: number,
  deviceSince: number | null,
  opts: { toleranceMs?: number } = {},
): ClockFinding | null {
  const tol = opts.toleranceMs ?? 5 * 60_000;
  if (recordedAt > now + tol) {
    const by = recordedAt - now;
    return {
      code: 'CLOCK_OFFSET',
      reason: 'IN_FUTURE',
      zh: `录制时间比当前时间晚 ${seconds(by)} 秒，设备时钟不准`,
      en: `The recording time is ${seconds(by)} s in the future: the device clock is wrong`,
      byMs: by,
    };
  }
  if (deviceSince !== null && recordedAt < deviceSince - tol) {
    const by = deviceSince - recordedAt;
    return {
      code: 'CLOCK_OFFSET',
      reason: 'BEFORE_DEVICE',
      zh: `录制时间早于设备购置或首次登记 ${seconds(by)} 秒，设备时钟不准`,
      en: `The recording time is ${seconds(by)} s before the device existed: the device clock is wrong`,
      byMs: by,
    };
  }
  return null;
}

// ─── LATE_IMPORT (A13.1) ───────────────────────────────────────────────────────────

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface DeadlineInput {
  /** When the recording ended (corrected time), epoch ms. */
  recordingEnd: number;
  /** The unit's time zone: "the day" is a local day. */
  timeZone: string;
  /** Remote township or continuous work (the activity says so). */
  remote: boolean;
  /** When the officer returned to the unit, epoch ms; null when not (yet) known. */
  returnedAt: number | null;
}

/**
 * When a recording must be in zhilu (A13.1): by the end of the local day it ended on; for
 * remote or continuous work, 24 hours after the officer returned to the unit — never earlier
 * than the ordinary deadline. Null when the work is remote and the return is not recorded
 * yet (no deadline runs until then).
 */
export function importDeadline(input: DeadlineInput): number | null {
  const endOfDay = dayBounds(input.recordingEnd, input.timeZone).end;
  if (!input.remote) return endOfDay;
  if (input.returnedAt === null) return null;
  return Math.max(endOfDay, input.returnedAt + DAY_MS);
}

/** Imported after the deadline (a deadline not yet running is never late). */
export function isLateImport(importedAt: number, deadline: number | null): boolean {
  return deadline !== null && importedAt > deadline;
}
