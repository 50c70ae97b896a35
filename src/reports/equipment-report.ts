// Renders the yearly equipment report (A23.1) as a Chinese PDF and as an XLSX workbook
// (one sheet per section, money in CNY). The numbers come from EquipmentReportService.
import ExcelJS from 'exceljs';
import { DEVICE_EVENT_NAMES, DEVICE_STATUS_NAMES, DEVICE_STATUSES } from '../domain/device-check.js';
import type { EquipmentReport } from '../services/equipment-report.service.js';
import { formatCny, formatDateTime, PdfReport, type PdfFont } from './pdf.js';

export const EQUIPMENT_REPORT_TITLE = '执法音像记录设备年度装备报表';

/** Section headings, shared by the PDF and the workbook so both read the same. */
export const SECTIONS = {
  summary: '一、汇总',
  fleet: '二、设备分布（按类型与状态）',
  purchases: '三、本年度购置',
  maintenance: '四、维修支出',
  consumables: '五、耗材支出',
  losses: '六、遗失与被盗',
  retirements: '七、报废',
  due: '八、使用年限到期、需更新的设备',
} as const;

export const SHEETS = {
  summary: '汇总',
  fleet: '设备分布',
  purchases: '购置',
  maintenance: '维修',
  consumablesByItem: '耗材汇总',
  consumables: '耗材明细',
  losses: '遗失被盗',
  retirements: '报废',
  due: '到期更新',
} as const;

const scopeName = (r: EquipmentReport) => r.unit?.name ?? '全部单位';
const dash = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '—' : v);

/** The file name (without extension) both formats are offered under. */
export function equipmentReportFileName(r: EquipmentReport): string {
  return `装备报表-${r.year}-${scopeName(r)}`.replace(/[\\/:*?"<>|\s]+/g, '_');
}

function summaryRows(r: EquipmentReport): [string, string][] {
  const t = r.totals;
  return [
    ['设备总数（台）', String(t.devices)],
    [`本年度购置（台）`, String(r.purchases.count)],
    ['购置金额', formatCny(t.purchaseCostCents)],
    ['维修支出', formatCny(t.maintenanceCostCents)],
    ['耗材支出', formatCny(t.consumablesCostCents)],
    ['支出合计（购置 + 维修 + 耗材）', formatCny(t.spendingCostCents)],
    ['遗失（台）', String(t.losses)],
    ['被盗（台）', String(t.thefts)],
    ['报废（台）', String(t.retirements)],
    ['使用年限到期需更新（台）', String(t.dueForReplacement)],
    ['更新费用估算（按原值）', formatCny(r.dueForReplacement.estimatedCostCents)],
  ];
}

export async function renderEquipmentPdf(r: EquipmentReport, font?: PdfFont): Promise<Buffer> {
  const pdf = new PdfReport({
    title: EQUIPMENT_REPORT_TITLE,
    subtitle: `${r.year} 年度 · ${scopeName(r)}`,
    meta: [
      ['统计期间', `${r.year}-01-01 至 ${r.year}-12-31`],
      ['金额单位', '人民币元'],
    ],
    generatedAt: r.generatedAt,
    timeZone: r.timeZone,
    landscape: false,
    ...(font ? { font } : {}),
  });

  pdf.heading(SECTIONS.summary).keyValues(summaryRows(r));

  pdf.heading(SECTIONS.fleet);
  pdf.table({
    columns: [
      { header: '设备类型', width: 3 },
      ...DEVICE_STATUSES.map((s) => ({
        header: DEVICE_STATUS_NAMES[s].zh,
        width: 1.2,
        align: 'right' as const,
      })),
      { header: '合计', width: 1.2, align: 'right' },
    ],
    rows: r.fleet.byType.map((t) => [
      t.typeNameZh,
      ...DEVICE_STATUSES.map((s) => String(t[s])),
      String(t.total),
    ]),
    footer: ['合计', ...DEVICE_STATUSES.map((s) => String(r.fleet.totals[s])), String(r.fleet.totals.total)],
    emptyText: '（本年度无登记设备）',
  });
  pdf.paragraph('注：统计本年末前购置（或登记）且未在本年之前报废的设备；状态为报表生成时的状态。', {
    muted: true,
    size: 8,
  });

  pdf.heading(SECTIONS.purchases);
  pdf.table({
    columns: [
      { header: '购置日期', width: 2 },
      { header: '序列号', width: 2.6 },
      { header: '类型', width: 2 },
      { header: '厂家 / 型号', width: 3.2 },
      { header: '金额', width: 2, align: 'right' },
    ],
    rows: r.purchases.items.map((p) => [
      p.purchaseDate,
      p.serial,
      p.typeNameZh,
      [p.maker, p.model].filter(Boolean).join(' ') || '—',
      formatCny(p.costCents),
    ]),
    footer: r.purchases.count
      ? ['合计', `${r.purchases.count} 台`, '', '', formatCny(r.purchases.costCents)]
      : undefined,
    emptyText: '（本年度无购置）',
  });
  if (r.purchases.unknownCostCount)
    pdf.paragraph(`注：其中 ${r.purchases.unknownCostCount} 台未登记购置金额，未计入合计。`, {
      muted: true,
      size: 8,
    });

  pdf.heading(SECTIONS.maintenance);
  pdf.table({
    columns: [
      { header: '日期', width: 2 },
      { header: '序列号', width: 2.4 },
      { header: '类型', width: 1.8 },
      { header: '维修内容', width: 3.6 },
      { header: '维修单位', width: 2.2 },
      { header: '金额', width: 1.8, align: 'right' },
    ],
    rows: r.maintenance.items.map((m) => [
      m.occurredOn,
      dash(m.serial),
      dash(m.typeNameZh),
      m.description,
      dash(m.vendor),
      formatCny(m.costCents),
    ]),
    footer: r.maintenance.count
      ? ['合计', `${r.maintenance.count} 次`, '', '', '', formatCny(r.maintenance.costCents)]
      : undefined,
    emptyText: '（本年度无维修记录）',
  });

  pdf.heading(SECTIONS.consumables);
  pdf.table({
    columns: [
      { header: '品类', width: 3 },
      { header: '采购次数', width: 2, align: 'right' },
      { header: '数量', width: 2, align: 'right' },
      { header: '金额', width: 2.5, align: 'right' },
    ],
    rows: r.consumables.byItem.map((c) => [
      c.nameZh,
      String(c.count),
      String(c.quantity),
      formatCny(c.costCents),
    ]),
    footer: r.consumables.count
      ? [
          '合计',
          String(r.consumables.count),
          String(r.consumables.byItem.reduce((s, c) => s + c.quantity, 0)),
          formatCny(r.consumables.costCents),
        ]
      : undefined,
    emptyText: '（本年度无耗材采购）',
  });

  pdf.heading(SECTIONS.losses);
  pdf.table({
    columns: [
      { header: '日期', width: 2 },
      { header: '类别', width: 1.2 },
      { header: '序列号', width: 2.4 },
      { header: '类型', width: 1.8 },
      { header: '保管使用人', width: 1.8 },
      { header: '现状态', width: 1.3 },
      { header: '情况说明', width: 4 },
    ],
    rows: r.losses.items.map((l) => [
      l.occurredOn,
      DEVICE_EVENT_NAMES[l.kind].zh,
      l.serial,
      l.typeNameZh,
      dash(l.holderName),
      DEVICE_STATUS_NAMES[l.status].zh,
      l.description,
    ]),
    emptyText: '（本年度无遗失或被盗）',
  });
  if (r.losses.found) pdf.paragraph(`注：本年度找回设备 ${r.losses.found} 台次。`, { muted: true, size: 8 });

  pdf.heading(SECTIONS.retirements);
  pdf.table({
    columns: [
      { header: '报废日期', width: 2 },
      { header: '序列号', width: 2.4 },
      { header: '类型', width: 1.8 },
      { header: '购置日期', width: 2 },
      { header: '原值', width: 1.8, align: 'right' },
      { header: '说明', width: 4 },
    ],
    rows: r.retirements.items.map((x) => [
      x.occurredOn,
      x.serial,
      x.typeNameZh,
      dash(x.purchaseDate),
      formatCny(x.purchaseCostCents),
      x.description,
    ]),
    emptyText: '（本年度无报废）',
  });

  pdf.heading(SECTIONS.due);
  pdf.table({
    columns: [
      { header: '序列号', width: 2.4 },
      { header: '类型', width: 1.8 },
      { header: '购置日期', width: 2 },
      { header: '年限', width: 1, align: 'right' },
      { header: '到期日期', width: 2 },
      { header: '状态', width: 1.2 },
      { header: '保管使用人', width: 1.8 },
      { header: '原值', width: 1.8, align: 'right' },
    ],
    rows: r.dueForReplacement.items.map((d) => [
      d.serial,
      d.typeNameZh,
      d.purchaseDate,
      `${d.serviceLifeYears} 年`,
      d.dueOn,
      DEVICE_STATUS_NAMES[d.status].zh,
      dash(d.holderName),
      formatCny(d.purchaseCostCents),
    ]),
    footer: r.dueForReplacement.count
      ? [
          '合计',
          `${r.dueForReplacement.count} 台`,
          '',
          '',
          '',
          '',
          '',
          formatCny(r.dueForReplacement.estimatedCostCents),
        ]
      : undefined,
    emptyText: '（本年度无到期设备）',
  });
  if (r.dueForReplacement.undatedCount)
    pdf.paragraph(
      `注：另有 ${r.dueForReplacement.undatedCount} 台在用设备未登记购置日期，无法判断是否到期。`,
      { muted: true, size: 8 },
    );

  return pdf.finish();
}

// ─── XLSX ────────────────────────────────────────────────────────────────────────

const CNY_FORMAT = '"¥"#,##0.00';
const yuan = (cents: number | null) => (cents === null ? null : cents / 100);

export interface SheetColumn {
  header: string;
  width: number;
  money?: boolean;
}

export function addSheet(
  wb: ExcelJS.Workbook,
  name: string,
  columns: SheetColumn[],
  rows: (string | number | null)[][],
  total?: (string | number | null)[],
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({
    header: c.header,
    width: c.width,
    ...(c.money ? { style: { numFmt: CNY_FORMAT } } : {}),
  }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center' };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EDF3' } };
    cell.border = { bottom: { style: 'thin', color: { argb: 'FF8C8C8C' } } };
  });
  for (const r of rows) ws.addRow(r);
  if (total) {
    const row = ws.addRow(total);
    row.font = { bold: true };
    row.eachCell((cell) => {
      cell.border = { top: { style: 'thin', color: { argb: 'FF8C8C8C' } } };
    });
  }
  return ws;
}

export async function renderEquipmentXlsx(r: EquipmentReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'zhilu 执录';
  wb.title = `${EQUIPMENT_REPORT_TITLE} ${r.year}`;
  wb.created = new Date(r.generatedAt);

  const t = r.totals;
  const summary = addSheet(
    wb,
    SHEETS.summary,
    [
      { header: '项目', width: 34 },
      { header: '数值', width: 22 },
    ],
    [
      ['报表', EQUIPMENT_REPORT_TITLE],
      ['年度', r.year],
      ['单位', scopeName(r)],
      ['生成时间（北京时间）', formatDateTime(r.generatedAt, r.timeZone)],
      ['设备总数（台）', t.devices],
      ['本年度购置（台）', r.purchases.count],
      ['购置金额', yuan(t.purchaseCostCents)],
      ['维修支出', yuan(t.maintenanceCostCents)],
      ['耗材支出', yuan(t.consumablesCostCents)],
      ['支出合计（购置 + 维修 + 耗材）', yuan(t.spendingCostCents)],
      ['遗失（台）', t.losses],
      ['被盗（台）', t.thefts],
      ['报废（台）', t.retirements],
      ['使用年限到期需更新（台）', t.dueForReplacement],
      ['更新费用估算（按原值）', yuan(r.dueForReplacement.estimatedCostCents)],
    ],
  );
  // Only the money rows of the summary get the currency format.
  for (const n of [8, 9, 10, 11, 16]) summary.getCell(n, 2).numFmt = CNY_FORMAT;
  summary.getColumn(2).alignment = { horizontal: 'right' };

  addSheet(
    wb,
    SHEETS.fleet,
    [
      { header: '设备类型', width: 18 },
      ...DEVICE_STATUSES.map((s) => ({ header: DEVICE_STATUS_NAMES[s].zh, width: 10 })),
      { header: '合计', width: 10 },
    ],
    r.fleet.byType.map((x) => [x.typeNameZh, ...DEVICE_STATUSES.map((s) => x[s]), x.total]),
    ['合计', ...DEVICE_STATUSES.map((s) => r.fleet.totals[s]), r.fleet.totals.total],
  );

  addSheet(
    wb,
    SHEETS.purchases,
    [
      { header: '购置日期', width: 12 },
      { header: '序列号', width: 20 },
      { header: '类型', width: 14 },
      { header: '厂家', width: 16 },
      { header: '型号', width: 16 },
      { header: '金额', width: 14, money: true },
    ],
    r.purchases.items.map((p) => [
      p.purchaseDate,
      p.serial,
      p.typeNameZh,
      p.maker,
      p.model,
      yuan(p.costCents),
    ]),
    ['合计', r.purchases.count, null, null, null, yuan(r.purchases.costCents)],
  );

  addSheet(
    wb,
    SHEETS.maintenance,
    [
      { header: '日期', width: 12 },
      { header: '序列号', width: 20 },
      { header: '类型', width: 14 },
      { header: '维修内容', width: 36 },
      { header: '维修单位', width: 20 },
      { header: '金额', width: 14, money: true },
    ],
    r.maintenance.items.map((m) => [
      m.occurredOn,
      m.serial,
      m.typeNameZh,
      m.description,
      m.vendor,
      yuan(m.costCents),
    ]),
    ['合计', r.maintenance.count, null, null, null, yuan(r.maintenance.costCents)],
  );

  addSheet(
    wb,
    SHEETS.consumablesByItem,
    [
      { header: '品类', width: 16 },
      { header: '采购次数', width: 10 },
      { header: '数量', width: 10 },
      { header: '金额', width: 14, money: true },
    ],
    r.consumables.byItem.map((c) => [c.nameZh, c.count, c.quantity, yuan(c.costCents)]),
    [
      '合计',
      r.consumables.count,
      r.consumables.byItem.reduce((s, c) => s + c.quantity, 0),
      yuan(r.consumables.costCents),
    ],
  );

  addSheet(
    wb,
    SHEETS.consumables,
    [
      { header: '日期', width: 12 },
      { header: '品类', width: 12 },
      { header: '数量', width: 8 },
      { header: '金额', width: 14, money: true },
      { header: '设备序列号', width: 20 },
      { header: '说明', width: 36 },
      { header: '供应商', width: 20 },
    ],
    r.consumables.items.map((c) => [
      c.occurredOn,
      r.consumables.byItem.find((b) => b.item === c.item)?.nameZh ?? c.item,
      c.quantity,
      yuan(c.costCents),
      c.serial ?? '库存',
      c.description,
      c.vendor,
    ]),
  );

  addSheet(
    wb,
    SHEETS.losses,
    [
      { header: '日期', width: 12 },
      { header: '类别', width: 8 },
      { header: '序列号', width: 20 },
      { header: '类型', width: 14 },
      { header: '保管使用人', width: 12 },
      { header: '现状态', width: 10 },
      { header: '情况说明', width: 40 },
    ],
    r.losses.items.map((l) => [
      l.occurredOn,
      DEVICE_EVENT_NAMES[l.kind].zh,
      l.serial,
      l.typeNameZh,
      l.holderName,
      DEVICE_STATUS_NAMES[l.status].zh,
      l.description,
    ]),
  );

  addSheet(
    wb,
    SHEETS.retirements,
    [
      { header: '报废日期', width: 12 },
      { header: '序列号', width: 20 },
      { header: '类型', width: 14 },
      { header: '购置日期', width: 12 },
      { header: '原值', width: 14, money: true },
      { header: '说明', width: 40 },
    ],
    r.retirements.items.map((x) => [
      x.occurredOn,
      x.serial,
      x.typeNameZh,
      x.purchaseDate,
      yuan(x.purchaseCostCents),
      x.description,
    ]),
  );

  addSheet(
    wb,
    SHEETS.due,
    [
      { header: '序列号', width: 20 },
      { header: '类型', width: 14 },
      { header: '购置日期', width: 12 },
      { header: '使用年限（年）', width: 14 },
      { header: '到期日期', width: 12 },
      { header: '状态', width: 8 },
      { header: '保管使用人', width: 12 },
      { header: '原值', width: 14, money: true },
    ],
    r.dueForReplacement.items.map((d) => [
      d.serial,
      d.typeNameZh,
      d.purchaseDate,
      d.serviceLifeYears,
      d.dueOn,
      DEVICE_STATUS_NAMES[d.status].zh,
      d.holderName,
      yuan(d.purchaseCostCents),
    ]),
    [
      '合计',
      r.dueForReplacement.count,
      null,
      null,
      null,
      null,
      null,
      yuan(r.dueForReplacement.estimatedCostCents),
    ],
  );

  return Buffer.from(await wb.xlsx.writeBuffer());
}
