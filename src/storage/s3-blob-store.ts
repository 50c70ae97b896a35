// Originals in any S3 engine (Ceph RGW, MinIO, cloud OSS):
//   ${prefix}blobs/ab/cd/<sha256>   committed, metadata sha256=<hex>
//   ${prefix}tmp/<uuid>             being uploaded; never listed
// A put streams through the hash into a multipart upload to a temporary key (the hash is
// known only at the end), checks it, then copies server-side to the final key unless
// that key exists already. S3 has no "create only" copy on every engine, so write-once
// rests on this code never writing an existing key; add Object Lock where the engine has it.

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type HeadObjectCommandOutput,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { uuidv7 } from 'uuidv7';
import { isAppError } from '../domain/errors.js';
import {
  type BlobInfo,
  type BlobStore,
  type ByteRange,
  type DisposalAuthorization,
  type PutOptions,
  type PutResult,
  type StorageConfig,
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
  resolveRange,
  shardPath,
} from './blob-store.js';

export type S3StorageConfig = Extract<StorageConfig, { kind: 's3' }>;

export interface S3BlobStoreOptions {
  /** Use this client instead of building one from the config. */
  client?: S3Client;
  /** Objects above this are copied with UploadPartCopy; CopyObject's limit is 5 GiB. */
  copyThresholdBytes?: number;
  /** Part size of a multipart copy (each part ≥ 5 MiB except the last). */
  copyPartSizeBytes?: number;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const DEFAULT_PART_SIZE = 8 * MiB;
const MIN_PART_SIZE = 5 * MiB;
const MAX_PARTS = 10_000;
/** Parts in flight per upload: memory stays near (queueSize + 1) × partSize. */
const QUEUE_SIZE = 2;
const COPY_CONCURRENCY = 4;

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly description: string;
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly copyThreshold: number;
  private readonly copyPartSize: number;

  constructor(config: S3StorageConfig, options: S3BlobStoreOptions = {}) {
    this.bucket = config.bucket;
    // "archive" and "archive/" both mean the folder archive/.
    this.prefix = config.prefix === '' || config.prefix.endsWith('/') ? config.prefix : `${config.prefix}/`;
    this.partSize = Math.max(config.partSizeBytes ?? DEFAULT_PART_SIZE, MIN_PART_SIZE);
    this.copyThreshold = options.copyThresholdBytes ?? 5 * GiB;
    this.copyPartSize = Math.max(options.copyPartSizeBytes ?? 512 * MiB, MIN_PART_SIZE);
    const checksum = config.checksum === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
    // Credentials: the default provider chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, ...).
    this.client =
      options.client ??
      new S3Client({
        region: config.region,
        endpoint: config.endpoint,
        forcePathStyle: config.forcePathStyle,
        // Ceph 16 rejects the aws-chunked checksum trailers of WHEN_SUPPORTED with 411.
        requestChecksumCalculation: checksum,
        responseChecksumValidation: checksum,
      });
    this.description = `s3://${this.bucket}/${this.prefix}@${config.endpoint ? redactUrl(config.endpoint) : `aws:${config.region}`}`;
  }

  private finalKey(sha256: string): string {
    return `${this.prefix}blobs/${shardPath(assertSha256(sha256))}`;
  }

  /** Creates the bucket if absent. For tests and the admin command; never called implicitly. */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (e) {
      if (httpStatus(e) !== 404) throw mapS3Error(e);
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (e) {
      if (errorName(e) !== 'BucketAlreadyOwnedByYou') throw mapS3Error(e);
    }
  }

  async put(body: NodeJS.ReadableStream | Readable, opts?: PutOptions): Promise<PutResult> {
    checkPutOptions(opts);
    const tmpKey = `${this.prefix}tmp/${uuidv7()}`;
    try {
      const actual = await this.uploadTemporary(body, tmpKey);
      checkExpectations(opts, actual);
      const finalKey = this.finalKey(actual.sha256);
      if (await this.head(finalKey)) return { ...actual, created: false };
      await this.copy(tmpKey, finalKey, actual);
      const copied = await this.head(finalKey);
      if (copied?.ContentLength !== actual.size || copied.Metadata?.sha256 !== actual.sha256) {
        throw blobErrors.unavailable(
          'S3_COPY_MISMATCH',
          '对象存储复制后的对象与上传内容不一致',
          `object at the final key does not match the upload after the copy (size ${copied?.ContentLength ?? 'absent'}, expected ${actual.size})`,
        );
      }
      return { ...actual, created: true };
    } catch (e) {
      throw mapS3Error(e);
    } finally {
      await this.client
        .send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tmpKey }))
        .catch(() => undefined);
    }
  }

  /** Streams body → hash → multipart upload; Upload aborts the multipart upload on failure. */
  private async uploadTemporary(body: NodeJS.ReadableStream | Readable, key: string) {
    const hasher = new HashingStream();
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: hasher, ContentType: 'application/octet-stream' },
      partSize: this.partSize,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    let sourceError: unknown;
    const flowing = pipeline(body, hasher).catch((e: unknown) => {
      sourceError = e;
    });
    try {
      await upload.done();
    } catch (e) {
      // The upload stopped reading: end the body too. Report the body's own error if it
      // failed (client went away), else the upload's; a premature close is only our echo.
      hasher.destroy();
      await flowing;
      throw sourceError !== undefined && errnoOf(sourceError) !== 'ERR_STREAM_PREMATURE_CLOSE'
        ? sourceError
        : e;
    }
    await flowing;
    if (sourceError !== undefined) throw sourceError;
    return { sha256: hasher.sha256, size: hasher.bytes };
  }

  private async copy(fromKey: string, toKey: string, blob: { sha256: string; size: number }): Promise<void> {
    const copySource = `${this.bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
    const common = {
      Bucket: this.bucket,
      Key: toKey,
      ContentType: 'application/octet-stream',
      Metadata: { sha256: blob.sha256 },
    };
    if (blob.size <= this.copyThreshold) {
      await this.client.send(
        new CopyObjectCommand({ ...common, CopySource: copySource, MetadataDirective: 'REPLACE' }),
      );
      return;
    }
    const partSize = Math.max(this.copyPartSize, Math.ceil(blob.size / MAX_PARTS));
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand(common));
    try {
      const count = Math.ceil(blob.size / partSize);
      const parts: { PartNumber: number; ETag: string | undefined }[] = new Array(count);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < count; i = next++) {
          const start = i * partSize;
          const end = Math.min(start + partSize, blob.size) - 1;
          const out = await this.client.send(
            new UploadPartCopyCommand({
              Bucket: this.bucket,
              Key: toKey,
              UploadId,
              PartNumber: i + 1,
              CopySource: copySource,
              CopySourceRange: `bytes=${start}-${end}`,
            }),
          );
          parts[i] = { PartNumber: i + 1, ETag: out.CopyPartResult?.ETag };
        }
      };
      await Promise.all(Array.from({ length: Math.min(COPY_CONCURRENCY, count) }, worker));
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: toKey,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (e) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: toKey, UploadId }))
        .catch(() => undefined);
      throw e;
    }
  }

  private async head(key: string): Promise<HeadObjectCommandOutput | null> {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      if (httpStatus(e) === 404) return null;
      throw mapS3Error(e);
    }
  }

  /**
   * Removes temporaries and aborts multipart uploads older than maxAgeMs: what a process
   * killed mid-put leaves behind (never a committed blob). For a maintenance job or the
   * admin command; a bucket lifecycle rule on ${prefix}tmp/ does the same on engines with one.
   */
  async removeStaleTemporaries(maxAgeMs: number): Promise<{ objects: number; uploads: number }> {
    const cutoff = Date.now() - maxAgeMs;
    let objects = 0;
    let uploads = 0;
    try {
      let token: string | undefined;
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: `${this.prefix}tmp/`,
            ContinuationToken: token,
          }),
        );
        for (const obj of page.Contents ?? []) {
          if (obj.Key && (obj.LastModified?.getTime() ?? 0) <= cutoff) {
            await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: obj.Key }));
            objects++;
          }
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      do {
        const page = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: this.prefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
        for (const u of page.Uploads ?? []) {
          if (u.Key && u.UploadId && (u.Initiated?.getTime() ?? 0) <= cutoff) {
            await this.client.send(
              new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }),
            );
            uploads++;
          }
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
      } while (keyMarker);
    } catch (e) {
      throw mapS3Error(e);
    }
    return { objects, uploads };
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    const key = this.finalKey(sha256);
    const head = await this.head(key);
    if (!head) throw blobErrors.notFound(sha256);
    let rangeHeader: string | undefined;
    if (range) {
      const { start, end } = resolveRange(range, head.ContentLength ?? 0);
      rangeHeader = `bytes=${start}-${end}`;
    }
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: rangeHeader, IfMatch: head.ETag }),
      );
      return out.Body as Readable;
    } catch (e) {
      if (isNotFound(e)) throw blobErrors.notFound(sha256);
      throw mapS3Error(e);
    }
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    const head = await this.head(this.finalKey(sha256));
    return head
      ? { sha256, size: head.ContentLength ?? 0, storedAt: head.LastModified?.getTime() ?? null }
      : null;
  }

  async *list(): AsyncIterable<BlobInfo> {
    const blobsPrefix = `${this.prefix}blobs/`;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: blobsPrefix, ContinuationToken: token }),
        );
      } catch (e) {
        throw mapS3Error(e);
      }
      for (const obj of page.Contents ?? []) {
        const rest = obj.Key?.slice(blobsPrefix.length) ?? '';
        const sha256 = rest.slice(6);
        if (!SHA256_RE.test(sha256) || rest !== shardPath(sha256)) continue;
        yield { sha256, size: obj.Size ?? 0, storedAt: obj.LastModified?.getTime() ?? null };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async verify(sha256: string): Promise<VerifyResult> {
    const key = this.finalKey(sha256);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const actual = await hashStream(out.Body as Readable);
      return { ok: actual.sha256 === sha256, actualSha256: actual.sha256, size: actual.size };
    } catch (e) {
      if (isNotFound(e)) return { ok: false, actualSha256: null, size: null };
      throw mapS3Error(e);
    }
  }

  async delete(sha256: string, auth: DisposalAuthorization): Promise<void> {
    checkDisposal(auth);
    const key = this.finalKey(sha256);
    if (!(await this.head(key))) throw blobErrors.notFound(sha256);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (e) {
      throw mapS3Error(e);
    }
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return { ok: true, detail: this.description };
    } catch (e) {
      const mapped = httpStatus(e) === 404 ? new Error('bucket does not exist') : mapS3Error(e);
      return {
        ok: false,
        detail: `${this.description}: ${mapped instanceof Error ? mapped.message : String(mapped)}`,
      };
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

// ---------------------------------------------------------------------------------------

const httpStatus = (e: unknown): number | undefined =>
  (e as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;

const errorName = (e: unknown): string | undefined => (e instanceof Error ? e.name : undefined);

const isNotFound = (e: unknown): boolean => errorName(e) === 'NoSuchKey' || errorName(e) === 'NotFound';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EPIPE',
]);

/**
 * Maps S3 and network failures to STORAGE_UNAVAILABLE naming the cause. AppErrors and
 * errors of the caller's body stream pass unchanged.
 */
export function mapS3Error(e: unknown): unknown {
  if (isAppError(e) || !(e instanceof Error)) return e;
  const status = httpStatus(e);
  const code = (e as NodeJS.ErrnoException).code;
  const name = e.name;
  if (code && NETWORK_CODES.has(code)) {
    return blobErrors.unavailable(
      'S3_UNREACHABLE',
      `无法连接对象存储（${code}）`,
      `cannot reach the S3 endpoint (${code})`,
    );
  }
  if (name === 'CredentialsProviderError') {
    return blobErrors.unavailable(
      'S3_NO_CREDENTIALS',
      '未配置对象存储访问凭据',
      'no S3 credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)',
    );
  }
  if (name === 'TimeoutError' || name === 'RequestTimeout') {
    return blobErrors.unavailable('S3_TIMEOUT', '对象存储响应超时', 'the S3 endpoint timed out');
  }
  if (name === 'NoSuchBucket') {
    return blobErrors.unavailable('S3_NO_BUCKET', '存储桶不存在', 'the bucket does not exist');
  }
  if (status === 401 || status === 403) {
    return blobErrors.unavailable(
      'S3_ACCESS_DENIED',
      `对象存储拒绝访问（${name}）`,
      `access denied by the S3 endpoint (${name})`,
    );
  }
  if (status === 507 || name === 'QuotaExceeded' || name === 'EntityTooLarge') {
    return blobErrors.unavailable(
      'S3_FULL',
      `对象存储空间或配额不足（${name}）`,
      `S3 storage full or quota exceeded (${name})`,
    );
  }
  if (status !== undefined && status >= 500) {
    return blobErrors.unavailable(
      'S3_ERROR',
      `对象存储服务错误（${status} ${name}）`,
      `S3 endpoint error (${status} ${name})`,
    );
  }
  return e;
}

/** Drops user:password from an endpoint URL before it appears in a description. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(invalid endpoint)';
  }
}
