import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PERMISSIONS, ROLE_NAMES, ROLE_PERMISSIONS, ROLES } from '../../domain/roles.js';
import { assertPermission } from '../../services/context.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, RoleSchema, strictObject, UserSchema } from '../schemas.js';

const userRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: '人员列表 / Users',
        querystring: strictObject({
          q: Type.Optional(Type.String({ maxLength: 100 })),
          unitId: Type.Optional(Type.String({ maxLength: 64 })),
          role: Type.Optional(RoleSchema),
          active: Type.Optional(Type.Boolean()),
        }),
        response: { 200: Type.Object({ items: Type.Array(UserSchema) }) },
      },
    },
    async (request) => ({ items: await services.users.list(requireAuth(request).actor, request.query) }),
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: '新建人员 / Create a user',
        body: strictObject({
          username: Type.String({ minLength: 1, maxLength: 64 }),
          name: Type.String({ minLength: 1, maxLength: 50 }),
          code: Type.String({ minLength: 1, maxLength: 50 }),
          unitId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
          roles: Type.Array(RoleSchema, { minItems: 1, maxItems: 7 }),
          password: Type.Optional(Type.String({ maxLength: 1024 })),
        }),
        response: { 201: Type.Object({ user: UserSchema, initialPassword: Type.Optional(Type.String()) }) },
      },
    },
    async (request, reply) => {
      const { user, initialPassword } = await services.users.create(requireAuth(request).actor, request.body);
      return reply.status(201).send(initialPassword ? { user, initialPassword } : { user });
    },
  );

  app.get(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: '人员详情 / A user',
        params: IdParams,
        response: { 200: UserSchema },
      },
    },
    async (request) => services.users.get(requireAuth(request).actor, request.params.id),
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: '修改人员 / Update a user',
        params: IdParams,
        body: strictObject({
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
          code: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
          unitId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
          roles: Type.Optional(Type.Array(RoleSchema, { minItems: 1, maxItems: 7 })),
          active: Type.Optional(Type.Boolean()),
        }),
        response: { 200: UserSchema },
      },
    },
    async (request) => services.users.update(requireAuth(request).actor, request.params.id, request.body),
  );

  app.post(
    '/users/:id/reset-password',
    { schema: { tags: ['users'], summary: '重置密码 / Reset password', params: IdParams } },
    async (request) => services.users.resetPassword(requireAuth(request).actor, request.params.id),
  );

  app.post(
    '/users/:id/unlock',
    { schema: { tags: ['users'], summary: '解除锁定 / Unlock', params: IdParams } },
    async (request, reply) => {
      await services.users.unlock(requireAuth(request).actor, request.params.id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/users/:id/reset-mfa',
    { schema: { tags: ['users'], summary: '重置双因素 / Reset TOTP', params: IdParams } },
    async (request, reply) => {
      await services.users.resetMfa(requireAuth(request).actor, request.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/roles',
    { schema: { tags: ['users'], summary: '角色与权限表 / Roles and permissions' } },
    async (request) => {
      assertPermission(requireAuth(request).actor, 'users.read');
      return {
        roles: ROLES.map((role) => ({ role, ...ROLE_NAMES[role], permissions: [...ROLE_PERMISSIONS[role]] })),
        permissions: Object.entries(PERMISSIONS).map(([permission, names]) => ({ permission, ...names })),
      };
    },
  );
};

export default userRoutes;
