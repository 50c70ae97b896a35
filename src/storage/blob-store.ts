// The blob store keeps original recordings: write-once, content-addressed by SHA-256.
// Two implementations share this interface: a local directory (local-blob-store.ts) and
// any S3 engine (s3-blob-store.ts). Everything here is shared by both.

import { createHash } from 'node:crypto';
import { Transform, type TransformCallback, type Readable } from 'node:stream';
import { AppError, errors } from '../domain/errors.js';

export type StorageConfig =
  | { kind: 'local'; dir: string }
  | {
      kind: 's3';
      bucket: string;
      endpoint?: string;
      region: string;
      forcePathStyle: boolean;
      checksum: 'when_required' | 'when_supported';
      /** Key prefix, default ''. */
      prefix: string;
      partSizeBytes?: number;
    };

export interface BlobInfo {
  sha256: string;
  size: number;
  storedAt: number | null;
}

export interface PutOptions {
  expectedSha256?: string;
  expectedSize?: number;
}

/** A file's SHA-256 computed by its writer over every byte as it wrote them, and its state after the last write. */
export interface WrittenFile {
  sha256: string;
  size: number;
  dev: number;
  ino: number;
  mtimeMs: number;
}

export interface AdoptOptions extends PutOptions {
  /** The file must still be this inode (the one the caller opened and checked). */
  sameAs?: { dev: number; ino: number };
  /**
   * When the file is still exactly as its writer left it (same inode, size and mtime),
   * this hash stands for reading it again; otherwise the store reads and hashes it.
   */
  written?: WrittenFile | null;
}

export interface PutResult {
  sha256: string;
  size: number;
  /** false: identical content was already stored and nothing was written. */
  created: boolean;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end?: number;
}

export interface DisposalAuthorization {
  disposalId: string;
  approvedBy: string[];
}

export interface VerifyResult {
  ok: boolean;
  /** null: the blob is absent. */
  actualSha256: string | null;
  size: number | null;
}

export interface BlobStore {
  readonly kind: 'local' | 's3';
  /** e.g. "local:/data/blobs" or "s3://bucket/@http://host:port"; never secrets. */
  readonly description: string;
  /** Hashes while writing; never buffers the whole body. */
  put(body: NodeJS.ReadableStream | Readable, opts?: PutOptions): Promise<PutResult>;
  /**
   * Stores the content of a complete file that nobody writes any more and that the caller
   * removes afterwards (a finished upload). Same checks and result as put(); the local store
   * hashes it in one read and hard-links it into place instead of copying when it is on the
   * same file system. Stores without it are given put() of the file.
   */
  adopt?(file: string, opts?: AdoptOptions): Promise<PutResult>;
  /** BLOB_NOT_FOUND / RANGE_NOT_SATISFIABLE. */
  get(sha256: string, range?: ByteRange): Promise<Readable>;
  stat(sha256: string): Promise<BlobInfo | null>;
  /** Only committed blobs, never temporaries. */
  list(): AsyncIterable<BlobInfo>;
  /** Re-reads and re-hashes the stored bytes (fixity check). */
  verify(sha256: string): Promise<VerifyResult>;
  /** Only the disposal workflow calls this: needs a disposalId and two or more approvers. */
  delete(sha256: string, auth: DisposalAuthorization): Promise<void>;
  health(): Promise<{ ok: boolean; detail?: string }>;
  close?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Errors

export const blobErrors = {
  notFound: (sha256: string) =>
    new AppError(
      'BLOB_NOT_FOUND',
      404,
      { zh: `原始文件不存在：${sha256}`, en: `Blob not found: ${sha256}` },
      { sha256 },
    ),
  hashMismatch: (expected: string, actual: string) =>
    new AppError(
      'BLOB_HASH_MISMATCH',
      422,
      {
        zh: `文件内容校验失败：期望 SHA-256 ${expected}，实际 ${actual}，未保存`,
        en: `Content hash mismatch: expected SHA-256 ${expected}, got ${actual}; nothing stored`,
      },
      { expected, actual },
    ),
  sizeMismatch: (expected: number, actual: number) =>
    new AppError(
      'BLOB_SIZE_MISMATCH',
      422,
      {
        zh: `文件大小不符：期望 ${expected} 字节，实际 ${actual} 字节，未保存`,
        en: `Size mismatch: expected ${expected} bytes, got ${actual}; nothing stored`,
      },
      { expected, actual },
    ),
  sourceChanged: () =>
    new AppError('BLOB_SOURCE_CHANGED', 409, {
      zh: '文件在校验期间被替换或修改，未保存',
      en: 'The file was replaced or changed while it was being checked; nothing stored',
    }),
  rangeNotSatisfiable: (range: ByteRange, size: number) =>
    new AppError(
      'RANGE_NOT_SATISFIABLE',
      416,
      {
        zh: `请求的字节范围无效（文件大小 ${size} 字节）`,
        en: `Requested byte range cannot be satisfied (blob size ${size} bytes)`,
      },
      { start: range.start, end: range.end, size },
    ),
  invalidSha256: (value: unknown) =>
    new AppError(
      'INVALID_SHA256',
      400,
      {
        zh: 'SHA-256 值格式不正确：应为 64 位小写十六进制字符',
        en: 'Invalid SHA-256: expected 64 lowercase hexadecimal characters',
      },
      // Echo only a short, printable excerpt of what was sent.
      { value: String(value).slice(0, 80) },
    ),
  disposalNotAuthorized: (reasonZh: string, reasonEn: string) =>
    new AppError('DISPOSAL_NOT_AUTHORIZED', 403, {
      zh: `未经批准不得销毁原始文件：${reasonZh}`,
      en: `Disposal of an original is not authorized: ${reasonEn}`,
    }),
  /** reason: a short machine-readable cause, e.g. ENOSPC, EACCES, S3_UNREACHABLE. */
  unavailable: (reason: string, zh: string, en: string) =>
    new AppError(
      'STORAGE_UNAVAILABLE',
      503,
      { zh: `存储不可用：${zh}`, en: `Storage unavailable: ${en}` },
      { reason },
    ),
};

const FS_REASONS: Record<string, [zh: string, en: string]> = {
  ENOSPC: ['磁盘空间已满', 'disk full (ENOSPC)'],
  EDQUOT: ['磁盘配额已用尽', 'disk quota exceeded (EDQUOT)'],
  EACCES: ['没有存储目录的访问权限', 'permission denied on the storage directory (EACCES)'],
  EPERM: ['没有存储目录的操作权限', 'operation not permitted on the storage directory (EPERM)'],
  EROFS: ['存储目录所在文件系统为只读', 'storage file system is read-only (EROFS)'],
  EIO: ['磁盘读写错误', 'disk input/output error (EIO)'],
  EXDEV: ['临时目录与原始文件目录不在同一文件系统', 'tmp/ and blobs/ are on different file systems (EXDEV)'],
  EMFILE: ['打开的文件过多', 'too many open files (EMFILE)'],
  ENFILE: ['打开的文件过多', 'too many open files (ENFILE)'],
};

/** Maps a file-system error to STORAGE_UNAVAILABLE naming the cause; other errors pass. */
export function mapFsError(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const reason = code ? FS_REASONS[code] : undefined;
  return code && reason ? blobErrors.unavailable(code, reason[0], reason[1]) : e;
}

export const errnoOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

// ---------------------------------------------------------------------------------------
// Checks

export const SHA256_RE = /^[0-9a-f]{64}$/;

/** Every sha256 argument goes through this before it becomes part of a path or key. */
export function assertSha256(value: unknown): string {
  if (typeof value !== 'string' || !SHA256_RE.test(value)) throw blobErrors.invalidSha256(value);
  return value;
}

export function checkPutOptions(opts: PutOptions | undefined): void {
  if (opts?.expectedSha256 !== undefined) assertSha256(opts.expectedSha256);
  const size = opts?.expectedSize;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw errors.validation(`expectedSize must be a non-negative integer, got ${String(size)}`);
  }
}

/** Throws if the content does not match what the caller announced (size first: a cut-off upload says so). */
export function checkExpectations(
  opts: PutOptions | undefined,
  actual: { sha256: string; size: number },
): void {
  if (opts?.expectedSize !== undefined && opts.expectedSize !== actual.size) {
    throw blobErrors.sizeMismatch(opts.expectedSize, actual.size);
  }
  if (opts?.expectedSha256 !== undefined && opts.expectedSha256 !== actual.sha256) {
    throw blobErrors.hashMismatch(opts.expectedSha256, actual.sha256);
  }
}

/** Resolves a range against the blob size: end clamped to the last byte, like HTTP. */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } {
  const { start, end } = range;
  const valid =
    Number.isSafeInteger(start) &&
    start >= 0 &&
    start < size &&
    (end === undefined || (Number.isSafeInteger(end) && end >= start));
  if (!valid) throw blobErrors.rangeNotSatisfiable(range, size);
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}

export function checkDisposal(auth: DisposalAuthorization | undefined): void {
  if (!auth || typeof auth.disposalId !== 'string' || auth.disposalId.trim() === '') {
    throw blobErrors.disposalNotAuthorized('缺少销毁审批编号', 'no disposal id');
  }
  const approvers = new Set(
    (Array.isArray(auth.approvedBy) ? auth.approvedBy : [])
      .filter((a): a is string => typeof a === 'string')
      .map((a) => a.trim())
      .filter((a) => a !== ''),
  );
  if (approvers.size < 2) {
    throw blobErrors.disposalNotAuthorized(
      '至少需要两名不同的审批人',
      'at least two distinct approvers are required',
    );
  }
}

/** Shard path "ab/cd/<sha256>" (two levels of 256 keep directories and listings small). */
export const shardPath = (sha256: string): string => `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

// ---------------------------------------------------------------------------------------
// Hashing

/** Pass-through that hashes and counts what flows through; the digest exists once the input ended. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  private digestHex: string | null = null;
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digestHex = this.hash.digest('hex');
    callback();
  }

  /** Throws if read before the whole input passed: a partial hash must never be used. */
  get sha256(): string {
    if (this.digestHex === null) throw new Error('HashingStream: input has not ended');
    return this.digestHex;
  }
}

/** Reads a stream to its end, hashing it. */
export async function hashStream(
  stream: AsyncIterable<Uint8Array>,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}
