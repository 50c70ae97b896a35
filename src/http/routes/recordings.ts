// Recordings: the catalogue as list and detail, a recording's thumbnail (audited), and
// linking to an activity by hand (A4.1). Metadata only: playback is the access issue's.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RECORDING_KINDS } from '../../services/recordings.service.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';
import {
  CatalogueIdParams,
  CatalogueId,
  FindingSchema,
  Instant,
  PageQuery,
  pagedSchema,
} from '../collection-schemas.js';

const RecordingKindSchema = Type.Enum([...RECORDING_KINDS]);

const RecordingItemSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  recordedAt: Nullable(Type.Number()),
  durationMs: Nullable(Type.Number()),
  originalPath: Type.String(),
  deviceId: Type.String(),
  deviceSerial: Type.String(),
  holderId: Nullable(Type.String()),
  holderName: Nullable(Type.String()),
  activityId: Nullable(Type.String()),
  activityTitle: Nullable(Type.String()),
  activityType: Nullable(Type.String()),
  subjectId: Nullable(Type.String()),
  subjectName: Nullable(Type.String()),
  findings: Type.Array(Type.String()),
  mediaStatus: Nullable(Type.String()),
  hasThumbnail: Type.Boolean(),
  important: Type.Boolean(),
  size: Type.Number(),
  sha256: Type.String(),
  importId: Type.String(),
});

const RecordingDetailSchema = Type.Object({
  ...RecordingItemSchema.properties,
  originalPathBytes: Nullable(Type.String()),
  nameScheme: Type.String(),
  nameInfo: Type.Record(Type.String(), Type.Unknown()),
  deviceLocalTime: Nullable(Type.String()),
  timeSource: Type.String(),
  rawRecordedAt: Nullable(Type.Number()),
  clockOffsetMs: Nullable(Type.Number()),
  clockCheck: Nullable(
    Type.Object({
      id: Type.String(),
      checkedAt: Type.Number(),
      offsetMs: Type.Number(),
      toleranceMs: Type.Number(),
      result: Type.String(),
    }),
  ),
  endedAt: Nullable(Type.Number()),
  sequence: Nullable(Type.Number()),
  sequenceGroup: Nullable(Type.String()),
  mediaOk: Type.Boolean(),
  mediaInfo: Nullable(Type.Record(Type.String(), Type.Unknown())),
  mediaError: Nullable(Type.String()),
  importedAt: Type.Number(),
  device: Type.Object({
    id: Type.String(),
    serial: Type.String(),
    typeId: Type.String(),
    maker: Nullable(Type.String()),
    model: Nullable(Type.String()),
  }),
  holder: Nullable(Type.Object({ id: Type.String(), name: Type.String(), code: Type.String() })),
  import: Type.Object({
    id: Type.String(),
    source: Type.String(),
    stationId: Nullable(Type.String()),
    actorName: Type.String(),
    startedAt: Type.Number(),
    finishedAt: Nullable(Type.Number()),
    status: Type.String(),
  }),
  activity: Nullable(
    Type.Object({
      id: Type.String(),
      type: Type.String(),
      title: Nullable(Type.String()),
      status: Type.String(),
      subjectId: Type.String(),
      subjectName: Nullable(Type.String()),
      arrivedAt: Nullable(Type.Number()),
      endedAt: Nullable(Type.Number()),
    }),
  ),
  linkHistory: Type.Array(
    Type.Object({
      at: Type.Number(),
      actorName: Nullable(Type.String()),
      from: Nullable(Type.String()),
      to: Nullable(Type.String()),
      fromLabel: Nullable(Type.String()),
      toLabel: Nullable(Type.String()),
      auto: Type.Boolean(),
      reason: Nullable(Type.String()),
      rule: Nullable(Type.String()),
    }),
  ),
  allFindings: Type.Array(FindingSchema),
  derivatives: Type.Array(
    Type.Object({
      kind: Type.String(),
      size: Type.Number(),
      mediaType: Type.String(),
      createdAt: Type.Number(),
    }),
  ),
  speech: Type.Object({
    atStart: Nullable(Type.Boolean()),
    speechMs: Nullable(Type.Number()),
    firstSpeechAtMs: Nullable(Type.Number()),
  }),
  jobs: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      status: Type.String(),
      attempts: Type.Integer(),
      maxAttempts: Type.Integer(),
      lastError: Nullable(Type.String()),
      updatedAt: Type.Number(),
    }),
  ),
  mayLink: Type.Boolean(),
});

const recordingRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/recordings',
    {
      schema: {
        tags: ['recordings'],
        summary: '音像记录列表（仅信息，不含内容）/ Recordings (metadata only)',
        querystring: strictObject({
          officer: Type.Optional(CatalogueId),
          device: Type.Optional(CatalogueId),
          subject: Type.Optional(CatalogueId),
          activity: Type.Optional(CatalogueId),
          from: Type.Optional(Instant),
          to: Type.Optional(Instant),
          kind: Type.Optional(RecordingKindSchema),
          finding: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z0-9_]{1,39}$' })),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          linked: Type.Optional(Type.Boolean()),
          ...PageQuery,
        }),
        response: { 200: pagedSchema(RecordingItemSchema) },
      },
    },
    async (request) => services.recordings.listRecordings(requireAuth(request).actor, request.query),
  );

  app.get(
    '/recordings/:id',
    {
      schema: {
        tags: ['recordings'],
        summary: '音像记录详情 / A recording: metadata, hashes, times, import, link, findings, media',
        params: CatalogueIdParams,
        response: { 200: RecordingDetailSchema },
      },
    },
    async (request) => services.recordings.getRecording(requireAuth(request).actor, request.params.id),
  );

  app.get(
    '/recordings/:id/thumbnail',
    {
      schema: {
        tags: ['recordings'],
        summary: '缩略图（JPEG，记入审计）/ Thumbnail (JPEG, audited)',
        params: CatalogueIdParams,
      },
    },
    async (request, reply) => {
      const thumb = await services.recordings.openThumbnail(requireAuth(request).actor, request.params.id);
      // A storage failure before the first byte is answered as JSON: drop the image headers.
      thumb.stream.once('error', () => {
        if (reply.sent) return;
        for (const h of ['content-type', 'content-length', 'etag', 'cache-control']) reply.removeHeader(h);
      });
      return reply
        .header('content-type', thumb.mediaType)
        .header('content-length', String(thumb.size))
        .header('etag', `"${thumb.sha256}"`)
        .header('cache-control', 'private, max-age=3600')
        .send(thumb.stream);
    },
  );

  app.post(
    '/recordings/:id/link',
    {
      schema: {
        tags: ['recordings'],
        summary: '关联或解除关联执法活动 / Link a recording to an activity, or unlink it',
        params: IdParams,
        body: strictObject({
          activityId: Nullable(Type.String({ minLength: 1, maxLength: 64 })),
          reason: Type.String({ minLength: 1, maxLength: 500 }),
        }),
        response: {
          200: Type.Object({
            recordingId: Type.String(),
            activityId: Nullable(Type.String()),
            previousActivityId: Nullable(Type.String()),
            findingIds: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (request) =>
      services.linking.link(
        requireAuth(request).actor,
        request.params.id,
        request.body.activityId,
        request.body.reason,
      ),
  );
};

export default recordingRoutes;
