// The collection station (A12.1, A13.1): a program on the dedicated collection PC. Each
// docked device appears as a folder under the watched directory (as USB mass-storage
// mounts do). For each, the station identifies the device, opens an import on the server,
// hashes every file (SHA-256, streaming), uploads it with tus (resumable: the upload URL is
// kept in the station's state directory, so a killed station or server continues where it
// stopped), waits for the server to confirm that exact hash is catalogued, and only then,
// if configured, deletes the file from the device. Nothing unconfirmed is ever deleted.
// `zhilu import DIR --server` uses the same code for one folder without clearing.
import { createHash } from 'node:crypto';
import { constants as fsc, createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import * as tus from 'tus-js-client';
import { DEVICE_INFO_FILE, DEVICE_INFO_MAX_BYTES, parseDeviceInfo } from '../domain/file-names.js';
import { VERSION } from '../version.js';

export const HEARTBEAT_MS = 30_000;
/**
 * One PATCH per GiB: the file is streamed from disk (never buffered), and the server keeps
 * every byte it received even when a PATCH is cut, so a large chunk costs nothing on resume
 * and is measurably faster than many small ones. Lower it behind proxies with body limits.
 */
export const DEFAULT_CHUNK_SIZE = 1024 ** 3;
const MAX_DEPTH = 32;
const SERIAL_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// ─── Talking to the server ───────────────────────────────────────────────────────

export class StationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'StationError';
  }
}

export class ServerClient {
  readonly base: string;
  constructor(
    server: string,
    private readonly token: string,
  ) {
    const u = new URL(server);
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new StationError('SERVER_URL_INVALID', `not an http(s) URL: ${server}`);
    this.base = u.toString().replace(/\/+$/, '');
  }

  get authHeader(): string {
    return `Bearer ${this.token}`;
  }

  uploadsEndpoint(): string {
    return `${this.base}/api/v1/uploads`;
  }

  async request<T>(method: string, p: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/v1${p}`, {
        method,
        headers: {
          authorization: this.authHeader,
          'accept-language': 'en',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(120_000),
      });
    } catch (e) {
      throw new StationError('SERVER_UNREACHABLE', `server unreachable: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) {
      let code = `HTTP_${res.status}`;
      let message = text.slice(0, 500);
      try {
        const j = JSON.parse(text) as { code?: string; message?: string };
        code = j.code ?? code;
        message = j.message ?? message;
      } catch {
        // not JSON: keep the text
      }
      throw new StationError(code, message, res.status);
    }
    return (text ? JSON.parse(text) : null) as T;
  }
}

// ─── Resumable-upload URL storage: a JSON file in the station's state directory ──────

interface StoredUpload {
  size: number | null;
  metadata: Record<string, string>;
  creationTime: string;
  uploadUrl: string | null;
  parallelUploadUrls: string[] | null;
  urlStorageKey: string;
}

export class FileUrlStorage {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(readonly file: string) {}

  private async read(): Promise<Record<string, StoredUpload>> {
    try {
      return JSON.parse(await fs.readFile(this.file, 'utf8')) as Record<string, StoredUpload>;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw e;
    }
  }

  /** Written to a temporary then renamed: a killed station never leaves half a file. */
  private async write(all: Record<string, StoredUpload>): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const h = await fs.open(tmp, 'w', 0o600);
    try {
      await h.writeFile(JSON.stringify(all));
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rename(tmp, this.file);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  findAllUploads(): Promise<StoredUpload[]> {
    return this.serial(async () => Object.values(await this.read()));
  }

  findUploadsByFingerprint(fingerprint: string): Promise<StoredUpload[]> {
    return this.serial(async () =>
      Object.entries(await this.read())
        .filter(([k]) => k.startsWith(`${fingerprint}::`))
        .map(([, v]) => v),
    );
  }

  removeUpload(urlStorageKey: string): Promise<void> {
    return this.serial(async () => {
      const all = await this.read();
      delete all[urlStorageKey];
      await this.write(all);
    });
  }

  removeFingerprint(fingerprint: string): Promise<void> {
    return this.serial(async () => {
      const all = await this.read();
      for (const k of Object.keys(all)) if (k.startsWith(`${fingerprint}::`)) delete all[k];
      await this.write(all);
    });
  }

  addUpload(fingerprint: string, upload: Omit<StoredUpload, 'urlStorageKey'>): Promise<string> {
    return this.serial(async () => {
      const all = await this.read();
      const key = `${fingerprint}::${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
      all[key] = { ...upload, urlStorageKey: key };
      await this.write(all);
      return key;
    });
  }
}

// ─── Files ───────────────────────────────────────────────────────────────────────

export interface DeviceFile {
  /** Absolute path bytes: device names need not be valid UTF-8 (GBK from Chinese devices). */
  abs: Buffer;
  /** Relative path bytes on the device, '/'-separated. */
  rel: Buffer;
  size: number;
  mtimeMs: number;
}

export async function hashFile(abs: string | Buffer): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(abs, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    h.update(chunk);
    size += chunk.length;
  }
  return { sha256: h.digest('hex'), size };
}

/** Regular files under root, sorted by path; links and special files are never followed. */
export async function listDeviceFiles(root: string): Promise<{ files: DeviceFile[]; skipped: string[] }> {
  const files: DeviceFile[] = [];
  const skipped: string[] = [];
  const visit = async (abs: Buffer, rel: Buffer | null, depth: number): Promise<void> => {
    const names = (await fs.readdir(abs, { encoding: 'buffer' })).sort(Buffer.compare);
    for (const name of names) {
      const childAbs = Buffer.concat([abs, Buffer.from('/'), name]);
      const childRel = rel === null ? name : Buffer.concat([rel, Buffer.from('/'), name]);
      const st = await fs.lstat(childAbs);
      if (st.isDirectory() && depth < MAX_DEPTH) await visit(childAbs, childRel, depth + 1);
      else if (st.isFile()) files.push({ abs: childAbs, rel: childRel, size: st.size, mtimeMs: st.mtimeMs });
      else skipped.push(childRel.toString('utf8'));
    }
  };
  await visit(Buffer.from(root), null, 0);
  return { files, skipped };
}

/** A path for messages and state keys: its text when the bytes are UTF-8, else their hex. */
export function pathKey(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return Buffer.from(text).equals(bytes) ? text : `hex:${bytes.toString('hex')}`;
}

async function readDeviceInfoText(root: string): Promise<string | null> {
  let h: fs.FileHandle | null = null;
  try {
    h = await fs.open(path.join(root, DEVICE_INFO_FILE), fsc.O_RDONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
    const st = await h.stat();
    if (!st.isFile() || st.size > DEVICE_INFO_MAX_BYTES) return null;
    return await h.readFile('utf8');
  } catch {
    return null;
  } finally {
    await h?.close().catch(() => undefined);
  }
}

/** The device in a docked folder: its device-info file, else the folder's name. */
export async function identifyDevice(
  root: string,
): Promise<{ serial: string | null; deviceInfo: string | null }> {
  const text = await readDeviceInfoText(root);
  const info = text ? parseDeviceInfo(text) : null;
  if (info) return { serial: info.serial, deviceInfo: text };
  const name = path.basename(root);
  return { serial: SERIAL_RE.test(name) ? name : null, deviceInfo: null };
}

// ─── Throttle (a bandwidth cap for stations on shared links) ─────────────────────

class Throttle extends Transform {
  private readonly started = Date.now();
  private sent = 0;
  constructor(private readonly bytesPerSecond: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.sent += chunk.length;
    const due = this.started + (this.sent / this.bytesPerSecond) * 1000;
    setTimeout(() => cb(null, chunk), Math.max(0, due - Date.now()));
  }
}

/**
 * Reads the device file for tus-js-client by its path BYTES (its own reader opens by a string
 * path, which cannot name a file whose device name is not UTF-8, e.g. GBK), optionally
 * throttled. Each slice is a fresh stream of [start, end) of the file, as tus expects.
 */
function deviceFileReader(abs: Buffer, size: number, bytesPerSecond?: number) {
  return {
    openFile: async () => ({
      size,
      close: () => undefined,
      slice: async (start: number, end: number) => {
        const length = Math.min(end, size) - start;
        const stream: Readable =
          length > 0 ? createReadStream(abs, { start, end: start + length - 1 }) : Readable.from([]);
        const value = bytesPerSecond ? stream.pipe(new Throttle(bytesPerSecond)) : stream;
        // tus-js-client reads the slice's length from `size`.
        return { value: Object.assign(value, { size: Math.max(0, length) }), done: end >= size };
      },
    }),
  };
}

// ─── Progress ────────────────────────────────────────────────────────────────────

export type StationEvent =
  | { event: 'volume'; dir: string; serial: string | null; files: number; bytes: number }
  | { event: 'import'; importId: string; serial: string }
  | { event: 'resume'; path: string; offset: number; size: number }
  | {
      event: 'progress';
      path: string;
      index: number;
      files: number;
      fileBytes: number;
      fileSize: number;
      totalBytes: number;
      totalSize: number;
      bytesPerSecond: number;
      etaSeconds: number | null;
    }
  | {
      event: 'file';
      path: string;
      sha256: string;
      size: number;
      status: string;
      recordingId: string | null;
      confirmed: boolean;
      cleared: boolean;
      error?: string;
    }
  | { event: 'report'; importId: string; summary: unknown; findings: number }
  | { event: 'heartbeat'; ok: boolean; error?: string }
  | { event: 'error'; code: string; message: string; dir?: string };

export type Logger = (e: StationEvent) => void;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** Human lines (or JSON lines with json = true). */
export function consoleLogger(json: boolean): Logger {
  return (e) => {
    if (json) {
      process.stdout.write(JSON.stringify({ ...e, at: new Date().toISOString() }) + '\n');
      return;
    }
    switch (e.event) {
      case 'volume':
        console.log(
          `zhilu station: 设备 / device ${e.serial ?? '?'} @ ${e.dir}: ${e.files} 个文件 / files, ${mb(e.bytes)}`,
        );
        break;
      case 'import':
        console.log(`zhilu station: 导入 / import ${e.importId} (${e.serial})`);
        break;
      case 'resume':
        console.log(`zhilu station: 续传 / resume ${e.path} from byte ${e.offset} of ${e.size}`);
        break;
      case 'progress': {
        const eta = e.etaSeconds === null ? '—' : `${Math.ceil(e.etaSeconds)} s`;
        const filePct = e.fileSize ? ((e.fileBytes / e.fileSize) * 100).toFixed(0) : '100';
        const totPct = e.totalSize ? ((e.totalBytes / e.totalSize) * 100).toFixed(0) : '100';
        console.log(
          `  [${e.index + 1}/${e.files}] ${e.path} ${filePct}% · 总计 / total ${totPct}% ${mb(e.totalBytes)}/${mb(e.totalSize)} · ${mb(e.bytesPerSecond)}/s · 剩余 / left ${eta}`,
        );
        break;
      }
      case 'file':
        console.log(
          `  ${e.confirmed ? '✓' : '✗'} ${e.path} ${e.status}${e.cleared ? ' · 已清除 / cleared' : ''}${e.error ? ` · ${e.error}` : ''}`,
        );
        break;
      case 'report':
        console.log(
          `zhilu station: 导入完成 / import ${e.importId} done: ${JSON.stringify(e.summary)}, findings ${e.findings}`,
        );
        break;
      case 'heartbeat':
        if (!e.ok) console.log(`zhilu station: 心跳失败 / heartbeat failed: ${e.error}`);
        break;
      case 'error':
        console.error(`zhilu station: 错误 / error [${e.code}] ${e.message}${e.dir ? ` (${e.dir})` : ''}`);
        break;
    }
  };
}

// ─── Uploading one folder ────────────────────────────────────────────────────────

export interface UploadOptions {
  client: ServerClient;
  stateDir: string;
  stationId: string | null;
  /** tus chunk size in bytes (one PATCH each); default DEFAULT_CHUNK_SIZE. */
  chunkSize?: number;
  maxBytesPerSecond?: number;
  /** How long to keep asking for a confirmation; default 120 s. */
  confirmTimeoutMs?: number;
  log: Logger;
}

export interface Confirmation {
  uploadId: string;
  confirmed: boolean;
  status: string;
  sha256: string;
  recordingId: string | null;
  fileStatus: string | null;
  error?: { code: string; message: string; messageEn: string };
}

export interface FileOutcome {
  path: string;
  sha256: string;
  size: number;
  confirmation: Confirmation | null;
  /** The server said catalogued for exactly this file's hash. */
  confirmed: boolean;
  cleared: boolean;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uploadIdOf = (url: string) =>
  decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '');

/**
 * Uploads one file (resuming a stored upload when there is one) and returns the server's
 * confirmation. A hash rejected by the server is retried afresh (re-hashed) up to 3 times.
 */
export async function uploadFile(
  opts: UploadOptions,
  file: DeviceFile,
  meta: { deviceSerial: string; importId: string; declaredSha256?: string },
  progress: (sent: number) => void,
): Promise<{ sha256: string; confirmation: Confirmation }> {
  const storage = new FileUrlStorage(path.join(opts.stateDir, 'tus-uploads.json'));
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const { sha256, size } = await hashFile(file.abs);
    if (size !== file.size)
      throw new StationError('FILE_CHANGED', `the file changed while it was read: ${pathKey(file.abs)}`);
    const declared = meta.declaredSha256 ?? sha256;
    const fingerprint = `zhilu-${createHash('sha256')
      .update(`${opts.client.base}\0${pathKey(file.abs)}\0${file.size}\0${file.mtimeMs}\0${declared}`)
      .digest('hex')}`;
    // A stored upload may already be catalogued (the station died before hearing so).
    const previous = await storage.findUploadsByFingerprint(fingerprint);
    for (const prev of previous) {
      if (!prev.uploadUrl) continue;
      const c = await opts.client
        .request<Confirmation>(
          'GET',
          `/uploads/${encodeURIComponent(uploadIdOf(prev.uploadUrl))}/confirmation`,
        )
        .catch(() => null);
      if (c?.confirmed && c.sha256 === declared) {
        await storage.removeFingerprint(fingerprint);
        return { sha256: declared, confirmation: c };
      }
    }
    const pathText = file.rel.toString('utf8');
    const metadata: Record<string, string> = {
      deviceSerial: meta.deviceSerial,
      path: pathText,
      sha256: declared,
      size: String(file.size),
      importId: meta.importId,
      filename: path.basename(pathText),
    };
    if (!Buffer.from(pathText).equals(file.rel)) metadata.pathBytes = file.rel.toString('hex');
    if (opts.stationId) metadata.stationId = opts.stationId;

    try {
      const url = await new Promise<string>((resolve, reject) => {
        const upload = new tus.Upload(file.abs, {
          endpoint: opts.client.uploadsEndpoint(),
          uploadSize: file.size,
          metadata,
          headers: { Authorization: opts.client.authHeader },
          chunkSize: opts.chunkSize ?? DEFAULT_CHUNK_SIZE,
          retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000],
          storeFingerprintForResuming: true,
          removeFingerprintOnSuccess: false,
          urlStorage: storage,
          fingerprint: async () => fingerprint,
          fileReader: deviceFileReader(file.abs, file.size, opts.maxBytesPerSecond),
          onProgress: (sent) => progress(sent),
          onSuccess: () => resolve(upload.url!),
          onError: (e) => reject(e),
        });
        void upload.findPreviousUploads().then(
          async (prev) => {
            const latest = prev.filter((p) => p.uploadUrl).at(-1);
            if (latest?.uploadUrl) {
              const offset = await fetch(latest.uploadUrl, {
                method: 'HEAD',
                headers: { authorization: opts.client.authHeader, 'tus-resumable': '1.0.0' },
              })
                .then((r) => (r.ok ? Number(r.headers.get('upload-offset') ?? 0) : 0))
                .catch(() => 0);
              opts.log({ event: 'resume', path: pathText, offset, size: file.size });
              upload.resumeFromPreviousUpload(latest);
            }
            upload.start();
          },
          (e: unknown) => reject(e as Error),
        );
      });
      const id = uploadIdOf(url);
      const confirmation = await waitForConfirmation(opts.client, id, opts.confirmTimeoutMs);
      await storage.removeFingerprint(fingerprint);
      return { sha256: declared, confirmation };
    } catch (e) {
      lastError = e;
      const status = (e as tus.DetailedError).originalResponse?.getStatus?.();
      // 460: the server found other content than declared; start this file afresh.
      if (status === 460) {
        await storage.removeFingerprint(fingerprint);
        if (meta.declaredSha256 !== undefined) break;
        continue;
      }
      throw e;
    }
  }
  const body = (lastError as tus.DetailedError)?.originalResponse?.getBody?.() ?? String(lastError);
  throw new StationError(
    'UPLOAD_HASH_MISMATCH',
    `the server rejected the upload: ${body.slice(0, 300)}`,
    460,
  );
}

/** Asks until the server says catalogued (or definitively not); network errors are retried for a while. */
export async function waitForConfirmation(
  client: ServerClient,
  uploadId: string,
  patienceMs = 120_000,
): Promise<Confirmation> {
  const until = Date.now() + patienceMs;
  let delay = 250;
  for (;;) {
    try {
      const c = await client.request<Confirmation>(
        'GET',
        `/uploads/${encodeURIComponent(uploadId)}/confirmation`,
      );
      if (c.confirmed || c.status === 'rejected' || c.status === 'failed') return c;
    } catch (e) {
      if (e instanceof StationError && e.status !== null && e.status < 500 && e.status !== 429) throw e;
      if (Date.now() > until) throw e;
    }
    if (Date.now() > until)
      throw new StationError('CONFIRMATION_TIMEOUT', `no confirmation for upload ${uploadId}`);
    await sleep(delay);
    delay = Math.min(delay * 2, 5000);
  }
}

export interface VolumeResult {
  dir: string;
  serial: string | null;
  importId: string | null;
  files: FileOutcome[];
  report: unknown;
  ok: boolean;
  error?: string;
}

/**
 * One device folder: open an import, upload and confirm every file, clear confirmed files
 * if asked (never the device-info file), finish the import.
 */
export async function uploadVolume(
  opts: UploadOptions & { clearAfterUpload: boolean },
  dir: string,
  serialOverride?: string,
): Promise<VolumeResult> {
  const root = await fs.realpath(dir);
  const id = await identifyDevice(root);
  const serial = serialOverride ?? id.serial;
  const { files, skipped } = await listDeviceFiles(root);
  const totalSize = files.reduce((n, f) => n + f.size, 0);
  opts.log({ event: 'volume', dir: root, serial, files: files.length, bytes: totalSize });
  if (!serial) {
    const message = `cannot identify the device in ${root}: no ${DEVICE_INFO_FILE} and the folder name is not a serial`;
    opts.log({ event: 'error', code: 'DEVICE_UNIDENTIFIED', message, dir: root });
    return { dir: root, serial: null, importId: null, files: [], report: null, ok: false, error: message };
  }
  if (files.length === 0) {
    const message = `nothing to upload in ${root}`;
    opts.log({ event: 'error', code: 'IMPORT_EMPTY', message, dir: root });
    return { dir: root, serial, importId: null, files: [], report: null, ok: false, error: message };
  }
  const opened = await opts.client.request<{ importId: string; device: { serial: string } }>(
    'POST',
    '/imports',
    {
      deviceSerial: serial,
      stationId: opts.stationId,
      sourcePath: root.slice(0, 4096),
      deviceInfo: id.deviceInfo,
    },
  );
  opts.log({ event: 'import', importId: opened.importId, serial: opened.device.serial });

  const outcomes: FileOutcome[] = [];
  let doneBytes = 0;
  const startedAt = Date.now();
  let lastTick = 0;
  for (const [i, f] of files.entries()) {
    const shown = f.rel.toString('utf8');
    const tick = (sent: number, force = false) => {
      const now = Date.now();
      if (!force && now - lastTick < 1000) return;
      lastTick = now;
      const total = doneBytes + sent;
      const rate = total / Math.max(0.001, (now - startedAt) / 1000);
      opts.log({
        event: 'progress',
        path: shown,
        index: i,
        files: files.length,
        fileBytes: sent,
        fileSize: f.size,
        totalBytes: total,
        totalSize,
        bytesPerSecond: rate,
        etaSeconds: rate > 0 ? (totalSize - total) / rate : null,
      });
    };
    let outcome: FileOutcome;
    try {
      const { sha256, confirmation } = await uploadFile(
        opts,
        f,
        { deviceSerial: serial, importId: opened.importId },
        (s) => tick(s),
      );
      tick(f.size, true);
      let cleared = false;
      const isInfo = f.rel.equals(Buffer.from(DEVICE_INFO_FILE));
      // Confirmed means: the server holds exactly the hash this station computed.
      const confirmed = confirmation.confirmed && confirmation.sha256 === sha256;
      if (opts.clearAfterUpload && confirmed && !isInfo) {
        // Delete exactly what was confirmed: the file must be as it was when hashed.
        const st = await fs.lstat(f.abs);
        if (st.isFile() && st.size === f.size && st.mtimeMs === f.mtimeMs) {
          await fs.unlink(f.abs);
          cleared = true;
        }
      }
      outcome = {
        path: shown,
        sha256,
        size: f.size,
        confirmation,
        confirmed,
        cleared,
        ...(confirmed
          ? {}
          : {
              error:
                confirmation.error?.messageEn ??
                `not confirmed (${confirmation.status}, ${confirmation.sha256})`,
            }),
      };
    } catch (e) {
      outcome = {
        path: shown,
        sha256: '',
        size: f.size,
        confirmation: null,
        confirmed: false,
        cleared: false,
        error: (e as Error).message,
      };
    }
    doneBytes += f.size;
    outcomes.push(outcome);
    opts.log({
      event: 'file',
      path: shown,
      sha256: outcome.sha256,
      size: f.size,
      status: outcome.confirmation?.fileStatus ?? outcome.confirmation?.status ?? 'failed',
      recordingId: outcome.confirmation?.recordingId ?? null,
      confirmed: outcome.confirmed,
      cleared: outcome.cleared,
      ...(outcome.error ? { error: outcome.error } : {}),
    });
  }
  const report = await opts.client.request<{ summary: unknown; findings: unknown[] }>(
    'POST',
    `/imports/${opened.importId}/finish`,
  );
  opts.log({
    event: 'report',
    importId: opened.importId,
    summary: report.summary,
    findings: report.findings.length,
  });
  const ok = outcomes.every((o) => o.confirmed) && skipped.length === 0;
  return {
    dir: root,
    serial,
    importId: opened.importId,
    files: outcomes,
    report,
    ok,
    ...(skipped.length
      ? {
          error: `not uploaded (links, special files or undecodable names): ${skipped.join(', ').slice(0, 500)}`,
        }
      : {}),
  };
}

// ─── The station loop ────────────────────────────────────────────────────────────

export interface StationOptions {
  watch: string;
  server: string;
  token: string;
  stationId: string;
  stateDir?: string;
  clearAfterUpload: boolean;
  once: boolean;
  chunkSize?: number;
  maxBytesPerSecond?: number;
  confirmTimeoutMs?: number;
  pollMs?: number;
  log: Logger;
  signal?: AbortSignal;
}

export function defaultStateDir(stationId: string): string {
  return path.join(os.homedir(), '.zhilu-station', stationId);
}

/** Runs until aborted (or, with once, until what is docked is done); true when everything was confirmed. */
export async function runStation(o: StationOptions): Promise<boolean> {
  const client = new ServerClient(o.server, o.token);
  const stateDir = o.stateDir ?? defaultStateDir(o.stationId);
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  const watch = await fs.realpath(o.watch);
  const done = new Set<string>();
  let queue = 0;
  let lastError: string | null = null;
  let docked: string[] = [];
  let allOk = true;

  const heartbeat = async () => {
    let freeBytes: number | null = null;
    try {
      const s = await fs.statfs(stateDir);
      freeBytes = Number(s.bavail) * Number(s.bsize);
    } catch {
      // unknown free space is reported as null
    }
    try {
      await client.request('POST', '/stations/heartbeat', {
        stationId: o.stationId,
        version: VERSION,
        freeBytes,
        queue,
        lastError,
        docked,
      });
      o.log({ event: 'heartbeat', ok: true });
    } catch (e) {
      o.log({ event: 'heartbeat', ok: false, error: (e as Error).message });
    }
  };
  const listVolumes = async (): Promise<string[]> => {
    const entries = await fs.readdir(watch, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => path.join(watch, e.name))
      .sort();
  };
  const refreshDocked = async (vols: string[]) => {
    docked = [];
    for (const v of vols) {
      const { serial } = await identifyDevice(v).catch(() => ({ serial: null }));
      if (serial) docked.push(serial);
    }
  };

  let timer: NodeJS.Timeout | null = null;
  if (!o.once) timer = setInterval(() => void heartbeat(), HEARTBEAT_MS);
  try {
    let vols = await listVolumes();
    await refreshDocked(vols);
    await heartbeat();
    for (;;) {
      if (o.signal?.aborted) break;
      vols = await listVolumes();
      // A volume that went away is forgotten: docking it again imports it again.
      for (const d of [...done]) if (!vols.includes(d)) done.delete(d);
      await refreshDocked(vols);
      const pending = vols.filter((v) => !done.has(v));
      queue = pending.length;
      for (const v of pending) {
        if (o.signal?.aborted) break;
        try {
          const r = await uploadVolume(
            {
              client,
              stateDir,
              stationId: o.stationId,
              chunkSize: o.chunkSize,
              maxBytesPerSecond: o.maxBytesPerSecond,
              confirmTimeoutMs: o.confirmTimeoutMs,
              log: o.log,
              clearAfterUpload: o.clearAfterUpload,
            },
            v,
          );
          if (!r.ok) {
            allOk = false;
            lastError = r.error ?? `some files of ${r.serial ?? v} were not confirmed`;
          }
        } catch (e) {
          allOk = false;
          lastError = (e as Error).message;
          o.log({
            event: 'error',
            code: e instanceof StationError ? e.code : 'STATION_ERROR',
            message: lastError,
            dir: v,
          });
        }
        done.add(v);
        queue = Math.max(0, queue - 1);
      }
      if (o.once) break;
      await sleep(o.pollMs ?? 2000);
    }
    if (o.once) await heartbeat();
  } finally {
    if (timer) clearInterval(timer);
  }
  return allOk;
}
