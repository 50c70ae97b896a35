// Imports (A12.1, A13.1): every import with its per-file results and findings, read side.
// Opening and finishing a station's import are POSTs in uploads.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IMPORT_STATUSES } from '../../services/recordings.service.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import {
  CatalogueId,
  CatalogueIdParams,
  FindingSchema,
  Instant,
  PageQuery,
  pagedSchema,
} from '../collection-schemas.js';
import { Nullable, strictObject } from '../schemas.js';

const ImportItemSchema = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  deviceSerial: Type.String(),
  source: Type.String(),
  stationId: Nullable(Type.String()),
  actorName: Type.String(),
  sourcePath: Nullable(Type.String()),
  startedAt: Type.Number(),
  finishedAt: Nullable(Type.Number()),
  status: Type.String(),
  summary: Type.Object({
    files: Type.Integer(),
    imported: Type.Integer(),
    duplicate: Type.Integer(),
    failed: Type.Integer(),
    bytes: Type.Number(),
    findings: Type.Record(Type.String(), Type.Integer()),
    error: Type.Optional(Type.String()),
  }),
});

const ImportFileSchema = Type.Object({
  id: Type.String(),
  path: Type.String(),
  pathBytes: Nullable(Type.String()),
  sha256: Nullable(Type.String()),
  size: Nullable(Type.Number()),
  status: Type.String(),
  recordingId: Nullable(Type.String()),
  kind: Nullable(Type.String()),
  recordedAt: Nullable(Type.Number()),
  findings: Type.Array(Type.String()),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String(), messageEn: Type.String() })),
});

const ImportDetailSchema = Type.Object({
  ...ImportItemSchema.properties,
  files: Type.Array(ImportFileSchema),
  filesTotal: Type.Integer(),
  findings: Type.Array(FindingSchema),
});

const importRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/imports',
    {
      schema: {
        tags: ['imports'],
        summary: '导入批次（采集记录）/ Imports',
        querystring: strictObject({
          device: Type.Optional(CatalogueId),
          status: Type.Optional(Type.Enum([...IMPORT_STATUSES])),
          from: Type.Optional(Instant),
          to: Type.Optional(Instant),
          ...PageQuery,
        }),
        response: { 200: pagedSchema(ImportItemSchema) },
      },
    },
    async (request) => services.recordings.listImports(requireAuth(request).actor, request.query),
  );

  app.get(
    '/imports/:id',
    {
      schema: {
        tags: ['imports'],
        summary: '导入批次详情：逐个文件的结果与核查发现 / An import: per-file results and findings',
        params: CatalogueIdParams,
        response: { 200: ImportDetailSchema },
      },
    },
    async (request) => services.recordings.getImport(requireAuth(request).actor, request.params.id),
  );
};

export default importRoutes;
