// Enforcement subjects (validated credit codes and identity numbers, one subject per
// identifier) and cases (generated numbers, forward-only status), over the HTTP API on
// SQLite and PostgreSQL, each act audited.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { adminSession, createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

async function userSession(
  t: TestInstall,
  admin: Session,
  username: string,
  name: string,
  roles: string[],
  unitId?: string,
) {
  const r = await admin.post('/api/v1/users', {
    username,
    name,
    code: `4111${username.length}${name.length}`,
    roles,
    ...(unitId ? { unitId } : {}),
  });
  if (r.statusCode !== 201) throw new Error(`create user failed: ${r.body}`);
  const { user, initialPassword } = r.json();
  const s = new Session(t.app);
  await s.login(username, initialPassword);
  const c = await s.post('/api/v1/auth/password', { currentPassword: initialPassword, newPassword: STRONG });
  if (c.statusCode !== 204) throw new Error(`password change failed: ${c.body}`);
  return { s, user: user as { id: string; name: string } };
}

const FARM = {
  type: 'farm',
  name: '漯河市源汇区宏达养殖场',
  creditCode: '91350100M000100Y43',
  legalRepresentative: '王建国',
  address: '漯河市源汇区大刘镇',
  contact: '13800000000',
  latitude: 33.57,
  longitude: 114.01,
};

describe.each(databaseKinds())('subjects and cases on %s', (kind) => {
  let t: TestInstall;
  let admin: Session;
  beforeEach(async () => {
    t = await createInstall(kind);
    admin = await adminSession(t);
  });
  afterEach(async () => {
    await t.close();
  });

  it('registers subjects with valid codes, normalised, and audits it', async () => {
    const farm = await admin.post('/api/v1/subjects', {
      ...FARM,
      creditCode: ' ９１３５０１００ｍ０００１００ｙ４３ ',
    });
    expect(farm.statusCode).toBe(201);
    expect(farm.json()).toMatchObject({
      type: 'farm',
      name: FARM.name,
      creditCode: '91350100M000100Y43',
      idNumber: null,
      latitude: 33.57,
      longitude: 114.01,
    });
    const person = await admin.post('/api/v1/subjects', {
      type: 'individual',
      name: '李某',
      idNumber: '11010519491231002x',
    });
    expect(person.statusCode).toBe(201);
    expect(person.json().idNumber).toBe('11010519491231002X');

    expect((await admin.get(`/api/v1/subjects/${farm.json().id}`)).json().name).toBe(FARM.name);
    expect(
      (await admin.get('/api/v1/subjects?type=individual')).json().items.map((s: { name: string }) => s.name),
    ).toEqual(['李某']);
    expect((await admin.get(`/api/v1/subjects?q=${encodeURIComponent('宏达')}`)).json().items).toHaveLength(
      1,
    );
    expect((await admin.get('/api/v1/subjects?q=m000100')).json().items).toHaveLength(1); // by credit code, any case
    expect((await admin.get('/api/v1/subjects?q=50%25')).json().items).toHaveLength(0); // % is literal

    const audit = (await admin.get('/api/v1/audit?targetType=subject')).json().items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['subject.create', 'subject.create']);
    expect(audit[1].details).toMatchObject({ creditCode: '91350100M000100Y43', name: FARM.name });
  });

  it('refuses an invalid credit code naming the failing character', async () => {
    const wrongCheck = await admin.post('/api/v1/subjects', { ...FARM, creditCode: '91350100M000100Y44' });
    expect(wrongCheck.statusCode).toBe(400);
    expect(wrongCheck.json()).toMatchObject({
      code: 'CREDIT_CODE_INVALID',
      message: '统一社会信用代码第18位校验码应为 3，实为 4',
      details: { field: 'creditCode', rule: 'check_character', position: 18, expected: '3', actual: '4' },
    });
    const en = await new Session(t.app, 'en').request(
      'POST',
      '/api/v1/subjects',
      { ...FARM, creditCode: '91350100M000100Y44' },
      { cookie: `zhilu_session=${admin.cookie}` },
    );
    expect(en.json().message).toBe(
      'Character 18 (check character) of the unified social credit code should be 3, not 4',
    );

    const letterO = await admin.post('/api/v1/subjects', { ...FARM, creditCode: '9135O100M000100Y43' });
    expect(letterO.json()).toMatchObject({
      code: 'CREDIT_CODE_INVALID',
      details: { rule: 'alphabet', position: 5, actual: 'O' },
    });
    expect(letterO.json().message).toContain('第5位字符“O”不允许');
    const short = await admin.post('/api/v1/subjects', { ...FARM, creditCode: '91350100M000100Y4' });
    expect(short.json()).toMatchObject({
      code: 'CREDIT_CODE_INVALID',
      details: { rule: 'length', expected: '18', actual: '17' },
    });
    expect((await admin.get('/api/v1/subjects')).json().items).toHaveLength(0);
  });

  it('refuses an invalid identity number naming the failing character', async () => {
    const wrong = await admin.post('/api/v1/subjects', {
      type: 'individual',
      name: '李某',
      idNumber: '110105194912310023',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      code: 'ID_NUMBER_INVALID',
      message: '公民身份号码第18位校验码应为 X，实为 3',
      details: { field: 'idNumber', rule: 'check_character', position: 18, expected: 'X', actual: '3' },
    });
    const badDate = await admin.post('/api/v1/subjects', {
      type: 'individual',
      name: '李某',
      idNumber: '11010519491331002X',
    });
    expect(badDate.json()).toMatchObject({
      code: 'ID_NUMBER_INVALID',
      details: { rule: 'birth_date', position: 7, actual: '19491331' },
    });
    // a business is registered by its credit code, a person by the identity number
    const mismatch = await admin.post('/api/v1/subjects', {
      type: 'individual',
      name: '李某',
      creditCode: FARM.creditCode,
    });
    expect(mismatch.json().code).toBe('SUBJECT_IDENTIFIER_MISMATCH');
    const mismatch2 = await admin.post('/api/v1/subjects', {
      type: 'slaughterhouse',
      name: '某屠宰场',
      idNumber: '11010519491231002X',
    });
    expect(mismatch2.json().code).toBe('SUBJECT_IDENTIFIER_MISMATCH');
  });

  it('keeps one subject per identifier, range-checks coordinates and audits changes', async () => {
    const farm = (await admin.post('/api/v1/subjects', FARM)).json();
    const dup = await admin.post('/api/v1/subjects', {
      ...FARM,
      name: '另一个名字',
      creditCode: '91350100m000100y43',
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({
      code: 'SUBJECT_EXISTS',
      details: { field: 'creditCode', existingId: farm.id },
    });
    const p1 = (
      await admin.post('/api/v1/subjects', {
        type: 'individual',
        name: '李某',
        idNumber: '11010519491231002X',
      })
    ).json();
    expect(
      (
        await admin.post('/api/v1/subjects', {
          type: 'other',
          name: '李某某',
          idNumber: '11010519491231002X',
        })
      ).json().code,
    ).toBe('SUBJECT_EXISTS');

    expect(
      (
        await admin.post('/api/v1/subjects', { ...FARM, creditCode: null, latitude: 91, longitude: 114 })
      ).json().code,
    ).toBe('COORDINATES_INVALID');
    expect(
      (
        await admin.post('/api/v1/subjects', { ...FARM, creditCode: null, latitude: 33.5, longitude: null })
      ).json().code,
    ).toBe('COORDINATES_INVALID');
    expect(
      (await admin.post('/api/v1/subjects', { ...FARM, creditCode: null, name: 'a\u0007b' })).json().code,
    ).toBe('VALIDATION_FAILED');
    expect((await admin.post('/api/v1/subjects', { ...FARM, extra: 1 })).json().code).toBe(
      'VALIDATION_FAILED',
    );

    const patched = await admin.patch(`/api/v1/subjects/${farm.id}`, {
      name: '宏达生态养殖场',
      contact: null,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      name: '宏达生态养殖场',
      contact: null,
      creditCode: FARM.creditCode,
    });
    // changing a person's identity number onto another's is a duplicate too
    const farm2 = (
      await admin.post('/api/v1/subjects', {
        type: 'farm',
        name: '第二养殖场',
        creditCode: '91440300708461136T',
      })
    ).json();
    expect(
      (await admin.patch(`/api/v1/subjects/${farm2.id}`, { creditCode: FARM.creditCode })).json().code,
    ).toBe('SUBJECT_EXISTS');
    expect((await admin.patch(`/api/v1/subjects/${p1.id}`, { type: 'farm' })).json().code).toBe(
      'SUBJECT_IDENTIFIER_MISMATCH',
    );
    expect((await admin.patch(`/api/v1/subjects/${p1.id}`, { type: 'other' })).json().type).toBe('other');
    expect((await admin.patch('/api/v1/subjects/nope', { name: 'x' })).json().code).toBe('SUBJECT_NOT_FOUND');

    const audit = (await admin.get(`/api/v1/audit?targetId=${farm.id}`)).json().items;
    expect(audit[0]).toMatchObject({
      action: 'subject.update',
      details: {
        changed: {
          name: { from: FARM.name, to: '宏达生态养殖场' },
          contact: { from: FARM.contact, to: null },
        },
      },
    });
  });

  it('lets only those with subjects.manage register subjects', async () => {
    const { s: supervisor } = await userSession(t, admin, 'jian.du', '监督员', ['supervisor']);
    const r = await supervisor.post('/api/v1/subjects', FARM);
    expect(r.statusCode).toBe(403);
    expect((await supervisor.get('/api/v1/subjects')).statusCode).toBe(200);
    const denied = (await admin.get('/api/v1/audit?action=access.denied')).json().items;
    expect(denied[0]).toMatchObject({
      targetId: 'POST /api/v1/subjects',
      details: { permission: 'subjects.manage' },
    });
  });

  describe('cases', () => {
    let unit: { id: string };
    let officer: { s: Session; user: { id: string; name: string } };
    let colleague: { s: Session; user: { id: string; name: string } };
    let subject: { id: string };
    beforeEach(async () => {
      unit = (
        await admin.post('/api/v1/units', { name: '漯河市畜牧兽医执法大队', kind: 'brigade', code: '漯牧执' })
      ).json();
      officer = await userSession(t, admin, 'zhang.san', '张三', ['officer'], unit.id);
      colleague = await userSession(t, admin, 'li.si', '李四', ['officer'], unit.id);
      subject = (await admin.post('/api/v1/subjects', FARM)).json();
    });
    const base = () => ({
      title: '涉嫌经营假兽药案',
      subjectId: subject.id,
      filedOn: '2026-08-03',
      officerIds: [officer.user.id, colleague.user.id],
      leadOfficerId: officer.user.id,
    });

    it('generates case numbers per unit and year, and refuses duplicates with 409', async () => {
      const c1 = await officer.s.post('/api/v1/cases', base());
      expect(c1.statusCode).toBe(201);
      expect(c1.json()).toMatchObject({
        caseNumber: '漯牧执罚〔2026〕001号',
        status: 'filed',
        filedOn: '2026-08-03',
        subjectName: FARM.name,
        unitId: unit.id,
        retentionYears: null,
        officers: [
          { userId: officer.user.id, name: '张三', lead: true },
          { userId: colleague.user.id, name: '李四', lead: false },
        ],
      });
      expect((await officer.s.post('/api/v1/cases', base())).json().caseNumber).toBe('漯牧执罚〔2026〕002号');
      const manual = await officer.s.post('/api/v1/cases', {
        ...base(),
        caseNumber: '漯牧执罚〔2026〕010号',
        retentionYears: 30,
      });
      expect(manual.json()).toMatchObject({ caseNumber: '漯牧执罚〔2026〕010号', retentionYears: 30 });
      expect((await officer.s.post('/api/v1/cases', base())).json().caseNumber).toBe('漯牧执罚〔2026〕011号');
      expect(
        (await officer.s.post('/api/v1/cases', { ...base(), filedOn: '2025-12-30' })).json().caseNumber,
      ).toBe('漯牧执罚〔2025〕001号');

      const dup = await officer.s.post('/api/v1/cases', { ...base(), caseNumber: '漯牧执罚〔2026〕001号' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json()).toMatchObject({
        code: 'CASE_NUMBER_TAKEN',
        details: { caseNumber: '漯牧执罚〔2026〕001号' },
      });

      // the administrator belongs to no unit, so the unit code is missing unless a unit is named
      const noUnit = await admin.post('/api/v1/cases', base());
      expect(noUnit.json().code).toBe('CASE_NUMBER_UNIT_CODE_MISSING');
      expect((await admin.post('/api/v1/cases', { ...base(), unitId: unit.id })).json().caseNumber).toBe(
        '漯牧执罚〔2026〕012号',
      );

      // a configured pattern without a unit code
      await admin.put('/api/v1/settings/registry', {
        ...((await admin.get('/api/v1/settings/registry')).json() as object),
        caseNumberPattern: '农执{year}-{seq}',
      });
      expect((await admin.post('/api/v1/cases', base())).json().caseNumber).toBe('农执2026-001');

      const list = (await officer.s.get(`/api/v1/cases?subjectId=${subject.id}`)).json().items;
      expect(list).toHaveLength(7);
      expect(
        (await officer.s.get(`/api/v1/cases?q=${encodeURIComponent('〔2025〕')}`)).json().items,
      ).toHaveLength(1);
      const audit = (await admin.get('/api/v1/audit?action=case.create')).json().items;
      expect(audit).toHaveLength(7);
      expect(audit.at(-1).details).toMatchObject({
        caseNumber: '漯牧执罚〔2026〕001号',
        numberGenerated: true,
        leadOfficerId: officer.user.id,
      });
    });

    it('draws distinct numbers for cases registered at the same moment', async () => {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? officer : colleague).s.post('/api/v1/cases', base())),
      );
      expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201, 201]);
      const numbers = results.map((r) => r.json().caseNumber).sort();
      expect(numbers).toEqual(
        ['001', '002', '003', '004', '005', '006'].map((n) => `漯牧执罚〔2026〕${n}号`),
      );
    });

    it('checks officers, lead, dates and the retention class', async () => {
      expect(
        (await officer.s.post('/api/v1/cases', { ...base(), leadOfficerId: 'someone-else' })).json().code,
      ).toBe('CASE_LEAD_INVALID');
      expect((await officer.s.post('/api/v1/cases', { ...base(), officerIds: [] })).json().code).toBe(
        'VALIDATION_FAILED',
      );
      expect(
        (await officer.s.post('/api/v1/cases', { ...base(), officerIds: [officer.user.id, 'ghost'] })).json()
          .code,
      ).toBe('USER_NOT_FOUND');
      expect((await officer.s.post('/api/v1/cases', { ...base(), subjectId: 'ghost' })).json().code).toBe(
        'SUBJECT_NOT_FOUND',
      );
      expect(
        (await officer.s.post('/api/v1/cases', { ...base(), filedOn: '2026-02-30' })).json(),
      ).toMatchObject({ code: 'CASE_DATES_INVALID', details: { reason: 'invalid' } });
      expect(
        (await officer.s.post('/api/v1/cases', { ...base(), filedOn: '2026-08-05' })).json(),
      ).toMatchObject({ code: 'CASE_DATES_INVALID', details: { reason: 'future' } });
      for (const bad of [0, 101, 2.5])
        expect([
          bad,
          (await officer.s.post('/api/v1/cases', { ...base(), retentionYears: bad })).json(),
        ]).toEqual([bad, expect.objectContaining({ code: 'CASE_RETENTION_INVALID' })]);
      expect((await officer.s.post('/api/v1/cases', { ...base(), retentionYears: 100 })).statusCode).toBe(
        201,
      );
      await admin.patch(`/api/v1/users/${colleague.user.id}`, { active: false });
      expect((await officer.s.post('/api/v1/cases', base())).json().code).toBe('CASE_OFFICER_INACTIVE');
    });

    it('moves the status forward one step at a time, setting each date, and freezes an archived case', async () => {
      const c = (await officer.s.post('/api/v1/cases', base())).json();
      const url = `/api/v1/cases/${c.id}`;
      const skip = await officer.s.patch(url, { status: 'decided' });
      expect(skip.statusCode).toBe(400);
      expect(skip.json()).toMatchObject({
        code: 'CASE_STATUS_INVALID',
        details: { from: 'filed', to: 'decided', allowed: ['investigating'] },
      });
      expect(skip.json().message).toContain('下一步只能是“调查”');
      expect((await officer.s.patch(url, { decidedOn: '2026-08-03' })).json()).toMatchObject({
        code: 'CASE_DATES_INVALID',
        details: { reason: 'not_reached' },
      });

      expect((await officer.s.patch(url, { status: 'investigating' })).json().status).toBe('investigating');
      // the test clock is 2026-08-04 10:00 in Shanghai
      const decided = (await officer.s.patch(url, { status: 'decided' })).json();
      expect(decided).toMatchObject({ status: 'decided', decidedOn: '2026-08-04', closedOn: null });
      const back = await officer.s.patch(url, { status: 'investigating' });
      expect(back.json()).toMatchObject({
        code: 'CASE_STATUS_INVALID',
        details: { from: 'decided', to: 'investigating' },
      });
      expect((await officer.s.patch(url, { status: 'closed', closedOn: '2026-08-02' })).json()).toMatchObject(
        { code: 'CASE_DATES_INVALID', details: { field: 'closedOn', reason: 'order' } },
      );
      expect(
        (await officer.s.patch(url, { status: 'closed', closedOn: '2026-08-04', retentionYears: 30 })).json(),
      ).toMatchObject({ status: 'closed', closedOn: '2026-08-04', retentionYears: 30 });
      // a date already reached may be corrected, in order
      expect((await officer.s.patch(url, { decidedOn: '2026-08-03' })).json().decidedOn).toBe('2026-08-03');
      const swapped = await officer.s.patch(url, {
        officerIds: [colleague.user.id],
        leadOfficerId: colleague.user.id,
      });
      expect(swapped.json().officers).toEqual([{ userId: colleague.user.id, name: '李四', lead: true }]);
      expect((await officer.s.patch(url, { status: 'archived' })).json()).toMatchObject({
        status: 'archived',
        archivedOn: '2026-08-04',
      });
      const frozen = await officer.s.patch(url, { title: '改名' });
      expect(frozen.statusCode).toBe(409);
      expect(frozen.json().code).toBe('CASE_ARCHIVED');

      const audit = (await admin.get(`/api/v1/audit?targetId=${c.id}`)).json().items;
      expect(audit.map((e: { action: string }) => e.action)).toEqual([
        'case.status_change',
        'case.update',
        'case.update',
        'case.status_change',
        'case.status_change',
        'case.status_change',
        'case.create',
      ]);
      expect(audit[3].details.changed).toEqual({
        status: { from: 'decided', to: 'closed' },
        closedOn: { from: null, to: '2026-08-04' },
        retentionYears: { from: null, to: 30 },
      });
      const got = (await officer.s.get(url)).json();
      expect(got).toMatchObject({
        status: 'archived',
        filedOn: '2026-08-03',
        decidedOn: '2026-08-03',
        closedOn: '2026-08-04',
        archivedOn: '2026-08-04',
      });
      expect((await officer.s.get('/api/v1/cases?status=archived')).json().items).toHaveLength(1);
    });
  });
});
