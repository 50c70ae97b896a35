import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';
import { CheckoutSchema } from './devices.js';

const checkoutRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/checkouts',
    {
      schema: {
        tags: ['checkouts'],
        summary: '领用记录 / Check-outs (own, or all with checkouts.manage)',
        querystring: strictObject({
          open: Type.Optional(Type.Boolean()),
          officerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          deviceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(CheckoutSchema) }) },
      },
    },
    async (request) => ({ items: await services.checkouts.list(requireAuth(request).actor, request.query) }),
  );

  app.post(
    '/checkouts/:id/checkin',
    {
      schema: {
        tags: ['checkouts'],
        summary: '归还设备 / Check a device in',
        params: IdParams,
        body: strictObject({
          returnedAt: Type.Optional(
            Nullable(
              Type.Integer({
                minimum: 0,
                description: '外勤、连续作业返回单位的时间 / back at the unit (A13.1)',
              }),
            ),
          ),
          notes: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
        }),
        response: { 200: CheckoutSchema },
      },
    },
    async (request) =>
      services.checkouts.checkin(requireAuth(request).actor, request.params.id, request.body),
  );
};

export default checkoutRoutes;
