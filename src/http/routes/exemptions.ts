import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ACTIVITY_TYPES } from '../../domain/activity.js';
import {
  EXEMPTION_CATEGORIES,
  EXEMPTION_CATEGORY_NAMES,
  EXEMPTION_STATUSES,
  MAX_BASIS,
  MAX_COMMENT,
  MAX_REASON,
} from '../../domain/exemption.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';

export const ExemptionCategorySchema = Type.Enum([...EXEMPTION_CATEGORIES]);
export const ExemptionStatusSchema = Type.Enum([...EXEMPTION_STATUSES]);

export const ExemptionSchema = Type.Object({
  id: Type.String(),
  activityId: Type.String(),
  category: ExemptionCategorySchema,
  reason: Type.String(),
  basis: Type.String(),
  authorId: Type.String(),
  authorName: Type.String(),
  createdAt: Type.Number(),
  status: ExemptionStatusSchema,
  reviewerId: Nullable(Type.String()),
  reviewerName: Nullable(Type.String()),
  reviewedAt: Nullable(Type.Number()),
  reviewComment: Nullable(Type.String()),
});

const ExemptionListItemSchema = Type.Object({
  ...ExemptionSchema.properties,
  activity: Type.Object({
    type: Type.Enum([...ACTIVITY_TYPES]),
    typeNameZh: Type.String(),
    title: Nullable(Type.String()),
    subjectId: Type.String(),
    subjectName: Type.String(),
    plannedAt: Type.Number(),
    status: Type.String(),
  }),
});

const exemptionRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/exemption-categories',
    { schema: { tags: ['exemptions'], summary: '不予记录情形（第七条） / Exemption categories (A7.1)' } },
    async (request) => {
      requireAuth(request);
      return {
        items: EXEMPTION_CATEGORIES.map((id) => ({
          id,
          item: EXEMPTION_CATEGORY_NAMES[id].item,
          nameZh: EXEMPTION_CATEGORY_NAMES[id].zh,
          nameEn: EXEMPTION_CATEGORY_NAMES[id].en,
        })),
      };
    },
  );

  app.post(
    '/activities/:id/exemptions',
    {
      schema: {
        tags: ['exemptions'],
        summary: '提交不予记录说明 / Submit an exemption',
        params: IdParams,
        body: strictObject({
          category: ExemptionCategorySchema,
          // the service gives the precise limits; these only stop oversized bodies
          reason: Type.String({ minLength: 1, maxLength: MAX_REASON * 2 }),
          basis: Type.String({ minLength: 1, maxLength: MAX_BASIS * 2 }),
        }),
        response: { 201: ExemptionSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await services.exemptions.request(requireAuth(request).actor, request.params.id, request.body)),
  );

  app.post(
    '/exemptions/:id/review',
    {
      schema: {
        tags: ['exemptions'],
        summary: '审核不予记录说明 / Review an exemption',
        params: IdParams,
        body: strictObject({
          decision: Type.Enum(['approve', 'reject']),
          comment: Type.Optional(Nullable(Type.String({ maxLength: MAX_COMMENT * 2 }))),
        }),
        response: { 200: ExemptionSchema },
      },
    },
    async (request) =>
      services.exemptions.review(requireAuth(request).actor, request.params.id, request.body),
  );

  app.post(
    '/exemptions/:id/withdraw',
    {
      schema: {
        tags: ['exemptions'],
        summary: '撤回不予记录说明 / Withdraw an exemption',
        params: IdParams,
        response: { 200: ExemptionSchema },
      },
    },
    async (request) => services.exemptions.withdraw(requireAuth(request).actor, request.params.id),
  );

  app.get(
    '/exemptions',
    {
      schema: {
        tags: ['exemptions'],
        summary: '不予记录说明列表 / Exemptions',
        querystring: strictObject({
          status: Type.Optional(ExemptionStatusSchema),
          activityId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(ExemptionListItemSchema) }) },
      },
    },
    async (request) => ({ items: await services.exemptions.list(requireAuth(request).actor, request.query) }),
  );
};

export default exemptionRoutes;
