// The blob-store contract, run against the local directory store (always) and the S3 store
// against a real Ceph RADOS Gateway (ZHILU_TEST_S3=ceph; see test/support/global-setup.ts).

import {
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createCipheriv, createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import {
  type BlobStore,
  type DisposalAuthorization,
  type StorageConfig,
  hashStream,
  mapFsError,
  shardPath,
} from '../../src/storage/blob-store.js';
import { LocalBlobStore } from '../../src/storage/local-blob-store.js';
import { openBlobStore } from '../../src/storage/open-blob-store.js';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';

const MiB = 2 ** 20;
const AUTH: DisposalAuthorization = { disposalId: 'XH-2025-0001', approvedBy: ['leader-a', 'leader-b'] };

// ---------------------------------------------------------------------------------------
// Helpers

/** Deterministic pseudo-random bytes (AES-CTR keystream), generated chunk by chunk. */
function pseudoRandom(size: number, seed: string, chunkSize = 256 * 1024) {
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16));
  const hash = createHash('sha256');
  const zeros = Buffer.alloc(chunkSize);
  let left = size;
  let sha256: string | null = null;
  const stream = new Readable({
    read() {
      if (left === 0) {
        sha256 = hash.digest('hex');
        this.push(null);
        return;
      }
      const chunk = cipher.update(zeros.subarray(0, Math.min(chunkSize, left)));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return {
    stream,
    get sha256(): string {
      if (sha256 === null) throw new Error('stream not fully read');
      return sha256;
    },
  };
}

async function bytes(size: number, seed: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of pseudoRandom(size, seed).stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sha256Of = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function listAll(store: BlobStore) {
  const out = [];
  for await (const info of store.list()) out.push(info);
  return out;
}

/** Largest RSS growth over the baseline while `work` runs, sampled every 5 ms. */
async function peakRssGrowth(work: () => Promise<unknown>): Promise<number> {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage.rss()) - baseline;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the contract needs from each backend besides the store itself. */
interface Harness {
  store: BlobStore;
  /** Replaces a stored blob's bytes behind the store's back. */
  corrupt(sha256: string, content: Buffer): Promise<void>;
  /** Temporaries and unfinished uploads currently present. */
  temporaries(): Promise<string[]>;
  /** Changes whenever the stored object is rewritten. */
  identity(sha256: string): Promise<string>;
  /** Timestamp resolution of `identity` (S3 LastModified has whole seconds). */
  clockResolutionMs: number;
  cleanup(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// The shared contract

function blobStoreContract(openHarness: () => Promise<Harness>) {
  let h: Harness;
  let store: BlobStore;
  beforeEach(async () => {
    h = await openHarness();
    store = h.store;
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('puts, gets, stats and lists a blob', async () => {
    const content = await bytes(300_000, 'small');
    const sha = sha256Of(content);
    const result = await store.put(Readable.from([content]));
    expect(result).toEqual({ sha256: sha, size: content.length, created: true });
    expect((await readAll(await store.get(sha))).equals(content)).toBe(true);
    const info = await store.stat(sha);
    expect(info).toMatchObject({ sha256: sha, size: content.length });
    expect(info?.storedAt).toBeGreaterThan(Date.now() - 3600_000);
    expect((await listAll(store)).map((i) => [i.sha256, i.size])).toEqual([[sha, content.length]]);
    expect(await store.verify(sha)).toEqual({ ok: true, actualSha256: sha, size: content.length });
    expect(await h.temporaries()).toEqual([]);
    expect(await store.health()).toMatchObject({ ok: true });
  });

  it('stores an empty blob', async () => {
    const empty = sha256Of(Buffer.alloc(0));
    expect(await store.put(Readable.from([]))).toEqual({ sha256: empty, size: 0, created: true });
    expect((await readAll(await store.get(empty))).length).toBe(0);
    await expect(store.get(empty, { start: 0 })).rejects.toMatchObject({ code: 'RANGE_NOT_SATISFIABLE' });
  });

  it('returns exactly the requested byte ranges', async () => {
    const content = await bytes(100_000, 'ranges');
    const { sha256: sha } = await store.put(Readable.from([content]));
    const range = async (start: number, end?: number) => readAll(await store.get(sha, { start, end }));
    expect((await range(0, 9)).equals(content.subarray(0, 10))).toBe(true);
    expect((await range(40_000, 49_999)).equals(content.subarray(40_000, 50_000))).toBe(true);
    expect((await range(99_999)).equals(content.subarray(99_999))).toBe(true);
    expect((await range(99_999)).length).toBe(1);
    expect((await range(90_000)).equals(content.subarray(90_000))).toBe(true);
    expect((await range(99_990, 500_000)).equals(content.subarray(99_990))).toBe(true); // end clamped
    for (const bad of [{ start: 100_000 }, { start: 10, end: 9 }, { start: -1 }, { start: 1.5 }]) {
      await expect(store.get(sha, bad)).rejects.toMatchObject({ code: 'RANGE_NOT_SATISFIABLE', status: 416 });
    }
  });

  it('reports absent blobs', async () => {
    const absent = sha256Of(Buffer.from('never stored'));
    expect(await store.stat(absent)).toBeNull();
    await expect(store.get(absent)).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND', status: 404 });
    await expect(store.get(absent, { start: 0, end: 1 })).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
    expect(await store.verify(absent)).toEqual({ ok: false, actualSha256: null, size: null });
    await expect(store.delete(absent, AUTH)).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
  });

  it('streams a large body in several parts, byte-identical', { timeout: 180_000 }, async () => {
    const size = 72 * MiB + 12_345; // 10 parts of 8 MiB, the last one short
    const gen = pseudoRandom(size, 'large');
    const result = await store.put(gen.stream);
    expect(result).toEqual({ sha256: gen.sha256, size, created: true });
    expect(await hashStream(await store.get(gen.sha256))).toEqual({ sha256: gen.sha256, size });
    expect(await store.stat(gen.sha256)).toMatchObject({ size });
  });

  it('keeps memory flat while storing and verifying 300 MB', { timeout: 300_000 }, async () => {
    const size = 300 * 1e6;
    const gen = pseudoRandom(size, 'memory');
    let result;
    const putGrowth = await peakRssGrowth(async () => {
      result = await store.put(gen.stream);
    });
    expect(result).toEqual({ sha256: gen.sha256, size, created: true });
    const verifyGrowth = await peakRssGrowth(async () => {
      expect(await store.verify(gen.sha256)).toEqual({ ok: true, actualSha256: gen.sha256, size });
    });
    expect(putGrowth).toBeLessThan(100 * MiB);
    expect(verifyGrowth).toBeLessThan(100 * MiB);
  });

  it('stores identical content once and never rewrites it', async () => {
    const content = await bytes(50_000, 'twice');
    const first = await store.put(Readable.from([content]));
    const before = await h.identity(first.sha256);
    await sleep(h.clockResolutionMs);
    const second = await store.put(Readable.from([content]), {
      expectedSha256: first.sha256,
      expectedSize: 50_000,
    });
    expect(first.created).toBe(true);
    expect(second).toEqual({ sha256: first.sha256, size: 50_000, created: false });
    expect(await h.identity(first.sha256)).toBe(before);
    expect(await listAll(store)).toHaveLength(1);
    expect(await h.temporaries()).toEqual([]);
  });

  it('refuses content that does not match the expected hash or size, storing nothing', async () => {
    const content = await bytes(20_000, 'mismatch');
    const wrong = sha256Of(Buffer.from('something else'));
    await expect(store.put(Readable.from([content]), { expectedSha256: wrong })).rejects.toMatchObject({
      code: 'BLOB_HASH_MISMATCH',
      status: 422,
      details: { expected: wrong, actual: sha256Of(content) },
    });
    await expect(store.put(Readable.from([content]), { expectedSize: 19_999 })).rejects.toMatchObject({
      code: 'BLOB_SIZE_MISMATCH',
      status: 422,
    });
    expect(await listAll(store)).toEqual([]);
    expect(await store.stat(sha256Of(content))).toBeNull();
    expect(await h.temporaries()).toEqual([]);
    const ok = await store.put(Readable.from([content]), {
      expectedSha256: sha256Of(content),
      expectedSize: 20_000,
    });
    expect(ok.created).toBe(true);
  });

  it('stores nothing when the body fails midway (client went away)', { timeout: 120_000 }, async () => {
    let sent = 0;
    const body = new Readable({
      read() {
        if (sent >= 20 * MiB) {
          this.destroy(new Error('client went away'));
          return;
        }
        sent += MiB;
        this.push(Buffer.alloc(MiB, sent / MiB));
      },
    });
    await expect(store.put(body)).rejects.toThrow('client went away');
    expect(await listAll(store)).toEqual([]);
    expect(await h.temporaries()).toEqual([]); // temporary removed, multipart upload aborted
  });

  it('detects corruption of a stored blob', async () => {
    const content = await bytes(64_000, 'fixity');
    const { sha256: sha } = await store.put(Readable.from([content]));
    const damaged = Buffer.from(content);
    damaged[1234] = (damaged[1234] ?? 0) ^ 0xff;
    await h.corrupt(sha, damaged);
    expect(await store.verify(sha)).toEqual({
      ok: false,
      actualSha256: sha256Of(damaged),
      size: damaged.length,
    });
  });

  it('deletes only with a disposal authorization', async () => {
    const { sha256: sha } = await store.put(Readable.from([Buffer.from('to be disposed of')]));
    const refused: unknown[] = [
      undefined,
      { disposalId: '', approvedBy: ['a', 'b'] },
      { disposalId: '  ', approvedBy: ['a', 'b'] },
      { disposalId: 'XH-1', approvedBy: [] },
      { disposalId: 'XH-1', approvedBy: ['a'] },
      { disposalId: 'XH-1', approvedBy: ['a', 'a'] },
      { disposalId: 'XH-1', approvedBy: ['a', ''] },
    ];
    for (const auth of refused) {
      await expect(store.delete(sha, auth as DisposalAuthorization)).rejects.toMatchObject({
        code: 'DISPOSAL_NOT_AUTHORIZED',
        status: 403,
      });
    }
    expect(await store.stat(sha)).not.toBeNull();
    await store.delete(sha, AUTH);
    expect(await store.stat(sha)).toBeNull();
    expect(await listAll(store)).toEqual([]);
    await expect(store.get(sha)).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
  });

  it('rejects malformed sha256 arguments before touching storage', async () => {
    const good = sha256Of(Buffer.from('x'));
    for (const bad of [
      '../../etc/passwd',
      good.toUpperCase(),
      good.slice(1),
      `${good}0`,
      `${good.slice(0, 63)}/`,
      '',
    ]) {
      await expect(store.get(bad)).rejects.toMatchObject({ code: 'INVALID_SHA256', status: 400 });
      await expect(store.stat(bad)).rejects.toMatchObject({ code: 'INVALID_SHA256' });
      await expect(store.verify(bad)).rejects.toMatchObject({ code: 'INVALID_SHA256' });
      await expect(store.delete(bad, AUTH)).rejects.toMatchObject({ code: 'INVALID_SHA256' });
      await expect(
        store.put(Readable.from([Buffer.from('x')]), { expectedSha256: bad }),
      ).rejects.toMatchObject({
        code: 'INVALID_SHA256',
      });
    }
    expect(await listAll(store)).toEqual([]);
  });
}

// ---------------------------------------------------------------------------------------
// local

describe('local blob store', () => {
  const roots: string[] = [];
  afterAll(async () => {
    for (const r of roots) await fs.rm(r, { recursive: true, force: true });
  });
  const newDir = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zhilu-blobs-'));
    roots.push(dir);
    return dir;
  };
  const blobFile = (dir: string, sha: string) => path.join(dir, 'blobs', shardPath(sha));

  describe('contract', () => {
    blobStoreContract(async () => {
      const dir = await newDir();
      const store = await openBlobStore({ kind: 'local', dir });
      return {
        store,
        clockResolutionMs: 0,
        corrupt: async (sha, content) => {
          const file = blobFile(dir, sha);
          await fs.chmod(file, 0o644);
          await fs.writeFile(file, content);
        },
        temporaries: async () => fs.readdir(path.join(dir, 'tmp')),
        identity: async (sha) => {
          const st = await fs.stat(blobFile(dir, sha));
          return `${st.ino}:${st.mtimeMs}:${st.size}`;
        },
        cleanup: async () => {
          await store.close?.();
          await fs.rm(dir, { recursive: true, force: true });
        },
      };
    });
  });

  it('lays blobs out as blobs/ab/cd/<sha256>, read-only, and link(2) refuses to replace one', async () => {
    const dir = await newDir();
    const store = await LocalBlobStore.open(dir);
    expect(store.description).toBe(`local:${dir}`);
    const { sha256: sha } = await store.put(Readable.from([Buffer.from('original')]));
    const file = blobFile(dir, sha);
    const st = await fs.stat(file);
    expect(st.mode & 0o777).toBe(0o444);
    // The same system call the store commits with: an existing name is never replaced.
    const impostor = path.join(dir, 'tmp', 'impostor');
    await fs.writeFile(impostor, 'forged');
    await expect(fs.link(impostor, file)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await fs.readFile(file, 'utf8')).toBe('original');
  });

  it(
    'hides and later removes what a writer killed mid-write (kill -9) leaves behind',
    { timeout: 120_000 },
    async () => {
      const dir = await newDir();
      const childDir = await newDir();
      const { child, exited } = await startCrashingWriter(childDir, dir);
      let ended: string | undefined;
      void exited.then((how) => (ended = how));
      try {
        // Wait until the child has written a good part of its body, then kill it hard.
        const tmpDir = path.join(dir, 'tmp');
        let partial: string | undefined;
        for (let i = 0; i < 600 && !partial && !ended; i++) {
          for (const name of await fs.readdir(tmpDir).catch(() => [])) {
            if ((await fs.stat(path.join(tmpDir, name))).size >= 8 * MiB) partial = name;
          }
          if (!partial) await sleep(50);
        }
        expect(ended, 'the writer ended before it was killed').toBeUndefined();
        expect(partial, 'the writer never wrote 8 MiB').toBeDefined();
        child.kill('SIGKILL');
        expect(await exited).toBe('SIGKILL');

        const store = await LocalBlobStore.open(dir);
        const leftover = await fs.readFile(path.join(tmpDir, partial!));
        expect(await listAll(store)).toEqual([]);
        expect(await store.stat(sha256Of(leftover))).toBeNull();
        await expect(store.get(sha256Of(leftover))).rejects.toMatchObject({ code: 'BLOB_NOT_FOUND' });
        // A fresh temporary survives opening; a stale one (its writer long dead) is removed.
        await LocalBlobStore.open(dir);
        expect(await fs.readdir(tmpDir)).toEqual([partial]);
        const old = new Date(Date.now() - 48 * 3600_000);
        await fs.utimes(path.join(tmpDir, partial!), old, old);
        await LocalBlobStore.open(dir);
        expect(await fs.readdir(tmpDir)).toEqual([]);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );

  it('names the cause when the disk refuses', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    expect(mapFsError(err('ENOSPC'))).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      status: 503,
      details: { reason: 'ENOSPC' },
    });
    expect(mapFsError(err('EACCES'))).toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
      details: { reason: 'EACCES' },
    });
    const other = err('ERR_STREAM_PREMATURE_CLOSE');
    expect(mapFsError(other)).toBe(other);
  });
});

/**
 * Runs LocalBlobStore.put in a child process with a body that stalls after 16 MiB, as a
 * writer would be when the machine dies. The store's source is transpiled as is (types
 * stripped) because plain Node cannot import TypeScript.
 */
async function startCrashingWriter(workDir: string, storeDir: string) {
  const srcRoot = fileURLToPath(new URL('../../src/', import.meta.url));
  for (const rel of ['domain/errors.ts', 'storage/blob-store.ts', 'storage/local-blob-store.ts']) {
    const source = await fs.readFile(path.join(srcRoot, rel), 'utf8');
    const out = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    }).outputText;
    const dest = path.join(workDir, 'src', rel.replace(/\.ts$/, '.js'));
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.writeFile(dest, out);
  }
  await fs.writeFile(path.join(workDir, 'package.json'), '{"type":"module"}');
  await fs.writeFile(
    path.join(workDir, 'writer.js'),
    `import { Readable } from 'node:stream';
import { LocalBlobStore } from './src/storage/local-blob-store.js';
const store = await LocalBlobStore.open(process.argv[2]);
let n = 0;
const body = new Readable({ read() { if (n < 16) this.push(Buffer.alloc(1 << 20, ++n)); } });
setInterval(() => {}, 1000); // a stalled body leaves nothing else to keep the process alive
await store.put(body);
`,
  );
  const child = spawn(process.execPath, [path.join(workDir, 'writer.js'), storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}: ${stderr}`)),
  );
  return { child, exited };
}

// ---------------------------------------------------------------------------------------
// s3

const s3 = inject('s3');
if (!s3) {
  if (process.env.ZHILU_TEST_S3 === 'ceph')
    throw new Error('ZHILU_TEST_S3=ceph but no S3 engine was provided');
  console.info('S3 tests skipped: set ZHILU_TEST_S3=ceph (needs ceph-mon, ceph-osd, radosgw)');
}

(s3 ? describe : describe.skip)('s3 blob store (Ceph RGW)', () => {
  const conn = s3!;
  const bucket = `zhilu-test-${randomUUID().slice(0, 8)}`;
  let admin: S3Client;
  const config = (prefix: string): Extract<StorageConfig, { kind: 's3' }> => ({
    kind: 's3',
    bucket,
    endpoint: conn.endpoint,
    region: conn.region,
    forcePathStyle: true,
    checksum: 'when_required',
    prefix,
  });
  const newPrefix = () => `t-${randomUUID().slice(0, 8)}/`;

  beforeAll(async () => {
    // The store takes credentials from the standard AWS variables, as in production.
    process.env.AWS_ACCESS_KEY_ID = conn.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = conn.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    admin = new S3Client({
      region: conn.region,
      endpoint: conn.endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const store = new S3BlobStore(config(''));
    expect((await store.health()).ok).toBe(false); // no bucket yet: never created implicitly
    await store.ensureBucket();
    await store.ensureBucket(); // idempotent
    await store.close();
  });
  afterAll(() => admin?.destroy());

  const temporaries = async (prefix: string) => {
    const objects = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}tmp/` }));
    const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
    return [
      ...(objects.Contents ?? []).map((o) => o.Key ?? ''),
      ...(uploads.Uploads ?? []).map((u) => `upload:${u.Key ?? ''}`),
    ];
  };

  describe('contract', () => {
    blobStoreContract(async () => {
      const prefix = newPrefix();
      const store = await openBlobStore(config(prefix));
      const key = (sha: string) => `${prefix}blobs/${shardPath(sha)}`;
      return {
        store,
        clockResolutionMs: 1100,
        corrupt: async (sha, content) => {
          await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key(sha), Body: content }));
        },
        temporaries: () => temporaries(prefix),
        identity: async (sha) => {
          const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: key(sha) }));
          return `${head.LastModified?.toISOString()}:${head.ETag}`;
        },
        cleanup: async () => {
          await store.close?.();
        },
      };
    });
  });

  it('describes itself without secrets and records the hash in metadata', async () => {
    const prefix = newPrefix();
    const store = new S3BlobStore(config(prefix));
    expect(store.description).toBe(`s3://${bucket}/${prefix}@${conn.endpoint}`);
    expect(store.description).not.toContain(conn.secretAccessKey);
    const { sha256: sha } = await store.put(Readable.from([Buffer.from('metadata')]));
    const head = await admin.send(
      new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}blobs/${shardPath(sha)}` }),
    );
    expect(head.Metadata?.sha256).toBe(sha);
    await store.close();
  });

  it('copies above the threshold with a multipart copy (UploadPartCopy)', { timeout: 120_000 }, async () => {
    const prefix = newPrefix();
    const store = new S3BlobStore(config(prefix), { copyThresholdBytes: MiB, copyPartSizeBytes: 5 * MiB });
    const size = 12 * MiB + 7; // 3 copied parts: 5 + 5 + 2 MiB
    const gen = pseudoRandom(size, 'part-copy');
    expect(await store.put(gen.stream)).toEqual({ sha256: gen.sha256, size, created: true });
    expect(await hashStream(await store.get(gen.sha256))).toEqual({ sha256: gen.sha256, size });
    const head = await admin.send(
      new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}blobs/${shardPath(gen.sha256)}` }),
    );
    expect(head.Metadata?.sha256).toBe(gen.sha256);
    expect(head.ETag).toMatch(/-3"$/); // a multipart object of 3 parts
    expect(await temporaries(prefix)).toEqual([]);
    await store.close();
  });

  it('hides what a killed process leaves behind and removes it when stale', async () => {
    const prefix = newPrefix();
    const store = new S3BlobStore(config(prefix));
    // What a process killed mid-put leaves: a temporary object and an unfinished upload.
    await admin.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${prefix}tmp/orphan`, Body: Buffer.alloc(1000) }),
    );
    const { UploadId } = await admin.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}tmp/orphan-2` }),
    );
    await admin.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: `${prefix}tmp/orphan-2`,
        UploadId,
        PartNumber: 1,
        Body: Buffer.alloc(MiB),
      }),
    );
    expect(await listAll(store)).toEqual([]);
    expect(await store.removeStaleTemporaries(3600_000)).toEqual({ objects: 0, uploads: 0 });
    expect(await store.removeStaleTemporaries(0)).toEqual({ objects: 1, uploads: 1 });
    expect(await temporaries(prefix)).toEqual([]);
    await store.close();
  });
});

describe('s3 blob store without a reachable endpoint', () => {
  it('reports STORAGE_UNAVAILABLE naming the cause', { timeout: 60_000 }, async () => {
    const port = await closedPort();
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID ??= 'unused';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'unused';
    const store = await openBlobStore({
      kind: 's3',
      bucket: 'nowhere',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      checksum: 'when_required',
      prefix: '',
    });
    try {
      expect(store.kind).toBe('s3');
      const health = await store.health();
      expect(health.ok).toBe(false);
      expect(health.detail).toContain('ECONNREFUSED');
      const unavailable = { code: 'STORAGE_UNAVAILABLE', status: 503, details: { reason: 'S3_UNREACHABLE' } };
      await expect(store.stat(sha256Of(Buffer.from('x')))).rejects.toMatchObject(unavailable);
      await expect(store.put(Readable.from([Buffer.from('x')]))).rejects.toMatchObject(unavailable);
    } finally {
      await store.close?.();
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
