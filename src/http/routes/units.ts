import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject, UnitKindSchema, UnitSchema } from '../schemas.js';

const unitRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/units',
    {
      schema: {
        tags: ['units'],
        summary: '单位列表 / Units',
        response: { 200: Type.Object({ items: Type.Array(UnitSchema) }) },
      },
    },
    async (request) => ({
      items: await services.units.list(requireAuth(request).actor),
    }),
  );

  app.post(
    '/units',
    {
      schema: {
        tags: ['units'],
        summary: '新建单位 / Create a unit',
        body: strictObject({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          kind: UnitKindSchema,
          parentId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
          code: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
        }),
        response: { 201: UnitSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.units.create(requireAuth(request).actor, request.body)),
  );

  app.patch(
    '/units/:id',
    {
      schema: {
        tags: ['units'],
        summary: '修改单位 / Update a unit',
        params: IdParams,
        body: strictObject({
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          kind: Type.Optional(UnitKindSchema),
          parentId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
          code: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
        }),
        response: { 200: UnitSchema },
      },
    },
    async (request) => services.units.update(requireAuth(request).actor, request.params.id, request.body),
  );
};

export default unitRoutes;
