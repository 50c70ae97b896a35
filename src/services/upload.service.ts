// The server side of station uploads (A12.1, A13.1): tus uploads land in a temporary file
// under DATA/uploads (their state survives a restart), and a completed one is streamed
// through the blob store against the SHA-256 the station declared, then catalogued by the
// import service exactly as a local import does. The station clears a device file only
// after `confirmation` says catalogued for that exact hash.
//
// Decisions worth knowing:
// - A hash mismatch rejects the upload: nothing catalogued, the temporary removed, an
//   `uploads` row with status 'rejected' and an audit event; the station retries afresh.
// - A duplicate (content already catalogued) is confirmed: the content is safe.
// - If the server stops after the last byte but before cataloguing, the station's resumed
//   upload is already complete and tus sends no new finish; asking for the confirmation
//   then completes it.
import { AppError, errors, isAppError } from '../domain/errors.js';
import { parseDeviceInfo } from '../domain/file-names.js';
import type { StationsTable } from '../db/schema.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';
import type { ImportReport, ImportService, OpenedImport } from './import.service.js';
import type { WrittenFile } from '../storage/blob-store.js';

export const DEFAULT_UPLOAD_MAX_BYTES = 64 * 1024 ** 3;
/** A station is online when its last heartbeat is younger than this. */
export const STATION_ONLINE_MS = 90_000;

const SHA256_RE = /^[0-9a-f]{64}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_PATH_BYTES = 4096;

/** The temporary files of uploads (tus FileStore), as the service needs them. */
export interface UploadStore {
  /** null: no such upload. */
  info(id: string): Promise<{
    id: string;
    size: number | null;
    offset: number;
    metadata: Record<string, string | null>;
  } | null>;
  /** Absolute path of the upload's bytes. */
  file(id: string): string;
  remove(id: string): Promise<void>;
  /** The hash of the upload's bytes taken as they were written, when this process saw them all. */
  written?(id: string): WrittenFile | null;
}

export interface UploadMetadata {
  deviceSerial: string;
  /** Display form of the device path. */
  path: string;
  /** Raw device path bytes (hex), when they are not UTF-8. */
  pathBytes: string | null;
  sha256: string;
  size: number;
  importId: string;
  stationId: string | null;
}

export interface UploadConfirmation {
  uploadId: string;
  confirmed: boolean;
  /** catalogued | rejected | failed | pending */
  status: string;
  sha256: string;
  recordingId: string | null;
  fileStatus: string | null;
  error?: { code: string; message: string; messageEn: string };
}

export interface StationView {
  id: string;
  version: string;
  freeBytes: number | null;
  queue: number;
  lastError: string | null;
  docked: string[];
  lastSeenAt: number;
  firstSeenAt: number;
  online: boolean;
  imports: {
    id: string;
    deviceSerial: string;
    status: string;
    startedAt: number;
    finishedAt: number | null;
  }[];
}

export interface HeartbeatInput {
  stationId: string;
  version: string;
  freeBytes?: number | null;
  queue: number;
  lastError?: string | null;
  docked: string[];
}

export const uploadErrors = {
  hashMismatch: (declared: string, actual: string) =>
    new AppError(
      'UPLOAD_HASH_MISMATCH',
      422,
      {
        zh: `上传内容的 SHA-256 为 ${actual}，与采集站声明的 ${declared} 不符；未编目，请重新上传`,
        en: `The uploaded content hashes to ${actual}, not the declared ${declared}; nothing catalogued, upload again`,
      },
      { declared, actual },
    ),
  metadata: (field: string, en: string, zh: string) =>
    new AppError(
      'UPLOAD_METADATA_INVALID',
      400,
      { zh: `上传元数据无效（${field}）：${zh}`, en: `Invalid upload metadata (${field}): ${en}` },
      { field },
    ),
  notFound: (id: string) =>
    new AppError('UPLOAD_NOT_FOUND', 404, { zh: `上传不存在：${id}`, en: `No such upload: ${id}` }, { id }),
  stationId: () =>
    errors.validation('stationId must be 1–64 letters, digits, dot, dash or underscore', {
      field: 'stationId',
    }),
};

const STATION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The upload metadata key naming the account that created the upload. */
export const UPLOAD_OWNER_KEY = 'owner';

/** Who an upload belongs to: the user behind the session or token, or the local console. */
export function uploadOwner(actor: Actor): string {
  return actor.userId ? `user:${actor.userId}` : `console:${actor.via}`;
}

export class UploadService {
  /** Completions in progress, so one upload is never catalogued twice at once. */
  private readonly completing = new Map<string, Promise<UploadConfirmation>>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
    private readonly imports: ImportService,
  ) {}

  private get db() {
    return this.ctx.catalogue.db;
  }

  /** A station opens an import for the device it has docked. */
  async openImport(
    actor: Actor,
    input: {
      deviceSerial: string;
      stationId?: string | null;
      sourcePath?: string | null;
      deviceInfo?: string | null;
    },
  ): Promise<OpenedImport> {
    assertPermission(actor, 'recordings.import');
    if (input.stationId != null && !STATION_ID_RE.test(input.stationId)) throw uploadErrors.stationId();
    const deviceInfo = input.deviceInfo ? parseDeviceInfo(input.deviceInfo) : null;
    return this.imports.openImport(actor, {
      deviceSerial: input.deviceSerial,
      source: 'station',
      stationId: input.stationId ?? null,
      sourcePath: input.sourcePath ?? null,
      deviceInfo,
    });
  }

  async finishImport(actor: Actor, importId: string): Promise<ImportReport> {
    assertPermission(actor, 'recordings.import');
    return this.imports.finishImport(actor, importId);
  }

  /**
   * Checks a new upload's metadata before tus creates anything: the device is registered,
   * the import (opened here when not given) is open and for that device, hash and size
   * declared. Returns the metadata to keep (with the import id).
   */
  async validateCreate(
    actor: Actor,
    raw: Record<string, string | null | undefined>,
    uploadSize: number | undefined,
  ): Promise<Record<string, string>> {
    assertPermission(actor, 'recordings.import');
    const str = (k: string) => (typeof raw[k] === 'string' ? raw[k] : '');
    const serial = str('deviceSerial').trim();
    if (!serial || serial.length > 64 || CONTROL.test(serial))
      throw uploadErrors.metadata(
        'deviceSerial',
        'a registered device serial is required',
        '须提供已登记的设备序列号',
      );
    const shown = str('path');
    const pathBytes = str('pathBytes') || null;
    if (!shown || Buffer.byteLength(shown) > MAX_PATH_BYTES)
      throw uploadErrors.metadata(
        'path',
        `the device path is required, at most ${MAX_PATH_BYTES} bytes`,
        `须提供设备上的相对路径（不超过 ${MAX_PATH_BYTES} 字节）`,
      );
    if (pathBytes !== null && (!/^([0-9a-f]{2})+$/.test(pathBytes) || pathBytes.length > MAX_PATH_BYTES * 2))
      throw uploadErrors.metadata('pathBytes', 'hex of the raw path bytes', '须为路径原始字节的十六进制');
    const sha256 = str('sha256').toLowerCase();
    if (!SHA256_RE.test(sha256))
      throw uploadErrors.metadata('sha256', '64 hexadecimal characters', '须为 64 位十六进制');
    const size = Number(str('size'));
    if (!Number.isSafeInteger(size) || size < 0)
      throw uploadErrors.metadata('size', 'the file size in bytes', '须为文件字节数');
    if (uploadSize === undefined || uploadSize !== size)
      throw uploadErrors.metadata(
        'size',
        'Upload-Length must be given and equal the declared size',
        'Upload-Length 须与声明的大小一致',
      );
    const stationId = str('stationId') || null;
    if (stationId !== null && !STATION_ID_RE.test(stationId)) throw uploadErrors.stationId();

    let importId = str('importId');
    if (importId) {
      const opened = await this.imports.openedImport(importId);
      if (opened.device.serial.toLowerCase() !== serial.toLowerCase())
        throw uploadErrors.metadata(
          'importId',
          'the import is for another device',
          '该导入批次属于另一台设备',
        );
      if (opened.status !== 'running')
        throw uploadErrors.metadata('importId', 'the import is no longer open', '该导入批次已结束');
    } else {
      importId = (await this.openImport(actor, { deviceSerial: serial, stationId })).importId;
    }
    const out: Record<string, string> = {
      [UPLOAD_OWNER_KEY]: uploadOwner(actor),
      deviceSerial: serial,
      path: shown,
      sha256,
      size: String(size),
      importId,
    };
    if (pathBytes) out.pathBytes = pathBytes;
    if (stationId) out.stationId = stationId;
    return out;
  }

  /** A completed upload: hash check, catalogue, temporary removed. Idempotent per upload. */
  async complete(actor: Actor, uploadId: string, store: UploadStore): Promise<UploadConfirmation> {
    const running = this.completing.get(uploadId);
    if (running) return running;
    const p = this.completeOnce(actor, uploadId, store).finally(() => this.completing.delete(uploadId));
    this.completing.set(uploadId, p);
    return p;
  }

  private async completeOnce(
    actor: Actor,
    uploadId: string,
    store: UploadStore,
  ): Promise<UploadConfirmation> {
    assertPermission(actor, 'recordings.import');
    const done = await this.recorded(uploadId);
    if (done) return done;
    const info = await store.info(uploadId);
    if (!info) throw uploadErrors.notFound(uploadId);
    const md = this.metadataOf(info.metadata);
    if (info.size === null || info.offset !== info.size)
      return {
        uploadId,
        confirmed: false,
        status: 'pending',
        sha256: md.sha256,
        recordingId: null,
        fileStatus: null,
      };
    const opened = await this.imports.openedImport(md.importId);
    const originalPath = md.pathBytes ? Buffer.from(md.pathBytes, 'hex') : Buffer.from(md.path);
    const now = () => this.ctx.clock.now();
    try {
      const { file } = await this.imports.catalogueFile(actor, md.importId, {
        abs: store.file(uploadId),
        originalPath,
        expectedSha256: md.sha256,
        // The finished tus file becomes the original by a hard link where the store can,
        // checked against the hash taken while it was written when that is at hand.
        adopt: true,
        written: store.written?.(uploadId) ?? null,
      });
      const confirmed = file.status !== 'failed' && file.sha256 === md.sha256;
      await this.db
        .insertInto('uploads')
        .values({
          id: uploadId,
          importId: md.importId,
          deviceId: opened.device.id,
          stationId: md.stationId,
          path: file.path,
          declaredSha256: md.sha256,
          size: md.size,
          status: confirmed ? 'catalogued' : 'failed',
          fileStatus: file.status,
          recordingId: file.recordingId,
          error: file.error
            ? JSON.stringify({ code: file.error.code, zh: file.error.message, en: file.error.messageEn })
            : null,
          actorId: actor.userId,
          finishedAt: now(),
        })
        .execute();
      await store.remove(uploadId).catch(() => undefined);
      return (await this.recorded(uploadId))!;
    } catch (e) {
      if (!(isAppError(e) && e.code === 'BLOB_HASH_MISMATCH')) throw e;
      const actual = String((e.details as { actual?: unknown } | undefined)?.actual ?? '');
      const err = uploadErrors.hashMismatch(md.sha256, actual);
      await this.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('uploads')
          .values({
            id: uploadId,
            importId: md.importId,
            deviceId: opened.device.id,
            stationId: md.stationId,
            path: md.path,
            declaredSha256: md.sha256,
            size: md.size,
            status: 'rejected',
            fileStatus: null,
            recordingId: null,
            error: JSON.stringify({ code: err.code, zh: err.messages.zh, en: err.messages.en }),
            actorId: actor.userId,
            finishedAt: now(),
          })
          .execute();
        await this.audit.record(tx, actor, {
          action: 'upload.reject',
          targetType: 'import',
          targetId: md.importId,
          outcome: 'failure',
          details: {
            uploadId,
            path: md.path,
            declared: md.sha256,
            actual,
            size: md.size,
            stationId: md.stationId,
          },
        });
      });
      await store.remove(uploadId).catch(() => undefined);
      throw err;
    }
  }

  /** What became of an upload; completes one whose bytes all arrived but was never catalogued. */
  async confirmation(actor: Actor, uploadId: string, store: UploadStore): Promise<UploadConfirmation> {
    assertPermission(actor, 'recordings.import');
    if (typeof uploadId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(uploadId))
      throw uploadErrors.notFound(String(uploadId).slice(0, 64));
    const done = await this.recorded(uploadId);
    if (done) return done;
    const info = await store.info(uploadId);
    if (!info) throw uploadErrors.notFound(uploadId);
    try {
      return await this.complete(actor, uploadId, store);
    } catch (e) {
      if (isAppError(e) && e.code === 'UPLOAD_HASH_MISMATCH') return (await this.recorded(uploadId))!;
      throw e;
    }
  }

  private async recorded(uploadId: string): Promise<UploadConfirmation | null> {
    const row = await this.db.selectFrom('uploads').selectAll().where('id', '=', uploadId).executeTakeFirst();
    if (!row) return null;
    const err = row.error ? (JSON.parse(row.error) as { code: string; zh: string; en: string }) : null;
    let sha256 = row.declaredSha256;
    if (row.recordingId) {
      const rec = await this.db
        .selectFrom('recordings')
        .select('sha256')
        .where('id', '=', row.recordingId)
        .executeTakeFirst();
      if (rec) sha256 = rec.sha256;
    }
    return {
      uploadId,
      // Confirmed only when the catalogue holds exactly the declared content.
      confirmed: row.status === 'catalogued' && row.recordingId !== null && sha256 === row.declaredSha256,
      status: row.status,
      sha256,
      recordingId: row.recordingId,
      fileStatus: row.fileStatus,
      ...(err ? { error: { code: err.code, message: err.zh, messageEn: err.en } } : {}),
    };
  }

  private metadataOf(md: Record<string, string | null>): UploadMetadata {
    return {
      deviceSerial: md.deviceSerial ?? '',
      path: md.path ?? '',
      pathBytes: md.pathBytes || null,
      sha256: md.sha256 ?? '',
      size: Number(md.size),
      importId: md.importId ?? '',
      stationId: md.stationId || null,
    };
  }

  // ─── Stations ────────────────────────────────────────────────────────────────

  async heartbeat(actor: Actor, input: HeartbeatInput, clientIp: string | null): Promise<StationView> {
    assertPermission(actor, 'recordings.import');
    if (!STATION_ID_RE.test(input.stationId)) throw uploadErrors.stationId();
    const docked = [...new Set(input.docked.map((d) => d.trim()))].filter((d) => d && !CONTROL.test(d));
    const lastError = input.lastError
      ? input.lastError.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 1000)
      : null;
    const now = this.ctx.clock.now();
    const values = {
      version: input.version.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 64),
      freeBytes: input.freeBytes ?? null,
      queue: input.queue,
      lastError,
      docked: JSON.stringify(docked),
      actorId: actor.userId,
      clientIp,
      lastSeenAt: now,
    };
    const updated = await this.db
      .updateTable('stations')
      .set(values)
      .where('id', '=', input.stationId)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      // First sight of a station is audited; its routine heartbeats are not.
      await this.db.transaction().execute(async (tx) => {
        const row: StationsTable = { id: input.stationId, ...values, firstSeenAt: now };
        await tx
          .insertInto('stations')
          .values(row)
          .onConflict((oc) => oc.column('id').doUpdateSet(values))
          .execute();
        await this.audit.record(tx, actor, {
          action: 'station.register',
          targetType: 'station',
          targetId: input.stationId,
          details: { version: values.version, clientIp },
        });
      });
    }
    return (await this.listStations(actor, input.stationId))[0]!;
  }

  async listStations(actor: Actor, only?: string): Promise<StationView[]> {
    if (!actor.permissions.has('devices.read')) assertPermission(actor, 'recordings.import');
    let q = this.db.selectFrom('stations').selectAll().orderBy('id');
    if (only) q = q.where('id', '=', only);
    const rows = await q.execute();
    const now = this.ctx.clock.now();
    const out: StationView[] = [];
    for (const r of rows) {
      const imports = await this.db
        .selectFrom('imports')
        .innerJoin('devices', 'devices.id', 'imports.deviceId')
        .select([
          'imports.id as id',
          'devices.serial as deviceSerial',
          'imports.status as status',
          'imports.startedAt as startedAt',
          'imports.finishedAt as finishedAt',
        ])
        .where('imports.stationId', '=', r.id)
        .orderBy('imports.startedAt', 'desc')
        .limit(10)
        .execute();
      const lastSeenAt = Number(r.lastSeenAt);
      out.push({
        id: r.id,
        version: r.version,
        freeBytes: r.freeBytes === null ? null : Number(r.freeBytes),
        queue: Number(r.queue),
        lastError: r.lastError,
        docked: JSON.parse(r.docked) as string[],
        lastSeenAt,
        firstSeenAt: Number(r.firstSeenAt),
        online: now - lastSeenAt < STATION_ONLINE_MS,
        imports: imports.map((i) => ({
          ...i,
          startedAt: Number(i.startedAt),
          finishedAt: i.finishedAt === null ? null : Number(i.finishedAt),
        })),
      });
    }
    return out;
  }
}
