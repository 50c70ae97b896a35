// The tus file store of station uploads, hashing each upload's bytes as they are written,
// so that a finished upload need not be read again before it becomes an original
// (LocalBlobStore.adopt). The running hash lives in memory only: after a server restart,
// or whenever a write does not continue exactly where this process's hash stopped, there
// is none, and the blob store reads and hashes the file as before.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { FileStore } from '@tus/file-store';
import type { WrittenFile } from './blob-store.js';

interface RunningHash {
  hash: Hash;
  /** Bytes hashed = the file's size after the last write this process made. */
  offset: number;
  dev: number;
  ino: number;
  mtimeMs: number;
}

/** More uploads than this at once is not expected; the oldest hash is dropped (it falls back to a read). */
const MAX_RUNNING = 1000;

export class HashingFileStore extends FileStore {
  private readonly running = new Map<string, RunningHash>();

  constructor(private readonly dir: string) {
    super({ directory: dir });
  }

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const prior = this.running.get(id);
    // Invalid until this write has completed and been checked.
    this.running.delete(id);
    const hash = offset === 0 ? createHash('sha256') : prior?.offset === offset ? prior.hash : null;
    if (!hash) return super.write(readable, id, offset);

    let seen = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        hash.update(chunk);
        seen += chunk.length;
        callback(null, chunk);
      },
    });
    // pipeline() passes an error of the request on to the tap, and so to the file store.
    const end = await super.write(
      pipeline(readable, tap, () => undefined),
      id,
      offset,
    );
    // Every byte that went through the tap was written, at offset onwards, and nothing else.
    const st = await fs.stat(path.join(this.dir, id)).catch(() => null);
    if (st && st.size === end && offset + seen === end) {
      if (this.running.size >= MAX_RUNNING) this.running.delete(this.running.keys().next().value!);
      this.running.set(id, { hash, offset: end, dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs });
    }
    return end;
  }

  override async remove(id: string): Promise<void> {
    this.running.delete(id);
    return super.remove(id);
  }

  /** The hash of every byte of the upload as written by this process, or null when it did not see them all. */
  written(id: string): WrittenFile | null {
    const r = this.running.get(id);
    if (!r) return null;
    return {
      sha256: r.hash.copy().digest('hex'),
      size: r.offset,
      dev: r.dev,
      ino: r.ino,
      mtimeMs: r.mtimeMs,
    };
  }
}
