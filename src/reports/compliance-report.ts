// Renders the monthly / yearly compliance report as a Chinese PDF (tables and bar charts
// drawn with pdfkit) and as an XLSX workbook (one sheet per table, the rows in full). The
// numbers come from ComplianceReportService; nothing is computed here but percentages.
import ExcelJS from 'exceljs';
import { VERDICT_NAMES, type Verdict } from '../domain/compliance-findings.js';
import { EXEMPTION_STATUS_NAMES, EXEMPTION_STATUSES } from '../domain/exemption.js';
import { VIOLATION_STATUS_NAMES, VIOLATION_STATUSES } from '../domain/violation.js';
import type {
  ComplianceMetrics,
  ComplianceReport,
  VerdictKey,
} from '../services/compliance-report.service.js';
import { periodName, VERDICT_KEYS } from '../services/compliance-report.service.js';
import { addSheet } from './equipment-report.js';
import { formatDateTime, PdfReport, type PdfFont } from './pdf.js';

export const COMPLIANCE_REPORT_TITLE = '执法音像记录合规报表';

/** Section headings, shared by the PDF and the workbook so both read the same. */
export const SECTIONS = {
  summary: '一、汇总',
  byType: '二、按执法活动类型',
  byUnit: '三、按单位',
  byOfficer: '四、按执法人员',
  findings: '五、核查发现（按问题类型）',
  exemptions: '六、不予记录说明',
  activities: '七、不合规及待说明的执法活动',
} as const;

export const SHEETS = {
  summary: '汇总',
  byType: '按活动类型',
  byUnit: '按单位',
  byOfficer: '按执法人员',
  findings: '核查发现',
  activities: '待跟进活动',
} as const;

/** The PDF lists at most this many activities; the workbook and JSON have them all. */
export const PDF_ACTIVITY_LIMIT = 1000;

export const VERDICT_KEY_NAMES: Record<VerdictKey, string> = {
  ...(Object.fromEntries(Object.entries(VERDICT_NAMES).map(([k, v]) => [k, v.zh])) as Record<
    Verdict,
    string
  >),
  not_computed: '未核查',
};

const VERDICT_COLORS: Record<VerdictKey, string> = {
  compliant: '#52c41a',
  awaiting_explanation: '#faad14',
  non_compliant: '#f5222d',
  not_computed: '#bfbfbf',
};

const FINDING_STATUS_HEADERS = {
  open: '未说明',
  explained: '已说明',
  accepted: '已认可',
  violation: '认定违规',
} as const;

const scopeName = (r: ComplianceReport) => r.unit?.name ?? '全部单位';
const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} 小时`;

/** The file name (without extension) every format is offered under. */
export function complianceReportFileName(r: ComplianceReport): string {
  const when = r.period.kind === 'custom' ? `${r.period.from}至${r.period.to}` : periodName(r.period);
  return `合规报表-${when}-${scopeName(r)}`.replace(/[\\/:*?"<>|\s]+/g, '_');
}

function summaryRows(r: ComplianceReport): [string, string][] {
  const t = r.totals;
  return [
    ['执法活动（起）', String(t.activities)],
    ['应全程记录的活动（起）', String(t.requiringRecording)],
    ['有音像记录的活动（起）', String(t.recorded)],
    ['记录率', percent(t.shareRecorded)],
    ['记录覆盖率（覆盖时长 ÷ 执法时长）', percent(t.coverage)],
    ['覆盖时长 / 执法时长', `${hours(t.coveredMs)} / ${hours(t.windowMs)}`],
    ...VERDICT_KEYS.map((k): [string, string] => [
      `结论：${VERDICT_KEY_NAMES[k]}（起）`,
      String(t.verdicts[k]),
    ]),
    ['未结核查发现（未说明 + 已说明，条）', String(r.findings.byCode.reduce((s, c) => s + c.pending, 0))],
    ['逾期导入（条）', String(r.findings.lateImports.total)],
    ['设备未按时导入（条 / 台）', `${r.findings.notDocked.total} / ${r.findings.notDocked.devices}`],
    ['不予记录说明（份）', String(r.exemptions.total)],
    ['认定违规的核查发现（条）', String(r.findings.byStatus.violation)],
    ['违规行为登记（件，不含已撤销）', String(r.violations.total)],
  ];
}

const METRIC_COLUMNS = [
  { header: '活动', width: 1, align: 'right' as const },
  { header: '应记录', width: 1.1, align: 'right' as const },
  { header: '已记录', width: 1.1, align: 'right' as const },
  { header: '记录率', width: 1.3, align: 'right' as const },
  { header: '覆盖率', width: 1.3, align: 'right' as const },
  { header: '合规', width: 1, align: 'right' as const },
  { header: '待说明', width: 1.1, align: 'right' as const },
  { header: '不合规', width: 1.1, align: 'right' as const },
  { header: '未结问题', width: 1.2, align: 'right' as const },
];

const metricCells = (m: ComplianceMetrics) => [
  String(m.activities),
  String(m.requiringRecording),
  String(m.recorded),
  percent(m.shareRecorded),
  percent(m.coverage),
  String(m.verdicts.compliant),
  String(m.verdicts.awaiting_explanation),
  String(m.verdicts.non_compliant),
  String(m.openFindings),
];

/** "记录中断 ×2（A11.1、A9.1；未说明）；…" */
const reasonText = (a: ComplianceReport['activities'][number]) =>
  a.reasons
    .map(
      (x) =>
        `${x.zh}${x.count > 1 ? ` ×${x.count}` : ''}（${[...x.articles].join('、') || '—'}；${FINDING_STATUS_HEADERS[x.status]}）`,
    )
    .join('；');

export async function renderCompliancePdf(r: ComplianceReport, font?: PdfFont): Promise<Buffer> {
  const pdf = new PdfReport({
    title: COMPLIANCE_REPORT_TITLE,
    subtitle: `${periodName(r.period)} · ${scopeName(r)}`,
    meta: [
      ['统计期间', `${r.period.from} 至 ${r.period.to}`],
      ['统计口径', '按到达现场时间（北京时间），不含已取消的活动'],
      ['生成人', r.generatedBy],
    ],
    generatedAt: r.generatedAt,
    timeZone: r.period.timeZone,
    landscape: true,
    ...(font ? { font } : {}),
  });
  const t = r.totals;

  pdf.heading(SECTIONS.summary).keyValues(summaryRows(r));
  pdf.barChart({
    title: '核查结论分布（起）',
    categories: VERDICT_KEYS.map((k) => VERDICT_KEY_NAMES[k]),
    series: VERDICT_KEYS.map((k, i) => ({
      name: VERDICT_KEY_NAMES[k],
      color: VERDICT_COLORS[k],
      values: VERDICT_KEYS.map((_, j) => (i === j ? t.verdicts[k] : 0)),
    })),
    legend: false,
    emptyText: '（本期无执法活动）',
  });
  pdf.paragraph(
    '注：应全程记录的活动指已结束、属第六条所列类型且无经批准的不予记录说明的活动；有音像记录指关联了视频或录音文件；覆盖率为各活动记录覆盖时长之和除以到达现场至执法结束时长之和。',
    { muted: true, size: 8 },
  );

  pdf.heading(SECTIONS.byType);
  pdf.table({
    columns: [{ header: '活动类型', width: 3.2 }, ...METRIC_COLUMNS],
    rows: r.byType.map((x) => [x.nameZh, ...metricCells(x)]),
    footer: ['合计', ...metricCells(t)],
  });

  pdf.heading(SECTIONS.byUnit);
  pdf.barChart({
    title: '各单位核查结论（起）',
    categories: r.byUnit.map((u) => u.unitName ?? '未指定单位'),
    series: VERDICT_KEYS.map((k) => ({
      name: VERDICT_KEY_NAMES[k],
      color: VERDICT_COLORS[k],
      values: r.byUnit.map((u) => u.verdicts[k]),
    })),
    emptyText: '（本期无执法活动）',
  });
  pdf.table({
    columns: [{ header: '单位', width: 3.2 }, ...METRIC_COLUMNS],
    rows: r.byUnit.map((u) => [u.unitName ?? '未指定单位', ...metricCells(u)]),
    emptyText: '（本期无执法活动）',
  });

  pdf.heading(SECTIONS.byOfficer);
  pdf.table({
    columns: [
      { header: '执法人员', width: 1.8 },
      { header: '执法证号', width: 1.4 },
      { header: '单位', width: 1.8 },
      ...METRIC_COLUMNS,
    ],
    rows: r.byOfficer.map((o) => [o.name, o.code, o.unitName ?? '—', ...metricCells(o)]),
    emptyText: '（本期无执法活动）',
  });
  pdf.paragraph('注：一起活动计入参加该活动的每一名执法人员。', { muted: true, size: 8 });

  pdf.heading(SECTIONS.findings);
  const pending = r.findings.byCode.filter((c) => c.pending > 0);
  pdf.barChart({
    title: '未结核查发现（未说明 + 已说明，条）',
    categories: pending.map((c) => c.zh),
    series: [
      { name: '未说明', color: '#f5222d', values: pending.map((c) => c.open) },
      { name: '已说明', color: '#faad14', values: pending.map((c) => c.explained) },
    ],
    emptyText: '（本期无未结核查发现）',
  });
  pdf.table({
    columns: [
      { header: '问题', width: 3.4 },
      { header: '代码', width: 2.6 },
      { header: '条款', width: 1.8 },
      ...(Object.values(FINDING_STATUS_HEADERS).map((h) => ({
        header: h,
        width: 1.1,
        align: 'right' as const,
      })) as { header: string; width: number; align: 'right' }[]),
    ],
    rows: r.findings.byCode.map((c) => [
      c.zh,
      c.code,
      [...c.articles].join('、') || '—',
      String(c.open),
      String(c.explained),
      String(c.accepted),
      String(c.violation),
    ]),
    footer: r.findings.byCode.length
      ? [
          '合计',
          '',
          '',
          String(r.findings.byStatus.open),
          String(r.findings.byStatus.explained),
          String(r.findings.byStatus.accepted),
          String(r.findings.byStatus.violation),
        ]
      : undefined,
    emptyText: '（本期无核查发现）',
  });

  pdf.heading(SECTIONS.exemptions);
  pdf.table({
    columns: [
      ...EXEMPTION_STATUSES.map((s) => ({
        header: EXEMPTION_STATUS_NAMES[s].zh,
        width: 1,
        align: 'right' as const,
      })),
      { header: '合计', width: 1, align: 'right' },
    ],
    rows: [[...EXEMPTION_STATUSES.map((s) => String(r.exemptions[s])), String(r.exemptions.total)]],
  });

  pdf.heading(SECTIONS.activities);
  const shown = r.activities.slice(0, PDF_ACTIVITY_LIMIT);
  pdf.table({
    columns: [
      { header: '时间', width: 1.9 },
      { header: '活动类型', width: 1.9 },
      { header: '执法对象', width: 2.4 },
      { header: '单位', width: 1.6 },
      { header: '执法人员', width: 1.8 },
      { header: '结论', width: 1 },
      { header: '原因（条款）', width: 5.4 },
    ],
    rows: shown.map((a) => [
      formatDateTime(a.at, r.period.timeZone),
      a.typeNameZh,
      a.subjectName || '—',
      a.unitName ?? '—',
      a.officers.map((o) => o.name).join('、') || '—',
      VERDICT_KEY_NAMES[a.verdict],
      reasonText(a) || '—',
    ]),
    emptyText: '（本期无不合规或待说明的执法活动）',
  });
  if (r.activities.length > shown.length)
    pdf.paragraph(
      `注：共 ${r.activities.length} 起，本表列出前 ${shown.length} 起；完整清单见 XLSX 格式报表。`,
      { muted: true, size: 8 },
    );

  return pdf.finish();
}

// ─── XLSX ────────────────────────────────────────────────────────────────────────

const PERCENT = '0.0%';

const METRIC_SHEET_COLUMNS = [
  { header: '活动', width: 8 },
  { header: '应记录', width: 8 },
  { header: '已记录', width: 8 },
  { header: '记录率', width: 9 },
  { header: '覆盖时长（分钟）', width: 14 },
  { header: '执法时长（分钟）', width: 14 },
  { header: '覆盖率', width: 9 },
  { header: '合规', width: 7 },
  { header: '待说明', width: 8 },
  { header: '不合规', width: 8 },
  { header: '未核查', width: 8 },
  { header: '未结问题', width: 9 },
];

const minutes = (ms: number) => Math.round(ms / 6_000) / 10;
const metricValues = (m: ComplianceMetrics) => [
  m.activities,
  m.requiringRecording,
  m.recorded,
  m.shareRecorded,
  minutes(m.coveredMs),
  minutes(m.windowMs),
  m.coverage,
  m.verdicts.compliant,
  m.verdicts.awaiting_explanation,
  m.verdicts.non_compliant,
  m.verdicts.not_computed,
  m.openFindings,
];

/** Formats the share columns of a metrics sheet as percentages (given their 1-based positions). */
function percentColumns(ws: ExcelJS.Worksheet, first: number): void {
  for (const c of [first + 3, first + 6]) ws.getColumn(c).numFmt = PERCENT;
}

export async function renderComplianceXlsx(r: ComplianceReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'zhilu 执录';
  wb.title = `${COMPLIANCE_REPORT_TITLE} ${r.period.from}–${r.period.to}`;
  wb.created = new Date(r.generatedAt);
  const t = r.totals;

  const summary = addSheet(
    wb,
    SHEETS.summary,
    [
      { header: '项目', width: 40 },
      { header: '数值', width: 26 },
    ],
    [
      ['报表', COMPLIANCE_REPORT_TITLE],
      ['统计期间', `${r.period.from} 至 ${r.period.to}`],
      ['单位', scopeName(r)],
      ['生成时间（北京时间）', formatDateTime(r.generatedAt, r.period.timeZone)],
      ['执法活动（起）', t.activities],
      ['应全程记录的活动（起）', t.requiringRecording],
      ['有音像记录的活动（起）', t.recorded],
      ['记录率', t.shareRecorded],
      ['记录覆盖率', t.coverage],
      ...VERDICT_KEYS.map((k) => [`结论：${VERDICT_KEY_NAMES[k]}（起）`, t.verdicts[k]]),
      ['未结核查发现（条）', r.findings.byCode.reduce((s, c) => s + c.pending, 0)],
      ['逾期导入（条）', r.findings.lateImports.total],
      ['设备未按时导入（条）', r.findings.notDocked.total],
      ['设备未按时导入（台）', r.findings.notDocked.devices],
      ...EXEMPTION_STATUSES.map((s) => [`不予记录说明：${EXEMPTION_STATUS_NAMES[s].zh}`, r.exemptions[s]]),
      ['认定违规的核查发现（条）', r.findings.byStatus.violation],
      ...VIOLATION_STATUSES.map((v) => [
        `违规行为登记：${VIOLATION_STATUS_NAMES[v].zh}（件）`,
        r.violations[v],
      ]),
    ],
  );
  for (const row of [9, 10]) summary.getCell(row, 2).numFmt = PERCENT;
  summary.getColumn(2).alignment = { horizontal: 'right' };

  percentColumns(
    addSheet(
      wb,
      SHEETS.byType,
      [{ header: '活动类型', width: 30 }, { header: '代码', width: 22 }, ...METRIC_SHEET_COLUMNS],
      r.byType.map((x) => [x.nameZh, x.type, ...metricValues(x)]),
      ['合计', null, ...metricValues(t)],
    ),
    3,
  );
  percentColumns(
    addSheet(
      wb,
      SHEETS.byUnit,
      [{ header: '单位', width: 20 }, { header: '单位 ID', width: 38 }, ...METRIC_SHEET_COLUMNS],
      r.byUnit.map((u) => [u.unitName ?? '未指定单位', u.unitId, ...metricValues(u)]),
    ),
    3,
  );
  percentColumns(
    addSheet(
      wb,
      SHEETS.byOfficer,
      [
        { header: '执法人员', width: 12 },
        { header: '执法证号', width: 12 },
        { header: '单位', width: 16 },
        { header: '用户 ID', width: 38 },
        ...METRIC_SHEET_COLUMNS,
      ],
      r.byOfficer.map((o) => [o.name, o.code, o.unitName, o.userId, ...metricValues(o)]),
    ),
    5,
  );
  addSheet(
    wb,
    SHEETS.findings,
    [
      { header: '问题', width: 26 },
      { header: '代码', width: 22 },
      { header: '条款', width: 18 },
      ...Object.values(FINDING_STATUS_HEADERS).map((h) => ({ header: h, width: 10 })),
      { header: '未结（未说明 + 已说明）', width: 22 },
    ],
    r.findings.byCode.map((c) => [
      c.zh,
      c.code,
      [...c.articles].join('、'),
      c.open,
      c.explained,
      c.accepted,
      c.violation,
      c.pending,
    ]),
    [
      '合计',
      null,
      null,
      r.findings.byStatus.open,
      r.findings.byStatus.explained,
      r.findings.byStatus.accepted,
      r.findings.byStatus.violation,
      r.findings.byCode.reduce((s, c) => s + c.pending, 0),
    ],
  );
  addSheet(
    wb,
    SHEETS.activities,
    [
      { header: '时间（北京时间）', width: 18 },
      { header: '活动类型', width: 22 },
      { header: '执法对象', width: 24 },
      { header: '单位', width: 14 },
      { header: '执法人员', width: 18 },
      { header: '结论', width: 10 },
      { header: '未结问题（条）', width: 14 },
      { header: '问题代码', width: 30 },
      { header: '原因（条款）', width: 60 },
      { header: '活动 ID', width: 38 },
    ],
    r.activities.map((a) => [
      formatDateTime(a.at, r.period.timeZone),
      a.typeNameZh,
      a.subjectName,
      a.unitName,
      a.officers.map((o) => o.name).join('、'),
      VERDICT_KEY_NAMES[a.verdict],
      a.openFindings,
      a.openCodes.join(', '),
      reasonText(a),
      a.id,
    ]),
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
