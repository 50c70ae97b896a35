import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { CASE_STATUSES } from '../../domain/case.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';

export const CaseStatusSchema = Type.Enum([...CASE_STATUSES]);

export const CaseSchema = Type.Object({
  id: Type.String(),
  caseNumber: Type.String(),
  title: Type.String(),
  subjectId: Type.String(),
  subjectName: Type.String(),
  unitId: Nullable(Type.String()),
  status: CaseStatusSchema,
  filedOn: Type.String(),
  decidedOn: Nullable(Type.String()),
  closedOn: Nullable(Type.String()),
  archivedOn: Nullable(Type.String()),
  retentionYears: Nullable(Type.Integer()),
  summary: Nullable(Type.String()),
  officers: Type.Array(Type.Object({ userId: Type.String(), name: Type.String(), lead: Type.Boolean() })),
  createdAt: Type.Number(),
});

/**
 * A number or null. Not Nullable(): its null-first union lets ajv's type coercion turn 0
 * into null before the number branch is tried.
 */
export const NumberOrNull = Nullable(Type.Number());

// Shape checks only; the service checks real dates, order, officers and the retention class.
const Day = Type.String({ maxLength: 10 });
const Id = Type.String({ minLength: 1, maxLength: 64 });

const caseRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/cases',
    {
      schema: {
        tags: ['cases'],
        summary: '案件列表 / Cases',
        querystring: strictObject({
          q: Type.Optional(Type.String({ maxLength: 100 })),
          status: Type.Optional(CaseStatusSchema),
          subjectId: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(CaseSchema) }) },
      },
    },
    async (request) => ({ items: await services.cases.list(requireAuth(request).actor, request.query) }),
  );

  app.post(
    '/cases',
    {
      schema: {
        tags: ['cases'],
        summary: '登记案件 / Register a case',
        body: strictObject({
          caseNumber: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
          title: Type.String({ minLength: 1, maxLength: 400 }),
          subjectId: Id,
          filedOn: Day,
          officerIds: Type.Array(Id, { minItems: 1, maxItems: 30 }),
          leadOfficerId: Id,
          retentionYears: Type.Optional(NumberOrNull),
          summary: Type.Optional(Nullable(Type.String({ maxLength: 8000 }))),
          unitId: Type.Optional(Nullable(Id)),
        }),
        response: { 201: CaseSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.cases.create(requireAuth(request).actor, request.body)),
  );

  app.get(
    '/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: '案件详情 / A case',
        params: IdParams,
        response: { 200: CaseSchema },
      },
    },
    async (request) => services.cases.get(requireAuth(request).actor, request.params.id),
  );

  app.patch(
    '/cases/:id',
    {
      schema: {
        tags: ['cases'],
        summary: '办理案件（状态只能依次向前） / Update a case (status moves forward only)',
        params: IdParams,
        body: strictObject({
          title: Type.Optional(Type.String({ minLength: 1, maxLength: 400 })),
          summary: Type.Optional(Nullable(Type.String({ maxLength: 8000 }))),
          retentionYears: Type.Optional(NumberOrNull),
          status: Type.Optional(CaseStatusSchema),
          filedOn: Type.Optional(Day),
          decidedOn: Type.Optional(Day),
          closedOn: Type.Optional(Day),
          archivedOn: Type.Optional(Day),
          officerIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 30 })),
          leadOfficerId: Type.Optional(Id),
        }),
        response: { 200: CaseSchema },
      },
    },
    async (request) => services.cases.update(requireAuth(request).actor, request.params.id, request.body),
  );
};

export default caseRoutes;
