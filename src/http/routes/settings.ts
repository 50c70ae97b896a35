import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { SecuritySettingsSchema } from '../schemas.js';

const settingsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/settings/security', { schema: { tags: ['settings'], summary: '安全设置 / Security settings', response: { 200: SecuritySettingsSchema } } }, async (request) =>
    services.settings.getSecurity(requireAuth(request).actor),
  );
  app.put(
    '/settings/security',
    { schema: { tags: ['settings'], summary: '修改安全设置 / Change security settings', body: SecuritySettingsSchema, response: { 200: SecuritySettingsSchema } } },
    async (request) => services.settings.updateSecurity(requireAuth(request).actor, request.body),
  );
};

export default settingsRoutes;
