// Documents (现场检查笔录, notices, photos of paperwork) attached to a subject, case or
// activity. The bytes go into the blob store like recordings (content-addressed by
// SHA-256, streamed, never buffered whole); the catalogue row and its audit event are
// written in one transaction. The type is decided by the file's own bytes, not by the
// name or the type the client claims.
import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../db/database.js';
import type { DocumentsTable } from '../db/schema.js';
import { AppError, errors } from '../domain/errors.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';
import { requiredText } from './subjects.service.js';

/** The largest document accepted; the HTTP multipart limit uses the same constant. */
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
export const MAX_FILENAME_CHARS = 200;

export const DOCUMENT_KINDS = ['inspection_record', 'notice', 'photo', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export interface DocumentType {
  mediaType: string;
  extension: string;
  nameZh: string;
}

interface Signature extends DocumentType {
  magic: Buffer;
  /** Bytes that must occur somewhere in the file (a Word document inside a container format). */
  marker?: Buffer;
  /** The container is generic (a zip): the name must also say what it is. */
  extensions?: string[];
}

const SIGNATURES: Signature[] = [
  { mediaType: 'application/pdf', extension: 'pdf', nameZh: 'PDF', magic: Buffer.from('%PDF-', 'latin1') },
  {
    // OLE2 compound file; .xls, .ppt and .msi share the container, the "WordDocument" stream does not.
    mediaType: 'application/msword',
    extension: 'doc',
    nameZh: 'Word 97–2003',
    magic: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
    marker: Buffer.from('WordDocument', 'utf16le'),
  },
  {
    // A zip with a word/ part: zip entry names are stored uncompressed.
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extension: 'docx',
    nameZh: 'Word',
    magic: Buffer.from([0x50, 0x4b, 0x03, 0x04]),
    marker: Buffer.from('word/', 'latin1'),
    extensions: ['docx'],
  },
  { mediaType: 'image/jpeg', extension: 'jpg', nameZh: 'JPEG', magic: Buffer.from([0xff, 0xd8, 0xff]) },
  {
    mediaType: 'image/png',
    extension: 'png',
    nameZh: 'PNG',
    magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
];
const SNIFF_BYTES = Math.max(...SIGNATURES.map((s) => s.magic.length));

/** The allowed type whose signature starts `head`, or null. */
export function detectDocumentType(head: Buffer, filename: string): Signature | null {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  for (const s of SIGNATURES) {
    if (head.length < s.magic.length || !head.subarray(0, s.magic.length).equals(s.magic)) continue;
    if (s.extensions && !s.extensions.includes(ext)) continue;
    return s;
  }
  return null;
}

export const ALLOWED_DOCUMENT_TYPES: readonly DocumentType[] = SIGNATURES.map(
  ({ mediaType, extension, nameZh }) => ({ mediaType, extension, nameZh }),
);

// Controls, zero-width and bidirectional-override characters (which can disguise
// "report‮fdp.exe"), and characters no file system accepts in a name.
const UNSAFE_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g;
const RESERVED_NAME_CHARS = /[<>:"|?*]/g;

/**
 * The original name for display: the last path segment only, without invisible or
 * reserved characters, at most 200 characters with its extension kept. It is metadata,
 * never a path: blobs are stored under their hash.
 */
export function sanitiseFilename(raw: string, fallbackExtension: string): string {
  const lastSegment = raw.normalize('NFC').split(/[\\/]/).pop() ?? '';
  let name = lastSegment
    .replace(UNSAFE_NAME_CHARS, '')
    .replace(RESERVED_NAME_CHARS, '_')
    .replace(/\s+/g, ' ')
    .trim();
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (!name) name = `document.${fallbackExtension}`;
  const chars = Array.from(name);
  if (chars.length <= MAX_FILENAME_CHARS) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 9 ? name.slice(dot) : '';
  return (
    Array.from(name.slice(0, name.length - ext.length))
      .slice(0, MAX_FILENAME_CHARS - ext.length)
      .join('') + ext
  );
}

/** The name to save a download under: the display name with the extension of its real type. */
export function downloadName(filename: string, extension: string): string {
  const dot = filename.lastIndexOf('.');
  const ext = dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
  const same = ext === extension || (extension === 'jpg' && ext === 'jpeg');
  return same ? filename : `${filename}.${extension}`;
}

export interface Document {
  id: string;
  sha256: string;
  size: number;
  filename: string;
  mediaType: string;
  kind: DocumentKind;
  title: string;
  subjectId: string | null;
  caseId: string | null;
  activityId: string | null;
  uploadedBy: string;
  uploadedByName: string;
  uploadedAt: number;
}

export interface DocumentLinks {
  subjectId?: string | null;
  caseId?: string | null;
  activityId?: string | null;
}

export interface UploadMeta extends DocumentLinks {
  kind: string;
  /** Absent or empty: the file name. */
  title?: string | null;
  /** As the client named the file; for display only. */
  filename: string;
}

export interface UploadSource {
  stream: AsyncIterable<Buffer | Uint8Array> | Readable;
  /** True when a transport limit cut the file short (multipart fileSize). */
  truncated?: () => boolean;
}

/** Content in the blob store, checked, not yet catalogued. */
export interface StagedContent {
  sha256: string;
  size: number;
  created: boolean;
  mediaType: string;
  /** Sanitised for display. */
  filename: string;
}

export interface DocumentFilter extends DocumentLinks {
  limit?: number;
}

type DocumentRow = DocumentsTable;

export const documentErrors = {
  tooLarge: () =>
    new AppError(
      'DOCUMENT_TOO_LARGE',
      413,
      {
        zh: `文件超过 ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB 上限，未保存`,
        en: `The file exceeds the ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB limit; nothing was stored`,
      },
      { maxBytes: MAX_DOCUMENT_BYTES },
    ),
  typeNotAllowed: () =>
    new AppError(
      'DOCUMENT_TYPE_NOT_ALLOWED',
      415,
      {
        zh: '只能上传 PDF、Word（.doc/.docx）、JPEG 或 PNG 文件；文件内容与这些格式不符，未保存',
        en: 'Only PDF, Word (.doc/.docx), JPEG or PNG files are accepted; the content is none of these, nothing was stored',
      },
      { allowed: SIGNATURES.map((s) => s.mediaType) },
    ),
  empty: () => new AppError('DOCUMENT_EMPTY', 400, { zh: '文件为空', en: 'The file is empty' }),
  linkRequired: () =>
    new AppError('DOCUMENT_LINK_REQUIRED', 400, {
      zh: '文书须关联执法对象、案件或执法活动中的至少一项',
      en: 'A document must be attached to a subject, a case or an activity',
    }),
  fixity: (id: string) =>
    new AppError(
      'DOCUMENT_FIXITY_FAILED',
      500,
      {
        zh: `文书 ${id} 的存储内容与登记的哈希值不符`,
        en: `Stored content of document ${id} does not match its hash`,
      },
      { id },
    ),
};

/** Finds `marker` in a stream of chunks, across chunk boundaries. */
class MarkerScanner {
  found = false;
  private tail = Buffer.alloc(0);
  constructor(private readonly marker: Buffer | undefined) {
    if (!marker) this.found = true;
  }
  push(chunk: Buffer): void {
    if (this.found || !this.marker) return;
    const joined = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    if (joined.includes(this.marker)) {
      this.found = true;
      this.tail = Buffer.alloc(0);
      return;
    }
    this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - (this.marker.length - 1))));
  }
}

/**
 * Passes the upload through while checking it: refuses a disallowed type as soon as the
 * first bytes arrive, stops at the size limit, and refuses a container without its
 * marker or a transport-truncated file before the end, so the blob store never commits it.
 */
async function* inspected(
  source: UploadSource,
  filename: string,
  detected: { type: Signature | null },
): AsyncGenerator<Buffer> {
  let head: Buffer = Buffer.alloc(0);
  let size = 0;
  let scanner: MarkerScanner | null = null;
  const start = (buf: Buffer): MarkerScanner => {
    const type = detectDocumentType(buf, filename);
    if (!type) throw documentErrors.typeNotAllowed();
    detected.type = type;
    const s = new MarkerScanner(type.marker);
    s.push(buf);
    return s;
  };
  for await (const piece of source.stream) {
    const chunk = Buffer.isBuffer(piece)
      ? piece
      : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    size += chunk.length;
    if (size > MAX_DOCUMENT_BYTES) throw documentErrors.tooLarge();
    if (scanner) {
      scanner.push(chunk);
      yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < SNIFF_BYTES) continue;
    scanner = start(head);
    yield head;
  }
  if (source.truncated?.()) throw documentErrors.tooLarge();
  if (size === 0) throw documentErrors.empty();
  if (!scanner) {
    scanner = start(head); // shorter than the longest signature
    yield head;
  }
  if (!scanner.found) throw documentErrors.typeNotAllowed();
}

/**
 * Re-hashes a download as it streams and holds back the last chunk until the hash is
 * confirmed: a corrupted original never reaches the client complete.
 */
class VerifyingStream extends Transform {
  private readonly hash = createHash('sha256');
  private held: Buffer | null = null;
  private bytes = 0;
  constructor(
    private readonly expected: { sha256: string; size: number },
    private readonly onMismatch: () => Error,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    const out = this.held;
    this.held = chunk;
    cb(null, out ?? undefined);
  }
  override _flush(cb: TransformCallback): void {
    if (this.hash.digest('hex') !== this.expected.sha256 || this.bytes !== this.expected.size)
      return cb(this.onMismatch());
    cb(null, this.held ?? undefined);
  }
}

export class DocumentsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  async present(db: Executor, rows: DocumentRow[]): Promise<Document[]> {
    if (rows.length === 0) return [];
    const userIds = [...new Set(rows.map((r) => r.uploadedBy))];
    const names = new Map(
      (await db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute()).map((u) => [
        u.id,
        u.name,
      ]),
    );
    return rows.map((r) => ({
      id: r.id,
      sha256: r.sha256,
      size: Number(r.size),
      filename: r.filename,
      mediaType: r.mediaType,
      kind: r.kind as DocumentKind,
      title: r.title,
      subjectId: r.subjectId,
      caseId: r.caseId,
      activityId: r.activityId,
      uploadedBy: r.uploadedBy,
      uploadedByName: names.get(r.uploadedBy) ?? '',
      uploadedAt: Number(r.uploadedAt),
    }));
  }

  /** Checks the metadata of an upload; throws what the caller must fix. */
  async checkMeta(actor: Actor, meta: Omit<UploadMeta, 'filename'>): Promise<void> {
    this.checkUploader(actor);
    if (!(DOCUMENT_KINDS as readonly string[]).includes(meta.kind))
      throw new AppError(
        'VALIDATION_FAILED',
        400,
        { zh: `未知的文书类别：${meta.kind}`, en: `Unknown document kind: ${meta.kind}` },
        { field: 'kind' },
      );
    if (meta.title) requiredText(meta.title, 'title', '标题', 200);
    await this.checkLinks(this.ctx.catalogue.db, meta);
  }

  private checkUploader(actor: Actor): void {
    assertPermission(actor, 'documents.upload');
    if (!actor.userId) throw errors.forbidden('documents.upload'); // uploaded_by names a person
  }

  private async checkLinks(db: Executor, links: DocumentLinks): Promise<void> {
    if (!links.subjectId && !links.caseId && !links.activityId) throw documentErrors.linkRequired();
    if (
      links.subjectId &&
      !(await db
        .selectFrom('enforcementSubjects')
        .select('id')
        .where('id', '=', links.subjectId)
        .executeTakeFirst())
    )
      throw errors.notFound('subject', '执法对象', links.subjectId);
    if (
      links.caseId &&
      !(await db.selectFrom('cases').select('id').where('id', '=', links.caseId).executeTakeFirst())
    )
      throw errors.notFound('case', '案件', links.caseId);
    if (
      links.activityId &&
      !(await db.selectFrom('activities').select('id').where('id', '=', links.activityId).executeTakeFirst())
    )
      throw errors.notFound('activity', '执法活动', links.activityId);
  }

  /**
   * Phase 1: streams the file into the blob store, checking type and size on the way.
   * Nothing is catalogued yet; content that is never committed stays unreferenced
   * (content-addressed, harmless), and the same bytes uploaded again reuse it.
   */
  async stage(actor: Actor, filename: string, source: UploadSource): Promise<StagedContent> {
    this.checkUploader(actor);
    const detected: { type: Signature | null } = { type: null };
    const put = await this.ctx.blobs.put(
      Readable.from(inspected(source, filename, detected), { objectMode: false }),
    );
    const type = detected.type!;
    return {
      sha256: put.sha256,
      size: put.size,
      created: put.created,
      mediaType: type.mediaType,
      filename: sanitiseFilename(filename, type.extension),
    };
  }

  /** Phase 2: the catalogue row and its audit event, in one transaction. */
  async commit(actor: Actor, meta: Omit<UploadMeta, 'filename'>, staged: StagedContent): Promise<Document> {
    await this.checkMeta(actor, meta);
    const title = meta.title ? requiredText(meta.title, 'title', '标题', 200) : staged.filename;
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      await this.checkLinks(tx, meta);
      const row: DocumentRow = {
        id: uuidv7(),
        sha256: staged.sha256,
        size: staged.size,
        filename: staged.filename,
        mediaType: staged.mediaType,
        kind: meta.kind,
        title,
        subjectId: meta.subjectId || null,
        caseId: meta.caseId || null,
        activityId: meta.activityId || null,
        uploadedBy: actor.userId!,
        uploadedAt: this.ctx.clock.now(),
      };
      await tx.insertInto('documents').values(row).execute();
      await this.audit.record(tx, actor, {
        action: 'document.upload',
        targetType: 'document',
        targetId: row.id,
        details: {
          sha256: row.sha256,
          size: row.size,
          mediaType: row.mediaType,
          filename: row.filename,
          kind: row.kind,
          title,
          subjectId: row.subjectId,
          caseId: row.caseId,
          activityId: row.activityId,
          newContent: staged.created,
        },
      });
      return (await this.present(tx, [row]))[0]!;
    });
  }

  /** Checks the metadata, streams the content in, catalogues it. */
  async upload(actor: Actor, meta: UploadMeta, source: UploadSource): Promise<Document> {
    await this.checkMeta(actor, meta);
    return this.commit(actor, meta, await this.stage(actor, meta.filename, source));
  }

  async list(actor: Actor, filter: DocumentFilter = {}): Promise<Document[]> {
    assertPermission(actor, 'documents.read');
    const db = this.ctx.catalogue.db;
    let q = db.selectFrom('documents').selectAll();
    if (filter.subjectId) q = q.where('subjectId', '=', filter.subjectId);
    if (filter.caseId) q = q.where('caseId', '=', filter.caseId);
    if (filter.activityId) q = q.where('activityId', '=', filter.activityId);
    const limit = Math.min(Math.max(filter.limit ?? 500, 1), 2000);
    return this.present(
      db,
      await q.orderBy('uploadedAt', 'desc').orderBy('id', 'desc').limit(limit).execute(),
    );
  }

  /** Documents of a subject, of its cases and of its activities (the dossier's view). */
  async listForDossier(
    actor: Actor,
    scope: { subjectId: string; caseIds: string[]; activityIds: string[] },
  ): Promise<Document[]> {
    assertPermission(actor, 'documents.read');
    const db = this.ctx.catalogue.db;
    const rows = await db
      .selectFrom('documents')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('subjectId', '=', scope.subjectId),
          ...(scope.caseIds.length ? [eb('caseId', 'in', scope.caseIds)] : []),
          ...(scope.activityIds.length ? [eb('activityId', 'in', scope.activityIds)] : []),
        ]),
      )
      .orderBy('uploadedAt', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return this.present(db, rows);
  }

  async get(actor: Actor, id: string): Promise<Document> {
    assertPermission(actor, 'documents.read');
    const db = this.ctx.catalogue.db;
    return (await this.present(db, [await this.row(db, id)]))[0]!;
  }

  private async row(db: Executor, id: string): Promise<DocumentRow> {
    const row = await db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw errors.notFound('document', '文书', id);
    return row;
  }

  /**
   * Opens a document's content for download. The read is audited before a byte is sent
   * (`document.download`); a missing blob is audited as a failure.
   */
  async open(
    actor: Actor,
    id: string,
  ): Promise<{ document: Document; downloadName: string; stream: Readable }> {
    assertPermission(actor, 'documents.read');
    const db = this.ctx.catalogue.db;
    const document = (await this.present(db, [await this.row(db, id)]))[0]!;
    const details = {
      sha256: document.sha256,
      size: document.size,
      filename: document.filename,
      title: document.title,
    };
    let blob: Readable;
    try {
      blob = await this.ctx.blobs.get(document.sha256);
    } catch (e) {
      await this.audit.recordAlone(actor, {
        action: 'document.download',
        outcome: 'failure',
        targetType: 'document',
        targetId: id,
        details: { ...details, error: (e as { code?: string }).code ?? 'ERROR' },
      });
      throw e;
    }
    await this.audit.recordAlone(actor, {
      action: 'document.download',
      targetType: 'document',
      targetId: id,
      details,
    });
    const ext = SIGNATURES.find((s) => s.mediaType === document.mediaType)?.extension ?? 'bin';
    const verifying = new VerifyingStream({ sha256: document.sha256, size: document.size }, () => {
      void this.audit
        .recordAlone(actor, {
          action: 'document.fixity_failed',
          outcome: 'failure',
          targetType: 'document',
          targetId: id,
          details: { sha256: document.sha256 },
        })
        .catch(() => undefined);
      return documentErrors.fixity(id);
    });
    // pipeline: a client that goes away also closes the blob.
    const stream = pipeline(blob, verifying, () => undefined);
    return { document, downloadName: downloadName(document.filename, ext), stream };
  }
}
