import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AuditFilter } from '../../db/repositories/audit.repository.js';
import { assertPermission } from '../../services/context.js';
import type { ChainedEvent } from '../../domain/audit-chain.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { AuditEventSchema, strictObject } from '../schemas.js';

const Filter = {
  actor: Type.Optional(Type.String({ maxLength: 100 })),
  action: Type.Optional(Type.String({ maxLength: 100 })),
  targetType: Type.Optional(Type.String({ maxLength: 50 })),
  targetId: Type.Optional(Type.String({ maxLength: 100 })),
  outcome: Type.Optional(
    Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]),
  ),
  from: Type.Optional(Type.Integer({ minimum: 0 })),
  to: Type.Optional(Type.Integer({ minimum: 0 })),
};

const CSV_COLUMNS = [
  'seq',
  'id',
  'at',
  'actorId',
  'actorName',
  'action',
  'targetType',
  'targetId',
  'outcome',
  'clientIp',
  'details',
  'prevHash',
  'hash',
] as const;

/** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula. */
export function csvCell(value: unknown): string {
  let s =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(e: ChainedEvent): string {
  const iso = new Date(e.at).toISOString();
  return CSV_COLUMNS.map((c) => csvCell(c === 'at' ? iso : e[c])).join(',') + '\r\n';
}

const auditRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: '审计日志 / Audit trail',
        querystring: strictObject({
          ...Filter,
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(AuditEventSchema),
            nextBefore: Type.Union([Type.Number(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => {
      const { limit, ...filter } = request.query;
      return services.audit.list(requireAuth(request).actor, filter as AuditFilter, limit ?? 100);
    },
  );

  app.get(
    '/audit/export.csv',
    {
      schema: {
        tags: ['audit'],
        summary: '导出审计日志 CSV / Export as CSV',
        querystring: strictObject(Filter),
      },
    },
    async (request, reply) => {
      const actor = requireAuth(request).actor;
      assertPermission(actor, 'audit.read');
      const filter = request.query as AuditFilter;
      await services.audit.recordAlone(actor, {
        action: 'audit.export',
        targetType: 'audit',
        details: { filter },
      });
      const rows = services.audit.iterate(actor, filter);
      const body = Readable.from(
        (async function* () {
          yield '\uFEFF' + CSV_COLUMNS.join(',') + '\r\n';
          for await (const e of rows) yield csvRow(e);
        })(),
      );
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="zhilu-audit-${stamp}.csv"`)
        .send(body);
    },
  );

  app.get(
    '/audit/verify',
    { schema: { tags: ['audit'], summary: '校验审计链 / Verify the chain' } },
    async (request) => {
      assertPermission(requireAuth(request).actor, 'audit.read');
      return services.audit.verify();
    },
  );
};

export default auditRoutes;
