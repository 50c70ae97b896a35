// GET /api/v1/jobs: the background job queue, chiefly its failures (?status=failed), so a
// thumbnail, proxy or speech measure that could not be made is visible rather than silent.
// For administrators and custodians (settings.manage or devices.manage).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { Nullable, strictObject } from '../schemas.js';

const JobStatusSchema = Type.Enum(['queued', 'running', 'done', 'failed']);

const JobSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  status: JobStatusSchema,
  recordingId: Nullable(Type.String()),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  runAfter: Type.Integer(),
  lastError: Nullable(Type.String()),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});

const jobRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: '后台任务（媒体处理）/ Background jobs (media pipeline)',
        querystring: strictObject({
          status: Type.Optional(JobStatusSchema),
          kind: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,63}$' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(JobSchema),
            counts: Type.Array(
              Type.Object({ kind: Type.String(), status: JobStatusSchema, count: Type.Integer() }),
            ),
          }),
        },
      },
    },
    async (request) => services.media.listJobs(requireAuth(request).actor, request.query),
  );
};

export default jobRoutes;
