// Originals in a local directory:
//   DIR/blobs/ab/cd/<sha256>   committed, read-only (0444), never replaced
//   DIR/tmp/<uuid>.part        being written; invisible to get/stat/list/verify
//   DIR/tmp/<uuid>.adopt       a finished file linked here by adopt(), being checked
// A put writes and fsyncs a temporary, checks it, then hard-links it into place. link(2)
// fails with EEXIST on an existing name, so an original can never be overwritten, and a
// crash at any point leaves at most a temporary behind. adopt() gives a finished file a
// temporary name by a hard link instead of a copy, then goes the same way.

import { createHash, randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import {
  type AdoptOptions,
  type BlobInfo,
  type BlobStore,
  type ByteRange,
  type DisposalAuthorization,
  type PutOptions,
  type PutResult,
  type VerifyResult,
  SHA256_RE,
  assertSha256,
  blobErrors,
  checkDisposal,
  checkExpectations,
  checkPutOptions,
  errnoOf,
  hashStream,
  mapFsError,
  resolveRange,
  shardPath,
} from './blob-store.js';

export interface LocalBlobStoreOptions {
  /** Temporaries older than this are removed on open (a writer that died); default 24 h. */
  staleTempMs?: number;
}

const HEX2_RE = /^[0-9a-f]{2}$/;
const READ_BYTES = 1024 * 1024;
/** Name suffix of an adopted file's temporary (a put's ends in .part). */
const ADOPTED = '.adopt';
/** link(2) cannot join these two names (other file system, no hard links there): copy instead. */
const CANNOT_LINK = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP']);

export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  readonly description: string;
  private readonly blobsDir: string;
  private readonly tmpDir: string;

  private constructor(readonly dir: string) {
    this.description = `local:${dir}`;
    this.blobsDir = path.join(dir, 'blobs');
    this.tmpDir = path.join(dir, 'tmp');
  }

  /** Creates the layout if needed and removes stale temporaries. */
  static async open(dir: string, options: LocalBlobStoreOptions = {}): Promise<LocalBlobStore> {
    const store = new LocalBlobStore(path.resolve(dir));
    try {
      await fs.mkdir(store.blobsDir, { recursive: true, mode: 0o755 });
      await fs.mkdir(store.tmpDir, { recursive: true, mode: 0o700 });
      await store.removeStaleTemporaries(options.staleTempMs ?? 24 * 3600_000);
    } catch (e) {
      throw mapFsError(e);
    }
    return store;
  }

  private blobPath(sha256: string): string {
    return path.join(this.blobsDir, shardPath(assertSha256(sha256)));
  }

  private tempPath(suffix = '.part'): string {
    return path.join(this.tmpDir, `${randomUUID()}${suffix}`);
  }

  async put(body: NodeJS.ReadableStream | Readable, opts?: PutOptions): Promise<PutResult> {
    checkPutOptions(opts);
    const tmpPath = this.tempPath();
    let tmpExists = false;
    try {
      const handle = await fs.open(tmpPath, 'wx', 0o600);
      tmpExists = true;
      let actual: { sha256: string; size: number };
      try {
        actual = await copyHashing(body, handle);
        await handle.sync();
        // Read-only before it gets its final name: there is no moment it is writable there.
        await handle.chmod(0o444);
      } finally {
        await handle.close();
      }
      checkExpectations(opts, actual);
      const created = await this.commit(tmpPath, actual.sha256);
      tmpExists = false;
      return { ...actual, created };
    } catch (e) {
      if (tmpExists) await fs.rm(tmpPath, { force: true }).catch(() => undefined);
      throw mapFsError(e);
    }
  }

  /**
   * A finished file becomes a temporary of this store by a hard link (no copy), is made
   * read-only, fsynced and hashed in one read (or takes its writer's hash when it is
   * untouched since), checked, and linked into place like a put. The file shares its inode
   * with the original from then on: the caller must not write it again, only remove it.
   * Across file systems it is copied as put() does.
   */
  async adopt(file: string, opts?: AdoptOptions): Promise<PutResult> {
    checkPutOptions(opts);
    const tmpPath = this.tempPath(ADOPTED);
    try {
      await fs.link(file, tmpPath);
    } catch (e) {
      const code = errnoOf(e);
      if (code && CANNOT_LINK.has(code)) return this.putFile(file, opts);
      throw mapFsError(e);
    }
    try {
      // O_NOFOLLOW: link(2) does not follow a symbolic link, so a link stays one and fails here.
      const handle = await fs.open(tmpPath, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
      let actual: { sha256: string; size: number };
      try {
        await handle.chmod(0o444);
        const before = await handle.stat();
        if (!before.isFile() || !sameFile(before, opts?.sameAs)) throw blobErrors.sourceChanged();
        // Durable while it is hashed: nothing writes it any more, so this covers every byte.
        const syncing = handle.sync();
        syncing.catch(() => undefined);
        const w = opts?.written;
        const untouched =
          w != null &&
          SHA256_RE.test(w.sha256) &&
          w.dev === before.dev &&
          w.ino === before.ino &&
          w.size === before.size &&
          w.mtimeMs === before.mtimeMs;
        actual = untouched ? { sha256: w.sha256, size: w.size } : await hashHandle(handle);
        await syncing;
        const after = await handle.stat();
        if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || actual.size !== after.size)
          throw blobErrors.sourceChanged();
      } finally {
        await handle.close();
      }
      checkExpectations(opts, actual);
      const created = await this.commit(tmpPath, actual.sha256);
      return { ...actual, created };
    } catch (e) {
      await fs.rm(tmpPath, { force: true }).catch(() => undefined);
      throw mapFsError(e);
    }
  }

  /** adopt() where a hard link cannot be made: the file is read through put(). */
  private async putFile(file: string, opts?: AdoptOptions): Promise<PutResult> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch (e) {
      throw mapFsError(e);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile() || !sameFile(st, opts?.sameAs)) throw blobErrors.sourceChanged();
      return await this.put(handle.createReadStream({ autoClose: false, highWaterMark: READ_BYTES }), opts);
    } finally {
      await handle.close();
    }
  }

  /**
   * Gives a checked, fsynced, read-only temporary its content name: link(2) never replaces
   * an existing name, so identical content already stored stays as it is (created false).
   */
  private async commit(tmpPath: string, sha256: string): Promise<boolean> {
    const finalPath = path.join(this.blobsDir, shardPath(sha256));
    const shardDir = path.dirname(finalPath);
    const firstCreated = await fs.mkdir(shardDir, { recursive: true, mode: 0o755 });
    let created = true;
    try {
      await fs.link(tmpPath, finalPath);
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw e;
      created = false; // identical content already stored
    }
    await fs.unlink(tmpPath);
    if (created) {
      await fsyncDir(shardDir);
      // New shard directories must be durable too, or the blob may vanish after a crash.
      if (firstCreated) {
        for (let d = path.dirname(shardDir); d.length >= this.blobsDir.length; d = path.dirname(d)) {
          await fsyncDir(d);
        }
      }
    }
    return created;
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    const file = this.blobPath(sha256);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') throw blobErrors.notFound(sha256);
      throw mapFsError(e);
    }
    try {
      if (!range) return handle.createReadStream();
      const { size } = await handle.stat();
      const { start, end } = resolveRange(range, size);
      return handle.createReadStream({ start, end });
    } catch (e) {
      await handle.close();
      throw mapFsError(e);
    }
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    const file = this.blobPath(sha256);
    try {
      const st = await fs.stat(file);
      return st.isFile() ? { sha256, size: st.size, storedAt: st.mtimeMs } : null;
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return null;
      throw mapFsError(e);
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    try {
      for (const a of await sortedSubdirs(this.blobsDir)) {
        for (const b of await sortedSubdirs(path.join(this.blobsDir, a))) {
          const dir = path.join(this.blobsDir, a, b);
          for await (const entry of await fs.opendir(dir)) {
            const name = entry.name;
            if (!entry.isFile() || !SHA256_RE.test(name) || name.slice(0, 2) !== a || name.slice(2, 4) !== b)
              continue;
            const info = await this.stat(name);
            if (info) yield info;
          }
        }
      }
    } catch (e) {
      throw mapFsError(e);
    }
  }

  async verify(sha256: string): Promise<VerifyResult> {
    const file = this.blobPath(sha256);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'r');
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return { ok: false, actualSha256: null, size: null };
      throw mapFsError(e);
    }
    try {
      const actual = await hashStream(handle.createReadStream({ autoClose: false }));
      return { ok: actual.sha256 === sha256, actualSha256: actual.sha256, size: actual.size };
    } catch (e) {
      throw mapFsError(e);
    } finally {
      await handle.close();
    }
  }

  async delete(sha256: string, auth: DisposalAuthorization): Promise<void> {
    checkDisposal(auth);
    const file = this.blobPath(sha256);
    try {
      await fs.unlink(file);
      await fsyncDir(path.dirname(file));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') throw blobErrors.notFound(sha256);
      throw mapFsError(e);
    }
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    try {
      await fs.access(this.blobsDir, fsConstants.R_OK | fsConstants.W_OK | fsConstants.X_OK);
      await fs.access(this.tmpDir, fsConstants.R_OK | fsConstants.W_OK | fsConstants.X_OK);
      const st = await fs.statfs(this.dir);
      const freeBytes = st.bavail * st.bsize;
      return { ok: true, detail: `${this.description}: ${Math.floor(freeBytes / 2 ** 20)} MiB free` };
    } catch (e) {
      const mapped = mapFsError(e);
      const why = mapped instanceof Error ? mapped.message : String(mapped);
      return { ok: false, detail: `${this.description}: ${why}` };
    }
  }

  private async removeStaleTemporaries(maxAgeMs: number): Promise<void> {
    const cutoff = Date.now() - maxAgeMs;
    for (const name of await fs.readdir(this.tmpDir)) {
      const file = path.join(this.tmpDir, name);
      const st = await fs.lstat(file).catch(() => null);
      // A put's temporary ages from its last write; an adopted file keeps the mtime of its
      // upload, so it ages from its link here (ctime).
      const since = name.endsWith(ADOPTED) ? st?.ctimeMs : st?.mtimeMs;
      if (st?.isFile() && since !== undefined && since < cutoff) await fs.rm(file, { force: true });
    }
  }
}

async function sortedSubdirs(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && HEX2_RE.test(e.name))
    .map((e) => e.name)
    .sort();
}

async function writeFully(handle: fs.FileHandle, chunk: Buffer, position: number): Promise<void> {
  for (let off = 0; off < chunk.length;) {
    const { bytesWritten } = await handle.write(chunk, off, chunk.length - off, position + off);
    off += bytesWritten;
  }
}

const sameFile = (st: { dev: number; ino: number }, want: AdoptOptions['sameAs']): boolean =>
  !want || (st.dev === want.dev && st.ino === want.ino);

/**
 * Writes the body into `handle`, hashing it on the way: one chunk is written while the
 * next is hashed (and the stream reads ahead), so reading, hashing and writing overlap.
 * (Flushing to disk in the background as well measured slower here: each fdatasync is a
 * disk cache flush.)
 */
async function copyHashing(
  body: NodeJS.ReadableStream | Readable,
  handle: fs.FileHandle,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  let writing: Promise<void> = Promise.resolve();
  try {
    for await (const chunk of body as AsyncIterable<Buffer | Uint8Array | string>) {
      const buf =
        typeof chunk === 'string'
          ? Buffer.from(chunk)
          : Buffer.isBuffer(chunk)
            ? chunk
            : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (buf.length === 0) continue;
      hash.update(buf);
      await writing;
      writing = writeFully(handle, buf, size);
      // Handled now (awaited later): a failure while the next chunk is read is not unhandled.
      writing.catch(() => undefined);
      size += buf.length;
    }
    await writing;
  } finally {
    // Nothing may still be running on the handle when the caller closes it.
    await writing.catch(() => undefined);
  }
  return { sha256: hash.digest('hex'), size };
}

/** SHA-256 of a whole file in one read: the next block is read while this one is hashed. */
async function hashHandle(handle: fs.FileHandle): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  const buffers = [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)];
  let size = 0;
  let which = 0;
  let reading = handle.read(buffers[0]!, 0, READ_BYTES, 0);
  for (;;) {
    const { bytesRead, buffer } = await reading;
    if (bytesRead === 0) break;
    which ^= 1;
    reading = handle.read(buffers[which]!, 0, READ_BYTES, size + bytesRead);
    reading.catch(() => undefined);
    hash.update(buffer.subarray(0, bytesRead));
    size += bytesRead;
  }
  return { sha256: hash.digest('hex'), size };
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
