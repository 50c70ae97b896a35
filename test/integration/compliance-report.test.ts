// Compliance dashboards and reports (issue 5, items 6 and 8) on SQLite and PostgreSQL: a
// month of a small brigade — activities recorded fully, with a gap and no spoken reason,
// not at all, imported late, exempted — recomputed by the compliance service; then the
// dashboard's numbers exactly, who sees what, the drill-down, the report as JSON, as a
// Chinese PDF (pdftotext) and as a workbook (read back with exceljs), and the CLI.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { PERMISSIONS, type Permission, type Role } from '../../src/domain/roles.js';
import { niceMax } from '../../src/reports/pdf.js';
import { parsePeriod, periodName } from '../../src/services/compliance-report.service.js';
import { cliActor } from '../../src/services/context.js';
import { ROOT, runCli } from '../support/cli.js';
import { databaseKinds, tempDir } from '../support/databases.js';
import { createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

const ARTIFACTS = path.join(ROOT, 'test-results', 'reports');
const PDFTOTEXT = (() => {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!PDFTOTEXT && process.env.CI)
  throw new Error('CI must check the PDF text: install poppler-utils (pdftotext)');

const MIN = 60_000;
/** Wall time in Asia/Shanghai (UTC+8) → epoch ms. */
const cst = (month: number, day: number, hour: number, minute = 0) =>
  Date.UTC(2026, month - 1, day, hour - 8, minute);

const operator = cliActor(Object.keys(PERMISSIONS) as Permission[]);

function rowsOf(ws: ExcelJS.Worksheet): unknown[][] {
  const out: unknown[][] = [];
  ws.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
  return out;
}

describe('report periods and chart scales', () => {
  it('reads calendar days in the time zone, both ends included, and names months and years', () => {
    expect(parsePeriod('2026-07-01', '2026-07-31', 'Asia/Shanghai')).toEqual({
      from: '2026-07-01',
      to: '2026-07-31',
      kind: 'month',
      timeZone: 'Asia/Shanghai',
      start: Date.UTC(2026, 5, 30, 16),
      end: Date.UTC(2026, 6, 31, 16),
    });
    expect(parsePeriod('2024-02-01', '2024-02-29', 'UTC').kind).toBe('month');
    expect(parsePeriod('2026-02-01', '2026-02-27', 'UTC').kind).toBe('custom');
    const year = parsePeriod('2026-01-01', '2026-12-31', 'Asia/Shanghai');
    expect(year.kind).toBe('year');
    expect(periodName(year)).toBe('2026年度');
    expect(periodName(parsePeriod('2026-07-01', '2026-07-31', 'UTC'))).toBe('2026年7月');
    expect(periodName(parsePeriod('2026-07-03', '2026-07-03', 'UTC'))).toBe('2026-07-03 至 2026-07-03');
    // a day on which New York's clocks go forward is 23 hours long
    const dst = parsePeriod('2026-03-08', '2026-03-08', 'America/New_York');
    expect(dst.end - dst.start).toBe(23 * 3_600_000);
  });

  it.each([
    ['2026-07-31', '2026-07-01', 'REPORT_PERIOD_REVERSED'],
    ['2026-02-30', '2026-03-01', 'REPORT_PERIOD_INVALID'],
    ['2026-07-01', '31/07/2026', 'REPORT_PERIOD_INVALID'],
    ['', '2026-07-01', 'REPORT_PERIOD_INVALID'],
  ])('%s – %s is %s', (from, to, code) => {
    expect(() => parsePeriod(from, to, 'Asia/Shanghai')).toThrow(
      expect.objectContaining({ code, status: 400 }),
    );
  });

  it('bar charts end on a round number whose quarters are whole', () => {
    expect([0, 1, 3, 5, 10, 17, 40, 99, 101, 1234].map(niceMax)).toEqual([
      1, 4, 4, 8, 20, 20, 40, 100, 200, 2000,
    ]);
  });
});

describe.each(databaseKinds())('compliance dashboards and reports on %s', (kind) => {
  let t: TestInstall;
  const unit: Record<string, string> = {};
  const user: Record<string, { id: string; username: string; initialPassword: string }> = {};
  const act: Record<string, string> = {};

  const svc = () => t.zhilu.services;
  const db = () => t.zhilu.catalogue.db;

  async function addUser(key: string, name: string, unitId: string, roles: Role[]) {
    const { user: u, initialPassword } = await svc().users.create(operator, {
      username: key,
      name,
      code: `4111${String(Object.keys(user).length + 1).padStart(4, '0')}`,
      unitId,
      roles,
      mustChangePassword: true,
    });
    user[key] = { id: u.id, username: u.username, initialPassword: initialPassword! };
  }

  async function sessionOf(key: string): Promise<Session> {
    const who = user[key]!;
    const s = new Session(t.app);
    expect((await s.login(who.username, who.initialPassword)).statusCode).toBe(200);
    const r = await s.post('/api/v1/auth/password', {
      currentPassword: who.initialPassword,
      newPassword: STRONG,
    });
    expect(r.statusCode).toBe(204);
    return s;
  }

  async function subject(name: string): Promise<string> {
    const id = uuidv7();
    const now = t.clock.now();
    await db()
      .insertInto('enforcementSubjects')
      .values({
        id,
        type: 'farm',
        name,
        creditCode: null,
        idNumber: null,
        legalRepresentative: null,
        address: '漯河市郾城区',
        contact: null,
        latitude: null,
        longitude: null,
        unitId: null,
        createdBy: null,
        createdAt: now,
        updatedAt: now,
      })
      .execute();
    return id;
  }

  /** A device checked out (and checked, passing) to its holder for the whole month. */
  async function device(serial: string, holder: string): Promise<string> {
    const d = await svc().devices.create(operator, {
      serial,
      typeId: 'body_camera',
      holderId: user[holder]!.id,
    });
    const checkoutId = uuidv7();
    const out = cst(7, 1, 8);
    await db()
      .insertInto('checkouts')
      .values({
        id: checkoutId,
        deviceId: d.id,
        officerId: user[holder]!.id,
        activityId: null,
        checkedOutAt: out,
        dueAt: cst(8, 1, 8),
        checkedInAt: null,
        checkedInBy: null,
        remoteWork: 0,
        returnedAt: null,
        reassignedBy: null,
        notes: null,
      })
      .execute();
    await db()
      .insertInto('deviceChecks')
      .values({
        id: uuidv7(),
        deviceId: d.id,
        officerId: user[holder]!.id,
        checkoutId,
        checkedAt: out,
        batteryPercent: 95,
        freeStorageMb: 30_000,
        deviceTime: out,
        offsetMs: 0,
        toleranceMs: 30_000,
        result: 'pass',
        failures: '[]',
      })
      .execute();
    return d.id;
  }

  /** One recording of the activity, imported at `importedAt` (an import of its device then). */
  async function recording(
    activityId: string,
    deviceId: string,
    holder: string,
    from: number,
    to: number,
    importedAt: number,
    speechAtStart = true,
  ): Promise<string> {
    const importId = uuidv7();
    await db()
      .insertInto('imports')
      .values({
        id: importId,
        deviceId,
        source: 'cli',
        stationId: null,
        actorId: null,
        actorName: 'test',
        sourcePath: null,
        startedAt: importedAt,
        finishedAt: importedAt,
        status: 'completed',
        summary: '{}',
      })
      .execute();
    const id = uuidv7();
    await db()
      .insertInto('recordings')
      .values({
        id,
        sha256: randomBytes(32).toString('hex'),
        size: 1000,
        kind: 'video',
        deviceId,
        holderId: user[holder]!.id,
        originalPath: `DCIM/${id}.MP4`,
        originalPathBytes: null,
        nameScheme: 'generic',
        nameInfo: '{}',
        deviceLocalTime: null,
        timeSource: 'name',
        rawRecordedAt: from,
        clockCheckId: null,
        clockOffsetMs: 0,
        recordedAt: from,
        durationMs: to - from,
        endedAt: to,
        sequence: null,
        sequenceGroup: null,
        important: 0,
        mediaOk: 1,
        mediaInfo: null,
        importId,
        importedAt,
        activityId,
        createdAt: importedAt,
        speechAtStart: speechAtStart ? 1 : 0,
        linkSource: 'manual',
      })
      .execute();
    return id;
  }

  async function activity(
    key: string,
    input: {
      type: string;
      unit: string;
      officers: string[];
      subject: string;
      from: number;
      to: number | null;
    },
  ) {
    const a = await svc().activities.create(operator, {
      type: input.type,
      subjectId: input.subject,
      unitId: unit[input.unit]!,
      address: '郾城区',
      plannedAt: input.from - 30 * MIN,
      arrivedAt: input.to === null ? null : input.from,
      endedAt: input.to,
      officerIds: input.officers.map((o) => user[o]!.id),
      inChargeId: user[input.officers[0]!]!.id,
    });
    act[key] = a.id;
  }

  beforeEach(async () => {
    t = await createInstall(kind);
    const u = async (key: string, name: string, kindOf: 'brigade' | 'squadron', parent?: string) => {
      unit[key] = (
        await svc().units.create(operator, { name, kind: kindOf, parentId: parent ? unit[parent]! : null })
      ).id;
    };
    await u('brigade', '执法大队', 'brigade');
    await u('one', '第一中队', 'squadron', 'brigade');
    await u('two', '第二中队', 'squadron', 'brigade');
    await addUser('supervisor', '监督员', unit.brigade!, ['supervisor']);
    await addUser('leader', '李队长', unit.one!, ['leader']);
    await addUser('zhang', '张三', unit.one!, ['officer']);
    await addUser('li', '李四', unit.one!, ['officer']);
    await addUser('wang', '王五', unit.two!, ['officer']);
    await addUser('zhao', '赵六', unit.two!, ['officer']);
    const farm = await subject('漯河市某某养殖场');
    const shop = await subject('郾城区兽药店');
    const cam1 = await device('CAM-1', 'zhang');
    const cam2 = await device('CAM-2', 'wang');

    // A1 (第一中队): recorded throughout, imported the same evening → compliant.
    await activity('a1', {
      type: 'routine_inspection',
      unit: 'one',
      officers: ['zhang', 'li'],
      subject: farm,
      from: cst(7, 10, 9),
      to: cst(7, 10, 10),
    });
    await recording(act.a1!, cam1, 'zhang', cst(7, 10, 9), cst(7, 10, 10), cst(7, 10, 18));
    // A2 (第一中队): a 20-minute gap, resumed without a spoken reason → non-compliant.
    await activity('a2', {
      type: 'investigation',
      unit: 'one',
      officers: ['zhang', 'li'],
      subject: shop,
      from: cst(7, 15, 9),
      to: cst(7, 15, 10),
    });
    await recording(act.a2!, cam1, 'zhang', cst(7, 15, 9), cst(7, 15, 9, 20), cst(7, 15, 18));
    await recording(act.a2!, cam1, 'zhang', cst(7, 15, 9, 40), cst(7, 15, 10), cst(7, 15, 18), false);
    // A3 (第二中队): nothing recorded → non-compliant.
    await activity('a3', {
      type: 'complaint',
      unit: 'two',
      officers: ['wang', 'zhao'],
      subject: farm,
      from: cst(7, 20, 14),
      to: cst(7, 20, 15),
    });
    // A4 (第二中队): recorded, but imported the next day, and the holder's use is flagged → awaiting explanation.
    await activity('a4', {
      type: 'routine_inspection',
      unit: 'two',
      officers: ['wang', 'zhao'],
      subject: shop,
      from: cst(7, 22, 9),
      to: cst(7, 22, 10),
    });
    const late = await recording(act.a4!, cam2, 'wang', cst(7, 22, 9), cst(7, 22, 10), cst(7, 23, 10));
    const now = t.clock.now();
    await db()
      .insertInto('findings')
      .values({
        id: uuidv7(),
        code: 'HOLDER_MISMATCH',
        article: 'A21.1(2)',
        severity: 'warning',
        subjectType: 'recording',
        subjectId: late,
        detail: '{}',
        status: 'open',
        createdAt: now,
        updatedAt: now,
        activityId: null,
        findingKey: null,
        source: 'import',
        dueAt: null,
        withdrawnAt: null,
      })
      .execute();
    // A5 (第一中队): not recorded, with an approved exemption → compliant, not requiring recording.
    await activity('a5', {
      type: 'service_of_documents',
      unit: 'one',
      officers: ['zhang', 'li'],
      subject: farm,
      from: cst(7, 25, 15),
      to: cst(7, 25, 15, 30),
    });
    await db()
      .insertInto('exemptions')
      .values({
        id: uuidv7(),
        activityId: act.a5!,
        category: 'emergency',
        reason: '突发情况，设备未能及时开启',
        basis: '第七条',
        authorId: user.zhang!.id,
        createdAt: cst(7, 25, 16),
        status: 'approved',
        reviewerId: user.leader!.id,
        reviewedAt: cst(7, 26, 9),
        reviewComment: null,
      })
      .execute();
    // A6 (第一中队): the last half hour of July, recorded → compliant, inside the month.
    await activity('a6', {
      type: 'routine_inspection',
      unit: 'one',
      officers: ['zhang', 'li'],
      subject: shop,
      from: cst(7, 31, 23),
      to: cst(7, 31, 23, 30),
    });
    await recording(act.a6!, cam1, 'zhang', cst(7, 31, 23), cst(7, 31, 23, 30), cst(7, 31, 23, 50));
    // Outside the month (30 June, 23:00 Beijing time) and cancelled: never counted.
    await activity('june', {
      type: 'complaint',
      unit: 'one',
      officers: ['zhang', 'li'],
      subject: farm,
      from: cst(6, 30, 23),
      to: cst(6, 30, 23, 30),
    });
    await activity('cancelled', {
      type: 'complaint',
      unit: 'one',
      officers: ['zhang', 'li'],
      subject: farm,
      from: cst(7, 12, 9),
      to: null,
    });
    await svc().activities.update(operator, act.cancelled!, { status: 'cancelled' });

    // The violation register: one standing record for 王五 in July, one withdrawn, one in June.
    for (const [number, status, occurredAt] of [
      ['2026-001', 'decided', cst(7, 20, 15)],
      ['2026-002', 'withdrawn', cst(7, 21, 9)],
      ['2026-003', 'draft', cst(6, 30, 9)],
    ] as const)
      await db()
        .insertInto('violations')
        .values({
          id: uuidv7(),
          number,
          officerId: user.wang!.id,
          unitId: unit.two!,
          category: 'not_recorded',
          description: '应记录而未记录',
          occurredAt,
          evidenceText: null,
          status,
          sanctions: null,
          decisionText: null,
          suspensionFrom: null,
          suspensionTo: null,
          decidedBy: null,
          decidedByName: null,
          decidedAt: null,
          closedBy: null,
          closedByName: null,
          closedAt: null,
          closeNote: null,
          withdrawnBy: null,
          withdrawnByName: null,
          withdrawnAt: null,
          withdrawReason: null,
          createdBy: user.supervisor!.id,
          createdByName: '监督员',
          createdAt: now,
          updatedAt: now,
        })
        .execute();

    const summary = await svc().compliance.recomputeMany(Object.values(act));
    expect(summary.count).toBe(8);
  });
  afterEach(async () => {
    await t.close();
  });

  const JULY = 'from=2026-07-01&to=2026-07-31';

  it('adds up the month: activities by type, share recorded, coverage, verdicts, findings, exemptions, units and officers', async () => {
    const verdicts = Object.fromEntries(
      (await db().selectFrom('activityCompliance').select(['activityId', 'verdict']).execute()).map((r) => [
        r.activityId,
        r.verdict,
      ]),
    );
    expect(verdicts[act.a1!]).toBe('compliant');
    expect(verdicts[act.a2!]).toBe('non_compliant');
    expect(verdicts[act.a3!]).toBe('non_compliant');
    expect(verdicts[act.a4!]).toBe('awaiting_explanation');
    expect(verdicts[act.a5!]).toBe('compliant');
    expect(verdicts[act.a6!]).toBe('compliant');

    const supervisor = await sessionOf('supervisor');
    const r = await supervisor.get(`/api/v1/dashboard/compliance?${JULY}`);
    expect(r.statusCode, r.body).toBe(200);
    const d = r.json();
    expect(d.period).toEqual({
      from: '2026-07-01',
      to: '2026-07-31',
      kind: 'month',
      timeZone: 'Asia/Shanghai',
      start: cst(7, 1, 0),
      end: cst(8, 1, 0),
    });
    expect(d.scope).toEqual({ visibility: 'all', unit: null, officer: null });
    expect(d.totals).toEqual({
      activities: 6,
      requiringRecording: 5,
      recorded: 4,
      shareRecorded: 0.8,
      coveredMs: 190 * MIN,
      windowMs: 270 * MIN,
      coverage: 190 / 270,
      verdicts: { compliant: 3, awaiting_explanation: 1, non_compliant: 2, not_computed: 0 },
      openFindings: 6,
    });
    const byType = Object.fromEntries(
      d.byType.map((x: { type: string; activities: number; recorded: number }) => [
        x.type,
        [x.activities, x.recorded],
      ]),
    );
    expect(byType).toEqual({
      routine_inspection: [3, 3],
      complaint: [1, 0],
      investigation: [1, 1],
      service_of_documents: [1, 0],
      coercive_measure: [0, 0],
      other_onsite: [0, 0],
    });
    expect(d.byType.find((x: { type: string }) => x.type === 'investigation')).toMatchObject({
      nameZh: '调查取证/先行登记保存',
      coveredMs: 40 * MIN,
      windowMs: 60 * MIN,
    });

    const codes = Object.fromEntries(
      d.findings.byCode.map((c: { code: string; open: number; pending: number }) => [c.code, c.pending]),
    );
    expect(codes).toEqual({
      NOT_RECORDED: 1,
      GAP: 1,
      GAP_NO_SPEECH: 1,
      LATE_IMPORT: 1,
      NOT_DOCKED: 1,
      HOLDER_MISMATCH: 1,
    });
    expect(d.findings.byCode.find((c: { code: string }) => c.code === 'GAP_NO_SPEECH')).toEqual({
      code: 'GAP_NO_SPEECH',
      zh: '恢复记录时未语音说明中断原因',
      en: 'No spoken reason on resuming',
      articles: ['A11.2'],
      severity: 'warning',
      open: 1,
      explained: 0,
      accepted: 0,
      violation: 0,
      pending: 1,
    });
    expect(d.findings.byStatus).toEqual({ open: 6, explained: 0, accepted: 0, violation: 0 });
    expect(d.findings.lateImports).toEqual({ total: 1, pending: 1 });
    expect(d.findings.notDocked).toEqual({ total: 1, pending: 1, devices: 1 });
    expect(d.exemptions).toEqual({ pending: 0, approved: 1, rejected: 0, withdrawn: 0, total: 1 });
    expect(d.violations).toEqual({ draft: 0, decided: 1, closed: 0, withdrawn: 1, total: 1 });

    expect(
      d.byUnit.map(
        (u: {
          unitName: string;
          activities: number;
          verdicts: Record<string, number>;
          openFindings: number;
        }) => [u.unitName, u.activities, u.verdicts.non_compliant, u.openFindings],
      ),
    ).toEqual([
      ['第一中队', 4, 1, 2],
      ['第二中队', 2, 1, 4],
    ]);
    expect(
      d.byOfficer.map((o: { name: string; activities: number; unitName: string; recorded: number }) => [
        o.name,
        o.unitName,
        o.activities,
        o.recorded,
      ]),
    ).toEqual([
      ['李四', '第一中队', 4, 3],
      ['王五', '第二中队', 2, 1],
      ['张三', '第一中队', 4, 3],
      ['赵六', '第二中队', 2, 1],
    ]);

    // One day: only A6 (arrived 23:00 Beijing time on 31 July, which is 15:00 UTC).
    const day = (await supervisor.get('/api/v1/dashboard/compliance?from=2026-07-31&to=2026-07-31')).json();
    expect(day.totals).toMatchObject({ activities: 1, recorded: 1 });
    expect(day.period.kind).toBe('custom');
    // The unit filter includes sub-units; an officer filter narrows to their activities.
    expect(
      (await supervisor.get(`/api/v1/dashboard/compliance?${JULY}&unit=${unit.brigade}`)).json().totals,
    ).toEqual(d.totals);
    const wang = (
      await supervisor.get(`/api/v1/dashboard/compliance?${JULY}&officer=${user.wang!.id}`)
    ).json();
    expect(wang.totals).toMatchObject({ activities: 2, requiringRecording: 2, recorded: 1 });
    expect(wang.scope.officer).toEqual({ id: user.wang!.id, name: '王五' });
  });

  it('shows each their own: supervisors all, a leader their unit, an officer their activities; foreign units 403, reversed periods 400', async () => {
    const leader = await sessionOf('leader');
    const l = (await leader.get(`/api/v1/dashboard/compliance?${JULY}`)).json();
    expect(l.scope.visibility).toBe('units');
    expect(l.totals).toMatchObject({ activities: 4, requiringRecording: 3, recorded: 3 });
    expect(l.byUnit.map((u: { unitName: string }) => u.unitName)).toEqual(['第一中队']);
    expect(l.violations.total).toBe(0); // 王五's record is the other squadron's
    expect((await leader.get(`/api/v1/dashboard/compliance?${JULY}&unit=${unit.one}`)).statusCode).toBe(200);
    const foreign = await leader.get(`/api/v1/dashboard/compliance?${JULY}&unit=${unit.two}`);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'unit_not_visible' } });
    // The brigade above the leader's squadron is not theirs either.
    expect((await leader.get(`/api/v1/dashboard/compliance?${JULY}&unit=${unit.brigade}`)).statusCode).toBe(
      403,
    );
    expect((await leader.get(`/api/v1/reports/compliance?${JULY}&unit=${unit.two}`)).statusCode).toBe(403);

    const wang = await sessionOf('wang');
    const w = (await wang.get(`/api/v1/dashboard/compliance?${JULY}`)).json();
    expect(w.scope.visibility).toBe('own');
    expect(w.totals).toMatchObject({
      activities: 2,
      verdicts: { non_compliant: 1, awaiting_explanation: 1 },
    });
    expect(w.byOfficer.map((o: { name: string }) => o.name)).toEqual(['王五']); // not the teammate's row
    expect(w.violations).toMatchObject({ decided: 1, total: 1 });
    expect((await wang.get(`/api/v1/dashboard/compliance?${JULY}&officer=${user.wang!.id}`)).statusCode).toBe(
      200,
    );
    const other = await wang.get(`/api/v1/dashboard/compliance?${JULY}&officer=${user.zhang!.id}`);
    expect(other.statusCode).toBe(403);
    expect(other.json().details).toMatchObject({ reason: 'officer_not_visible' });
    expect((await wang.get(`/api/v1/dashboard/compliance?${JULY}&unit=${unit.one}`)).statusCode).toBe(403);
    const drill = (await wang.get(`/api/v1/dashboard/compliance/activities?${JULY}`)).json();
    expect(drill.items.map((a: { id: string }) => a.id).sort()).toEqual([act.a3, act.a4].sort());

    const zhang = await sessionOf('zhang');
    expect((await zhang.get(`/api/v1/dashboard/compliance?${JULY}`)).json().totals.activities).toBe(4);

    const reversed = await wang.get('/api/v1/dashboard/compliance?from=2026-07-31&to=2026-07-01');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json()).toMatchObject({
      code: 'REPORT_PERIOD_REVERSED',
      message: '统计期间的起始日期（2026-07-31）晚于截止日期（2026-07-01）',
    });
    const reversedEn = await wang.request(
      'GET',
      '/api/v1/reports/compliance?from=2026-07-31&to=2026-07-01',
      undefined,
      {
        'accept-language': 'en',
      },
    );
    expect(reversedEn.json()).toMatchObject({
      code: 'REPORT_PERIOD_REVERSED',
      message: 'The period starts (2026-07-31) after it ends (2026-07-01)',
    });
    const invalid = await wang.get('/api/v1/dashboard/compliance?from=2026-02-30&to=2026-03-01');
    expect(invalid.json()).toMatchObject({ code: 'REPORT_PERIOD_INVALID', details: { field: 'from' } });
    expect((await wang.get('/api/v1/dashboard/compliance?from=2026-07-01')).statusCode).toBe(400);
    const unknown = await (
      await sessionOf('supervisor')
    ).get(`/api/v1/dashboard/compliance?${JULY}&unit=nope`);
    expect(unknown.json().code).toBe('UNIT_NOT_FOUND');
  });

  it('drills down from a number to the activities behind it', async () => {
    const s = await sessionOf('supervisor');
    const drill = async (q: string) => {
      const r = await s.get(`/api/v1/dashboard/compliance/activities?${JULY}&${q}`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as { items: { id: string; verdict: string; openCodes: string[] }[]; total: number };
    };
    const all = await drill('limit=2');
    expect(all.total).toBe(6);
    expect(all.items.map((a) => a.id)).toEqual([act.a6, act.a5]); // newest first
    expect((await drill('limit=2&offset=4')).items.map((a) => a.id)).toEqual([act.a2, act.a1]);

    const bad = await drill('verdict=non_compliant');
    expect(bad.items.map((a) => a.id)).toEqual([act.a3, act.a2]);
    expect(bad.items[1]).toMatchObject({ openCodes: ['GAP_NO_SPEECH', 'GAP'] });
    const a2 = (await drill('code=GAP')).items;
    expect(a2).toHaveLength(1);
    expect(a2[0]).toMatchObject({
      id: act.a2,
      type: 'investigation',
      subjectName: '郾城区兽药店',
      unitName: '第一中队',
      at: cst(7, 15, 9),
      verdict: 'non_compliant',
      coveredMs: 40 * MIN,
      windowMs: 60 * MIN,
      officers: [
        { userId: user.zhang!.id, name: '张三' },
        { userId: user.li!.id, name: '李四' },
      ],
    });
    // an import-time finding carried into the activity's verdict
    expect((await drill('code=HOLDER_MISMATCH')).items.map((a) => a.id)).toEqual([act.a4]);
    expect((await drill('code=LATE_IMPORT')).items.map((a) => a.id)).toEqual([act.a4]);
    expect((await drill('recording=missing')).items.map((a) => a.id)).toEqual([act.a3]);
    expect((await drill('recording=required')).total).toBe(5);
    expect((await drill('type=routine_inspection&verdict=compliant')).total).toBe(2);
    expect((await drill(`unit=${unit.brigade}&unitOnly=true`)).total).toBe(0);
    expect((await drill(`unit=${unit.brigade}`)).total).toBe(6);
    expect((await s.get(`/api/v1/dashboard/compliance/activities?${JULY}&code=NOPE`)).statusCode).toBe(400);
  });

  it('reports the month as JSON, a Chinese PDF with charts and tables, and a workbook; every download audited', async () => {
    const leader = await sessionOf('leader');
    const json = await leader.get(`/api/v1/reports/compliance?${JULY}&unit=${unit.one}`);
    expect(json.statusCode, json.body).toBe(200);
    const r = json.json();
    expect(r).toMatchObject({
      title: '2026年7月执法音像记录合规报表',
      unit: { id: unit.one, name: '第一中队' },
      visibility: 'units',
      generatedAt: t.clock.now(),
      generatedBy: '李队长',
      totals: {
        activities: 4,
        requiringRecording: 3,
        recorded: 3,
        coveredMs: 130 * MIN,
        windowMs: 150 * MIN,
        verdicts: { compliant: 3, awaiting_explanation: 0, non_compliant: 1, not_computed: 0 },
      },
    });
    expect(r.activities).toHaveLength(1);
    expect(r.activities[0]).toMatchObject({ id: act.a2, verdict: 'non_compliant' });
    expect(
      r.activities[0].reasons.map((x: { code: string; articles: string[] }) => [x.code, x.articles]),
    ).toEqual([
      ['GAP_NO_SPEECH', ['A11.2']],
      ['GAP', ['A11.1', 'A9.1']],
    ]);

    const s = await sessionOf('supervisor');
    const all = (await s.get(`/api/v1/reports/compliance?${JULY}`)).json();
    expect(all.totals.activities).toBe(6);
    // non-compliant first, then awaiting explanation; newest first within each
    expect(all.activities.map((a: { id: string }) => a.id)).toEqual([act.a3, act.a2, act.a4]);
    expect(all.findings.byCode.map((c: { code: string }) => c.code)).toEqual([
      'NOT_RECORDED',
      'GAP',
      'GAP_NO_SPEECH',
      'LATE_IMPORT',
      'NOT_DOCKED',
      'HOLDER_MISMATCH',
    ]); // the code table's order

    const pdf = await s.get(`/api/v1/reports/compliance?${JULY}&format=pdf`);
    expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const disposition = String(pdf.headers['content-disposition']);
    expect(disposition).toMatch(
      /^attachment; filename="compliance-report-2026-07-01-2026-07-31\.pdf"; filename\*=UTF-8''/,
    );
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe('合规报表-2026年7月-全部单位.pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `compliance-2026-07-${kind}.pdf`);
    fs.writeFileSync(file, pdf.rawPayload);
    if (!PDFTOTEXT) console.info('PDF text not checked: pdftotext (poppler-utils) is not installed');
    else {
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(
        /\s+/g,
        '',
      );
      for (const expected of [
        '执法音像记录合规报表',
        '2026年7月·全部单位',
        '一、汇总',
        '核查结论分布（起）',
        '二、按执法活动类型',
        '三、按单位',
        '各单位核查结论（起）',
        '四、按执法人员',
        '五、核查发现（按问题类型）',
        '未结核查发现（未说明+已说明，条）',
        '六、不予记录说明',
        '七、不合规及待说明的执法活动',
        '记录率80.0%',
        '违规行为登记（件，不含已撤销）1',
        '应记录而未记录',
        '恢复记录时未语音说明中断原因（A11.2；未说明）',
        '第一中队',
        '赵六',
        '郾城区兽药店',
        '2026-07-15 09:00',
        '第 1 页 / 共',
      ])
        expect(text, expected).toContain(expected.replace(/\s+/g, ''));
    }

    const xlsx = await s.get(`/api/v1/reports/compliance?${JULY}&format=xlsx`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    fs.writeFileSync(path.join(ARTIFACTS, `compliance-2026-07-${kind}.xlsx`), xlsx.rawPayload);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '汇总',
      '按活动类型',
      '按单位',
      '按执法人员',
      '核查发现',
      '待跟进活动',
    ]);
    const summary = rowsOf(wb.getWorksheet('汇总')!);
    expect(summary).toContainEqual(['执法活动（起）', 6]);
    expect(summary).toContainEqual(['记录率', 0.8]);
    expect(summary).toContainEqual(['结论：不合规（起）', 2]);
    expect(summary).toContainEqual(['违规行为登记：已作出处理决定（件）', 1]);
    const units = rowsOf(wb.getWorksheet('按单位')!);
    expect(units[1]!.slice(0, 3)).toEqual(['第一中队', unit.one, 4]);
    const follow = rowsOf(wb.getWorksheet('待跟进活动')!);
    expect(follow).toHaveLength(4);
    expect(follow[1]!.slice(0, 6)).toEqual([
      '2026-07-20 14:00',
      '投诉举报处置',
      '漯河市某某养殖场',
      '第二中队',
      '王五、赵六',
      '不合规',
    ]);
    expect(String(follow[3]![8])).toContain('非保管使用人使用设备（A21.1(2)；未说明）');

    const officer = await sessionOf('wang');
    expect((await officer.get(`/api/v1/reports/compliance?${JULY}`)).json().totals.activities).toBe(2);

    const admin = t.zhilu.services.audit;
    const events = (await admin.list(operator, { action: 'report.compliance' })).items;
    expect(events.map((e) => [e.actorName, (e.details as { format: string }).format])).toEqual(
      expect.arrayContaining([
        ['leader', 'json'],
        ['supervisor', 'json'],
        ['supervisor', 'pdf'],
        ['supervisor', 'xlsx'],
        ['wang', 'json'],
      ]),
    );
    expect(events).toHaveLength(5);
  });

  it('`zhilu report compliance` writes the report; a reversed period is a usage error', async () => {
    const dir = tempDir('zhilu-compliance-cli-');
    try {
      const out = path.join(dir, 'july.xlsx');
      const r = await runCli(
        [
          'report',
          'compliance',
          '--from',
          '2026-07-01',
          '--to',
          '2026-07-31',
          '--unit',
          '第二中队',
          '--format',
          'xlsx',
          '--out',
          out,
          '--json',
        ],
        t.db.env,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        file: out,
        format: 'xlsx',
        unit: { id: unit.two, name: '第二中队' },
        totals: { activities: 2, verdicts: { non_compliant: 1, awaiting_explanation: 1 } },
      });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(out);
      expect(rowsOf(wb.getWorksheet('按单位')!).map((row) => row[0])).toEqual(['单位', '第二中队']);

      const json = await runCli(
        ['report', 'compliance', '--from', '2026-07-01', '--to', '2026-07-31', '--format', 'json'],
        t.db.env,
      );
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout).totals.activities).toBe(6);

      const reversed = await runCli(
        ['report', 'compliance', '--from', '2026-07-31', '--to', '2026-07-01', '--format', 'json', '--json'],
        t.db.env,
      );
      expect(reversed.code).toBe(2);
      expect(JSON.parse(reversed.stderr).error.code).toBe('REPORT_PERIOD_REVERSED');
      const noOut = await runCli(
        ['report', 'compliance', '--from', '2026-07-01', '--to', '2026-07-31', '--format', 'pdf'],
        t.db.env,
      );
      expect(noOut.code).toBe(2);
      const missing = await runCli(
        ['report', 'compliance', '--to', '2026-07-31', '--format', 'json'],
        t.db.env,
      );
      expect(missing.code).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
