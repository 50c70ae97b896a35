import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, ScopeSchema, strictObject, TokenSchema } from '../schemas.js';

const tokenRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'API 令牌 / API tokens',
        response: { 200: Type.Object({ items: Type.Array(TokenSchema) }) },
      },
    },
    async (request) => ({
      items: await services.tokens.list(requireAuth(request).actor),
    }),
  );

  app.post(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: '创建令牌（密钥只显示一次）/ Create a token (secret shown once)',
        body: strictObject({
          userId: Type.Optional(Type.String({ maxLength: 64 })),
          name: Type.String({ minLength: 1, maxLength: 100 }),
          scope: ScopeSchema,
          expiresInDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3650 }))),
        }),
        response: { 201: Type.Object({ token: TokenSchema, secret: Type.String() }) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.tokens.create(requireAuth(request).actor, request.body)),
  );

  app.delete(
    '/tokens/:id',
    { schema: { tags: ['tokens'], summary: '吊销令牌 / Revoke a token', params: IdParams } },
    async (request, reply) => {
      await services.tokens.revoke(requireAuth(request).actor, request.params.id);
      return reply.status(204).send();
    },
  );
};

export default tokenRoutes;
