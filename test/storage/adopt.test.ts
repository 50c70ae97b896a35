// A finished upload becomes an original without a copy: LocalBlobStore.adopt (hard link,
// one read or the writer's hash, same checks as put) and the tus file store that hashes
// uploads as it writes them.

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shardPath } from '../../src/storage/blob-store.js';
import { HashingFileStore } from '../../src/storage/hashing-file-store.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'zhilu-adopt-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function upload(bytes: Buffer): Promise<string> {
  const file = path.join(root, 'uploads', 'u1');
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, bytes);
  return file;
}

const tmpEntries = () => fs.readdir(path.join(root, 'store', 'tmp'));
const blobFile = (sha: string) => path.join(root, 'store', 'blobs', shardPath(sha));

describe('LocalBlobStore.adopt', () => {
  it('links the checked file into place: same inode, read-only, content intact, no temporary left', async () => {
    const store = await LocalBlobStore.open(path.join(root, 'store'));
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const file = await upload(bytes);
    const r = await store.adopt(file, { expectedSha256: sha256(bytes), expectedSize: bytes.length });
    expect(r).toEqual({ sha256: sha256(bytes), size: bytes.length, created: true });
    const [src, blob] = await Promise.all([fs.stat(file), fs.stat(blobFile(r.sha256))]);
    expect(blob.ino).toBe(src.ino);
    expect(blob.mode & 0o777).toBe(0o444);
    expect(await store.verify(r.sha256)).toMatchObject({ ok: true });
    expect(await tmpEntries()).toEqual([]);
    // The caller removes its name; the original stays.
    await fs.unlink(file);
    expect(sha256(await fs.readFile(blobFile(r.sha256)))).toBe(r.sha256);
  });

  it('stores nothing when the content is not what was declared', async () => {
    const store = await LocalBlobStore.open(path.join(root, 'store'));
    const bytes = randomBytes(100_000);
    const file = await upload(bytes);
    const declared = 'a'.repeat(64);
    await expect(store.adopt(file, { expectedSha256: declared })).rejects.toMatchObject({
      code: 'BLOB_HASH_MISMATCH',
    });
    await expect(store.adopt(file, { expectedSize: bytes.length + 1 })).rejects.toMatchObject({
      code: 'BLOB_SIZE_MISMATCH',
    });
    expect(await store.stat(sha256(bytes))).toBeNull();
    expect(await store.stat(declared)).toBeNull();
    expect(await tmpEntries()).toEqual([]);
    expect(await fs.readFile(file)).toEqual(bytes);
  });

  it('never replaces a stored original: identical content is reported as already there', async () => {
    const store = await LocalBlobStore.open(path.join(root, 'store'));
    const bytes = randomBytes(50_000);
    const first = await store.put(Readable.from([bytes]));
    const before = await fs.stat(blobFile(first.sha256));
    const file = await upload(bytes);
    const r = await store.adopt(file, { expectedSha256: first.sha256 });
    expect(r.created).toBe(false);
    const after = await fs.stat(blobFile(first.sha256));
    expect(after.ino).toBe(before.ino);
    expect(after.ino).not.toBe((await fs.stat(file)).ino);
    expect(await tmpEntries()).toEqual([]);
  });

  it("takes the writer's hash only while the file is exactly as the writer left it", async () => {
    const store = await LocalBlobStore.open(path.join(root, 'store'));
    const bytes = randomBytes(200_000);
    const file = await upload(bytes);
    const st = await fs.stat(file);
    const state = { size: st.size, dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs };
    // Written later than the writer last saw it: its hash no longer stands; the file is read.
    const stale = { ...state, mtimeMs: st.mtimeMs - 1000, sha256: 'b'.repeat(64) };
    const r = await store.adopt(file, { written: stale });
    expect(r.sha256).toBe(sha256(bytes));
    await store.delete(r.sha256, { disposalId: 'T-1', approvedBy: ['a', 'b'] });
    // Untouched: the writer's hash is taken and checked against the declared one.
    const written = { ...state, sha256: sha256(bytes) };
    await expect(store.adopt(file, { written, expectedSha256: 'c'.repeat(64) })).rejects.toMatchObject({
      code: 'BLOB_HASH_MISMATCH',
    });
    expect(await store.adopt(file, { written, expectedSha256: sha256(bytes) })).toMatchObject({
      sha256: sha256(bytes),
      created: true,
    });
  });

  it('refuses a file that is not the one the caller opened, and symbolic links', async () => {
    const store = await LocalBlobStore.open(path.join(root, 'store'));
    const bytes = randomBytes(10_000);
    const file = await upload(bytes);
    const st = await fs.stat(file);
    await expect(store.adopt(file, { sameAs: { dev: st.dev, ino: st.ino + 1 } })).rejects.toMatchObject({
      code: 'BLOB_SOURCE_CHANGED',
    });
    const link = path.join(root, 'uploads', 'link');
    await fs.symlink(file, link);
    await expect(store.adopt(link)).rejects.toMatchObject({ code: 'ELOOP' });
    expect(await store.stat(sha256(bytes))).toBeNull();
    expect(await tmpEntries()).toEqual([]);
  });
});

describe('HashingFileStore (tus uploads)', () => {
  const create = async (store: HashingFileStore, id: string, size: number) => {
    await store.create({ id, size, offset: 0, metadata: {} } as unknown as Parameters<
      HashingFileStore['create']
    >[0]);
  };

  it('hashes every written byte across PATCHes; a restart or a gap leaves no hash', async () => {
    const dir = path.join(root, 'uploads');
    await fs.mkdir(dir, { recursive: true });
    const store = new HashingFileStore(dir);
    const parts = [randomBytes(70_000), randomBytes(1), randomBytes(300_000)];
    const all = Buffer.concat(parts);
    await create(store, 'a', all.length);
    let offset = 0;
    for (const p of parts)
      offset = await store.write(Readable.from([p.subarray(0, 1000), p.subarray(1000)]), 'a', offset);
    expect(offset).toBe(all.length);
    expect(store.written('a')?.sha256).toBe(sha256(all));
    const st = await fs.stat(path.join(dir, 'a'));
    expect(store.written('a')).toMatchObject({ size: all.length, ino: st.ino, mtimeMs: st.mtimeMs });

    // A new process did not see the first bytes.
    await create(store, 'b', all.length);
    const n = await store.write(Readable.from([parts[0]!]), 'b', 0);
    const restarted = new HashingFileStore(dir);
    await restarted.write(Readable.from([all.subarray(n)]), 'b', n);
    expect(restarted.written('b')).toBeNull();

    // A write that fails part-way: no hash from then on.
    await create(store, 'c', all.length);
    const n0 = await store.write(Readable.from([parts[0]!]), 'c', 0);
    expect(store.written('c')?.sha256).toBe(sha256(parts[0]!));
    const broken = new Readable({
      read() {
        this.push(parts[2]!.subarray(0, 1000));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.write(broken, 'c', n0)).rejects.toBeDefined();
    expect(store.written('c')).toBeNull();
    const size = (await fs.stat(path.join(dir, 'c'))).size;
    await store.write(Readable.from([all.subarray(size)]), 'c', size);
    expect(store.written('c')).toBeNull();

    // Bytes written by anyone else: the next write does not continue the hash.
    await create(store, 'd', all.length);
    const n1 = await store.write(Readable.from([parts[0]!]), 'd', 0);
    await fs.appendFile(path.join(dir, 'd'), parts[1]!);
    await store.write(Readable.from([parts[2]!]), 'd', n1 + 1);
    expect(store.written('d')).toBeNull();

    await store.remove('a');
    expect(store.written('a')).toBeNull();
  });
});
