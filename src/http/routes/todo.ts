import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { Nullable } from '../schemas.js';

const TodoItemSchema = Type.Object({
  kind: Type.String(),
  title: Type.String(),
  titleEn: Type.String(),
  due: Nullable(Type.Number()),
  since: Nullable(Type.Number()),
  link: Type.String(),
  severity: Type.Enum(['info', 'warning', 'danger']),
});

const todoRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/todo',
    {
      schema: {
        tags: ['activities'],
        summary: '待办事项 / To-do list',
        response: { 200: Type.Object({ items: Type.Array(TodoItemSchema) }) },
      },
    },
    async (request) => ({ items: await services.todo.list(requireAuth(request).actor) }),
  );
};

export default todoRoutes;
