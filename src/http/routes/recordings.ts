// Recordings: linking to an activity by hand (A4.1). Listing and detail come with the web UI.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';

const recordingRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
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
