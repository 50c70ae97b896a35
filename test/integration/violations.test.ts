// The violation register (A21.1, A22.1) through the real HTTP app on SQLite and PostgreSQL:
// a supervisor records a violation from the findings the compliance engine raised on an
// activity nobody recorded (the findings become 'violation' with their history), decides the
// sanctions, closes it; the register is filtered, scoped (officers their own, leaders and
// department heads their units, supervisors all) and exported as CSV and XLSX.
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { databaseKinds } from '../support/databases.js';
import { adminSession, createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

const H = 3600_000;

interface Person {
  id: string;
  s: Session;
}

describe.each(databaseKinds())('the violation register on %s', (kind) => {
  let t: TestInstall;
  let admin: Session;
  let brigadeId: string;
  let squadron1: string;
  let squadron2: string;
  let zhang: Person; // officer, squadron 1
  let li: Person; // officer, squadron 1
  let wang: Person; // officer, squadron 2
  let chen: Person; // leader of squadron 1
  let sun: Person; // department head of squadron 2
  let zhou: Person; // supervisor
  let subjectId: string;

  async function person(username: string, name: string, roles: string[], unitId: string): Promise<Person> {
    const r = await admin.post('/api/v1/users', {
      username,
      name,
      code: `4111${Math.floor(Math.random() * 1e6)}`,
      roles,
      unitId,
    });
    expect(r.statusCode, r.body).toBe(201);
    const { user, initialPassword } = r.json() as { user: { id: string }; initialPassword: string };
    const s = new Session(t.app);
    expect((await s.login(username, initialPassword)).statusCode).toBe(200);
    expect(
      (await s.post('/api/v1/auth/password', { currentPassword: initialPassword, newPassword: STRONG }))
        .statusCode,
    ).toBe(204);
    return { id: user.id, s };
  }

  // Subjects belong to another part of the register; the row is written directly.
  async function insertSubject(): Promise<string> {
    const id = uuidv7();
    const now = t.clock.now();
    await t.zhilu.catalogue.db
      .insertInto('enforcementSubjects')
      .values({
        id,
        type: 'farm',
        name: '漯河市某某养殖场',
        creditCode: null,
        idNumber: null,
        legalRepresentative: null,
        address: '漯河市郾城区',
        contact: null,
        latitude: null,
        longitude: null,
        unitId: brigadeId,
        createdBy: null,
        createdAt: now,
        updatedAt: now,
      })
      .execute();
    return id;
  }

  /** A completed inspection with nothing recorded, and the findings the engine raises on it. */
  async function unrecordedActivity(by: Person, team: string[]) {
    const now = t.clock.now();
    const r = await by.s.post('/api/v1/activities', {
      type: 'routine_inspection',
      subjectId,
      address: '漯河市郾城区某养殖场',
      plannedAt: now - 3 * H,
      officerIds: team,
      inChargeId: by.id,
    });
    expect(r.statusCode, r.body).toBe(201);
    const id = (r.json() as { id: string }).id;
    const done = await by.s.patch(`/api/v1/activities/${id}`, { arrivedAt: now - 2 * H, endedAt: now - H });
    expect(done.json().status, done.body).toBe('completed');
    await t.zhilu.services.compliance.recomputeMany([id]);
    const findings = await t.zhilu.catalogue.db
      .selectFrom('findings')
      .select(['id', 'code', 'status'])
      .where('activityId', '=', id)
      .where('withdrawnAt', 'is', null)
      .orderBy('code')
      .execute();
    return { id, arrivedAt: now - 2 * H, findings };
  }

  async function record(by: Person, body: Record<string, unknown>) {
    return by.s.post('/api/v1/violations', body);
  }

  beforeEach(async () => {
    t = await createInstall(kind);
    admin = await adminSession(t);
    brigadeId = (
      await admin.post('/api/v1/units', { name: '漯河市畜牧兽医执法大队', kind: 'brigade' })
    ).json().id;
    squadron1 = (
      await admin.post('/api/v1/units', { name: '第一中队', kind: 'squadron', parentId: brigadeId })
    ).json().id;
    squadron2 = (
      await admin.post('/api/v1/units', { name: '第二中队', kind: 'squadron', parentId: brigadeId })
    ).json().id;
    zhang = await person('zhang.san', '张三', ['officer'], squadron1);
    li = await person('li.si', '李四', ['officer'], squadron1);
    wang = await person('wang.wu', '王五', ['officer'], squadron2);
    chen = await person('chen.liu', '陈六', ['leader'], squadron1);
    sun = await person('sun.qi', '孙七', ['department_head'], squadron2);
    zhou = await person('zhou.ba', '周八', ['supervisor'], brigadeId);
    subjectId = await insertSubject();
  });
  afterEach(async () => {
    await t.close();
  });

  it('records a violation from findings: they become violations with their history, audited', async () => {
    const activity = await unrecordedActivity(zhang, [zhang.id, li.id]);
    expect(activity.findings.map((f) => f.code)).toContain('NOT_RECORDED');
    expect(activity.findings.every((f) => f.status === 'open')).toBe(true);
    const findingIds = activity.findings.map((f) => f.id);

    // the supervisor sees them as candidates for Zhang; an officer may not ask
    const candidates = await zhou.s.get(`/api/v1/violations/candidate-findings?officerId=${zhang.id}`);
    expect(candidates.statusCode, candidates.body).toBe(200);
    expect(
      candidates
        .json()
        .items.map((f: { id: string }) => f.id)
        .sort(),
    ).toEqual([...findingIds].sort());
    expect(
      (await zhang.s.get(`/api/v1/violations/candidate-findings?officerId=${zhang.id}`)).statusCode,
    ).toBe(403);

    const completion = (
      await admin.get(`/api/v1/audit?action=activity.update&targetId=${activity.id}`)
    ).json().items[0] as { seq: number; id: string };
    expect(completion).toBeDefined();

    const r = await record(zhou, {
      officerId: zhang.id,
      category: 'not_recorded',
      description: '日常检查全程未开启执法记录仪，当事人事后投诉',
      findingIds,
      auditSeqs: [completion.seq],
      evidenceText: '投诉登记表（2026）第 12 号',
    });
    expect(r.statusCode, r.body).toBe(201);
    const v = r.json();
    expect(v).toMatchObject({
      number: '2026-001',
      officerId: zhang.id,
      officerName: '张三',
      unitId: squadron1,
      unitName: '第一中队',
      category: 'not_recorded',
      status: 'draft',
      sanctions: [],
      occurredAt: activity.arrivedAt, // from the findings' activity
      evidenceText: '投诉登记表（2026）第 12 号',
      findingCount: findingIds.length,
      auditEventCount: 1,
      createdByName: '周八',
    });
    const notRecorded = v.findings.find((f: { code: string }) => f.code === 'NOT_RECORDED');
    expect(notRecorded).toMatchObject({
      nameZh: '应记录而未记录',
      nameEn: 'Not recorded',
      article: 'A6.1',
      articles: ['A6.1', 'A21.1(3)'],
      status: 'violation',
      activity: { id: activity.id, type: 'routine_inspection', typeNameZh: '日常执法检查' },
    });
    expect(v.auditEvents).toEqual([
      expect.objectContaining({ seq: completion.seq, id: completion.id, action: 'activity.update' }),
    ]);

    // each finding is now 'violation', with the act in its history
    const db = t.zhilu.catalogue.db;
    const after = await db
      .selectFrom('findings')
      .select(['id', 'status'])
      .where('id', 'in', findingIds)
      .execute();
    expect(after.every((f) => f.status === 'violation')).toBe(true);
    const events = await db
      .selectFrom('findingEvents')
      .select(['findingId', 'act', 'fromStatus', 'toStatus', 'actorName', 'comment'])
      .where('findingId', 'in', findingIds)
      .where('act', '=', 'record_violation')
      .execute();
    expect(events).toHaveLength(findingIds.length);
    for (const e of events)
      expect(e).toMatchObject({
        fromStatus: 'open',
        toStatus: 'violation',
        actorName: 'zhou.ba',
        comment: '违规记录 2026-001',
      });

    const audit = (await admin.get(`/api/v1/audit?action=violation.record&targetId=${v.id}`)).json().items;
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({
      number: '2026-001',
      officerId: zhang.id,
      category: 'not_recorded',
      article: 'A21.1(3)',
      auditSeqs: [completion.seq],
    });
    expect([...audit[0].details.findingIds].sort()).toEqual([...findingIds].sort());

    // the verdict follows: the recompute queued with the record keeps the findings as violations
    const queued = await db
      .selectFrom('jobs')
      .select('payload')
      .where('kind', '=', 'compliance.activity')
      .where('status', '=', 'queued')
      .execute();
    expect(queued.map((j) => JSON.parse(j.payload).activityId)).toContain(activity.id);
    await t.zhilu.services.compliance.recomputeMany([activity.id]);
    const verdict = await db
      .selectFrom('activityCompliance')
      .select(['verdict', 'reasons'])
      .where('activityId', '=', activity.id)
      .executeTakeFirstOrThrow();
    expect(verdict.verdict).toBe('non_compliant');
    expect(JSON.parse(verdict.reasons)).toContainEqual(
      expect.objectContaining({ code: 'NOT_RECORDED', status: 'violation' }),
    );
    const still = await db.selectFrom('findings').select('status').where('id', 'in', findingIds).execute();
    expect(still.every((f) => f.status === 'violation')).toBe(true);

    // a finding already taken cannot be taken again; nothing of the refused record is kept
    const again = await record(zhou, {
      officerId: li.id,
      category: 'not_recorded',
      description: '同一次检查',
      findingIds: [findingIds[0]],
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('FINDING_STATUS_INVALID');
    expect((await zhou.s.get('/api/v1/violations')).json().total).toBe(1);
    const unknown = await record(zhou, {
      officerId: li.id,
      category: 'not_recorded',
      description: '不存在的发现',
      findingIds: ['no-such-finding'],
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('FINDING_NOT_FOUND');
    const badSeq = await record(zhou, {
      officerId: li.id,
      category: 'other_serious',
      description: '审计事件不存在',
      occurredAt: t.clock.now() - H,
      auditSeqs: [999_999],
    });
    expect(badSeq.statusCode).toBe(404);
    expect(badSeq.json().code).toBe('AUDIT_EVENT_NOT_FOUND');
  });

  it('decides the sanctions, closes the record, and withdraws only a draft', async () => {
    const now = t.clock.now();
    const v = (
      await record(zhou, {
        officerId: wang.id,
        category: 'device_lent',
        description: '将执法记录仪借给辅助人员使用',
        occurredAt: now - 24 * H,
      })
    ).json();
    expect(v).toMatchObject({ number: '2026-001', status: 'draft', unitId: squadron2, findingCount: 0 });

    const noPeriod = await zhou.s.post(`/api/v1/violations/${v.id}/decide`, {
      sanctions: ['suspension'],
      decisionText: '暂停执法资格',
    });
    expect(noPeriod.statusCode).toBe(400);
    expect(noPeriod.json().code).toBe('SUSPENSION_PERIOD_REQUIRED');
    const badSanction = await zhou.s.post(`/api/v1/violations/${v.id}/decide`, {
      sanctions: ['fine'],
      decisionText: '罚款',
    });
    expect(badSanction.statusCode).toBe(400);
    expect(badSanction.json().code).toBe('SANCTION_INVALID');
    const none = await zhou.s.post(`/api/v1/violations/${v.id}/decide`, {
      sanctions: [],
      decisionText: '无',
    });
    expect(none.json().code).toBe('VIOLATION_SANCTIONS_REQUIRED');
    expect(
      (
        await wang.s.post(`/api/v1/violations/${v.id}/decide`, {
          sanctions: ['self_examination'],
          decisionText: '自己定',
        })
      ).statusCode,
    ).toBe(403);

    const decided = await zhou.s.post(`/api/v1/violations/${v.id}/decide`, {
      sanctions: ['suspension', 'self_examination', 'criticism_notice'],
      decisionText: '经集体研究，责令书面检查，大队内通报批评，暂停执法资格一个月',
      suspensionFrom: '2026-08-10',
      suspensionTo: '2026-09-09',
    });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({
      status: 'decided',
      sanctions: ['self_examination', 'criticism_notice', 'suspension'],
      suspensionFrom: '2026-08-10',
      suspensionTo: '2026-09-09',
      decidedAt: now,
      decidedByName: '周八',
    });
    // the officer is told in the app
    const bell = await t.zhilu.catalogue.db
      .selectFrom('notifications')
      .select(['userId', 'kind', 'titleZh', 'targetId'])
      .where('targetId', '=', v.id)
      .execute();
    expect(bell).toEqual([
      {
        userId: wang.id,
        kind: 'violation_decided',
        titleZh: '违规记录 2026-001 已作出处理决定：书面检查、大队内通报批评、暂停执法资格一个月',
        targetId: v.id,
      },
    ]);

    const twice = await zhou.s.post(`/api/v1/violations/${v.id}/decide`, {
      sanctions: ['awards_loss'],
      decisionText: '再决定一次',
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('VIOLATION_STATUS_INVALID');
    const withdrawDecided = await zhou.s.post(`/api/v1/violations/${v.id}/withdraw`, { reason: '搞错了' });
    expect(withdrawDecided.json()).toMatchObject({
      code: 'VIOLATION_STATUS_INVALID',
      details: { from: 'decided', to: 'withdrawn' },
    });

    t.clock.advance(60_000);
    const closed = await zhou.s.post(`/api/v1/violations/${v.id}/close`, { note: '已执行完毕' });
    expect(closed.json()).toMatchObject({
      status: 'closed',
      closeNote: '已执行完毕',
      closedAt: t.clock.now(),
    });

    // a record made in error is withdrawn while still a draft, with the reason
    const scratch = await record(zhou, { officerId: li.id, category: 'improper_use', description: '误登记' });
    expect(scratch.statusCode).toBe(400);
    expect(scratch.json().code).toBe('VIOLATION_OCCURRED_AT_REQUIRED');
    const future = await record(zhou, {
      officerId: li.id,
      category: 'improper_use',
      description: '误登记',
      occurredAt: t.clock.now() + 24 * H,
    });
    expect(future.json().code).toBe('VIOLATION_OCCURRED_IN_FUTURE');
    const mistaken = (
      await record(zhou, {
        officerId: li.id,
        category: 'improper_use',
        description: '误登记',
        occurredAt: now,
      })
    ).json();
    expect(mistaken.number).toBe('2026-002');
    const withdrawn = await zhou.s.post(`/api/v1/violations/${mistaken.id}/withdraw`, {
      reason: '人员登记错误',
    });
    expect(withdrawn.json()).toMatchObject({
      status: 'withdrawn',
      withdrawReason: '人员登记错误',
      withdrawnByName: '周八',
    });

    const acts = (await admin.get('/api/v1/audit?targetType=violation'))
      .json()
      .items.map((e: { action: string }) => e.action);
    expect(acts.sort()).toEqual(
      [
        'violation.close',
        'violation.decide',
        'violation.record',
        'violation.record',
        'violation.withdraw',
      ].sort(),
    );
  });

  it('lets only supervisors record, and refuses an unknown category with its code', async () => {
    const body = {
      officerId: zhang.id,
      category: 'not_recorded',
      description: '未记录',
      occurredAt: t.clock.now(),
    };
    for (const who of [zhang, chen, sun]) {
      const r = await record(who, body);
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('FORBIDDEN');
    }
    const bad = await record(zhou, { ...body, category: 'speeding' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'VIOLATION_CATEGORY_INVALID',
      details: { category: 'speeding' },
    });
    expect(bad.json().details.allowed).toHaveLength(8);
    const english = await zhou.s.request(
      'POST',
      '/api/v1/violations',
      { ...body, category: 'speeding' },
      {
        'accept-language': 'en',
      },
    );
    expect(english.json().message).toBe('"speeding" is not one of the violation categories of A21.1');
    const badFilter = await zhou.s.get('/api/v1/violations?category=speeding');
    expect(badFilter.json().code).toBe('VIOLATION_CATEGORY_INVALID');
    const nobody = await record(zhou, { ...body, officerId: 'no-such-user' });
    expect(nobody.statusCode).toBe(404);
    expect((await zhou.s.get('/api/v1/violations')).json().total).toBe(0);
  });

  it('shows officers their own records, leaders their units’, supervisors all; filters and exports', async () => {
    const now = t.clock.now();
    const mk = async (officerId: string, category: string, occurredAt: number) => {
      const r = await record(zhou, {
        officerId,
        category,
        description: `${category} 的违规事实`,
        occurredAt,
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as { id: string; number: string };
    };
    const z1 = await mk(zhang.id, 'not_recorded', now - 10 * 24 * H);
    const z2 = await mk(zhang.id, 'custody_loss', now - 2 * 24 * H);
    const w1 = await mk(wang.id, 'recordings_leaked', now - 5 * 24 * H);
    await zhou.s.post(`/api/v1/violations/${z2.id}/decide`, {
      sanctions: ['awards_loss'],
      decisionText: '取消当年评先评优资格',
    });

    const ids = async (who: Person, q = '') => {
      const r = await who.s.get(`/api/v1/violations${q}`);
      expect(r.statusCode, r.body).toBe(200);
      return (r.json().items as { id: string }[]).map((i) => i.id);
    };
    // newest occurrence first
    expect(await ids(zhou)).toEqual([z2.id, w1.id, z1.id]);
    expect(await ids(zhang)).toEqual([z2.id, z1.id]);
    expect(await ids(li)).toEqual([]);
    expect(await ids(wang)).toEqual([w1.id]);
    expect(await ids(zhang, `?officer=${wang.id}`)).toEqual([]);
    expect(await ids(chen)).toEqual([z2.id, z1.id]); // leader of squadron 1
    expect(await ids(sun)).toEqual([w1.id]); // department head of squadron 2
    const outside = await chen.s.get(`/api/v1/violations?unit=${squadron2}`);
    expect(outside.statusCode).toBe(403);
    // someone else's record does not exist for an officer
    expect((await zhang.s.get(`/api/v1/violations/${w1.id}`)).statusCode).toBe(404);
    expect((await zhang.s.get(`/api/v1/violations/${z1.id}`)).json().number).toBe(z1.number);
    expect((await sun.s.get(`/api/v1/violations/${w1.id}`)).statusCode).toBe(200);

    // filters
    expect(await ids(zhou, `?unit=${brigadeId}`)).toEqual([z2.id, w1.id, z1.id]);
    expect(await ids(zhou, `?unit=${squadron2}`)).toEqual([w1.id]);
    expect(await ids(zhou, `?officer=${zhang.id}&status=draft`)).toEqual([z1.id]);
    expect(await ids(zhou, '?category=custody_loss')).toEqual([z2.id]);
    expect(await ids(zhou, `?from=${now - 6 * 24 * H}&to=${now}`)).toEqual([z2.id, w1.id]);
    expect(await ids(zhou, '?limit=1&offset=1')).toEqual([w1.id]);
    expect((await zhou.s.get(`/api/v1/violations?from=${now}&to=${now - H}`)).json().code).toBe(
      'PERIOD_INVALID',
    );

    // CSV of the filtered register, readable by spreadsheet programs, audited with its count
    const csv = await zhou.s.get(`/api/v1/violations/export?format=csv&officer=${zhang.id}`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toContain("filename*=UTF-8''%E8%BF%9D%E8%A7%84");
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      '编号,执法人员,单位,违规情形,条款,违规事实,发生时间,状态,责任追究,暂停执法期间,处理决定,决定时间,核查发现（条）,审计事件（条）,登记时间',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`${z2.number},张三,第一中队,保管不善致设备或音像记录丢失,A21.1(7)`);
    expect(lines[1]).toContain('已作出处理决定,取消当年评先评优资格');
    expect(lines[2]).toContain('未按规定记录，引发信访、投诉或负面舆情');

    // XLSX: the same rows
    const xlsx = await zhou.s.request('GET', '/api/v1/violations/export?format=xlsx');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('违规登记')!;
    expect(ws.rowCount).toBe(4);
    expect(ws.getRow(2).getCell(1).value).toBe(z2.number);
    expect(ws.getRow(3).getCell(2).value).toBe('王五');
    expect(ws.getRow(3).getCell(4).value).toBe('泄露音像记录');

    // an officer's export holds only their own
    const own = await zhang.s.get('/api/v1/violations/export?format=csv');
    expect(own.body.trimEnd().split('\r\n')).toHaveLength(3);

    const exports = (await admin.get('/api/v1/audit?action=violation.export')).json().items;
    expect(
      exports.map((e: { actorName: string; details: { format: string; count: number } }) => [
        e.actorName,
        e.details.format,
        e.details.count,
      ]),
    ).toEqual([
      ['zhang.san', 'csv', 2],
      ['zhou.ba', 'xlsx', 3],
      ['zhou.ba', 'csv', 2],
    ]);
    expect(exports[2].details.filter).toEqual({ officer: zhang.id });
  });
});
