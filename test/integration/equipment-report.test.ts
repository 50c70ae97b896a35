// The yearly equipment report (A23.1): its numbers for a seeded year, its Chinese PDF
// (text extracted with pdftotext) and its workbook (read back with exceljs), through the
// HTTP API on SQLite and PostgreSQL, and through `zhilu report equipment`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { createTestDatabase, databaseKinds, tempDir, type TestDatabase } from '../support/databases.js';
import { adminSession, createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

// Rendered reports are kept here for a person to open (like the browser screenshots).
const ARTIFACTS = path.join(ROOT, 'test-results', 'reports');

function hasPdftotext(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const PDFTOTEXT = hasPdftotext();
if (!PDFTOTEXT && process.env.CI)
  throw new Error('CI must check the PDF text: install poppler-utils (pdftotext)');

function pdfText(bytes: Buffer, name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  fs.writeFileSync(file, bytes);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

async function readWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

/** The rows of a sheet as arrays of cell values (header first). */
function rowsOf(ws: ExcelJS.Worksheet): unknown[][] {
  const out: unknown[][] = [];
  ws.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
  return out;
}

describe.each(databaseKinds())('the yearly equipment report on %s', (kind) => {
  let t: TestInstall;
  let admin: Session;
  let custodian: Session;
  let officer: Session;
  let officerId: string;
  const unit: Record<string, string> = {};
  const device: Record<string, string> = {};

  beforeEach(async () => {
    t = await createInstall(kind);
    admin = await adminSession(t);
    const login = async (username: string, name: string, roles: string[]) => {
      const r = await admin.post('/api/v1/users', { username, name, code: `C-${username}`, roles });
      expect(r.statusCode, r.body).toBe(201);
      const s = new Session(t.app);
      await s.login(username, r.json().initialPassword);
      expect(
        (
          await s.post('/api/v1/auth/password', {
            currentPassword: r.json().initialPassword,
            newPassword: STRONG,
          })
        ).statusCode,
      ).toBe(204);
      return { s, id: r.json().user.id as string };
    };
    custodian = (await login('bao.guan', '保管员甲', ['custodian'])).s;
    const o = await login('zhang.san', '张三', ['officer']);
    officer = o.s;
    officerId = o.id;

    unit.brigade = (await admin.post('/api/v1/units', { name: '执法大队', kind: 'brigade' })).json().id;
    unit.one = (
      await admin.post('/api/v1/units', { name: '第一中队', kind: 'squadron', parentId: unit.brigade })
    ).json().id;
    unit.two = (
      await admin.post('/api/v1/units', { name: '第二中队', kind: 'squadron', parentId: unit.brigade })
    ).json().id;

    const add = async (key: string, body: Record<string, unknown>) => {
      const r = await custodian.post('/api/v1/devices', { serial: `DSJ-${key}`, ...body });
      expect(r.statusCode, r.body).toBe(201);
      device[key] = r.json().id;
    };
    await add('A', {
      typeId: 'body_camera',
      unitId: unit.one,
      purchaseDate: '2026-03-01',
      purchaseCostCents: 320_000,
      holderId: officerId,
      maker: '海康威视',
      model: 'DSJ-K5',
    });
    await add('B', {
      typeId: 'body_camera',
      unitId: unit.one,
      purchaseDate: '2021-05-10',
      purchaseCostCents: 280_000,
      holderId: officerId,
    });
    await add('C', {
      typeId: 'camera',
      unitId: unit.one,
      purchaseDate: '2025-11-20',
      purchaseCostCents: 450_050,
    });
    await add('D', {
      typeId: 'voice_recorder',
      unitId: unit.one,
      purchaseDate: '2026-01-15',
      purchaseCostCents: 60_000,
    });
    await add('E', {
      typeId: 'video_camera',
      unitId: unit.one,
      purchaseDate: '2019-01-01',
      purchaseCostCents: 800_000,
      holderId: officerId,
    });
    await add('F', { typeId: 'voice_recorder', unitId: unit.one, purchaseDate: '2020-03-03' });
    await add('G', {
      typeId: 'body_camera',
      unitId: unit.two,
      purchaseDate: '2026-02-02',
      purchaseCostCents: 100_000,
    });
    await add('H', { typeId: 'camera', unitId: unit.two });

    const event = async (key: string | null, body: Record<string, unknown>) => {
      const r = key
        ? await custodian.post(`/api/v1/devices/${device[key]}/events`, body)
        : await custodian.post('/api/v1/consumables', body);
      expect(r.statusCode, r.body).toBe(201);
    };
    await event('B', {
      kind: 'maintenance',
      occurredOn: '2026-04-02',
      description: '更换电池仓',
      costCents: 35_000,
      vendor: '市维修站',
    });
    await event('C', {
      kind: 'maintenance',
      occurredOn: '2025-12-10',
      description: '镜头清洁',
      costCents: 10_000,
    });
    await event('G', {
      kind: 'maintenance',
      occurredOn: '2026-06-06',
      description: '固件升级',
      costCents: 5_000,
    });
    await event('A', {
      kind: 'consumable',
      occurredOn: '2026-05-01',
      item: 'battery',
      quantity: 2,
      costCents: 24_000,
      description: '备用电池',
    });
    await event(null, {
      unitId: unit.one,
      occurredOn: '2026-02-01',
      item: 'memory_card',
      quantity: 10,
      costCents: 80_000,
      description: '64G 存储卡',
    });
    await event(null, {
      unitId: unit.two,
      occurredOn: '2025-12-31',
      item: 'battery',
      quantity: 4,
      costCents: 10_000,
      description: '去年的电池',
    });
    await event(null, {
      unitId: unit.two,
      occurredOn: '2026-03-03',
      item: 'other',
      quantity: 5,
      costCents: 2_500,
      description: '挂夹',
    });
    await event('D', { kind: 'retirement', occurredOn: '2026-07-01', description: '进水损坏' });
    const loss = await officer.post(`/api/v1/devices/${device.E}/events`, {
      kind: 'loss',
      occurredOn: '2026-06-01',
      description: '巡查途中遗失',
    });
    expect(loss.statusCode, loss.body).toBe(201);
    await event('F', { kind: 'theft', occurredOn: '2026-07-15', description: '车辆被撬' });
  });
  afterEach(async () => {
    await t.close();
  });

  const report = async (query: string) => {
    const r = await custodian.get(`/api/v1/reports/equipment?${query}`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  };

  it('adds up the year: fleet by type and status, purchases, maintenance, consumables, losses, retirements, replacements', async () => {
    const r = await report('year=2026');
    expect(r).toMatchObject({
      year: 2026,
      unit: null,
      currency: 'CNY',
      timeZone: 'Asia/Shanghai',
      generatedAt: t.clock.now(),
    });
    expect(r.fleet.totals).toEqual({ in_stock: 5, issued: 0, maintenance: 0, lost: 2, retired: 1, total: 8 });
    expect(r.fleet.byType.map((x: { typeId: string; total: number }) => [x.typeId, x.total])).toEqual([
      ['body_camera', 3],
      ['camera', 2],
      ['video_camera', 1],
      ['voice_recorder', 2],
    ]);
    expect(r.fleet.byType[3]).toMatchObject({ typeNameZh: '录音笔', lost: 1, retired: 1 });

    expect(r.purchases).toMatchObject({ count: 3, costCents: 480_000, unknownCostCount: 0 });
    expect(r.purchases.items.map((p: { serial: string }) => p.serial)).toEqual(['DSJ-D', 'DSJ-G', 'DSJ-A']); // by date
    expect(r.purchases.byType).toEqual([
      { typeId: 'voice_recorder', typeNameZh: '录音笔', count: 1, costCents: 60_000 },
      { typeId: 'body_camera', typeNameZh: '执法记录仪', count: 2, costCents: 420_000 },
    ]);
    expect(r.maintenance).toMatchObject({ count: 2, costCents: 40_000 });
    expect(r.maintenance.items[0]).toMatchObject({
      occurredOn: '2026-04-02',
      serial: 'DSJ-B',
      vendor: '市维修站',
      costCents: 35_000,
    });
    expect(r.consumables).toMatchObject({ count: 3, costCents: 106_500 });
    expect(r.consumables.byItem).toEqual([
      { item: 'battery', nameZh: '电池', nameEn: 'Battery', count: 1, quantity: 2, costCents: 24_000 },
      {
        item: 'memory_card',
        nameZh: '存储卡',
        nameEn: 'Memory card',
        count: 1,
        quantity: 10,
        costCents: 80_000,
      },
      { item: 'other', nameZh: '其他耗材', nameEn: 'Other', count: 1, quantity: 5, costCents: 2_500 },
    ]);
    expect(r.losses).toMatchObject({ loss: 1, theft: 1, found: 0 });
    expect(
      r.losses.items.map((l: { serial: string; kind: string; holderName: string | null }) => [
        l.serial,
        l.kind,
        l.holderName,
      ]),
    ).toEqual([
      ['DSJ-E', 'loss', '张三'],
      ['DSJ-F', 'theft', null],
    ]);
    expect(r.retirements).toMatchObject({
      count: 1,
      items: [{ serial: 'DSJ-D', occurredOn: '2026-07-01', purchaseCostCents: 60_000 }],
    });
    expect(r.dueForReplacement).toEqual({
      count: 1,
      estimatedCostCents: 280_000,
      undatedCount: 1,
      items: [
        {
          deviceId: device.B,
          serial: 'DSJ-B',
          typeNameZh: '执法记录仪',
          purchaseDate: '2021-05-10',
          serviceLifeYears: 5,
          dueOn: '2026-05-10',
          status: 'in_stock',
          holderName: '张三',
          purchaseCostCents: 280_000,
        },
      ],
    });
    expect(r.totals).toEqual({
      devices: 8,
      purchaseCostCents: 480_000,
      maintenanceCostCents: 40_000,
      consumablesCostCents: 106_500,
      spendingCostCents: 626_500,
      losses: 1,
      thefts: 1,
      retirements: 1,
      dueForReplacement: 1,
    });

    // One squadron; the brigade includes its squadrons.
    const one = await report(`year=2026&unitId=${unit.one}`);
    expect(one.unit).toEqual({ id: unit.one, name: '第一中队' });
    expect(one.totals).toEqual({
      devices: 6,
      purchaseCostCents: 380_000,
      maintenanceCostCents: 35_000,
      consumablesCostCents: 104_000,
      spendingCostCents: 519_000,
      losses: 1,
      thefts: 1,
      retirements: 1,
      dueForReplacement: 1,
    });
    const two = await report(`year=2026&unitId=${unit.two}`);
    expect(two.totals).toMatchObject({
      devices: 2,
      purchaseCostCents: 100_000,
      maintenanceCostCents: 5_000,
      consumablesCostCents: 2_500,
      dueForReplacement: 0,
    });
    expect(two.dueForReplacement.undatedCount).toBe(1);
    expect((await report(`year=2026&unitId=${unit.brigade}`)).totals).toEqual(r.totals);

    // The year before: what existed then, what was spent then.
    const last = await report('year=2025');
    expect(last.totals).toMatchObject({
      devices: 4,
      purchaseCostCents: 450_050,
      maintenanceCostCents: 10_000,
      consumablesCostCents: 10_000,
      dueForReplacement: 0,
    });

    // Next year's budget: the 2021 devices bought in 2022 or earlier are due; B still is.
    expect(
      (await report('year=2027')).dueForReplacement.items.map((d: { serial: string }) => d.serial),
    ).toEqual(['DSJ-B']);

    expect((await custodian.get('/api/v1/reports/equipment?year=2028')).json().code).toBe(
      'REPORT_YEAR_INVALID',
    );
    expect((await custodian.get('/api/v1/reports/equipment?year=1999')).statusCode).toBe(400);
    expect((await custodian.get('/api/v1/reports/equipment')).statusCode).toBe(400);
    expect((await custodian.get('/api/v1/reports/equipment?year=2026&format=doc')).statusCode).toBe(400);
    expect((await custodian.get('/api/v1/reports/equipment?year=2026&unitId=nope')).json().code).toBe(
      'UNIT_NOT_FOUND',
    );
    // Officers do not see the budget report (least privilege); the refusal is audited.
    expect((await officer.get('/api/v1/reports/equipment?year=2026')).statusCode).toBe(403);
    const audit = (await admin.get('/api/v1/audit?action=report.equipment')).json().items as {
      actorName: string;
      details: { year: number; unitId: string | null };
    }[];
    expect(audit).toHaveLength(6); // refused and invalid requests produced no report
    expect(audit.every((e) => e.actorName === 'bao.guan')).toBe(true);
    expect(audit.map((e) => e.details.year)).toContain(2025);
    expect(audit.find((e) => e.details.unitId === unit.two)).toMatchObject({
      details: { year: 2026, format: 'json' },
    });
  });

  it('renders a Chinese PDF with its tables and a workbook with one sheet per section', async () => {
    const pdf = await custodian.get(`/api/v1/reports/equipment?year=2026&unitId=${unit.one}&format=pdf`);
    expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const disposition = String(pdf.headers['content-disposition']);
    expect(disposition).toMatch(
      /^attachment; filename="equipment-report-2026-[\w-]+\.pdf"; filename\*=UTF-8''/,
    );
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe('装备报表-2026-第一中队.pdf');
    const bytes = pdf.rawPayload;
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (!PDFTOTEXT) console.info('PDF text not checked: pdftotext (poppler-utils) is not installed');
    else {
      // pdftotext drops some spaces between Chinese characters: compare without whitespace.
      const text = pdfText(bytes, `equipment-2026-${kind}.pdf`).replace(/\s+/g, '');
      for (const heading of [
        '执法音像记录设备年度装备报表',
        '2026 年度 · 第一中队',
        '一、汇总',
        '二、设备分布（按类型与状态）',
        '三、本年度购置',
        '四、维修支出',
        '五、耗材支出',
        '六、遗失与被盗',
        '七、报废',
        '八、使用年限到期、需更新的设备',
      ])
        expect(text, heading).toContain(heading.replace(/\s+/g, ''));
      for (const cell of [
        '执法记录仪',
        'DSJ-B',
        '2026-05-10',
        '¥3,200.00',
        '¥5,190.00',
        '市维修站',
        '巡查途中遗失',
        '第 1 页 / 共',
        '生成时间 2026-08-04 10:00',
      ])
        expect(text, cell).toContain(cell.replace(/\s+/g, ''));
    }

    const xlsx = await custodian.get(`/api/v1/reports/equipment?year=2026&format=xlsx`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(decodeURIComponent(String(xlsx.headers['content-disposition']).split("UTF-8''")[1]!)).toBe(
      '装备报表-2026-全部单位.xlsx',
    );
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, `equipment-2026-${kind}.xlsx`), xlsx.rawPayload);
    const wb = await readWorkbook(xlsx.rawPayload);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '汇总',
      '设备分布',
      '购置',
      '维修',
      '耗材汇总',
      '耗材明细',
      '遗失被盗',
      '报废',
      '到期更新',
    ]);

    const summary = new Map(rowsOf(wb.getWorksheet('汇总')!).map((r) => [r[0], r[1]]));
    expect(summary.get('年度')).toBe(2026);
    expect(summary.get('设备总数（台）')).toBe(8);
    expect(summary.get('支出合计（购置 + 维修 + 耗材）')).toBe(6265);
    expect(summary.get('维修支出')).toBe(400);
    expect(wb.getWorksheet('汇总')!.getCell('B11').numFmt).toBe('"¥"#,##0.00');

    const fleet = rowsOf(wb.getWorksheet('设备分布')!);
    expect(fleet[0]).toEqual(['设备类型', '在库', '领用', '维修', '遗失', '报废', '合计']);
    expect(fleet.at(-1)).toEqual(['合计', 5, 0, 0, 2, 1, 8]);
    expect(wb.getWorksheet('设备分布')!.getRow(1).font?.bold).toBe(true);

    const purchases = wb.getWorksheet('购置')!;
    expect(rowsOf(purchases).at(-1)).toEqual(['合计', 3, null, null, null, 4800].map((v) => v ?? undefined));
    expect(purchases.getCell('F2').numFmt).toBe('"¥"#,##0.00');
    expect(rowsOf(wb.getWorksheet('耗材汇总')!).at(-1)).toEqual(['合计', 3, 17, 1065]);
    expect(rowsOf(wb.getWorksheet('到期更新')!)[1]!.slice(0, 5)).toEqual([
      'DSJ-B',
      '执法记录仪',
      '2021-05-10',
      5,
      '2026-05-10',
    ]);
    expect(rowsOf(wb.getWorksheet('遗失被盗')!)).toHaveLength(3);
  });

  it('says clearly when the Chinese font is missing', async () => {
    const saved = process.env.ZHILU_PDF_FONT;
    process.env.ZHILU_PDF_FONT = path.join(tempDir(), 'no-such-font.ttf');
    try {
      const r = await custodian.get('/api/v1/reports/equipment?year=2026&format=pdf');
      expect(r.statusCode).toBe(500);
      expect(r.json().code).toBe('PDF_FONT_MISSING');
      expect(r.json().message).toContain('ZHILU_PDF_FONT');
      expect(r.json().message).not.toContain('no-such-font'); // no server paths in answers
    } finally {
      if (saved === undefined) delete process.env.ZHILU_PDF_FONT;
      else process.env.ZHILU_PDF_FONT = saved;
    }
  });
});

describe.each(databaseKinds())('zhilu report equipment on %s', (kind) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await db.drop();
  });

  it('writes the XLSX (and PDF) to --out; JSON goes to stdout', async () => {
    expect(
      (
        await runCli(
          [
            'user',
            'add',
            '--username',
            'zhang.san',
            '--name',
            '张三',
            '--code',
            '41110001',
            '--roles',
            'officer',
          ],
          db.env,
        )
      ).code,
    ).toBe(0);
    for (const [serial, date, cost] of [
      ['DSJ-1', '2021-01-05', '2800'],
      ['DSJ-2', `${new Date().getFullYear()}-01-02`, '3200.50'],
    ]) {
      const r = await runCli(
        [
          'device',
          'add',
          '--serial',
          serial!,
          '--type',
          'body_camera',
          '--holder',
          'zhang.san',
          '--purchase-date',
          date!,
          '--cost',
          cost!,
        ],
        db.env,
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const year = String(new Date().getFullYear());
    const out = path.join(tempDir(), '装备报表.xlsx');
    const r = await runCli(
      ['report', 'equipment', '--year', year, '--format', 'xlsx', '--out', out, '--json'],
      db.env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      file: out,
      format: 'xlsx',
      year: Number(year),
      totals: { devices: 2, purchaseCostCents: 320_050 },
    });
    const wb = await readWorkbook(fs.readFileSync(out));
    expect(wb.worksheets.map((w) => w.name)).toContain('到期更新');
    expect(new Map(rowsOf(wb.getWorksheet('汇总')!).map((x) => [x[0], x[1]])).get('购置金额')).toBe(3200.5);

    const pdfOut = path.join(tempDir(), 'report.pdf');
    const pdf = await runCli(
      ['report', 'equipment', '--year', year, '--format', 'pdf', '--out', pdfOut],
      db.env,
    );
    expect(pdf.code, pdf.stderr).toBe(0);
    expect(pdf.stdout).toContain(pdfOut);
    expect(fs.readFileSync(pdfOut).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const json = await runCli(['report', 'equipment', '--year', year, '--format', 'json'], db.env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).purchases.count).toBe(1);

    expect((await runCli(['report', 'equipment', '--year', year, '--format', 'pdf'], db.env)).code).toBe(2); // --out needed
    expect((await runCli(['report', 'equipment', '--year', '26', '--format', 'json'], db.env)).code).toBe(2);
    const badYear = await runCli(['report', 'equipment', '--year', '1990', '--format', 'json'], db.env);
    expect(badYear.code).toBe(1);
    expect(badYear.stderr).toContain('REPORT_YEAR_INVALID');
  });
});
