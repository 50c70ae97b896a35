import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { Type } from 'typebox';
import { SecuritySettingsSchema, strictObject } from '../schemas.js';
import { assertPermission } from '../../services/context.js';

const RegistrySettingsSchema = strictObject({
  clockToleranceSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  minBatteryPercent: Type.Integer({ minimum: 0, maximum: 100 }),
  minFreeStorageMb: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  defaultCheckoutHours: Type.Integer({ minimum: 1, maximum: 720 }),
  caseNumberPattern: Type.String({ minLength: 1, maxLength: 100 }),
});

const settingsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/settings/security',
    {
      schema: {
        tags: ['settings'],
        summary: '安全设置 / Security settings',
        response: { 200: SecuritySettingsSchema },
      },
    },
    async (request) => services.settings.getSecurity(requireAuth(request).actor),
  );
  app.put(
    '/settings/security',
    {
      schema: {
        tags: ['settings'],
        summary: '修改安全设置 / Change security settings',
        body: SecuritySettingsSchema,
        response: { 200: SecuritySettingsSchema },
      },
    },
    async (request) => services.settings.updateSecurity(requireAuth(request).actor, request.body),
  );
  app.get(
    '/settings/registry',
    {
      schema: {
        tags: ['settings'],
        summary: '登记设置 / Register settings',
        response: { 200: RegistrySettingsSchema },
      },
    },
    async (request) => {
      assertPermission(requireAuth(request).actor, 'devices.read');
      return services.settings.registry();
    },
  );
  app.put(
    '/settings/registry',
    {
      schema: {
        tags: ['settings'],
        summary: '修改登记设置 / Change register settings',
        body: RegistrySettingsSchema,
        response: { 200: RegistrySettingsSchema },
      },
    },
    async (request) => services.settings.updateRegistry(requireAuth(request).actor, request.body),
  );
};

export default settingsRoutes;
