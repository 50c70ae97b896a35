// Station uploads (A12.1, A13.1): tus 1.0 under /api/v1/uploads (@tus/server, upload state
// in DATA/uploads so it survives a restart), the import a station opens and finishes,
// each upload's confirmation, and station heartbeats.
import path from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Server as TusServer } from '@tus/server';
import { Type } from 'typebox';
import { uuidv7 } from 'uuidv7';
import { isAppError, type Lang } from '../../domain/errors.js';
import { assertPermission, type Actor } from '../../services/context.js';
import {
  DEFAULT_UPLOAD_MAX_BYTES,
  UPLOAD_OWNER_KEY,
  uploadErrors,
  uploadOwner,
  type UploadStore,
} from '../../services/upload.service.js';
import { HashingFileStore } from '../../storage/hashing-file-store.js';
import type { Services } from '../../zhilu.js';
import { clientOf, requireAuth } from '../auth.js';
import { languageOf } from '../language.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';

export interface UploadRoutesOptions {
  services: Services;
  dataDir: string;
  /** Largest upload accepted (bytes); default 64 GiB. */
  maxUploadBytes?: number;
  respectForwardedHeaders?: boolean;
}

/** ZHILU_UPLOAD_MAX_BYTES, else 64 GiB. */
export function uploadMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ZHILU_UPLOAD_MAX_BYTES;
  if (raw === undefined || raw.trim() === '') return DEFAULT_UPLOAD_MAX_BYTES;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(`ZHILU_UPLOAD_MAX_BYTES must be a positive integer, not "${raw}"`);
  return n;
}

const ConfirmationSchema = Type.Object({
  uploadId: Type.String(),
  confirmed: Type.Boolean(),
  status: Type.String(),
  sha256: Type.String(),
  recordingId: Nullable(Type.String()),
  fileStatus: Nullable(Type.String()),
  error: Type.Optional(
    Type.Object({ code: Type.String(), message: Type.String(), messageEn: Type.String() }),
  ),
});

const uploadRoutes: FastifyPluginAsyncTypebox<UploadRoutesOptions> = async (app, opts) => {
  const { services } = opts;
  // Inside the data directory, like the default blob directory: a finished upload is
  // hard-linked into the blob store rather than copied (same file system).
  const directory = path.join(opts.dataDir, 'uploads');
  const datastore = new HashingFileStore(directory);
  const store: UploadStore = {
    info: async (id) => {
      try {
        const u = await datastore.getUpload(id);
        return { id: u.id, size: u.size ?? null, offset: u.offset, metadata: u.metadata ?? {} };
      } catch {
        return null;
      }
    },
    file: (id) => path.join(directory, id),
    remove: (id) => datastore.remove(id),
    written: (id) => datastore.written(id),
  };
  // The actor of each request tus handles (tus sees only the raw Node request).
  const actors = new WeakMap<object, Actor>();
  const actorOf = (req: { runtime?: { node?: { req?: object } } }): Actor => {
    const raw = req.runtime?.node?.req;
    const actor = raw ? actors.get(raw) : undefined;
    if (!actor) throw { status_code: 401, body: 'unauthenticated\n' };
    return actor;
  };
  const tusError = (e: unknown, lang: Lang): { status_code: number; body: string } => {
    if (isAppError(e)) {
      // 460: tus clients treat it as final (not retried); the station starts the file afresh.
      const status = e.code === 'UPLOAD_HASH_MISMATCH' ? 460 : e.status;
      return {
        status_code: status,
        body: JSON.stringify({ code: e.code, message: e.messageFor(lang), details: e.details }),
      };
    }
    return {
      status_code: 500,
      body: JSON.stringify({ code: 'UPLOAD_FAILED', message: 'upload could not be completed' }),
    };
  };
  const langOf = (req: { headers: Headers }) => languageOf(req.headers.get('accept-language') ?? undefined);

  const tus = new TusServer({
    path: '/api/v1/uploads',
    datastore,
    maxSize: opts.maxUploadBytes ?? DEFAULT_UPLOAD_MAX_BYTES,
    relativeLocation: true,
    respectForwardedHeaders: opts.respectForwardedHeaders ?? false,
    namingFunction: () => uuidv7(),
    onUploadCreate: async (req, upload) => {
      try {
        const metadata = await services.uploads.validateCreate(
          actorOf(req),
          upload.metadata ?? {},
          upload.size,
        );
        return { metadata };
      } catch (e) {
        throw tusError(e, langOf(req));
      }
    },
    onUploadFinish: async (req, upload) => {
      try {
        const c = await services.uploads.complete(actorOf(req), upload.id, store);
        return { headers: { 'Zhilu-Upload-Status': c.status, 'Zhilu-Recording-Id': c.recordingId ?? '' } };
      } catch (e) {
        throw tusError(e, langOf(req));
      }
    },
  });

  // tus reads the request body itself: Fastify must leave the stream alone.
  app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));

  /**
   * An upload belongs to the user (station or console account) that created it: another
   * account can neither resume, read the offset of, nor cancel it. Answered 404, as if absent.
   */
  const assertOwner = async (actor: Actor, id: string | undefined) => {
    if (id === undefined) return;
    const info = await store.info(id);
    const owner = info?.metadata[UPLOAD_OWNER_KEY];
    if (info && owner !== undefined && owner !== uploadOwner(actor)) throw uploadErrors.notFound(id);
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    // Refused here, before tus touches anything.
    const { actor } = requireAuth(request);
    assertPermission(actor, 'recordings.import');
    await assertOwner(actor, (request.params as { id?: string }).id);
    actors.set(request.raw, actor);
    reply.hijack();
    try {
      await tus.handle(request.raw, reply.raw);
    } catch (e) {
      request.log.error(e, 'tus upload failed');
      if (!reply.raw.headersSent) reply.raw.writeHead(500).end();
      else reply.raw.destroy();
    }
  };
  const tusRoute = { config: { auth: 'required' as const }, schema: { hide: true } };
  app.route({ method: ['POST', 'OPTIONS'], url: '/uploads', ...tusRoute, handler: handle });
  app.route({
    method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'],
    url: '/uploads/:id',
    ...tusRoute,
    handler: handle,
  });

  app.get(
    '/uploads/:id/confirmation',
    {
      schema: {
        tags: ['uploads'],
        summary: '上传确认 / Whether an upload is catalogued (a station clears the device file only then)',
        params: IdParams,
        response: { 200: ConfirmationSchema },
      },
    },
    async (request) => {
      const { actor } = requireAuth(request);
      await assertOwner(actor, request.params.id);
      return services.uploads.confirmation(actor, request.params.id, store);
    },
  );

  app.post(
    '/imports',
    {
      schema: {
        tags: ['uploads'],
        summary: '采集站开始导入 / A station opens an import for a docked device',
        body: strictObject({
          deviceSerial: Type.String({ minLength: 1, maxLength: 64 }),
          stationId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
          sourcePath: Type.Optional(Nullable(Type.String({ maxLength: 4096 }))),
          deviceInfo: Type.Optional(Nullable(Type.String({ maxLength: 65536 }))),
        }),
        response: {
          201: Type.Object({
            importId: Type.String(),
            device: Type.Object({ id: Type.String(), serial: Type.String() }),
          }),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.uploads.openImport(requireAuth(request).actor, request.body)),
  );

  app.post(
    '/imports/:id/finish',
    {
      schema: {
        tags: ['uploads'],
        summary: '结束导入并生成报告 / Close an import: sequence gaps, summary, report',
        params: IdParams,
      },
    },
    async (request) => services.uploads.finishImport(requireAuth(request).actor, request.params.id),
  );

  app.post(
    '/stations/heartbeat',
    {
      schema: {
        tags: ['stations'],
        summary: '采集站心跳 / Station heartbeat',
        body: strictObject({
          stationId: Type.String({ minLength: 1, maxLength: 64 }),
          version: Type.String({ minLength: 1, maxLength: 64 }),
          freeBytes: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
          queue: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
          lastError: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
          docked: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 256 }),
        }),
      },
    },
    async (request) =>
      services.uploads.heartbeat(requireAuth(request).actor, request.body, clientOf(request).ip),
  );

  app.get(
    '/stations',
    { schema: { tags: ['stations'], summary: '采集站（在线/离线）/ Stations, online or offline' } },
    async (request) => ({ items: await services.uploads.listStations(requireAuth(request).actor) }),
  );
};

export default uploadRoutes;
