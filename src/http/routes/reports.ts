import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  equipmentReportFileName,
  renderEquipmentPdf,
  renderEquipmentXlsx,
} from '../../reports/equipment-report.js';
import {
  complianceReportFileName,
  renderCompliancePdf,
  renderComplianceXlsx,
} from '../../reports/compliance-report.js';
import type { Services } from '../../zhilu.js';
import { requireAuth } from '../auth.js';
import { strictObject } from '../schemas.js';
import { ComplianceQuerySchema } from './dashboard.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * An attachment header that keeps a Chinese file name: an ASCII fallback in `filename`
 * and the UTF-8 name in RFC 5987's `filename*` (every byte outside attr-char escaped).
 */
export function contentDisposition(fileName: string, asciiFallback: string): string {
  const encoded = encodeURIComponent(fileName).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const fallback = asciiFallback.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const reportRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get(
    '/reports/equipment',
    {
      schema: {
        tags: ['reports'],
        summary: '年度装备报表 / Yearly equipment report (A23.1)',
        querystring: strictObject({
          year: Type.Integer({ minimum: 2000, maximum: 2100 }),
          unitId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          format: Type.Optional(Type.Enum(['json', 'pdf', 'xlsx'], { default: 'json' })),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireAuth(request).actor;
      const format = request.query.format ?? 'json';
      const report = await services.equipmentReport.build(
        actor,
        request.query.year,
        request.query.unitId ?? null,
      );
      if (format === 'json') {
        await services.equipmentReport.recordExport(actor, report, format);
        return reply.header('cache-control', 'no-store').send(report);
      }
      // Rendered before anything is sent, so a missing font is a clean error answer.
      const body = format === 'pdf' ? await renderEquipmentPdf(report) : await renderEquipmentXlsx(report);
      await services.equipmentReport.recordExport(actor, report, format);
      const base = equipmentReportFileName(report);
      const ascii = `equipment-report-${report.year}${report.unit ? `-${report.unit.id}` : ''}`;
      return reply
        .header('content-type', format === 'pdf' ? 'application/pdf' : XLSX_TYPE)
        .header('content-disposition', contentDisposition(`${base}.${format}`, `${ascii}.${format}`))
        .header('cache-control', 'no-store')
        .send(body);
    },
  );

  app.get(
    '/reports/compliance',
    {
      schema: {
        tags: ['reports'],
        summary: '合规报表（月度、年度或任意期间）/ Compliance report (monthly, yearly or any period)',
        querystring: strictObject({
          from: ComplianceQuerySchema.from,
          to: ComplianceQuerySchema.to,
          unit: ComplianceQuerySchema.unit,
          format: Type.Optional(Type.Enum(['json', 'pdf', 'xlsx'], { default: 'json' })),
        }),
      },
    },
    async (request, reply) => {
      const actor = requireAuth(request).actor;
      const { from, to, unit } = request.query;
      const format = request.query.format ?? 'json';
      const report = await services.complianceReport.build(actor, { from, to, unitId: unit ?? null });
      if (format === 'json') {
        await services.complianceReport.recordExport(actor, report, format);
        return reply.header('cache-control', 'no-store').send(report);
      }
      // Rendered before anything is sent, so a missing font is a clean error answer.
      const body = format === 'pdf' ? await renderCompliancePdf(report) : await renderComplianceXlsx(report);
      await services.complianceReport.recordExport(actor, report, format);
      const ascii = `compliance-report-${from}-${to}${report.unit ? `-${report.unit.id}` : ''}`;
      return reply
        .header('content-type', format === 'pdf' ? 'application/pdf' : XLSX_TYPE)
        .header(
          'content-disposition',
          contentDisposition(`${complianceReportFileName(report)}.${format}`, `${ascii}.${format}`),
        )
        .header('cache-control', 'no-store')
        .send(body);
    },
  );
};

export default reportRoutes;
