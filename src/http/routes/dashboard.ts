// Compliance dashboard (issue 5, item 6): the numbers for a period, unit and officer, and the
// activities behind any of them (drill-down). Scoped to what the caller may see; the
// service (compliance-report.service.ts) says how.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ACTIVITY_TYPES } from '../../domain/activity.js';
import { FINDING_CODE_LIST } from '../../domain/compliance-findings.js';
import { VERDICT_KEYS } from '../../services/compliance-report.service.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { Nullable, strictObject } from '../schemas.js';

/** A calendar day; checked by the service (REPORT_PERIOD_INVALID) so the CLI says the same. */
const Day = Type.String({ minLength: 1, maxLength: 10, description: 'YYYY-MM-DD（本地时间 / local time）' });
const Id = Type.String({ minLength: 1, maxLength: 64 });

export const ComplianceQuerySchema = {
  from: Day,
  to: Day,
  unit: Type.Optional(Id),
  officer: Type.Optional(Id),
};

const DrillActivitySchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  typeNameZh: Type.String(),
  title: Nullable(Type.String()),
  subjectId: Type.String(),
  subjectName: Type.String(),
  unitId: Nullable(Type.String()),
  unitName: Nullable(Type.String()),
  at: Type.Number(),
  arrivedAt: Nullable(Type.Number()),
  endedAt: Nullable(Type.Number()),
  status: Type.String(),
  officers: Type.Array(Type.Object({ userId: Type.String(), name: Type.String() })),
  verdict: Type.String(),
  coveredMs: Nullable(Type.Number()),
  windowMs: Nullable(Type.Number()),
  openFindings: Type.Number(),
  openCodes: Type.Array(Type.String()),
});

const dashboardRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/dashboard/compliance',
    {
      schema: {
        tags: ['compliance'],
        summary: '合规统计 / Compliance dashboard',
        querystring: strictObject(ComplianceQuerySchema),
      },
    },
    async (request, reply) => {
      const { actor } = requireAuth(request);
      const q = request.query;
      const body = await services.complianceReport.dashboard(actor, {
        from: q.from,
        to: q.to,
        unitId: q.unit ?? null,
        officerId: q.officer ?? null,
      });
      return reply.header('cache-control', 'no-store').send(body);
    },
  );

  app.get(
    '/dashboard/compliance/activities',
    {
      schema: {
        tags: ['compliance'],
        summary: '合规统计下钻：数字背后的执法活动 / The activities behind a dashboard number',
        querystring: strictObject({
          ...ComplianceQuerySchema,
          verdict: Type.Optional(Type.Enum([...VERDICT_KEYS])),
          code: Type.Optional(Type.Enum([...FINDING_CODE_LIST])),
          type: Type.Optional(Type.Enum([...ACTIVITY_TYPES])),
          recording: Type.Optional(Type.Enum(['required', 'recorded', 'missing'])),
          unitOnly: Type.Optional(Type.Boolean()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          offset: Type.Optional(Type.Integer({ minimum: 0 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(DrillActivitySchema),
            total: Type.Integer(),
            limit: Type.Integer(),
            offset: Type.Integer(),
          }),
        },
      },
    },
    async (request, reply) => {
      const { actor } = requireAuth(request);
      const q = request.query;
      const body = await services.complianceReport.activities(actor, {
        from: q.from,
        to: q.to,
        unitId: q.unit ?? null,
        officerId: q.officer ?? null,
        verdict: q.verdict,
        code: q.code,
        type: q.type,
        recording: q.recording,
        unitOnly: q.unitOnly,
        limit: q.limit,
        offset: q.offset,
      });
      return reply.header('cache-control', 'no-store').send(body);
    },
  );
};

export default dashboardRoutes;
