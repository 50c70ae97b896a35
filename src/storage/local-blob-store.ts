// Originals in a local directory:
//   DIR/blobs/ab/cd/<sha256>   committed, read-only (0444), never replaced
//   DIR/tmp/<uuid>.part        being written; invisible to get/stat/list/verify
// A put writes and fsyncs a temporary, checks it, then hard-links it into place. link(2)
// fails with EEXIST on an existing name, so an original can never be overwritten, and a
// crash at any point leaves at most a temporary behind.

import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type BlobInfo,
  type BlobStore,
  type ByteRange,
  type DisposalAuthorization,
  type PutOptions,
  type PutResult,
  type VerifyResult,
  HashingStream,
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

  async put(body: NodeJS.ReadableStream | Readable, opts?: PutOptions): Promise<PutResult> {
    checkPutOptions(opts);
    const tmpPath = path.join(this.tmpDir, `${randomUUID()}.part`);
    let tmpExists = false;
    try {
      const hasher = new HashingStream();
      const handle = await fs.open(tmpPath, 'wx', 0o600);
      tmpExists = true;
      try {
        await pipeline(body, hasher, async (hashed: AsyncIterable<Buffer>) => {
          for await (const chunk of hashed) await writeFully(handle, chunk);
        });
        await handle.sync();
        // Read-only before it gets its final name: there is no moment it is writable there.
        await handle.chmod(0o444);
      } finally {
        await handle.close();
      }
      const actual = { sha256: hasher.sha256, size: hasher.bytes };
      checkExpectations(opts, actual);

      const finalPath = path.join(this.blobsDir, shardPath(actual.sha256));
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
      tmpExists = false;
      if (created) {
        await fsyncDir(shardDir);
        // New shard directories must be durable too, or the blob may vanish after a crash.
        if (firstCreated) {
          for (let d = path.dirname(shardDir); d.length >= this.blobsDir.length; d = path.dirname(d)) {
            await fsyncDir(d);
          }
        }
      }
      return { ...actual, created };
    } catch (e) {
      if (tmpExists) await fs.rm(tmpPath, { force: true }).catch(() => undefined);
      throw mapFsError(e);
    }
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
      if (st?.isFile() && st.mtimeMs < cutoff) await fs.rm(file, { force: true });
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

async function writeFully(handle: fs.FileHandle, chunk: Buffer): Promise<void> {
  for (let off = 0; off < chunk.length;) {
    const { bytesWritten } = await handle.write(chunk, off, chunk.length - off);
    off += bytesWritten;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
