// Local import (A12.1, A13.1, A19.1, A11.4, A21.1): a device's storage, mounted or copied to
// a folder, goes into the blob store and the catalogue. Every file is read once — streamed
// through the blob store, hashed while it is written — and then catalogued in one
// transaction with its audit event, so a recording is never catalogued without its bytes
// (the reverse, bytes stored but not catalogued, is harmless: content-addressed, and the
// next run catalogues it). Nothing is dropped: unreadable, zero-byte and non-media files
// are kept byte for byte; names are metadata only, never part of a storage path.
//
// Decisions worth knowing:
// - Holder at recording time: the officer of the device's check-out covering the
//   corrected recording time. HOLDER_MISMATCH when that officer's certificate code differs
//   from the officer code in the file name (OFFICER_CODE_MISMATCH), or when no check-out
//   covered the time at all (NO_CHECKOUT: nobody was on record as using the device; the
//   holder stays null, the detail names the registered keeper and the code in the name).
// - Time-based rules (HOLDER_MISMATCH, CLOCK_OFFSET, LATE_IMPORT) apply to recordings
//   (video, photo, audio); 'other' files are only kept. UNREADABLE applies to files whose
//   extension says media; an 'other' file the probe can read becomes that kind.
// - Clock offset: the latest pre-use check whose device time is not after the recording's
//   raw device time (both on the device's clock). Corrected = raw − offset.
// - LATE_IMPORT: A13.1's rule (import-rules.ts importDeadline); remote when a remote
//   activity of the holder contains the recording or the covering check-out was remote.
// - DUPLICATE: content already catalogued. Reported per file and kept in import_files; a
//   finding row only when the earlier copy came from another device (content cannot
//   legitimately travel between devices), never for re-running an import.
// - SEQUENCE_GAP: per device counter, across imports (the highest number an earlier import
//   saw), recorded once per device, counter and range however often it is seen again.
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { uuidv7 } from 'uuidv7';
import type { Tx } from '../db/database.js';
import type {
  CheckoutsTable,
  DeviceChecksTable,
  FindingsTable,
  ImportFilesTable,
  RecordingsTable,
} from '../db/schema.js';
import { AppError, errors, isAppError } from '../domain/errors.js';
import {
  DEVICE_INFO_FILE,
  DEVICE_INFO_MAX_BYTES,
  FILE_NAME_SCHEMES,
  assertTimeZone,
  parseDeviceInfo,
  parseFileName,
  schemeById,
  wallTimeToEpoch,
  type DeviceInfo,
  type FileNameScheme,
  type MediaKind,
  type ParsedName,
} from '../domain/file-names.js';
import {
  clockFindings,
  editSigns,
  importDeadline,
  isLateImport,
  sequenceGapsByGroup,
  type MediaInfo,
} from '../domain/import-rules.js';
import { runTool } from '../media/ffmpeg.js';
import { probe as ffprobe, type ProbeOptions } from '../media/probe.js';
import type { WrittenFile } from '../storage/blob-store.js';
import type { AuditService } from './audit.service.js';
import { hasPermission, type Actor, type ServiceContext } from './context.js';
import { enqueueMediaJobs } from './media-pipeline.service.js'; // media pipeline
import { autoLink } from './linking.service.js'; // linking

// ─── Report ──────────────────────────────────────────────────────────────────────

export type ImportFileStatus = 'imported' | 'duplicate' | 'failed';

export interface ImportFileResult {
  /** Relative to the imported folder, sanitised for display. */
  path: string;
  sha256: string | null;
  size: number | null;
  status: ImportFileStatus;
  /** The catalogued recording (for a duplicate: the one already there). */
  recordingId: string | null;
  kind: MediaKind | null;
  /** Corrected recording time, epoch ms. */
  recordedAt: number | null;
  /** Codes of the findings about this file. */
  findings: string[];
  /** Why a file failed. */
  error?: { code: string; message: string; messageEn: string };
}

export interface ImportFindingReport {
  code: string;
  detail: Record<string, unknown>;
}

export interface ImportReport {
  importId: string;
  device: { id: string; serial: string };
  files: ImportFileResult[];
  /** Every finding of this import: per-file ones (with path and recordingId) and per-device ones. */
  findings: ImportFindingReport[];
  /** bytes: the size of every file read to its end (imported and duplicate). */
  summary: { imported: number; duplicate: number; failed: number; bytes: number };
}

export interface OpenImportInput {
  deviceSerial: string;
  source: 'cli' | 'station';
  stationId?: string | null;
  /** Where the files came from (the station's volume), for display. */
  sourcePath?: string | null;
  /** The device-info file the sender read, if any. */
  deviceInfo?: DeviceInfo | null;
}

export interface OpenedImport {
  importId: string;
  device: { id: string; serial: string };
}

export interface CatalogueFileInput {
  /** The bytes to catalogue: a local file (an upload's completed temporary). */
  abs: string;
  /** The path on the device, raw bytes, relative to its root. */
  originalPath: Buffer;
  /** The hash the sender declared; a mismatch throws and records nothing. */
  expectedSha256?: string;
  /**
   * The file is finished and the caller removes it afterwards: the blob store may take it
   * over by a hard link instead of copying it (BlobStore.adopt).
   */
  adopt?: boolean;
  /** With adopt: the hash its writer computed over every byte (the tus store), if known. */
  written?: WrittenFile | null;
}

export interface ImportOptions {
  source?: 'cli' | 'station';
  stationId?: string | null;
  /** Zone of the device clock when its device-info file does not name one; default the installation's. */
  timeZone?: string;
  /** Told after each file (progress output). */
  onFile?: (file: ImportFileResult, index: number, total: number) => void;
}

// ─── Findings vocabulary (docs: ARCHITECTURE.md "Findings") ───────────────────────

export type Severity = 'info' | 'warning' | 'serious';

export const IMPORT_FINDINGS = {
  SEQUENCE_GAP: { article: 'A11.4', severity: 'serious' },
  EDITED: { article: 'A11.4', severity: 'serious' },
  UNREADABLE: { article: 'A19.1', severity: 'warning' },
  DUPLICATE: { article: '—', severity: 'info' },
  HOLDER_MISMATCH: { article: 'A21.1(2)', severity: 'warning' },
  CLOCK_OFFSET: { article: 'A5.1', severity: 'warning' },
  LATE_IMPORT: { article: 'A13.1', severity: 'warning' },
} as const satisfies Record<string, { article: string; severity: Severity }>;
export type ImportFindingCode = keyof typeof IMPORT_FINDINGS;

// ─── Errors ──────────────────────────────────────────────────────────────────────

export const importErrors = {
  deviceNotFound: (serial: string) =>
    new AppError(
      'DEVICE_NOT_FOUND',
      404,
      {
        zh: `设备未登记：${serial}。请先在设备台账中登记，再导入`,
        en: `Device not registered: ${serial}. Register it in the device register before importing`,
      },
      { serial },
    ),
  dirInvalid: (dir: string, reasonZh: string, reasonEn: string, reason: string) =>
    new AppError(
      'IMPORT_DIR_INVALID',
      400,
      { zh: `无法导入文件夹 ${dir}：${reasonZh}`, en: `Cannot import the folder ${dir}: ${reasonEn}` },
      { dir, reason },
    ),
  empty: (dir: string, skipped: number) =>
    new AppError(
      'IMPORT_EMPTY',
      422,
      {
        zh: `文件夹 ${dir} 中没有可导入的文件${skipped ? `（另有 ${skipped} 个链接或特殊文件不会导入）` : ''}：请确认选择的是设备存储卡的根目录`,
        en: `The folder ${dir} has no files to import${skipped ? ` (and ${skipped} links or special files that are never imported)` : ''}: check that it is the root of the device's storage`,
      },
      { dir, skipped },
    ),
  tooMany: (dir: string, max: number) =>
    new AppError(
      'IMPORT_TOO_MANY_FILES',
      422,
      {
        zh: `文件夹 ${dir} 中的文件超过 ${max} 个，请分批导入`,
        en: `The folder ${dir} holds more than ${max} files; import it in parts`,
      },
      { dir, max },
    ),
  deviceMismatch: (serial: string, infoSerial: string) =>
    new AppError(
      'IMPORT_DEVICE_MISMATCH',
      409,
      {
        zh: `设备信息文件 ${DEVICE_INFO_FILE} 写明序列号为 ${infoSerial}，与指定的设备 ${serial} 不符；请核对后重试`,
        en: `The device-info file ${DEVICE_INFO_FILE} says serial ${infoSerial}, not the device ${serial} given; check which device this is`,
      },
      { serial, deviceInfoSerial: infoSerial },
    ),
  notRunning: (importId: string, status: string) =>
    new AppError(
      'IMPORT_NOT_RUNNING',
      409,
      {
        zh: `导入批次 ${importId} 已结束（${status}），不能再添加文件；请新开一个导入`,
        en: `The import ${importId} is no longer open (${status}); open a new import`,
      },
      { importId, status },
    ),
  serialInvalid: () =>
    errors.validation('the device serial must be 1–64 characters without control characters', {
      field: 'device',
    }),
};

/** Per-file failures: stored in import_files and shown in the report. */
const changedError = () =>
  fileError(
    'IMPORT_FILE_CHANGED',
    '读取期间文件被修改，未编目；请在设备不再写入时重新导入',
    'the file changed while it was read; not catalogued. Import again once the device has stopped writing',
  );

function fileError(code: string, zh: string, en: string): AppError {
  return new AppError(code, 422, { zh, en });
}

function errorOf(e: unknown): { code: string; message: string; messageEn: string } {
  if (isAppError(e)) return { code: e.code, message: e.messages.zh, messageEn: e.messages.en };
  const errno = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof errno === 'string' && /^E[A-Z0-9]+$/.test(errno))
    return {
      code: 'IMPORT_READ_FAILED',
      message: `读取文件失败（${errno}）`,
      messageEn: `Reading the file failed (${errno})`,
    };
  const text = (e instanceof Error ? e.message : String(e)).slice(0, 300);
  return {
    code: 'IMPORT_FILE_FAILED',
    message: `导入文件失败：${text}`,
    messageEn: `Importing the file failed: ${text}`,
  };
}

// ─── Device paths: bytes in, display text out ─────────────────────────────────────

/** Paths longer than this (characters) are shown cut in the middle; the raw bytes are kept. */
export const MAX_DISPLAY_CHARS = 1024;

export interface DisplayPath {
  text: string;
  /** True when `text` is exactly the name on the device. */
  exact: boolean;
  encoding: 'utf-8' | 'gb18030' | 'invalid';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const gb18030 = new TextDecoder('gb18030', { fatal: true });
// C0, DEL, C1 and the bidirectional overrides that can make a name display as another.
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A device path's bytes as text fit to show and to parse: UTF-8, else GB18030 (the GBK
 * names Chinese Windows and many recorders write), else UTF-8 with replacement characters;
 * control characters shown as their visible symbols (␇), bidi overrides replaced, very long
 * paths cut in the middle. Never used to build a path.
 */
export function displayPath(raw: Buffer): DisplayPath {
  let text: string;
  let encoding: DisplayPath['encoding'] = 'utf-8';
  try {
    text = utf8.decode(raw);
  } catch {
    try {
      text = gb18030.decode(raw);
      encoding = 'gb18030';
    } catch {
      text = raw.toString('utf8');
      encoding = 'invalid';
    }
  }
  let exact = encoding === 'utf-8';
  const safe = text.replace(UNSAFE_CHARS, (ch) => {
    const c = ch.charCodeAt(0);
    return c < 0x20 ? String.fromCharCode(0x2400 + c) : c === 0x7f ? '\u2421' : '\uFFFD';
  });
  if (safe !== text) exact = false;
  text = safe;
  if (text.length > MAX_DISPLAY_CHARS) {
    const half = Math.floor((MAX_DISPLAY_CHARS - 1) / 2);
    text = `${text.slice(0, half)}…${text.slice(-half)}`;
    exact = false;
  }
  return { text, exact, encoding };
}

// ─── Walking the folder ──────────────────────────────────────────────────────────

const MAX_DEPTH = 32;
const MAX_FILES = 200_000;
const SEP = Buffer.from('/');

interface WalkEntry {
  /** Relative path bytes, '/'-separated. */
  rel: Buffer;
  abs: Buffer;
  type: 'file' | 'symlink' | 'special' | 'error';
  error?: unknown;
}

async function walk(root: string, dirForErrors: string): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  const visit = async (abs: Buffer, rel: Buffer | null, depth: number): Promise<void> => {
    let names: Buffer[];
    try {
      names = await fs.readdir(abs, { encoding: 'buffer' });
    } catch (e) {
      if (rel === null) throw e;
      out.push({ rel, abs, type: 'error', error: e });
      return;
    }
    names.sort(Buffer.compare);
    for (const name of names) {
      const childAbs = Buffer.concat([abs, SEP, name]);
      const childRel = rel === null ? name : Buffer.concat([rel, SEP, name]);
      let st;
      try {
        st = await fs.lstat(childAbs);
      } catch (e) {
        out.push({ rel: childRel, abs: childAbs, type: 'error', error: e });
        continue;
      }
      // Symbolic links are never followed: they could lead out of the device's folder.
      if (st.isSymbolicLink()) out.push({ rel: childRel, abs: childAbs, type: 'symlink' });
      else if (st.isDirectory()) {
        if (depth >= MAX_DEPTH)
          out.push({
            rel: childRel,
            abs: childAbs,
            type: 'error',
            error: fileError(
              'IMPORT_TOO_DEEP',
              `文件夹层级超过 ${MAX_DEPTH} 层`,
              `folders nested deeper than ${MAX_DEPTH} levels`,
            ),
          });
        else await visit(childAbs, childRel, depth + 1);
      } else if (st.isFile()) out.push({ rel: childRel, abs: childAbs, type: 'file' });
      else out.push({ rel: childRel, abs: childAbs, type: 'special' });
      if (out.length > MAX_FILES) throw importErrors.tooMany(dirForErrors, MAX_FILES);
    }
  };
  await visit(Buffer.from(root), null, 0);
  return out;
}

// ─── The service ─────────────────────────────────────────────────────────────────

type ProbeFn = (file: string, opts?: ProbeOptions) => Promise<MediaInfo>;

export interface ImportDeps {
  probe: ProbeFn;
  /** Checks that ffprobe can run before anything is touched. */
  checkProbe: () => Promise<void>;
}

const defaultDeps: ImportDeps = {
  probe: ffprobe,
  checkProbe: async () => {
    await runTool('ffprobe', ['-version'], { timeoutMs: 15_000 });
  },
};

const MEDIA_KINDS = new Set<MediaKind>(['video', 'photo', 'audio']);
const HEX = (b: Buffer) => b.toString('hex');

interface DeviceRow {
  id: string;
  serial: string;
  holderId: string | null;
  purchaseDate: string | null;
}

/** What the import knows before reading any file. */
interface Plan {
  entry: WalkEntry;
  shown: DisplayPath;
  parsed: ParsedName | null;
  /** Next file of the same kind by name time (for EDITED's overlap check). */
  nextRecordedAt: number | null;
}

interface Lookup {
  checkouts: CheckoutsTable[];
  /** Sorted by device time. */
  checks: DeviceChecksTable[];
  codes: Map<string, string>;
  remote: Map<string, { id: string; start: number; end: number | null; returnedAt: number | null }[]>;
}

/** A running import with nothing arriving for this long is taken to be abandoned. */
export const STALE_IMPORT_MS = 6 * 3_600_000;

export class ImportService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
    private readonly deps: ImportDeps = defaultDeps,
  ) {}

  private get db() {
    return this.ctx.catalogue.db;
  }

  /**
   * Imports everything under `dir` as files of the device `deviceSerial`. Refusals (unknown
   * device, bad folder, nothing to import) come before anything is stored or recorded.
   */
  async importDirectory(
    actor: Actor,
    dir: string,
    deviceSerial: string,
    opts: ImportOptions = {},
  ): Promise<ImportReport> {
    const device = await this.findDevice(deviceSerial);
    await this.assertMayImport(actor, device);

    let shownDir = displayPath(Buffer.from(String(dir))).text;
    const root = await this.resolveRoot(dir, shownDir);
    shownDir = displayPath(Buffer.from(root)).text;
    const info = await readDeviceInfo(root);
    if (info && info.serial.toLowerCase() !== device.serial.toLowerCase())
      throw importErrors.deviceMismatch(device.serial, info.serial);
    const timeZone = this.deviceTimeZone(info, opts.timeZone);
    const named = info?.naming ? schemeById(info.naming) : undefined;
    const schemes: readonly FileNameScheme[] =
      named && named.id !== 'generic'
        ? [named, ...FILE_NAME_SCHEMES.filter((s) => s !== named)]
        : FILE_NAME_SCHEMES;
    await this.deps.checkProbe();

    let entries: WalkEntry[];
    try {
      entries = await walk(root, shownDir);
    } catch (e) {
      if (isAppError(e)) throw e;
      throw importErrors.dirInvalid(
        shownDir,
        '无法读取',
        'it cannot be read',
        (e as NodeJS.ErrnoException).code ?? 'READ_FAILED',
      );
    }
    const isInfoFile = (e: WalkEntry) => e.rel.equals(Buffer.from(DEVICE_INFO_FILE));
    if (!entries.some((e) => e.type === 'file' && !isInfoFile(e)))
      throw importErrors.empty(shownDir, entries.filter((e) => e.type !== 'file').length);

    const plans = this.plan(entries, timeZone, schemes);
    const lookup = await this.lookup(device.id);

    const importId = uuidv7();
    const startedAt = this.ctx.clock.now();
    const source = opts.source ?? 'cli';
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('imports')
        .values({
          id: importId,
          deviceId: device.id,
          source,
          stationId: opts.stationId ?? null,
          actorId: actor.userId,
          actorName: actor.name,
          sourcePath: shownDir,
          startedAt,
          finishedAt: null,
          status: 'running',
          summary: JSON.stringify({ files: plans.length }),
        })
        .execute();
      await this.audit.record(tx, actor, {
        action: 'import.start',
        targetType: 'import',
        targetId: importId,
        details: {
          deviceId: device.id,
          serial: device.serial,
          source,
          sourcePath: shownDir,
          files: plans.length,
        },
      });
    });

    const files: ImportFileResult[] = [];
    const findings: ImportFindingReport[] = [];
    const batchRecordingIds = new Set<string>();
    try {
      for (const [i, p] of plans.entries()) {
        const result = await this.importOne(actor, importId, device, p, timeZone, lookup, findings);
        if (result.recordingId) batchRecordingIds.add(result.recordingId);
        files.push(result);
        opts.onFile?.(result, i, plans.length);
      }
      const summary = {
        imported: files.filter((f) => f.status === 'imported').length,
        duplicate: files.filter((f) => f.status === 'duplicate').length,
        failed: files.filter((f) => f.status === 'failed').length,
        bytes: files.reduce((n, f) => n + (f.status !== 'failed' ? (f.size ?? 0) : 0), 0),
      };
      await this.db.transaction().execute(async (tx) => {
        const gaps = await this.sequenceGaps(tx, importId, device.id, plans, batchRecordingIds);
        findings.push(...gaps);
        const status = summary.failed > 0 ? 'partial' : 'completed';
        const counts: Record<string, number> = {};
        for (const f of findings) counts[f.code] = (counts[f.code] ?? 0) + 1;
        await tx
          .updateTable('imports')
          .set({
            finishedAt: this.ctx.clock.now(),
            status,
            summary: JSON.stringify({ files: plans.length, ...summary, findings: counts }),
          })
          .where('id', '=', importId)
          .execute();
        await this.audit.record(tx, actor, {
          action: 'import.finish',
          targetType: 'import',
          targetId: importId,
          outcome: summary.failed > 0 ? 'failure' : 'success',
          details: { deviceId: device.id, serial: device.serial, ...summary, findings: counts },
        });
      });
      return { importId, device: { id: device.id, serial: device.serial }, files, findings, summary };
    } catch (e) {
      // The catalogue itself failed (not one file): leave the import marked, then report.
      await this.db
        .updateTable('imports')
        .set({
          finishedAt: this.ctx.clock.now(),
          status: 'aborted',
          summary: JSON.stringify({
            files: plans.length,
            processed: files.length,
            error: errorOf(e).messageEn,
          }),
        })
        .where('id', '=', importId)
        .execute()
        .catch(() => undefined);
      await this.audit
        .recordAlone(actor, {
          action: 'import.finish',
          targetType: 'import',
          targetId: importId,
          outcome: 'failure',
          details: {
            deviceId: device.id,
            serial: device.serial,
            aborted: true,
            processed: files.length,
            error: errorOf(e).code,
          },
        })
        .catch(() => undefined);
      throw e;
    }
  }

  private async findDevice(deviceSerial: unknown): Promise<DeviceRow> {
    const serial = typeof deviceSerial === 'string' ? deviceSerial.trim() : '';
    if (serial.length === 0 || serial.length > 64 || /[\u0000-\u001f\u007f]/.test(serial))
      throw importErrors.serialInvalid();
    const device = await this.db
      .selectFrom('devices')
      .select(['id', 'serial', 'holderId', 'purchaseDate'])
      .where((eb) => eb(eb.fn('lower', ['serial']), '=', serial.toLowerCase()))
      .executeTakeFirst();
    if (!device) throw importErrors.deviceNotFound(serial);
    return device;
  }

  // ─── Remote imports (station uploads): open, one file at a time, finish ─────────

  /**
   * Opens an import whose files arrive one by one (a station's upload). Refuses an unknown
   * device before anything is recorded. The device clock's zone and naming scheme are kept
   * in the import's summary so every file of it is read the same way.
   */
  async openImport(actor: Actor, input: OpenImportInput): Promise<OpenedImport> {
    const device = await this.findDevice(input.deviceSerial);
    await this.assertMayImport(actor, device);
    const info = input.deviceInfo ?? null;
    if (info && info.serial.toLowerCase() !== device.serial.toLowerCase())
      throw importErrors.deviceMismatch(device.serial, info.serial);
    const timeZone = this.deviceTimeZone(info, undefined);
    const naming = info?.naming && schemeById(info.naming) ? info.naming : null;
    const importId = uuidv7();
    const sourcePath = input.sourcePath ? displayPath(Buffer.from(input.sourcePath)).text : null;
    await this.db.transaction().execute(async (tx) => {
      await this.abandonStale(tx, actor, device.id);
      await tx
        .insertInto('imports')
        .values({
          id: importId,
          deviceId: device.id,
          source: input.source,
          stationId: input.stationId ?? null,
          actorId: actor.userId,
          actorName: actor.name,
          sourcePath,
          startedAt: this.ctx.clock.now(),
          finishedAt: null,
          status: 'running',
          summary: JSON.stringify({ files: 0, timeZone, naming }),
        })
        .execute();
      await this.audit.record(tx, actor, {
        action: 'import.start',
        targetType: 'import',
        targetId: importId,
        details: {
          deviceId: device.id,
          serial: device.serial,
          source: input.source,
          stationId: input.stationId ?? null,
          sourcePath,
        },
      });
    });
    return { importId, device: { id: device.id, serial: device.serial } };
  }

  /**
   * Imports of the device left 'running' by a station or console that died: nothing has
   * arrived for STALE_IMPORT_MS. They are marked 'aborted' (their catalogued files stay, as
   * always) when the device is imported again, so lists do not show them in progress forever.
   */
  private async abandonStale(tx: Tx, actor: Actor, deviceId: string): Promise<void> {
    const now = this.ctx.clock.now();
    const cutoff = now - STALE_IMPORT_MS;
    const stale = await tx
      .selectFrom('imports')
      .select(['id', 'startedAt'])
      .where('deviceId', '=', deviceId)
      .where('status', '=', 'running')
      .where('startedAt', '<', cutoff)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('uploads')
              .select('uploads.id')
              .whereRef('uploads.importId', '=', 'imports.id')
              .where('uploads.finishedAt', '>=', cutoff),
          ),
        ),
      )
      .execute();
    for (const imp of stale) {
      await tx
        .updateTable('imports')
        .set({ status: 'aborted', finishedAt: now })
        .where('id', '=', imp.id)
        .where('status', '=', 'running')
        .execute();
      await this.audit.record(tx, actor, {
        action: 'import.abandon',
        targetType: 'import',
        targetId: imp.id,
        details: { deviceId, startedAt: Number(imp.startedAt), reason: 'stale', idleMs: STALE_IMPORT_MS },
      });
    }
  }

  /** A running import of the actor's kind, with its device and reading rules. */
  async openedImport(importId: string): Promise<{
    device: DeviceRow;
    timeZone: string;
    schemes: readonly FileNameScheme[];
    status: string;
    stationId: string | null;
  }> {
    const row =
      typeof importId === 'string' && importId.length <= 64
        ? await this.db.selectFrom('imports').selectAll().where('id', '=', importId).executeTakeFirst()
        : undefined;
    if (!row) throw errors.notFound('import', '导入批次', String(importId).slice(0, 64));
    const device = await this.db
      .selectFrom('devices')
      .select(['id', 'serial', 'holderId', 'purchaseDate'])
      .where('id', '=', row.deviceId)
      .executeTakeFirstOrThrow();
    const summary = JSON.parse(row.summary) as { timeZone?: string; naming?: string | null };
    const timeZone = summary.timeZone ?? this.ctx.timezone;
    const named = summary.naming ? schemeById(summary.naming) : undefined;
    const schemes: readonly FileNameScheme[] =
      named && named.id !== 'generic'
        ? [named, ...FILE_NAME_SCHEMES.filter((s) => s !== named)]
        : FILE_NAME_SCHEMES;
    return { device, timeZone, schemes, status: row.status, stationId: row.stationId };
  }

  /**
   * Catalogues one file of an open import exactly as the local walk does (one read into
   * the blob store, then one transaction with its audit event). With `expectedSha256`, a
   * content hash that differs throws BLOB_HASH_MISMATCH and nothing is recorded.
   */
  async catalogueFile(
    actor: Actor,
    importId: string,
    file: CatalogueFileInput,
  ): Promise<{ file: ImportFileResult; findings: ImportFindingReport[] }> {
    const opened = await this.openedImport(importId);
    await this.assertMayImport(actor, opened.device);
    if (opened.status !== 'running') throw importErrors.notRunning(importId, opened.status);
    const entry: WalkEntry = { rel: file.originalPath, abs: Buffer.from(file.abs), type: 'file' };
    const [p] = this.plan([entry], opened.timeZone, opened.schemes);
    const lookup = await this.lookup(opened.device.id);
    const findings: ImportFindingReport[] = [];
    const result = await this.importOne(
      actor,
      importId,
      opened.device,
      p!,
      opened.timeZone,
      lookup,
      findings,
      file.expectedSha256,
      file.adopt ? { written: file.written ?? null } : null,
    );
    return { file: result, findings };
  }

  /**
   * Closes a remote import: SEQUENCE_GAP over all its files, the status and summary, the
   * audit event; returns the same report as the local import.
   */
  async finishImport(actor: Actor, importId: string): Promise<ImportReport> {
    const opened = await this.openedImport(importId);
    await this.assertMayImport(actor, opened.device);
    if (opened.status !== 'running') throw importErrors.notRunning(importId, opened.status);
    const device = opened.device;
    const rows = await this.db
      .selectFrom('importFiles')
      .selectAll()
      .where('importId', '=', importId)
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
    const files: ImportFileResult[] = rows.map((r) => {
      const err = r.error ? (JSON.parse(r.error) as { code: string; zh: string; en: string }) : null;
      return {
        path: r.path,
        sha256: r.sha256,
        size: r.size === null ? null : Number(r.size),
        status: r.status as ImportFileStatus,
        recordingId: r.recordingId,
        kind: null,
        recordedAt: null,
        findings: JSON.parse(r.findings) as string[],
        ...(err ? { error: { code: err.code, message: err.zh, messageEn: err.en } } : {}),
      };
    });
    const ids = [...new Set(files.flatMap((f) => (f.recordingId ? [f.recordingId] : [])))];
    const findings: ImportFindingReport[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      for (const r of await this.db
        .selectFrom('recordings')
        .select(['id', 'kind', 'recordedAt'])
        .where('id', 'in', chunk)
        .execute())
        for (const f of files)
          if (f.recordingId === r.id) {
            f.kind = r.kind as MediaKind;
            f.recordedAt = r.recordedAt === null ? null : Number(r.recordedAt);
          }
      for (const f of await this.db
        .selectFrom('findings')
        .select(['code', 'detail'])
        .where('subjectType', '=', 'recording')
        .where('subjectId', 'in', chunk)
        .orderBy('createdAt')
        .execute()) {
        const detail = JSON.parse(f.detail) as Record<string, unknown>;
        if (detail.importId === importId) findings.push({ code: f.code, detail });
      }
    }
    const plans = this.plan(
      rows.map((r) => ({
        rel: r.pathBytes ? Buffer.from(r.pathBytes, 'hex') : Buffer.from(r.path),
        abs: Buffer.alloc(0),
        type: 'file' as const,
      })),
      opened.timeZone,
      opened.schemes,
    );
    const batchRecordingIds = new Set(
      files.filter((f) => f.status === 'imported' && f.recordingId).map((f) => f.recordingId!),
    );
    const summary = {
      imported: files.filter((f) => f.status === 'imported').length,
      duplicate: files.filter((f) => f.status === 'duplicate').length,
      failed: files.filter((f) => f.status === 'failed').length,
      bytes: files.reduce((n, f) => n + (f.status !== 'failed' ? (f.size ?? 0) : 0), 0),
    };
    await this.db.transaction().execute(async (tx) => {
      findings.push(...(await this.sequenceGaps(tx, importId, device.id, plans, batchRecordingIds)));
      const counts: Record<string, number> = {};
      for (const f of findings) counts[f.code] = (counts[f.code] ?? 0) + 1;
      const changed = await tx
        .updateTable('imports')
        .set({
          finishedAt: this.ctx.clock.now(),
          status: summary.failed > 0 ? 'partial' : 'completed',
          summary: JSON.stringify({
            files: files.length,
            ...summary,
            findings: counts,
            timeZone: opened.timeZone,
          }),
        })
        .where('id', '=', importId)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) throw importErrors.notRunning(importId, 'finished');
      await this.audit.record(tx, actor, {
        action: 'import.finish',
        targetType: 'import',
        targetId: importId,
        outcome: summary.failed > 0 ? 'failure' : 'success',
        details: { deviceId: device.id, serial: device.serial, ...summary, findings: counts },
      });
    });
    return { importId, device: { id: device.id, serial: device.serial }, files, findings, summary };
  }

  /**
   * Who may import a device's files (recordings.import): whoever handles devices and
   * check-outs for others, or an officer for the device they keep or have out (the person
   * docking it).
   */
  private async assertMayImport(actor: Actor, device: DeviceRow): Promise<void> {
    if (!hasPermission(actor, 'recordings.import')) throw errors.forbidden('recordings.import');
    if (hasPermission(actor, 'checkouts.manage') || hasPermission(actor, 'devices.manage')) return;
    // A collection station takes whatever device is docked in it: its token's scope says so.
    if (actor.via === 'token' && actor.tokenId) {
      const token = await this.db
        .selectFrom('apiTokens')
        .select('scope')
        .where('id', '=', actor.tokenId)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      if (token?.scope === 'station') return;
    }
    if (hasPermission(actor, 'checkouts.own') && actor.userId !== null) {
      if (device.holderId === actor.userId) return;
      const open = await this.db
        .selectFrom('checkouts')
        .select('id')
        .where('deviceId', '=', device.id)
        .where('officerId', '=', actor.userId)
        .where('checkedInAt', 'is', null)
        .executeTakeFirst();
      if (open) return;
    }
    throw errors.forbidden('checkouts.manage');
  }

  private async resolveRoot(dir: string, shown: string): Promise<string> {
    if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0'))
      throw importErrors.dirInvalid(shown, '路径无效', 'the path is not valid', 'INVALID');
    let root: string;
    try {
      root = await fs.realpath(path.resolve(dir));
      const st = await fs.stat(root);
      if (!st.isDirectory())
        throw importErrors.dirInvalid(shown, '不是文件夹', 'it is not a folder', 'NOT_A_DIRECTORY');
      await fs.access(root, fsc.R_OK | fsc.X_OK);
    } catch (e) {
      if (isAppError(e)) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? 'UNREADABLE';
      if (code === 'ENOENT')
        throw importErrors.dirInvalid(shown, '文件夹不存在', 'the folder does not exist', code);
      throw importErrors.dirInvalid(shown, `无法访问（${code}）`, `it cannot be accessed (${code})`, code);
    }
    return root;
  }

  private deviceTimeZone(info: DeviceInfo | null, override: string | undefined): string {
    if (override) {
      assertTimeZone(override);
      return override;
    }
    if (info?.timeZone) {
      try {
        assertTimeZone(info.timeZone);
        return info.timeZone;
      } catch {
        // a device-info file naming an unknown zone: the installation's zone instead
      }
    }
    return this.ctx.timezone;
  }

  private plan(entries: WalkEntry[], timeZone: string, schemes: readonly FileNameScheme[]): Plan[] {
    const plans: Plan[] = entries.map((entry) => {
      const shown = displayPath(entry.rel);
      const parsed = entry.type === 'file' ? parseFileName(shown.text, { timeZone }, schemes) : null;
      return { entry, shown, parsed, nextRecordedAt: null };
    });
    // The next file of the same kind on the device's timeline (name times).
    const byKind = new Map<string, Plan[]>();
    for (const p of plans) {
      if (!p.parsed || p.parsed.recordedAt === null || !MEDIA_KINDS.has(p.parsed.kind)) continue;
      const list = byKind.get(p.parsed.kind) ?? [];
      list.push(p);
      byKind.set(p.parsed.kind, list);
    }
    for (const list of byKind.values()) {
      list.sort((a, b) => a.parsed!.recordedAt! - b.parsed!.recordedAt!);
      for (let i = 0; i < list.length; i++) {
        const t = list[i]!.parsed!.recordedAt!;
        list[i]!.nextRecordedAt =
          list.slice(i + 1).find((n) => n.parsed!.recordedAt! > t)?.parsed!.recordedAt ?? null;
      }
    }
    return plans;
  }

  /** The device's check-outs and checks, the officers' codes, their remote activities: read once per import. */
  private async lookup(deviceId: string): Promise<Lookup> {
    const checkouts = await this.db
      .selectFrom('checkouts')
      .selectAll()
      .where('deviceId', '=', deviceId)
      .orderBy('checkedOutAt', 'desc')
      .execute();
    const checks = await this.db
      .selectFrom('deviceChecks')
      .selectAll()
      .where('deviceId', '=', deviceId)
      .orderBy('deviceTime')
      .execute();
    const officerIds = [...new Set(checkouts.map((c) => c.officerId))];
    const codes = new Map<string, string>();
    const remote: Lookup['remote'] = new Map();
    for (let i = 0; i < officerIds.length; i += 500) {
      const chunk = officerIds.slice(i, i + 500);
      for (const u of await this.db
        .selectFrom('users')
        .select(['id', 'code'])
        .where('id', 'in', chunk)
        .execute())
        codes.set(u.id, u.code);
      const acts = await this.db
        .selectFrom('activities')
        .innerJoin('activityOfficers', 'activityOfficers.activityId', 'activities.id')
        .select([
          'activityOfficers.userId as userId',
          'activities.id as id',
          'activities.plannedAt as plannedAt',
          'activities.arrivedAt as arrivedAt',
          'activities.endedAt as endedAt',
          'activities.returnedAt as returnedAt',
        ])
        .where('activityOfficers.userId', 'in', chunk)
        .where('activities.remoteWork', '=', 1)
        .where('activities.status', '!=', 'cancelled')
        .execute();
      for (const a of acts) {
        const list = remote.get(a.userId) ?? [];
        const start = Number(a.arrivedAt ?? a.plannedAt);
        const returnedAt = a.returnedAt === null ? null : Number(a.returnedAt);
        list.push({
          id: a.id,
          start,
          end: returnedAt ?? (a.endedAt === null ? null : Number(a.endedAt)),
          returnedAt,
        });
        remote.set(a.userId, list);
      }
    }
    return {
      checkouts: checkouts.map((c) => ({
        ...c,
        checkedOutAt: Number(c.checkedOutAt),
        checkedInAt: c.checkedInAt === null ? null : Number(c.checkedInAt),
        returnedAt: c.returnedAt === null ? null : Number(c.returnedAt),
      })),
      checks: checks.map((c) => ({
        ...c,
        deviceTime: Number(c.deviceTime),
        offsetMs: Number(c.offsetMs),
        toleranceMs: Number(c.toleranceMs),
      })),
      codes,
      remote,
    };
  }

  /** One file: read once into the blob store, then catalogued (or noted as duplicate or failed). */
  private async importOne(
    actor: Actor,
    importId: string,
    device: DeviceRow,
    p: Plan,
    timeZone: string,
    lookup: Lookup,
    allFindings: ImportFindingReport[],
    expectedSha256?: string,
    adopt: { written: WrittenFile | null } | null = null,
  ): Promise<ImportFileResult> {
    const base: ImportFileResult = {
      path: p.shown.text,
      sha256: null,
      size: null,
      status: 'failed',
      recordingId: null,
      kind: null,
      recordedAt: null,
      findings: [],
    };
    const pathBytes = p.shown.exact ? null : HEX(p.entry.rel);
    if (p.entry.type !== 'file') {
      const why =
        p.entry.type === 'symlink'
          ? fileError(
              'IMPORT_SYMLINK',
              '符号链接不会被跟随，未导入',
              'symbolic link, never followed; not imported',
            )
          : p.entry.type === 'special'
            ? fileError(
                'IMPORT_NOT_REGULAR_FILE',
                '不是普通文件（设备文件、管道或套接字），未导入',
                'not a regular file (device, pipe or socket); not imported',
              )
            : p.entry.error;
      return this.recordFailure(importId, { ...base, error: errorOf(why) }, pathBytes);
    }

    let handle: fs.FileHandle | null = null;
    let linkDir: string | null = null;
    try {
      let stored: ImportFileResult;
      let mtimeMs: number;
      try {
        // O_NOFOLLOW: a file swapped for a link since the walk is refused, not followed.
        // O_NONBLOCK: one swapped for a pipe cannot hang the import.
        handle = await fs.open(p.entry.abs, fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
        const before = await handle.stat();
        if (!before.isFile())
          throw fileError(
            'IMPORT_NOT_REGULAR_FILE',
            '不是普通文件，未导入',
            'not a regular file; not imported',
          );
        const expected = { expectedSize: before.size, expectedSha256 };
        const put =
          adopt && this.ctx.blobs.adopt
            ? await this.ctx.blobs.adopt(p.entry.abs.toString(), {
                ...expected,
                sameAs: before,
                written: adopt.written,
              })
            : await this.ctx.blobs.put(
                handle.createReadStream({ autoClose: false, start: 0, highWaterMark: 1024 * 1024 }),
                expected,
              );
        const after = await handle.stat();
        if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) throw changedError();
        stored = { ...base, sha256: put.sha256, size: put.size };
        mtimeMs = before.mtimeMs;
      } catch (e) {
        // A declared hash that does not match is the sender's to retry: nothing is recorded.
        if (expectedSha256 !== undefined && isAppError(e) && e.code === 'BLOB_HASH_MISMATCH') throw e;
        // Reading or storing this file failed: the file fails, the import goes on.
        const mapped =
          isAppError(e) && e.code === 'BLOB_SIZE_MISMATCH'
            ? changedError()
            : (e as NodeJS.ErrnoException | null)?.code === 'ELOOP'
              ? fileError(
                  'IMPORT_SYMLINK',
                  '符号链接不会被跟随，未导入',
                  'symbolic link, never followed; not imported',
                )
              : e;
        return await this.recordFailure(importId, { ...base, error: errorOf(mapped) }, pathBytes);
      }

      const existing = await this.existingRecording(stored.sha256!);
      if (existing)
        return await this.recordDuplicate(importId, device, stored, existing, pathBytes, allFindings);

      // The probe reads the very file that was hashed (the same open descriptor, whatever
      // its name) through a link whose name is internal and keeps only the safe extension.
      linkDir = await fs.mkdtemp(path.join(os.tmpdir(), 'zhilu-import-'));
      const link = path.join(linkDir, `f${p.parsed!.extension ? `.${p.parsed!.extension}` : ''}`);
      await fs.symlink(`/proc/${process.pid}/fd/${handle.fd}`, link);
      let info = await this.deps.probe(link, { timeZone });
      const byName = p.entry.abs.toString('utf8');
      if (
        !info.ok &&
        info.error?.startsWith('cannot read the file') &&
        Buffer.from(byName).equals(p.entry.abs)
      )
        info = await this.deps.probe(byName, { timeZone }); // no /proc: by name
      return await this.catalogue(
        actor,
        importId,
        device,
        p,
        stored,
        info,
        mtimeMs,
        timeZone,
        lookup,
        pathBytes,
        allFindings,
      );
    } finally {
      await handle?.close().catch(() => undefined);
      if (linkDir) await fs.rm(linkDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async existingRecording(sha256: string) {
    return this.db
      .selectFrom('recordings')
      .select(['id', 'deviceId', 'kind', 'recordedAt'])
      .where('sha256', '=', sha256)
      .executeTakeFirst();
  }

  private async recordFailure(
    importId: string,
    result: ImportFileResult,
    pathBytes: string | null,
  ): Promise<ImportFileResult> {
    await this.db
      .insertInto('importFiles')
      .values(this.fileRow(importId, result, pathBytes))
      .execute();
    return result;
  }

  private fileRow(importId: string, r: ImportFileResult, pathBytes: string | null): ImportFilesTable {
    return {
      id: uuidv7(),
      importId,
      path: r.path,
      pathBytes,
      sha256: r.sha256,
      size: r.size,
      status: r.status,
      recordingId: r.recordingId,
      error: r.error
        ? JSON.stringify({ code: r.error.code, zh: r.error.message, en: r.error.messageEn })
        : null,
      findings: JSON.stringify(r.findings),
      createdAt: this.ctx.clock.now(),
    };
  }

  private async recordDuplicate(
    importId: string,
    device: DeviceRow,
    stored: ImportFileResult,
    existing: { id: string; deviceId: string; kind: string; recordedAt: number | null },
    pathBytes: string | null,
    allFindings: ImportFindingReport[],
  ): Promise<ImportFileResult> {
    const result: ImportFileResult = {
      ...stored,
      status: 'duplicate',
      recordingId: existing.id,
      kind: existing.kind as MediaKind,
      recordedAt: existing.recordedAt === null ? null : Number(existing.recordedAt),
      findings: ['DUPLICATE'],
    };
    const otherDevice = existing.deviceId !== device.id && (stored.size ?? 0) > 0;
    const detail = {
      path: stored.path,
      recordingId: existing.id,
      sha256: stored.sha256,
      importId,
      sameDevice: !otherDevice,
      catalogedDeviceId: existing.deviceId,
    };
    allFindings.push({ code: 'DUPLICATE', detail });
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('importFiles')
        .values(this.fileRow(importId, result, pathBytes))
        .execute();
      if (otherDevice)
        await this.insertFinding(
          tx,
          'DUPLICATE',
          'recording',
          existing.id,
          { ...detail, deviceId: device.id },
          'warning',
        );
    });
    return result;
  }

  private async insertFinding(
    tx: Tx,
    code: ImportFindingCode,
    subjectType: 'recording' | 'import' | 'device' | 'activity',
    subjectId: string,
    detail: Record<string, unknown>,
    severity?: Severity,
  ): Promise<string> {
    const now = this.ctx.clock.now();
    const row: FindingsTable = {
      id: uuidv7(),
      code,
      article: IMPORT_FINDINGS[code].article,
      severity: severity ?? IMPORT_FINDINGS[code].severity,
      subjectType,
      subjectId,
      detail: JSON.stringify(detail),
      status: 'open',
      createdAt: now,
      updatedAt: now,
    };
    await tx.insertInto('findings').values(row).execute();
    return row.id;
  }

  private async catalogue(
    actor: Actor,
    importId: string,
    device: DeviceRow,
    p: Plan,
    stored: ImportFileResult,
    info: MediaInfo,
    mtimeMs: number,
    timeZone: string,
    lookup: Lookup,
    pathBytes: string | null,
    allFindings: ImportFindingReport[],
  ): Promise<ImportFileResult> {
    const parsed = p.parsed!;
    const now = this.ctx.clock.now();
    // An 'other' file the probe can read is the media it is.
    let kind: MediaKind = parsed.kind;
    if (kind === 'other' && info.ok)
      kind = info.video ? (info.durationMs === null ? 'photo' : 'video') : info.audio ? 'audio' : 'other';
    const media = MEDIA_KINDS.has(kind);

    // Device time: the name, else the container, else EXIF, else the file's modification time.
    let raw: number | null = null;
    let local: string | null = null;
    let timeSource = 'none';
    if (parsed.recordedAt !== null) [raw, local, timeSource] = [parsed.recordedAt, parsed.localTime, 'name'];
    else if (info.creationTime !== null)
      [raw, local, timeSource] = [info.creationTime, info.creationTimeRaw, 'container'];
    else if (info.exifTime !== null) [raw, local, timeSource] = [info.exifTime, info.exifLocalTime, 'exif'];
    else if (Number.isFinite(mtimeMs) && mtimeMs > 0) [raw, timeSource] = [Math.floor(mtimeMs), 'file'];

    const check = raw === null ? undefined : lookup.checks.filter((c) => c.deviceTime <= raw!).at(-1);
    const offset = check ? check.offsetMs : null;
    const recordedAt = raw === null ? null : raw - (offset ?? 0);
    const durationMs = info.ok && info.durationMs !== null ? info.durationMs : null;
    const endedAt = recordedAt === null ? null : recordedAt + (durationMs ?? 0);
    const checkout =
      recordedAt === null
        ? undefined
        : lookup.checkouts.find(
            (c) => c.checkedOutAt <= recordedAt && (c.checkedInAt === null || c.checkedInAt >= recordedAt),
          );
    const holderId = checkout?.officerId ?? null;

    const recordingId = uuidv7();
    const found: { code: ImportFindingCode; detail: Record<string, unknown> }[] = [];
    const where = { path: p.shown.text, recordingId };

    if (MEDIA_KINDS.has(parsed.kind) && !info.ok)
      found.push({
        code: 'UNREADABLE',
        detail: { ...where, error: info.error ?? 'unreadable', size: stored.size },
      });
    const edited = editSigns(info, parsed, { timeZone, next: { recordedAt: p.nextRecordedAt } });
    if (edited) found.push({ code: 'EDITED', detail: { ...where, reasons: edited.reasons } });

    if (media && recordedAt !== null) {
      // HOLDER_MISMATCH: see the decision at the top of this file.
      if (!checkout)
        found.push({
          code: 'HOLDER_MISMATCH',
          detail: {
            ...where,
            reason: 'NO_CHECKOUT',
            officerCode: parsed.officerCode,
            registeredHolderId: device.holderId,
            recordedAt,
          },
        });
      else if (parsed.officerCode !== null) {
        const holderCode = lookup.codes.get(checkout.officerId) ?? null;
        if (holderCode === null || holderCode.trim().toLowerCase() !== parsed.officerCode.toLowerCase()) {
          const codeOwner = await this.db
            .selectFrom('users')
            .select('id')
            .where((eb) => eb(eb.fn('lower', ['code']), '=', parsed.officerCode!.toLowerCase()))
            .executeTakeFirst();
          found.push({
            code: 'HOLDER_MISMATCH',
            detail: {
              ...where,
              reason: 'OFFICER_CODE_MISMATCH',
              officerCode: parsed.officerCode,
              holderId: checkout.officerId,
              holderCode,
              checkoutId: checkout.id,
              codeOwnerId: codeOwner?.id ?? null,
            },
          });
        }
      }
      // CLOCK_OFFSET: an impossible device time, or a clock the pre-use check found off.
      const since = device.purchaseDate
        ? wallTimeToEpoch(`${device.purchaseDate}T00:00:00.000`, this.ctx.timezone)
        : null;
      const impossible = raw === null ? null : clockFindings(raw, now, since);
      if (impossible)
        found.push({
          code: 'CLOCK_OFFSET',
          detail: {
            ...where,
            reason: impossible.reason,
            byMs: impossible.byMs,
            rawRecordedAt: raw,
            zh: impossible.zh,
            en: impossible.en,
          },
        });
      else if (check && Math.abs(check.offsetMs) > check.toleranceMs)
        found.push({
          code: 'CLOCK_OFFSET',
          detail: {
            ...where,
            reason: 'CHECK_OFFSET',
            offsetMs: check.offsetMs,
            toleranceMs: check.toleranceMs,
            checkId: check.id,
          },
        });
      // LATE_IMPORT (A13.1).
      const activity = holderId
        ? (lookup.remote.get(holderId) ?? []).find(
            (a) => a.start <= recordedAt && (a.end === null || a.end >= recordedAt),
          )
        : undefined;
      const remote = activity !== undefined || checkout?.remoteWork === 1;
      const returnedAt = activity?.returnedAt ?? checkout?.returnedAt ?? null;
      const deadline = importDeadline({
        recordingEnd: endedAt!,
        timeZone: this.ctx.timezone,
        remote,
        returnedAt,
      });
      if (isLateImport(now, deadline))
        found.push({
          code: 'LATE_IMPORT',
          detail: {
            ...where,
            deadline,
            importedAt: now,
            lateByMs: now - deadline!,
            remote,
            activityId: activity?.id ?? null,
            checkoutId: checkout?.id ?? null,
          },
        });
    }

    const row: RecordingsTable = {
      id: recordingId,
      sha256: stored.sha256!,
      size: stored.size!,
      kind,
      deviceId: device.id,
      holderId,
      originalPath: p.shown.text,
      originalPathBytes: pathBytes,
      nameScheme: parsed.scheme,
      nameInfo: JSON.stringify({
        deviceCode: parsed.deviceCode,
        officerCode: parsed.officerCode,
        localDate: parsed.localDate,
        extension: parsed.extension,
        issues: parsed.issues,
        encoding: p.shown.encoding,
      }),
      deviceLocalTime: local,
      timeSource,
      rawRecordedAt: raw,
      clockCheckId: check?.id ?? null,
      clockOffsetMs: offset,
      recordedAt,
      durationMs,
      endedAt,
      sequence: parsed.sequence,
      sequenceGroup: parsed.sequenceGroup,
      important: parsed.important ? 1 : 0,
      mediaOk: info.ok ? 1 : 0,
      mediaInfo: JSON.stringify(info),
      importId,
      importedAt: now,
      activityId: null,
      createdAt: now,
    };
    const result: ImportFileResult = {
      ...stored,
      status: 'imported',
      recordingId,
      kind,
      recordedAt,
      findings: found.map((f) => f.code),
    };
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('recordings').values(row).execute();
        // media pipeline: its jobs are queued with the recording (media-pipeline.service.ts)
        await enqueueMediaJobs(tx, this.ctx, row);
        await autoLink(tx, this.ctx, this.audit, actor, recordingId); // linking: activity or UNLINKED (linking.service.ts)
        await tx
          .insertInto('importFiles')
          .values(this.fileRow(importId, result, pathBytes))
          .execute();
        for (const f of found)
          await this.insertFinding(tx, f.code, 'recording', recordingId, { ...f.detail, importId });
        await this.audit.record(tx, actor, {
          action: 'recording.import',
          targetType: 'recording',
          targetId: recordingId,
          details: {
            importId,
            deviceId: device.id,
            sha256: row.sha256,
            size: row.size,
            kind,
            path: row.originalPath,
            findings: result.findings,
          },
        });
      });
    } catch (e) {
      // Another import catalogued the same content a moment ago.
      if (this.ctx.catalogue.dialect.isUniqueViolation(e)) {
        const existing = await this.existingRecording(row.sha256);
        if (existing) return this.recordDuplicate(importId, device, stored, existing, pathBytes, allFindings);
      }
      throw e;
    }
    for (const f of found) allFindings.push({ code: f.code, detail: { ...f.detail, importId } });
    return result;
  }

  /** SEQUENCE_GAP per device counter, each range recorded once per device. */
  private async sequenceGaps(
    tx: Tx,
    importId: string,
    deviceId: string,
    plans: Plan[],
    batchRecordingIds: ReadonlySet<string>,
  ): Promise<ImportFindingReport[]> {
    const names = plans.flatMap((p) => (p.parsed && p.parsed.sequenceGroup !== null ? [p.parsed] : []));
    if (names.length === 0) return [];
    const groups = [...new Set(names.map((n) => n.sequenceGroup!))];
    // The highest number each counter reached in files of earlier imports not seen again now.
    const previous = new Map<string, number>();
    for (let i = 0; i < groups.length; i += 500) {
      const rows = await tx
        .selectFrom('recordings')
        .select(['id', 'sequenceGroup', 'sequence'])
        .where('deviceId', '=', deviceId)
        .where('sequenceGroup', 'in', groups.slice(i, i + 500))
        .where('sequence', 'is not', null)
        .execute();
      for (const r of rows) {
        if (batchRecordingIds.has(r.id)) continue;
        const g = r.sequenceGroup!;
        previous.set(g, Math.max(previous.get(g) ?? -1, Number(r.sequence)));
      }
    }
    const gaps = sequenceGapsByGroup(names, previous);
    if (gaps.length === 0) return [];
    const known = await tx
      .selectFrom('findings')
      .select(['id', 'detail'])
      .where('code', '=', 'SEQUENCE_GAP')
      .where('subjectType', '=', 'device')
      .where('subjectId', '=', deviceId)
      .execute();
    const key = (g: string, from: number, to: number) => `${g}\u0000${from}\u0000${to}`;
    const knownIds = new Map<string, string>();
    for (const k of known) {
      const d = JSON.parse(k.detail) as { group?: string; from?: number; to?: number };
      knownIds.set(key(String(d.group), Number(d.from), Number(d.to)), k.id);
    }
    const out: ImportFindingReport[] = [];
    for (const g of gaps) {
      const folder = plans.find((p) => p.parsed?.sequenceGroup === g.group);
      const detail = {
        group: g.group,
        from: g.from,
        to: g.to,
        count: g.count,
        folder: folder ? path.posix.dirname(folder.shown.text) : null,
        importId,
        previousHighest: previous.get(g.group) ?? null,
      };
      const existing = knownIds.get(key(g.group, g.from, g.to));
      const findingId =
        existing ?? (await this.insertFinding(tx, 'SEQUENCE_GAP', 'device', deviceId, detail));
      out.push({
        code: 'SEQUENCE_GAP',
        detail: { ...detail, findingId, alreadyRecorded: existing !== undefined },
      });
    }
    return out;
  }
}

/** The device-info file at the folder's root, if there is a valid one (never follows a link). */
async function readDeviceInfo(root: string): Promise<DeviceInfo | null> {
  let handle: fs.FileHandle | null = null;
  try {
    handle = await fs.open(path.join(root, DEVICE_INFO_FILE), fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
    const st = await handle.stat();
    if (!st.isFile() || st.size > DEVICE_INFO_MAX_BYTES) return null;
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await handle.read(buf, 0, st.size, 0);
    return parseDeviceInfo(buf.subarray(0, bytesRead).toString('utf8'));
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
