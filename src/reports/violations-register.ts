// The violation register (A21.1, A22.1) as it leaves the system: CSV (UTF-8 with a BOM so
// spreadsheet programs read the Chinese) and an XLSX workbook. Same columns, same order.
import ExcelJS from 'exceljs';
import { SANCTIONS, VIOLATION_CATEGORIES, VIOLATION_STATUS_NAMES } from '../domain/violation.js';
import type { ViolationListItem } from '../services/violations.service.js';
import { formatDateTime } from './pdf.js';

export const VIOLATIONS_REGISTER_TITLE = '执法音像记录违规行为登记簿';

const COLUMNS: {
  header: string;
  width: number;
  value: (v: ViolationListItem, tz: string) => string | number;
}[] = [
  { header: '编号', width: 12, value: (v) => v.number },
  { header: '执法人员', width: 12, value: (v) => v.officerName },
  { header: '单位', width: 24, value: (v) => v.unitName ?? '' },
  { header: '违规情形', width: 36, value: (v) => VIOLATION_CATEGORIES[v.category].zh },
  { header: '条款', width: 11, value: (v) => VIOLATION_CATEGORIES[v.category].article },
  { header: '违规事实', width: 48, value: (v) => v.description },
  { header: '发生时间', width: 18, value: (v, tz) => formatDateTime(v.occurredAt, tz) },
  { header: '状态', width: 14, value: (v) => VIOLATION_STATUS_NAMES[v.status].zh },
  { header: '责任追究', width: 40, value: (v) => v.sanctions.map((s) => SANCTIONS[s].zh).join('；') },
  {
    header: '暂停执法期间',
    width: 24,
    value: (v) => (v.suspensionFrom ? `${v.suspensionFrom} 至 ${v.suspensionTo}` : ''),
  },
  { header: '处理决定', width: 48, value: (v) => v.decisionText ?? '' },
  { header: '决定时间', width: 18, value: (v, tz) => (v.decidedAt ? formatDateTime(v.decidedAt, tz) : '') },
  { header: '核查发现（条）', width: 14, value: (v) => v.findingCount },
  { header: '审计事件（条）', width: 14, value: (v) => v.auditEventCount },
  { header: '登记时间', width: 18, value: (v, tz) => formatDateTime(v.createdAt, tz) },
];

/** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula. */
function csvCell(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderViolationsCsv(items: readonly ViolationListItem[], timeZone: string): string {
  const lines = [COLUMNS.map((c) => csvCell(c.header)).join(',')];
  for (const v of items) lines.push(COLUMNS.map((c) => csvCell(c.value(v, timeZone))).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

export async function renderViolationsXlsx(
  items: readonly ViolationListItem[],
  timeZone: string,
  generatedAt: number,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'zhilu 执录';
  wb.title = VIOLATIONS_REGISTER_TITLE;
  wb.created = new Date(generatedAt);
  const ws = wb.addWorksheet('违规登记', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = COLUMNS.map((c) => ({ header: c.header, width: c.width }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center' };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EDF3' } };
    cell.border = { bottom: { style: 'thin', color: { argb: 'FF8C8C8C' } } };
  });
  for (const v of items) {
    const row = ws.addRow(COLUMNS.map((c) => c.value(v, timeZone)));
    row.alignment = { vertical: 'top', wrapText: true };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
