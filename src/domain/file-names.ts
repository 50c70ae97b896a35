// Device file names (A11.4, A12.1): what a recorder's file name says about the file —
// device, officer, the device's own file counter, the wall time the device wrote, the
// "important" marker, the kind of media. Pure rules, no I/O.
//
// Each naming scheme is one object ({ id, describe, examples, parse, format? }). The import
// tries the schemes in order and falls back to the generic one, which always answers.
// Names come from devices and are untrusted: parsing never throws, never resolves a path,
// and nothing it returns may be used to build one. Odd names (absolute paths, "..",
// control characters, invalid UTF-8, very long names) still parse; they are reported in
// `issues` so the import can store the file under an internal name and keep the original
// name as metadata.
//
// What "sequence" means, per scheme:
//   device-officer-time  none: the name carries no counter (sequence null). A file removed
//                        from the middle of a split recording shows only as a time hole.
//   timestamp-ms         none (sequence null), as above.
//   dcim-record          the device's file counter NNNNNNNN; files in one folder share it.
//   generic              a trailing number in the name (IMG_0034 → 34), grouped by folder
//                        and the text before the number; no number when the name also
//                        carries a date or time (a run of six or more digits), because a
//                        time is not a counter.
// `sequenceGroup` names the counter a sequence belongs to: gaps are computed only between
// files of one group (see import-rules.ts sequenceGaps).

import { AppError } from './errors.js';

export type MediaKind = 'video' | 'photo' | 'audio' | 'other';

/** Something odd about a device path, reported, never fatal. */
export type NameIssue =
  'EMPTY' | 'ABSOLUTE_PATH' | 'PATH_TRAVERSAL' | 'CONTROL_CHARACTERS' | 'INVALID_UTF8' | 'TOO_LONG';

export interface ParsedName {
  /** The id of the scheme that recognised the name ('generic' for the fallback). */
  scheme: string;
  deviceCode: string | null;
  officerCode: string | null;
  /** The device's own file number, when the scheme carries one (see the table above). */
  sequence: number | null;
  /** Files whose sequences share one counter have the same group; null without a sequence. */
  sequenceGroup: string | null;
  /** 'YYYY-MM-DDTHH:mm:ss.SSS', the wall time exactly as the device wrote it; null when absent or invalid. */
  localTime: string | null;
  /** 'YYYY-MM-DD' when the name carries a valid date (also for date-only schemes). */
  localDate: string | null;
  /** `localTime` read in the context's time zone, epoch ms (the device's clock, uncorrected). */
  recordedAt: number | null;
  /** An IMP / 重要 marker in the file name (or a parent folder named so). */
  important: boolean;
  kind: MediaKind;
  /** Lower-case, without the dot; '' when the name has none. */
  extension: string;
  issues: NameIssue[];
}

export interface NameContext {
  /** IANA zone the device clock shows (e.g. 'Asia/Shanghai'). */
  timeZone: string;
}

/** What a scheme needs to write a name (used by the device simulator). */
export interface NameFields {
  deviceCode: string;
  officerCode: string;
  sequence: number;
  /** 'YYYY-MM-DDTHH:mm:ss.SSS' device wall time. */
  localTime: string;
  kind: Exclude<MediaKind, 'other'>;
  important?: boolean;
}

export interface FileNameScheme {
  id: string;
  describe: { zh: string; en: string };
  /** Real names this scheme must parse (relative to the volume root). */
  examples: readonly string[];
  /** The parsed name, or null when the name is not of this scheme. Never throws. */
  parse(relPath: string, ctx: NameContext): ParsedName | null;
  /** Relative path (POSIX separators) a device of this scheme writes; throws on unsafe fields. */
  format?(fields: NameFields): string;
}

// ─── Kinds ───────────────────────────────────────────────────────────────────────────

const KIND_BY_EXTENSION: Record<string, MediaKind> = {
  mp4: 'video',
  mov: 'video',
  avi: 'video',
  mkv: 'video',
  ts: 'video',
  '3gp': 'video',
  jpg: 'photo',
  jpeg: 'photo',
  png: 'photo',
  heic: 'photo',
  wav: 'audio',
  m4a: 'audio',
  mp3: 'audio',
  aac: 'audio',
  amr: 'audio',
  ogg: 'audio',
};

export function kindOfExtension(extension: string): MediaKind {
  return KIND_BY_EXTENSION[extension.toLowerCase()] ?? 'other';
}

// ─── Wall times and time zones ─────────────────────────────────────────────────────

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws TIME_ZONE_INVALID for a zone the runtime does not know (a configuration error). */
export function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch {
    throw new AppError(
      'TIME_ZONE_INVALID',
      400,
      { zh: `未知时区：${timeZone}`, en: `Unknown time zone: ${timeZone}` },
      { timeZone },
    );
  }
}

/** Offset of `timeZone` from UTC at instant `t`, ms (positive east of Greenwich). */
export function zoneOffsetMs(t: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * 'YYYY-MM-DDTHH:mm:ss.SSS' from parts, or null when they are no real date and time
 * (month 13, 31 February, hour 24, second 60, year outside 1900–2999).
 */
export function wallTime(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): string | null {
  const ints = [y, mo, d, h, mi, s, ms];
  if (!ints.every(Number.isInteger)) return null;
  if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 || ms > 999)
    return null;
  if (h < 0 || mi < 0 || s < 0 || ms < 0) return null;
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}`;
}

const WALL_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;

/**
 * A wall time read in `timeZone` → epoch ms; null when it is not a valid wall time.
 * A time that does not exist (skipped by a DST change) lands just after the change; an
 * ambiguous one (repeated by a DST change) resolves to one of its two instants.
 */
export function wallTimeToEpoch(local: string, timeZone: string): number | null {
  const m = WALL_RE.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '0').padEnd(3, '0'));
  if (wallTime(y, mo, d, h, mi, s, ms) === null) return null;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  let guess = wall - zoneOffsetMs(wall, timeZone);
  guess = wall - zoneOffsetMs(guess, timeZone);
  return guess;
}

/** Epoch ms → the 'YYYY-MM-DDTHH:mm:ss.SSS' wall time a clock in `timeZone` shows. */
export function epochToWallTime(t: number, timeZone: string): string {
  const local = new Date(t + zoneOffsetMs(t, timeZone));
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}`
  );
}

// ─── Path splitting (shared by all schemes) ────────────────────────────────────────

/** Paths longer than this are reported TOO_LONG; only their last part is inspected. */
export const MAX_PATH_CHARS = 1024;
const MAX_INSPECTED = 4096;
const MAX_SEGMENT_BYTES = 255;

export interface PathParts {
  /** Folder names from the volume root, without '', '.' (and with '..' kept as is). */
  folders: string[];
  base: string;
  stem: string;
  extension: string;
  issues: NameIssue[];
}

const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Splits a device path into folders, file name, stem and extension, noting anything odd. */
export function splitDevicePath(relPath: string): PathParts {
  const issues = new Set<NameIssue>();
  let p = typeof relPath === 'string' ? relPath : '';
  if (p.length === 0) issues.add('EMPTY');
  if (p.length > MAX_PATH_CHARS) issues.add('TOO_LONG');
  if (p.length > MAX_INSPECTED) p = p.slice(-MAX_INSPECTED);
  if (CONTROL_RE.test(p)) issues.add('CONTROL_CHARACTERS');
  if (p.includes('\uFFFD') || LONE_SURROGATE_RE.test(p)) issues.add('INVALID_UTF8');
  const norm = p.replace(/\\/g, '/');
  if (norm.startsWith('/') || /^[A-Za-z]:/.test(norm)) issues.add('ABSOLUTE_PATH');
  const segments = norm.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) issues.add('PATH_TRAVERSAL');
  if (segments.some((s) => Buffer.byteLength(s, 'utf8') > MAX_SEGMENT_BYTES)) issues.add('TOO_LONG');
  const base = segments.at(-1) ?? '';
  const dot = base.lastIndexOf('.');
  const rawExt = dot > 0 ? base.slice(dot + 1) : '';
  const extension = /^[A-Za-z0-9]{1,6}$/.test(rawExt) ? rawExt.toLowerCase() : '';
  const stem = extension ? base.slice(0, dot) : base;
  return { folders: segments.slice(0, -1), base, stem, extension, issues: [...issues] };
}

const MARKER_RE = /(?:^|[^A-Za-z])IMP(?:[^A-Za-z]|$)|重要/i;

/** IMP (a token, not part of a word such as IMPORT) or 重要 in the name or the parent folder. */
export function hasImportantMarker(parts: PathParts): boolean {
  const parent = parts.folders.at(-1) ?? '';
  return MARKER_RE.test(parts.stem) || /^(?:IMP|重要)$/i.test(parent);
}

/** Folder names devices use for media, never a device code. */
const GENERIC_FOLDERS = new Set([
  'dcim',
  'record',
  'records',
  'video',
  'videos',
  'movie',
  'movies',
  'photo',
  'photos',
  'picture',
  'pictures',
  'audio',
  'audios',
  'voice',
  'sound',
  'imp',
  'event',
  'normal',
  'emr',
  'misc',
  'log',
  'data',
  '重要',
]);

const DEVICE_CODE_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** A folder name that plausibly is a device code (not 'DCIM', '100MEDIA', '..', …). */
export function deviceFolderCode(folder: string | undefined): string | null {
  if (folder === undefined || !DEVICE_CODE_RE.test(folder)) return null;
  if (GENERIC_FOLDERS.has(folder.toLowerCase()) || /^\d{3}[A-Za-z_]{0,5}$/.test(folder)) return null;
  return folder;
}

function base(parts: PathParts, scheme: string): ParsedName {
  return {
    scheme,
    deviceCode: null,
    officerCode: null,
    sequence: null,
    sequenceGroup: null,
    localTime: null,
    localDate: null,
    recordedAt: null,
    important: hasImportantMarker(parts),
    kind: kindOfExtension(parts.extension),
    extension: parts.extension,
    issues: parts.issues,
  };
}

function withTime(p: ParsedName, local: string | null, ctx: NameContext): ParsedName {
  if (local === null) return p;
  return {
    ...p,
    localTime: local,
    localDate: local.slice(0, 10),
    recordedAt: wallTimeToEpoch(local, ctx.timeZone),
  };
}

const digits = (s: string, from: number, len: number) => Number(s.slice(from, from + len));

/** 'YYYYMMDD' + optional 'HHMMSS' + optional 'mmm' → wall time, or null when invalid. */
function compactWallTime(date: string, time = '000000', ms = '000'): string | null {
  return wallTime(
    digits(date, 0, 4),
    digits(date, 4, 2),
    digits(date, 6, 2),
    digits(time, 0, 2),
    digits(time, 2, 2),
    digits(time, 4, 2),
    Number(ms),
  );
}

const compactDate = (local: string) => local.slice(0, 10).replace(/-/g, '');
const compactTime = (local: string) => local.slice(11, 19).replace(/:/g, '');
const compactMs = (local: string) => local.slice(20, 23);

const SAFE_DEVICE = /^[A-Za-z0-9-]{1,32}$/;
const SAFE_OFFICER = /^[A-Za-z0-9]{1,32}$/;

function unsafe(field: string, value: string): AppError {
  return new AppError(
    'FILE_NAME_FIELD_INVALID',
    400,
    {
      zh: `文件名字段 ${field} 含有不允许的字符：${JSON.stringify(value)}（只允许字母、数字和连字符）`,
      en: `File name field ${field} has characters not allowed: ${JSON.stringify(value)} (letters, digits and hyphens only)`,
    },
    { field },
  );
}

function checkFields(f: NameFields, needOfficer: boolean): void {
  if (!SAFE_DEVICE.test(f.deviceCode)) throw unsafe('deviceCode', f.deviceCode);
  if (needOfficer && !SAFE_OFFICER.test(f.officerCode)) throw unsafe('officerCode', f.officerCode);
  if (!Number.isInteger(f.sequence) || f.sequence < 1 || f.sequence > 99_999_999)
    throw unsafe('sequence', String(f.sequence));
  if (wallTimeToEpoch(f.localTime, 'UTC') === null) throw unsafe('localTime', f.localTime);
}

/** Optional trailing tokens such as _IMP, _重要, _A after the fields a scheme defines. */
const SUFFIX = '((?:_[^_.\\s]{1,16}){0,4})';
const DEVICE_OFFICER_TIME_RE = new RegExp(
  `^([A-Za-z]{1,10})_([A-Za-z0-9-]{1,32})_([A-Za-z0-9]{1,32})_(\\d{8})_(\\d{6})${SUFFIX}$`,
);
const TIMESTAMP_MS_RE = new RegExp(`^(\\d{8})(\\d{6})(\\d{3})${SUFFIX}$`);
const DCIM_RECORD_RE = new RegExp(`^(\\d{8})_(\\d{8})${SUFFIX}$`);

// ─── Schemes ───────────────────────────────────────────────────────────────────────

/** PREFIX_DEVICE_OFFICER_YYYYMMDD_HHMMSS[_IMP].ext, e.g. DCAM_CAM001_000001_20260804_100000.mp4 */
export const DEVICE_OFFICER_TIME: FileNameScheme = {
  id: 'device-officer-time',
  describe: {
    zh: '前缀_设备编号_警员编号_年月日_时分秒[_IMP].扩展名（执法记录仪常见命名，无文件序号）',
    en: 'PREFIX_DEVICE_OFFICER_YYYYMMDD_HHMMSS[_IMP].ext (common body-worn recorder naming; no file counter)',
  },
  examples: [
    'VIDEO/DCAM_CAM001_000001_20260804_100000.mp4',
    'VIDEO/DCAM_CAM001_000001_20260804_101000_IMP.mp4',
    'PHOTO/DCAM_CAM001_000001_20260804_100512.jpg',
    'AUDIO/DCAM_CAM001_000001_20260804_103000.M4A',
  ],
  parse(relPath, ctx) {
    const parts = splitDevicePath(relPath);
    const m = DEVICE_OFFICER_TIME_RE.exec(parts.stem);
    if (!m) return null;
    const p = { ...base(parts, 'device-officer-time'), deviceCode: m[2]!, officerCode: m[3]! };
    return withTime(p, compactWallTime(m[4]!, m[5]!), ctx);
  },
  format(f) {
    checkFields(f, true);
    const folder = { video: 'VIDEO', photo: 'PHOTO', audio: 'AUDIO' }[f.kind];
    const ext = { video: 'mp4', photo: 'jpg', audio: 'm4a' }[f.kind];
    const imp = f.important ? '_IMP' : '';
    return `${folder}/DCAM_${f.deviceCode}_${f.officerCode}_${compactDate(f.localTime)}_${compactTime(f.localTime)}${imp}.${ext}`;
  },
};

/** YYYYMMDDHHMMSSmmm.ext inside a per-device folder, e.g. ZFY0042/20171130084706706.mp4 */
export const TIMESTAMP_MS: FileNameScheme = {
  id: 'timestamp-ms',
  describe: {
    zh: '设备文件夹/年月日时分秒毫秒.扩展名（设备编号取自文件夹名，无文件序号）',
    en: 'DEVICE/YYYYMMDDHHMMSSmmm.ext (device code from the folder name; no file counter)',
  },
  examples: [
    'ZFY0042/20171130084706706.mp4',
    'ZFY0042/20171130084706706.wav',
    'ZFY0042/20171130090102003.JPG',
  ],
  parse(relPath, ctx) {
    const parts = splitDevicePath(relPath);
    const m = TIMESTAMP_MS_RE.exec(parts.stem);
    if (!m) return null;
    const p = { ...base(parts, 'timestamp-ms'), deviceCode: deviceFolderCode(parts.folders.at(-1)) };
    return withTime(p, compactWallTime(m[1]!, m[2]!, m[3]!), ctx);
  },
  format(f) {
    checkFields(f, false);
    const ext = { video: 'mp4', photo: 'jpg', audio: 'wav' }[f.kind];
    const imp = f.important ? '_IMP' : '';
    return `${f.deviceCode}/${compactDate(f.localTime)}${compactTime(f.localTime)}${compactMs(f.localTime)}${imp}.${ext}`;
  },
};

/** NNNNNNNN_YYYYMMDD.ext under DEVICE/DCIM/RECORD/, e.g. DV01/DCIM/RECORD/00000001_20140706.AVI */
export const DCIM_RECORD: FileNameScheme = {
  id: 'dcim-record',
  describe: {
    zh: '设备/DCIM/RECORD/八位序号_年月日.扩展名（序号为设备文件计数，同一文件夹共用；只有日期）',
    en: 'DEVICE/DCIM/RECORD/NNNNNNNN_YYYYMMDD.ext (N is the device file counter, shared within a folder; date only)',
  },
  examples: ['DV01/DCIM/RECORD/00000001_20140706.AVI', 'DV01/DCIM/PHOTO/00000002_20140706.JPG'],
  parse(relPath) {
    const parts = splitDevicePath(relPath);
    const m = DCIM_RECORD_RE.exec(parts.stem);
    if (!m) return null;
    const dcim = parts.folders.findIndex((f) => f.toLowerCase() === 'dcim');
    const local = compactWallTime(m[2]!);
    return {
      ...base(parts, 'dcim-record'),
      deviceCode: dcim > 0 ? deviceFolderCode(parts.folders[dcim - 1]) : null,
      sequence: Number(m[1]),
      sequenceGroup: `dcim-record:${parts.folders.join('/').toLowerCase()}`,
      localDate: local === null ? null : local.slice(0, 10),
    };
  },
  format(f) {
    checkFields(f, false);
    const folder = { video: 'RECORD', photo: 'PHOTO', audio: 'AUDIO' }[f.kind];
    const ext = { video: 'AVI', photo: 'JPG', audio: 'WAV' }[f.kind];
    const imp = f.important ? '_IMP' : '';
    return `${f.deviceCode}/DCIM/${folder}/${String(f.sequence).padStart(8, '0')}_${compactDate(f.localTime)}${imp}.${ext}`;
  },
};

/**
 * Anything else: kind from the extension, times left to the container (creation_time)
 * and then the file's modification time; a trailing number is taken as a sequence.
 */
export const GENERIC: FileNameScheme = {
  id: 'generic',
  describe: {
    zh: '其他命名：类型按扩展名，时间取容器 creation_time 或文件修改时间，末尾数字视为序号',
    en: 'Any other name: kind from the extension, time from the container creation_time or file time, a trailing number as the sequence',
  },
  examples: ['DCIM/100MEDIA/VID_0001.MP4', 'DCIM/100MEDIA/IMG_0002.JPG', 'DCIM/100MEDIA/REC_0003.M4A'],
  parse(relPath) {
    const parts = splitDevicePath(relPath);
    const p = base(parts, 'generic');
    const m = /(?:^|\D)(\d{1,9})$/.exec(parts.stem);
    if (!m || /\d{6,}/.test(parts.stem.slice(0, parts.stem.length - m[1]!.length))) return p;
    const prefix = parts.stem.slice(0, parts.stem.length - m[1]!.length).toLowerCase();
    return {
      ...p,
      sequence: Number(m[1]),
      sequenceGroup: `generic:${parts.folders.join('/').toLowerCase()}:${prefix}`,
    };
  },
  format(f) {
    checkFields(f, false);
    const name = { video: 'VID', photo: 'IMG', audio: 'REC' }[f.kind];
    const ext = { video: 'MP4', photo: 'JPG', audio: 'M4A' }[f.kind];
    return `DCIM/100MEDIA/${name}_${String(f.sequence).padStart(4, '0')}.${ext}`;
  },
};

/** The schemes tried in order before the generic fallback. */
export const FILE_NAME_SCHEMES: readonly FileNameScheme[] = [DEVICE_OFFICER_TIME, TIMESTAMP_MS, DCIM_RECORD];

/** Every scheme, the fallback last; ids are what `--naming` and the device-info file use. */
export const ALL_SCHEMES: readonly FileNameScheme[] = [...FILE_NAME_SCHEMES, GENERIC];

export function schemeById(id: string): FileNameScheme | undefined {
  return ALL_SCHEMES.find((s) => s.id === id);
}

/**
 * Parses a path relative to the device volume root: the first scheme that recognises it,
 * else the generic fallback. `schemes` lets a caller that knows the device's scheme (from
 * its device-info file) put it first. Never throws for any name; throws TIME_ZONE_INVALID
 * for an unknown `ctx.timeZone` (a configuration error, not a name error).
 */
export function parseFileName(
  relPath: string,
  ctx: NameContext,
  schemes: readonly FileNameScheme[] = FILE_NAME_SCHEMES,
): ParsedName {
  assertTimeZone(ctx.timeZone);
  for (const scheme of schemes) {
    try {
      const parsed = scheme.parse(relPath, ctx);
      if (parsed) return parsed;
    } catch {
      // a plug-in scheme that throws is treated as not recognising the name
    }
  }
  return GENERIC.parse(relPath, ctx)!;
}

// ─── The device-info file at a volume root ─────────────────────────────────────────

/**
 * `zhilu-device.json` at the root of a device volume identifies the device to a station:
 *   { "format": "zhilu-device/1", "serial": "CAM001", "model": "…", "maker": "…",
 *     "firmware": "…", "naming": "device-officer-time", "timeZone": "Asia/Shanghai" }
 * Only `format` and `serial` are required. Devices without it are identified by their
 * folder name or the device code in their file names.
 */
export const DEVICE_INFO_FILE = 'zhilu-device.json';
export const DEVICE_INFO_FORMAT = 'zhilu-device/1';
/** Larger files are not read. */
export const DEVICE_INFO_MAX_BYTES = 64 * 1024;

export interface DeviceInfo {
  format: typeof DEVICE_INFO_FORMAT;
  serial: string;
  model: string | null;
  maker: string | null;
  firmware: string | null;
  /** A scheme id from ALL_SCHEMES, when the device states it. */
  naming: string | null;
  timeZone: string | null;
}

const SERIAL_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The device info in a device-info file's text, or null when it is not a valid one. Never throws. */
export function parseDeviceInfo(text: string): DeviceInfo | null {
  if (typeof text !== 'string' || text.length > DEVICE_INFO_MAX_BYTES) return null;
  let v: unknown;
  try {
    v = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (o.format !== DEVICE_INFO_FORMAT || typeof o.serial !== 'string' || !SERIAL_RE.test(o.serial))
    return null;
  const str = (x: unknown) =>
    typeof x === 'string' && x.length > 0 && x.length <= 200 && !CONTROL_RE.test(x) ? x : null;
  const naming = str(o.naming);
  return {
    format: DEVICE_INFO_FORMAT,
    serial: o.serial,
    model: str(o.model),
    maker: str(o.maker),
    firmware: str(o.firmware),
    naming: naming && schemeById(naming) ? naming : null,
    timeZone: str(o.timeZone),
  };
}

export function formatDeviceInfo(info: Omit<DeviceInfo, 'format'>): string {
  return JSON.stringify({ format: DEVICE_INFO_FORMAT, ...info }, null, 2) + '\n';
}
