import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { Nullable, strictObject } from '../schemas.js';

const UnitParams = strictObject({ unitId: Type.String({ minLength: 1, maxLength: 64 }) });

const TemplateSchema = Type.Object({
  unitId: Type.String(),
  template: Type.String(),
  source: Type.Enum(['unit', 'inherited', 'default']),
  sourceUnitId: Nullable(Type.String()),
  updatedAt: Nullable(Type.Number()),
  updatedBy: Nullable(Type.String()),
});

const notificationTemplateRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/notification-templates/:unitId',
    {
      schema: {
        tags: ['activities'],
        summary: '告知用语模板 / Notification template',
        params: UnitParams,
        response: { 200: TemplateSchema },
      },
    },
    async (request) => services.notificationTemplates.get(requireAuth(request).actor, request.params.unitId),
  );

  app.put(
    '/notification-templates/:unitId',
    {
      schema: {
        tags: ['activities'],
        summary: '修改告知用语模板 / Change the notification template',
        params: UnitParams,
        // the service enforces the 500-character limit with its own code
        body: strictObject({ template: Type.String({ maxLength: 5000 }) }),
        response: { 200: TemplateSchema },
      },
    },
    async (request) =>
      services.notificationTemplates.put(
        requireAuth(request).actor,
        request.params.unitId,
        request.body.template,
      ),
  );

  app.delete(
    '/notification-templates/:unitId',
    {
      schema: {
        tags: ['activities'],
        summary: '恢复继承或默认模板 / Revert to the inherited or default template',
        params: UnitParams,
        response: { 200: TemplateSchema },
      },
    },
    async (request) =>
      services.notificationTemplates.reset(requireAuth(request).actor, request.params.unitId),
  );
};

export default notificationTemplateRoutes;
