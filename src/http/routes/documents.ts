// Documents: multipart upload streamed into the blob store, and download streamed out of it.
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, errors, isAppError } from '../../domain/errors.js';
import { assertPermission } from '../../services/context.js';
import {
  DOCUMENT_KINDS,
  MAX_DOCUMENT_BYTES,
  documentErrors,
  type StagedContent,
} from '../../services/documents.service.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';

export const DocumentSchema = Type.Object({
  id: Type.String(),
  sha256: Type.String(),
  size: Type.Number(),
  filename: Type.String(),
  mediaType: Type.String(),
  kind: Type.Enum([...DOCUMENT_KINDS]),
  title: Type.String(),
  subjectId: Nullable(Type.String()),
  caseId: Nullable(Type.String()),
  activityId: Nullable(Type.String()),
  uploadedBy: Type.String(),
  uploadedByName: Type.String(),
  uploadedAt: Type.Number(),
});

const FIELDS = ['kind', 'title', 'subjectId', 'caseId', 'activityId'] as const;
type Field = (typeof FIELDS)[number];
const MAX_FIELD_BYTES = 2000;

/** Fastify-multipart's own errors, in our vocabulary. */
function fromMultipart(e: unknown): unknown {
  if (isAppError(e)) return e;
  switch ((e as { code?: string } | null)?.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return documentErrors.tooLarge();
    case 'FST_FILES_LIMIT':
      return new AppError('DOCUMENT_ONE_FILE', 400, {
        zh: '每次只能上传一个文件',
        en: 'Upload one file at a time',
      });
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_PROTO_VIOLATION':
      return errors.validation('表单字段过多或不合法 / too many or invalid form fields');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return multipartRequired();
    case 'FST_MP_PREMATURE_CLOSE':
      return new AppError('UPLOAD_INCOMPLETE', 400, {
        zh: '上传中断，未保存',
        en: 'The upload was cut off; nothing was stored',
      });
  }
  // busboy's parse errors ("Unexpected end of form", "Malformed part header")
  if (
    e instanceof Error &&
    !('statusCode' in e && (e as { statusCode?: number }).statusCode! >= 500) &&
    /form|part|boundary|multipart/i.test(e.message)
  )
    return new AppError('MULTIPART_INVALID', 400, {
      zh: '表单数据格式不正确',
      en: 'Malformed multipart form data',
    });
  return e;
}

const multipartRequired = () =>
  new AppError('UNSUPPORTED_MEDIA_TYPE', 415, {
    zh: '上传文书须使用 multipart/form-data（字段 file）',
    en: 'Upload documents as multipart/form-data (field "file")',
  });

/** RFC 6266 / 5987: an ASCII fallback and the exact UTF-8 name. */
function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const INLINE_TYPES = new Set(['application/pdf', 'image/jpeg', 'image/png']);

const documentRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  // Only this plugin's routes parse multipart bodies.
  await app.register(multipart, {
    limits: {
      fileSize: MAX_DOCUMENT_BYTES,
      files: 1,
      fields: 10,
      fieldSize: MAX_FIELD_BYTES,
      parts: 12,
      headerPairs: 100,
    },
  });

  app.post(
    '/documents',
    {
      schema: {
        tags: ['documents'],
        summary:
          '上传文书 / Upload a document (multipart: fields kind, title?, subjectId?, caseId?, activityId?, then file)',
        consumes: ['multipart/form-data'],
        response: { 201: DocumentSchema },
      },
    },
    async (request, reply) => {
      const { actor } = requireAuth(request);
      // Refuse before reading a byte of the body.
      assertPermission(actor, 'documents.upload');
      if (!request.isMultipart()) throw multipartRequired();
      const fields: Partial<Record<Field, string>> = {};
      let staged: StagedContent | null = null;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'field') {
            if (!(FIELDS as readonly string[]).includes(part.fieldname))
              throw errors.validation(`未知字段 ${part.fieldname} / unknown field ${part.fieldname}`, {
                field: part.fieldname,
              });
            if (part.valueTruncated || typeof part.value !== 'string')
              throw errors.validation(`字段 ${part.fieldname} 过长 / field ${part.fieldname} is too long`, {
                field: part.fieldname,
              });
            if (fields[part.fieldname as Field] !== undefined)
              throw errors.validation(`字段 ${part.fieldname} 重复 / field ${part.fieldname} given twice`, {
                field: part.fieldname,
              });
            fields[part.fieldname as Field] = part.value;
            continue;
          }
          if (part.fieldname !== 'file') {
            part.file.resume();
            throw errors.validation(`文件字段须名为 file / the file field must be named "file"`, {
              field: part.fieldname,
            });
          }
          // Metadata sent ahead of the file is checked before the upload is read.
          if (fields.kind !== undefined) await services.documents.checkMeta(actor, metaOf(fields));
          const file = part.file;
          staged = await services.documents.stage(actor, part.filename ?? '', {
            stream: file,
            truncated: () => file.truncated,
          });
        }
      } catch (e) {
        // Tell the client to stop sending the rest of a refused upload.
        void reply.header('connection', 'close');
        throw fromMultipart(e);
      }
      if (!staged)
        throw new AppError('DOCUMENT_FILE_MISSING', 400, {
          zh: '请求中没有文件（字段 file）',
          en: 'The request carries no file (field "file")',
        });
      if (fields.kind === undefined)
        throw errors.validation('缺少文书类别 kind / kind is required', { field: 'kind' });
      return reply.status(201).send(await services.documents.commit(actor, metaOf(fields), staged));
    },
  );

  app.get(
    '/documents',
    {
      schema: {
        tags: ['documents'],
        summary: '文书列表 / Documents',
        querystring: strictObject({
          subjectId: Type.Optional(Type.String({ maxLength: 64 })),
          caseId: Type.Optional(Type.String({ maxLength: 64 })),
          activityId: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(DocumentSchema) }) },
      },
    },
    async (request) => ({ items: await services.documents.list(requireAuth(request).actor, request.query) }),
  );

  app.get(
    '/documents/:id',
    {
      schema: {
        tags: ['documents'],
        summary: '文书信息 / A document',
        params: IdParams,
        response: { 200: DocumentSchema },
      },
    },
    async (request) => services.documents.get(requireAuth(request).actor, request.params.id),
  );

  app.get(
    '/documents/:id/content',
    {
      schema: {
        tags: ['documents'],
        summary: '下载文书（记入审计） / Download a document (audited)',
        params: IdParams,
        querystring: strictObject({ inline: Type.Optional(Type.Boolean()) }),
      },
    },
    async (request, reply) => {
      const { document, downloadName, stream } = await services.documents.open(
        requireAuth(request).actor,
        request.params.id,
      );
      const inline = request.query.inline === true && INLINE_TYPES.has(document.mediaType);
      // A failure before the first byte (e.g. a fixity mismatch on a small file) is answered
      // as a JSON error, so the content headers must not stay behind.
      stream.once('error', () => {
        if (reply.sent) return;
        for (const h of [
          'content-type',
          'content-length',
          'content-disposition',
          'etag',
          'content-security-policy',
        ])
          reply.removeHeader(h);
      });
      return (
        reply
          .header('content-type', document.mediaType)
          .header('content-length', String(document.size))
          .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', downloadName))
          .header('etag', `"${document.sha256}"`)
          .header('cache-control', 'private, no-store')
          // Shown inline, a document may not run script or reach anything.
          .header(
            'content-security-policy',
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
          )
          .send(stream)
      );
    },
  );
};

function metaOf(fields: Partial<Record<Field, string>>) {
  const clean = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : v.trim());
  return {
    kind: fields.kind ?? '',
    title: clean(fields.title),
    subjectId: clean(fields.subjectId),
    caseId: clean(fields.caseId),
    activityId: clean(fields.activityId),
  };
}

export default documentRoutes;
