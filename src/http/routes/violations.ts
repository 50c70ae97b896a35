import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { FINDING_STATUSES } from '../../domain/compliance-findings.js';
import {
  MAX_DECISION_TEXT,
  MAX_DESCRIPTION,
  MAX_EVIDENCE_ITEMS,
  MAX_EVIDENCE_TEXT,
  MAX_NOTE,
  SANCTION_LIST,
  SANCTIONS,
  VIOLATION_CATEGORIES,
  VIOLATION_CATEGORY_LIST,
  VIOLATION_STATUS_NAMES,
  VIOLATION_STATUSES,
} from '../../domain/violation.js';
import { renderViolationsCsv, renderViolationsXlsx } from '../../reports/violations-register.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { IdParams, Nullable, strictObject } from '../schemas.js';
import { contentDisposition } from './reports.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const Id = Type.String({ minLength: 1, maxLength: 64 });
const CategorySchema = Type.Enum([...VIOLATION_CATEGORY_LIST]);
const SanctionSchema = Type.Enum([...SANCTION_LIST]);
const StatusSchema = Type.Enum([...VIOLATION_STATUSES]);

const ListItemSchema = Type.Object({
  id: Type.String(),
  number: Type.String(),
  officerId: Type.String(),
  officerName: Type.String(),
  unitId: Nullable(Type.String()),
  unitName: Nullable(Type.String()),
  category: CategorySchema,
  description: Type.String(),
  occurredAt: Type.Number(),
  status: StatusSchema,
  sanctions: Type.Array(SanctionSchema),
  suspensionFrom: Nullable(Type.String()),
  suspensionTo: Nullable(Type.String()),
  decisionText: Nullable(Type.String()),
  decidedAt: Nullable(Type.Number()),
  findingCount: Type.Integer(),
  auditEventCount: Type.Integer(),
  createdAt: Type.Number(),
});

const ViolationSchema = Type.Object({
  ...ListItemSchema.properties,
  evidenceText: Nullable(Type.String()),
  decidedByName: Nullable(Type.String()),
  closedAt: Nullable(Type.Number()),
  closedByName: Nullable(Type.String()),
  closeNote: Nullable(Type.String()),
  withdrawnAt: Nullable(Type.Number()),
  withdrawnByName: Nullable(Type.String()),
  withdrawReason: Nullable(Type.String()),
  createdByName: Type.String(),
  findings: Type.Array(
    Type.Object({
      id: Type.String(),
      code: Type.String(),
      nameZh: Type.String(),
      nameEn: Type.String(),
      article: Type.String(),
      articles: Type.Array(Type.String()),
      severity: Type.String(),
      status: Type.String(),
      subjectType: Type.String(),
      subjectId: Type.String(),
      withdrawn: Type.Boolean(),
      createdAt: Type.Number(),
      activity: Nullable(
        Type.Object({
          id: Type.String(),
          type: Type.String(),
          typeNameZh: Type.String(),
          title: Nullable(Type.String()),
          arrivedAt: Nullable(Type.Number()),
        }),
      ),
    }),
  ),
  auditEvents: Type.Array(
    Type.Object({
      seq: Type.Number(),
      id: Type.String(),
      at: Nullable(Type.Number()),
      actorName: Nullable(Type.String()),
      action: Nullable(Type.String()),
      targetType: Nullable(Type.String()),
      targetId: Nullable(Type.String()),
    }),
  ),
});

// category is checked by the service, so an unknown one answers VIOLATION_CATEGORY_INVALID
const Filter = {
  officer: Type.Optional(Id),
  unit: Type.Optional(Id),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  status: Type.Optional(StatusSchema),
  from: Type.Optional(Type.Integer({ minimum: 0 })),
  to: Type.Optional(Type.Integer({ minimum: 0 })),
};

const violationRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/violation-categories',
    {
      schema: {
        tags: ['violations'],
        summary:
          '违规情形与责任追究方式（第二十一、二十二条） / Violation categories and sanctions (A21.1, A22.1)',
      },
    },
    async (request) => {
      requireAuth(request);
      const named = <K extends string>(id: K, v: { article: string; zh: string; en: string }) => ({
        id,
        article: v.article,
        nameZh: v.zh,
        nameEn: v.en,
      });
      return {
        categories: VIOLATION_CATEGORY_LIST.map((c) => named(c, VIOLATION_CATEGORIES[c])),
        sanctions: SANCTION_LIST.map((s) => named(s, SANCTIONS[s])),
        statuses: VIOLATION_STATUSES.map((s) => ({
          id: s,
          nameZh: VIOLATION_STATUS_NAMES[s].zh,
          nameEn: VIOLATION_STATUS_NAMES[s].en,
        })),
      };
    },
  );

  app.get(
    '/violations',
    {
      schema: {
        tags: ['violations'],
        summary: '违规登记簿 / The violation register',
        querystring: strictObject({
          ...Filter,
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(ListItemSchema), total: Type.Integer() }) },
      },
    },
    async (request) => services.violations.list(requireAuth(request).actor, request.query),
  );

  app.get(
    '/violations/export',
    {
      schema: {
        tags: ['violations'],
        summary: '导出违规登记簿 CSV/XLSX / Export the register',
        querystring: strictObject({
          ...Filter,
          format: Type.Optional(Type.Enum(['csv', 'xlsx'], { default: 'xlsx' })),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireAuth(request).actor;
      const { format = 'xlsx', ...filter } = request.query;
      const items = await services.violations.all(actor, filter);
      const tz = services.violations.timeZone;
      const now = services.violations.now();
      // Rendered before the export is recorded: a failure leaves no record of a file never sent.
      const body =
        format === 'csv' ? renderViolationsCsv(items, tz) : await renderViolationsXlsx(items, tz, now);
      await services.violations.recordExport(actor, filter, format, items.length);
      const stamp = new Date(now).toISOString().slice(0, 10);
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
        .header(
          'content-disposition',
          contentDisposition(`违规登记簿-${stamp}.${format}`, `violations-${stamp}.${format}`),
        )
        .header('cache-control', 'no-store')
        .send(body);
    },
  );

  app.get(
    '/violations/candidate-findings',
    {
      schema: {
        tags: ['violations'],
        summary: '可认定为违规的核查发现 / Findings that may be taken into a record',
        querystring: strictObject({ officerId: Id }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                code: Type.String(),
                nameZh: Type.String(),
                nameEn: Type.String(),
                article: Type.String(),
                status: Type.Enum([...FINDING_STATUSES]),
                createdAt: Type.Number(),
                activityId: Nullable(Type.String()),
                activityTitle: Nullable(Type.String()),
                activityTypeNameZh: Nullable(Type.String()),
                activityArrivedAt: Nullable(Type.Number()),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      items: await services.violations.candidateFindings(requireAuth(request).actor, request.query.officerId),
    }),
  );

  app.get(
    '/violations/:id',
    {
      schema: {
        tags: ['violations'],
        summary: '违规记录及其证据 / A violation record with its evidence',
        params: IdParams,
        response: { 200: ViolationSchema },
      },
    },
    async (request) => services.violations.get(requireAuth(request).actor, request.params.id),
  );

  app.post(
    '/violations',
    {
      schema: {
        tags: ['violations'],
        summary: '登记违规行为 / Record a violation',
        body: strictObject({
          officerId: Id,
          category: Type.String({ minLength: 1, maxLength: 64 }),
          // the service gives the precise limits; these only stop oversized bodies
          description: Type.String({ minLength: 1, maxLength: MAX_DESCRIPTION * 2 }),
          occurredAt: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
          findingIds: Type.Optional(Type.Array(Id, { maxItems: MAX_EVIDENCE_ITEMS })),
          auditSeqs: Type.Optional(
            Type.Array(Type.Integer({ minimum: 1 }), { maxItems: MAX_EVIDENCE_ITEMS }),
          ),
          evidenceText: Type.Optional(Nullable(Type.String({ maxLength: MAX_EVIDENCE_TEXT * 2 }))),
        }),
        response: { 201: ViolationSchema },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await services.violations.record(requireAuth(request).actor, request.body)),
  );

  app.post(
    '/violations/:id/decide',
    {
      schema: {
        tags: ['violations'],
        summary: '作出处理决定（第二十二条） / Decide the sanctions (A22.1)',
        params: IdParams,
        body: strictObject({
          sanctions: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20 }),
          decisionText: Type.String({ minLength: 1, maxLength: MAX_DECISION_TEXT * 2 }),
          suspensionFrom: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
          suspensionTo: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
        }),
        response: { 200: ViolationSchema },
      },
    },
    async (request) =>
      services.violations.decide(requireAuth(request).actor, request.params.id, request.body),
  );

  app.post(
    '/violations/:id/close',
    {
      schema: {
        tags: ['violations'],
        summary: '办结 / Close (the sanctions were carried out)',
        params: IdParams,
        body: strictObject({ note: Type.Optional(Nullable(Type.String({ maxLength: MAX_NOTE * 2 }))) }),
        response: { 200: ViolationSchema },
      },
    },
    async (request) =>
      services.violations.close(requireAuth(request).actor, request.params.id, request.body.note),
  );

  app.post(
    '/violations/:id/withdraw',
    {
      schema: {
        tags: ['violations'],
        summary: '撤销违规记录（仅限待处理） / Withdraw a draft record',
        params: IdParams,
        body: strictObject({ reason: Type.String({ minLength: 1, maxLength: MAX_NOTE * 2 }) }),
        response: { 200: ViolationSchema },
      },
    },
    async (request) =>
      services.violations.withdraw(requireAuth(request).actor, request.params.id, request.body.reason),
  );
};

export default violationRoutes;
