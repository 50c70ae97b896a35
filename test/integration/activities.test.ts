// Activities, their devices, the A8.1 notification, exemptions (A7) and the to-do lists,
// through the real HTTP app on SQLite and on PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { databaseKinds } from '../support/databases.js';
import { adminSession, createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

const H = 3600_000;
const BRIGADE = '漯河市畜牧兽医执法大队';

interface Person {
  id: string;
  name: string;
  s: Session;
}

describe.each(databaseKinds())('activities, exemptions and to-do lists on %s', (kind) => {
  let t: TestInstall;
  let admin: Session;
  let brigadeId: string;
  let squadronId: string;
  let zhang: Person; // officer, in charge
  let li: Person; // officer, colleague
  let wang: Person; // officer, not on the activity
  let chen: Person; // leader
  let zhao: Person; // custodian
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
    return { id: user.id, name, s };
  }

  // Subjects, devices, check-outs and checks belong to other parts of the register; the
  // rows are written directly so these tests depend only on the tables.
  async function insertSubject(name: string): Promise<string> {
    const id = uuidv7();
    const now = t.clock.now();
    await t.zhilu.catalogue.db
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
        unitId: brigadeId,
        createdBy: null,
        createdAt: now,
        updatedAt: now,
      })
      .execute();
    return id;
  }

  async function insertDevice(serial: string, holderId: string | null, status = 'issued'): Promise<string> {
    const id = uuidv7();
    const now = t.clock.now();
    await t.zhilu.catalogue.db
      .insertInto('devices')
      .values({
        id,
        serial,
        assetNumber: null,
        typeId: 'body_camera',
        maker: null,
        model: null,
        unitId: brigadeId,
        purchaseDate: null,
        purchaseCostCents: null,
        status,
        holderId,
        notes: null,
        retiredAt: null,
        createdAt: now,
        updatedAt: now,
      })
      .execute();
    return id;
  }

  async function insertCheckout(
    deviceId: string,
    officerId: string,
    opts: { dueAt?: number; checkedOutAt?: number; checkedInAt?: number | null } = {},
  ): Promise<string> {
    const id = uuidv7();
    const at = opts.checkedOutAt ?? t.clock.now();
    await t.zhilu.catalogue.db
      .insertInto('checkouts')
      .values({
        id,
        deviceId,
        officerId,
        activityId: null,
        checkedOutAt: at,
        dueAt: opts.dueAt ?? at + 12 * H,
        checkedInAt: opts.checkedInAt ?? null,
        checkedInBy: null,
        remoteWork: 0,
        returnedAt: null,
        reassignedBy: null,
        notes: null,
      })
      .execute();
    return id;
  }

  async function insertCheck(
    deviceId: string,
    officerId: string,
    result: 'pass' | 'fail',
    failures: string[] = [],
  ): Promise<void> {
    const now = t.clock.now();
    await t.zhilu.catalogue.db
      .insertInto('deviceChecks')
      .values({
        id: uuidv7(),
        deviceId,
        officerId,
        checkoutId: null,
        checkedAt: now,
        batteryPercent: 80,
        freeStorageMb: 20_000,
        deviceTime: now + (result === 'fail' ? 120_000 : 1000),
        offsetMs: result === 'fail' ? 120_000 : 1000,
        toleranceMs: 30_000,
        result,
        failures: JSON.stringify(failures),
      })
      .execute();
  }

  async function createActivity(by: Person, extra: Record<string, unknown> = {}) {
    const r = await by.s.post('/api/v1/activities', {
      type: 'routine_inspection',
      subjectId,
      address: '漯河市郾城区某养殖场',
      plannedAt: t.clock.now() + H,
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
      ...extra,
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; [k: string]: unknown };
  }

  beforeEach(async () => {
    t = await createInstall(kind);
    admin = await adminSession(t);
    brigadeId = (await admin.post('/api/v1/units', { name: BRIGADE, kind: 'brigade' })).json().id;
    squadronId = (
      await admin.post('/api/v1/units', { name: '第一中队', kind: 'squadron', parentId: brigadeId })
    ).json().id;
    zhang = await person('zhang.san', '张三', ['officer'], squadronId);
    li = await person('li.si', '李四', ['officer'], squadronId);
    wang = await person('wang.wu', '王五', ['officer'], squadronId);
    chen = await person('chen.liu', '陈六', ['leader'], brigadeId);
    zhao = await person('zhao.qi', '赵七', ['custodian'], brigadeId);
    subjectId = await insertSubject('漯河市某某养殖场');
  });
  afterEach(async () => {
    await t.close();
  });

  it('registers an activity with two officers and refuses a bad team, bad times and outsiders', async () => {
    const base = { type: 'routine_inspection', subjectId, address: '郾城区', plannedAt: t.clock.now() + H };
    const one = await zhang.s.post('/api/v1/activities', {
      ...base,
      officerIds: [zhang.id],
      inChargeId: zhang.id,
    });
    expect(one.statusCode).toBe(400);
    expect(one.json().code).toBe('ACTIVITY_TOO_FEW_OFFICERS');
    const twice = await zhang.s.post('/api/v1/activities', {
      ...base,
      officerIds: [zhang.id, zhang.id],
      inChargeId: zhang.id,
    });
    expect(twice.json().code).toBe('ACTIVITY_TOO_FEW_OFFICERS');
    const lead = await zhang.s.post('/api/v1/activities', {
      ...base,
      officerIds: [zhang.id, li.id],
      inChargeId: wang.id,
    });
    expect(lead.statusCode).toBe(400);
    expect(lead.json().code).toBe('ACTIVITY_IN_CHARGE_INVALID');
    const custodian = await zhang.s.post('/api/v1/activities', {
      ...base,
      officerIds: [zhang.id, zhao.id],
      inChargeId: zhang.id,
    });
    expect(custodian.json()).toMatchObject({
      code: 'ACTIVITY_OFFICER_INVALID',
      details: { reason: 'not_field_role' },
    });
    const backwards = await zhang.s.post('/api/v1/activities', {
      ...base,
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
      arrivedAt: t.clock.now() - H,
      endedAt: t.clock.now() - 2 * H,
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({
      code: 'ACTIVITY_TIMES_INVALID',
      details: { rule: 'arrival_after_end' },
    });
    const noSubject = await zhang.s.post('/api/v1/activities', {
      ...base,
      subjectId: uuidv7(),
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
    });
    expect(noSubject.statusCode).toBe(404);
    const badType = await zhang.s.post('/api/v1/activities', {
      ...base,
      type: 'meeting',
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
    });
    expect(badType.json().code).toBe('VALIDATION_FAILED');
    const coords = await zhang.s.post('/api/v1/activities', {
      ...base,
      latitude: 95,
      longitude: 114,
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
    });
    expect(coords.json().code).toBe('ACTIVITY_COORDINATES_INVALID');

    const a = await createActivity(li, {
      latitude: 33.58,
      longitude: 114.02,
      title: '例行检查',
      inChargeId: zhang.id,
    });
    expect(a).toMatchObject({
      status: 'planned',
      unitId: squadronId, // the creator's unit
      subjectName: '漯河市某某养殖场',
      remoteWork: false,
      exemption: null,
      devices: [],
      latitude: 33.58,
    });
    expect(a.officers).toEqual([
      { userId: zhang.id, name: '张三', code: expect.any(String), inCharge: true },
      { userId: li.id, name: '李四', code: expect.any(String), inCharge: false },
    ]);

    // arrival after end is refused on update too
    const now = t.clock.now();
    const bad = await zhang.s.patch(`/api/v1/activities/${a.id}`, {
      arrivedAt: now - H,
      endedAt: now - 2 * H,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('ACTIVITY_TIMES_INVALID');
    const future = await zhang.s.patch(`/api/v1/activities/${a.id}`, {
      arrivedAt: now - H,
      endedAt: now + H,
    });
    expect(future.json().details.rule).toBe('in_future');

    // an officer not on the activity cannot edit it, and the refusal is audited
    const outsider = await wang.s.patch(`/api/v1/activities/${a.id}`, { notes: '我来改一下' });
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json().code).toBe('FORBIDDEN');
    const denied = (await admin.get('/api/v1/audit?action=access.denied')).json().items;
    expect(denied[0]).toMatchObject({ actorName: 'wang.wu', targetId: 'PATCH /api/v1/activities/:id' });
    // a leader may correct it without being on it
    expect((await chen.s.patch(`/api/v1/activities/${a.id}`, { notes: '注意生物安全' })).statusCode).toBe(
      200,
    );

    // arrival starts it, the end completes it
    const started = await zhang.s.patch(`/api/v1/activities/${a.id}`, { arrivedAt: now - 2 * H });
    expect(started.json().status).toBe('in_progress');
    const early = await zhang.s.patch(`/api/v1/activities/${a.id}`, { status: 'completed' });
    expect(early.json()).toMatchObject({ code: 'ACTIVITY_TIMES_INVALID', details: { rule: 'end_required' } });
    const done = await zhang.s.patch(`/api/v1/activities/${a.id}`, { endedAt: now - H, remoteWork: true });
    expect(done.json()).toMatchObject({
      status: 'completed',
      arrivedAt: now - 2 * H,
      endedAt: now - H,
      remoteWork: true,
      returnedAt: null,
    });
    // a completed activity: officers may only add the return time and notes
    const closed = await zhang.s.patch(`/api/v1/activities/${a.id}`, { address: '别处' });
    expect(closed.statusCode).toBe(409);
    expect(closed.json()).toMatchObject({ code: 'ACTIVITY_CLOSED', details: { fields: ['address'] } });
    const beforeEnd = await zhang.s.patch(`/api/v1/activities/${a.id}`, { returnedAt: now - H - 1 });
    expect(beforeEnd.json().details.rule).toBe('return_before_end');
    const back = await zhang.s.patch(`/api/v1/activities/${a.id}`, { returnedAt: now - H / 2 });
    expect(back.json().returnedAt).toBe(now - H / 2);
    expect((await zhang.s.patch(`/api/v1/activities/${a.id}`, { status: 'cancelled' })).statusCode).toBe(409);
    expect((await chen.s.patch(`/api/v1/activities/${a.id}`, { status: 'cancelled' })).json().code).toBe(
      'ACTIVITY_STATUS_INVALID',
    );

    // officer changes keep at least two
    const b = await createActivity(zhang);
    expect((await zhang.s.patch(`/api/v1/activities/${b.id}`, { officerIds: [zhang.id] })).json().code).toBe(
      'ACTIVITY_TOO_FEW_OFFICERS',
    );
    expect((await zhang.s.patch(`/api/v1/activities/${b.id}`, { inChargeId: wang.id })).json().code).toBe(
      'ACTIVITY_IN_CHARGE_INVALID',
    );
    const swapped = await zhang.s.patch(`/api/v1/activities/${b.id}`, {
      officerIds: [zhang.id, wang.id],
      inChargeId: wang.id,
    });
    expect(
      swapped.json().officers.map((o: { name: string; inCharge: boolean }) => [o.name, o.inCharge]),
    ).toEqual([
      ['王五', true],
      ['张三', false],
    ]);
    expect((await wang.s.patch(`/api/v1/activities/${b.id}`, { notes: '现在我在队里' })).statusCode).toBe(
      200,
    );
    expect((await li.s.patch(`/api/v1/activities/${b.id}`, { notes: '我已不在队里' })).statusCode).toBe(403);

    // listing
    const mine = (await li.s.get('/api/v1/activities?mine=true'))
      .json()
      .items.map((x: { id: string }) => x.id);
    expect(mine).toEqual([a.id]);
    const byOfficer = (await chen.s.get(`/api/v1/activities?officerId=${wang.id}`))
      .json()
      .items.map((x: { id: string }) => x.id);
    expect(byOfficer).toEqual([b.id]);
    expect((await chen.s.get(`/api/v1/activities?status=completed`)).json().items).toHaveLength(1);
    expect((await chen.s.get(`/api/v1/activities?subjectId=${subjectId}`)).json().items).toHaveLength(2);
    expect((await chen.s.get(`/api/v1/activities?from=${now + 2 * H}`)).json().items).toHaveLength(0);
    // the service call the dossier uses
    const forDossier = await t.zhilu.services.activities.list(
      (await t.zhilu.services.auth.fromSession(chen.s.cookie!, { ip: null, userAgent: null }))!.actor,
      { subjectId },
    );
    expect(forDossier.map((x) => x.id).sort()).toEqual([a.id, b.id].sort());

    const audit = (await admin.get(`/api/v1/audit?targetType=activity&targetId=${a.id}`)).json().items;
    expect(audit.map((e: { action: string }) => e.action)).toContain('activity.create');
    const timesEvent = audit.find(
      (e: { action: string; details: { changed?: Record<string, unknown> } }) =>
        e.action === 'activity.update' && e.details.changed?.endedAt,
    );
    expect(timesEvent.details.changed).toMatchObject({
      endedAt: { from: null, to: now - H },
      status: { from: 'in_progress', to: 'completed' },
    });
  });

  it('takes devices from an open check-out of an officer on the activity', async () => {
    const a = await createActivity(zhang);
    const d1 = await insertDevice('BWC-001', zhang.id);
    const d2 = await insertDevice('BWC-002', li.id);
    const d3 = await insertDevice('BWC-003', wang.id);
    const c1 = await insertCheckout(d1, zhang.id);
    await insertCheckout(d3, wang.id);
    await insertCheckout(d2, li.id, {
      checkedOutAt: t.clock.now() - 48 * H,
      checkedInAt: t.clock.now() - 40 * H,
    });

    // a colleague registers the device zhang checked out
    const r = await li.s.post(`/api/v1/activities/${a.id}/devices`, { deviceId: d1 });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json().devices).toEqual([
      { deviceId: d1, serial: 'BWC-001', typeId: 'body_camera', officerId: zhang.id, checkoutId: c1 },
    ]);
    expect((await li.s.post(`/api/v1/activities/${a.id}/devices`, { deviceId: d1 })).json().code).toBe(
      'ACTIVITY_DEVICE_ATTACHED',
    );
    // returned long ago: not checked out now
    const returned = await li.s.post(`/api/v1/activities/${a.id}/devices`, { deviceId: d2 });
    expect(returned.statusCode).toBe(409);
    expect(returned.json().code).toBe('DEVICE_NOT_CHECKED_OUT');
    // checked out, but by someone not on the activity
    expect((await zhang.s.post(`/api/v1/activities/${a.id}/devices`, { deviceId: d3 })).json().code).toBe(
      'DEVICE_NOT_CHECKED_OUT',
    );
    expect((await wang.s.post(`/api/v1/activities/${a.id}/devices`, { deviceId: d3 })).statusCode).toBe(403);
    expect(
      (await zhang.s.post(`/api/v1/activities/${a.id}/devices`, { deviceId: uuidv7() })).statusCode,
    ).toBe(404);

    // removed by mistake and registered again
    const removed = await zhang.s.delete(`/api/v1/activities/${a.id}/devices/${d1}`);
    expect(removed.json().devices).toEqual([]);
    expect((await zhang.s.post(`/api/v1/activities/${a.id}/devices`, { deviceId: d1 })).statusCode).toBe(201);

    // after the activity, a device returned in the meantime still counts if it was out during it
    const now = t.clock.now();
    await zhang.s.patch(`/api/v1/activities/${a.id}`, { arrivedAt: now - 3 * H, endedAt: now - 2 * H });
    const d4 = await insertDevice('BWC-004', li.id);
    const c4 = await insertCheckout(d4, li.id, { checkedOutAt: now - 4 * H, checkedInAt: now - H });
    const later = await li.s.post(`/api/v1/activities/${a.id}/devices`, { deviceId: d4 });
    expect(later.statusCode, later.body).toBe(201);
    expect(later.json().devices.find((d: { deviceId: string }) => d.deviceId === d4)).toMatchObject({
      officerId: li.id,
      checkoutId: c4,
    });

    const audit = (await admin.get(`/api/v1/audit?targetType=activity&targetId=${a.id}`))
      .json()
      .items.map((e: { action: string }) => e.action);
    expect(audit.filter((x: string) => x === 'activity.device_attach')).toHaveLength(3);
    expect(audit).toContain('activity.device_detach');
  });

  it('fills the notification script with the brigade and both officers, and records the notification', async () => {
    const a = await createActivity(zhang);
    const script = await li.s.get(`/api/v1/activities/${a.id}/notification-script`);
    expect(script.statusCode).toBe(200);
    expect(script.json()).toEqual({
      text: `您好，我们是${BRIGADE}执法人员张三、李四，为保护您的合法权益，监督我们的执法行为，本次执法全程录音录像。`,
      unitName: BRIGADE,
      officerNames: ['张三', '李四'],
    });

    // templates: default, then the brigade's own, inherited by the squadron
    expect((await zhang.s.get(`/api/v1/notification-templates/${squadronId}`)).json()).toMatchObject({
      source: 'default',
      sourceUnitId: null,
    });
    expect(
      (await zhang.s.put(`/api/v1/notification-templates/${brigadeId}`, { template: '{officerNames}' }))
        .statusCode,
    ).toBe(403);
    const noNames = await chen.s.put(`/api/v1/notification-templates/${brigadeId}`, {
      template: '您好，我们是{unitName}执法人员。',
    });
    expect(noNames.statusCode).toBe(400);
    expect(noNames.json()).toMatchObject({
      code: 'NOTIFICATION_TEMPLATE_INVALID',
      details: { rule: 'officer_names_missing' },
    });
    expect(
      (
        await chen.s.put(`/api/v1/notification-templates/${brigadeId}`, {
          template: '{officerNames}{caseNo}',
        })
      ).json().details.rule,
    ).toBe('unknown_placeholder');
    expect(
      (
        await chen.s.put(`/api/v1/notification-templates/${brigadeId}`, {
          template: `{officerNames}${'录'.repeat(500)}`,
        })
      ).json().details.rule,
    ).toBe('too_long');
    const put = await chen.s.put(`/api/v1/notification-templates/${brigadeId}`, {
      template: '您好！我们是{unitName}的执法人员{officerNames}，现场全程录音录像。',
    });
    expect(put.json()).toMatchObject({ source: 'unit', sourceUnitId: brigadeId });
    expect((await zhang.s.get(`/api/v1/notification-templates/${squadronId}`)).json()).toMatchObject({
      source: 'inherited',
      sourceUnitId: brigadeId,
    });
    expect((await li.s.get(`/api/v1/activities/${a.id}/notification-script`)).json().text).toBe(
      `您好！我们是${BRIGADE}的执法人员张三、李四，现场全程录音录像。`,
    );
    expect((await chen.s.delete(`/api/v1/notification-templates/${brigadeId}`)).json().source).toBe(
      'default',
    );
    const templateAudit = (await admin.get(`/api/v1/audit?targetType=unit&targetId=${brigadeId}`))
      .json()
      .items.map((e: { action: string }) => e.action);
    expect(templateAudit).toEqual(
      expect.arrayContaining(['notification_template.update', 'notification_template.reset']),
    );

    // the notification is recorded by an officer on the activity
    expect((await wang.s.post(`/api/v1/activities/${a.id}/notified`, {})).statusCode).toBe(403);
    expect(
      (await zhang.s.post(`/api/v1/activities/${a.id}/notified`, { at: t.clock.now() + H })).json().code,
    ).toBe('ACTIVITY_NOTIFICATION_TIME_INVALID');
    await zhang.s.patch(`/api/v1/activities/${a.id}`, { arrivedAt: t.clock.now() - 60_000 });
    t.clock.advance(30_000);
    const notified = await zhang.s.post(`/api/v1/activities/${a.id}/notified`, {});
    expect(notified.statusCode, notified.body).toBe(200);
    expect(notified.json()).toMatchObject({ notifiedAt: t.clock.now(), notifiedBy: zhang.id });
    expect((await li.s.get(`/api/v1/activities/${a.id}`)).json().notifiedAt).toBe(t.clock.now());
    const ev = (await admin.get(`/api/v1/audit?action=activity.notified`)).json().items;
    expect(ev[0]).toMatchObject({
      targetId: a.id,
      actorName: 'zhang.san',
      details: { at: t.clock.now(), previous: null },
    });
  });

  it('takes exemption requests from the activity’s officers and lets a leader decide', async () => {
    const a = await createActivity(zhang);
    const body = {
      category: 'emergency',
      reason: '现场发生冲突，情况紧急，未能开启执法记录仪。',
      basis: '《音像记录管理制度》第七条第（二）项',
    };
    expect((await wang.s.post(`/api/v1/activities/${a.id}/exemptions`, body)).statusCode).toBe(403);
    expect(
      (await zhang.s.post(`/api/v1/activities/${a.id}/exemptions`, { ...body, category: 'convenience' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await zhang.s.post(`/api/v1/activities/${a.id}/exemptions`, { ...body, reason: '  ' })).json().code,
    ).toBe('VALIDATION_FAILED');
    const req = await zhang.s.post(`/api/v1/activities/${a.id}/exemptions`, body);
    expect(req.statusCode, req.body).toBe(201);
    const ex = req.json();
    expect(ex).toMatchObject({
      activityId: a.id,
      status: 'pending',
      authorId: zhang.id,
      authorName: '张三',
      reviewerId: null,
      ...body,
    });
    expect((await li.s.get(`/api/v1/activities/${a.id}`)).json().exemption).toMatchObject({
      id: ex.id,
      status: 'pending',
    });

    const again = await li.s.post(`/api/v1/activities/${a.id}/exemptions`, body);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('EXEMPTION_PENDING_EXISTS');

    // only leaders review
    const notLeader = await li.s.post(`/api/v1/exemptions/${ex.id}/review`, {
      decision: 'approve',
      comment: '同意',
    });
    expect(notLeader.statusCode).toBe(403);
    const noComment = await chen.s.post(`/api/v1/exemptions/${ex.id}/review`, { decision: 'reject' });
    expect(noComment.statusCode).toBe(400);
    expect(noComment.json().code).toBe('EXEMPTION_COMMENT_REQUIRED');

    // the pending list: all for the leader, own for officers
    const pending = (await chen.s.get('/api/v1/exemptions?status=pending')).json().items;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({
      id: ex.id,
      activity: { subjectName: '漯河市某某养殖场', typeNameZh: '日常执法检查' },
    });
    expect((await zhang.s.get('/api/v1/exemptions')).json().items).toHaveLength(1);
    expect((await li.s.get('/api/v1/exemptions')).json().items).toHaveLength(0);

    t.clock.advance(10 * 60_000);
    const approved = await chen.s.post(`/api/v1/exemptions/${ex.id}/review`, {
      decision: 'approve',
      comment: '情况属实，同意',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'approved',
      reviewerId: chen.id,
      reviewerName: '陈六',
      reviewedAt: t.clock.now(),
      reviewComment: '情况属实，同意',
    });
    expect(
      (
        await chen.s.post(`/api/v1/exemptions/${ex.id}/review`, { decision: 'reject', comment: '改判' })
      ).json().code,
    ).toBe('EXEMPTION_NOT_PENDING');
    expect((await zhang.s.post(`/api/v1/exemptions/${ex.id}/withdraw`)).json().code).toBe(
      'EXEMPTION_NOT_PENDING',
    );
    expect((await zhang.s.post(`/api/v1/activities/${a.id}/exemptions`, body)).json().code).toBe(
      'EXEMPTION_ALREADY_APPROVED',
    );
    expect((await li.s.get(`/api/v1/activities/${a.id}`)).json().exemption).toMatchObject({
      status: 'approved',
    });
    expect((await chen.s.get('/api/v1/exemptions?status=pending')).json().items).toHaveLength(0);

    // rejection, a new request, and withdrawal by its author only
    const b = await createActivity(zhang);
    const e1 = (
      await zhang.s.post(`/api/v1/activities/${b.id}/exemptions`, { ...body, category: 'objective' })
    ).json();
    const rejected = await chen.s.post(`/api/v1/exemptions/${e1.id}/review`, {
      decision: 'reject',
      comment: '依据不充分，请补充说明',
    });
    expect(rejected.json()).toMatchObject({ status: 'rejected', reviewComment: '依据不充分，请补充说明' });
    expect((await zhang.s.get(`/api/v1/activities/${b.id}`)).json().exemption.status).toBe('rejected');
    const e2 = (await li.s.post(`/api/v1/activities/${b.id}/exemptions`, body)).json();
    expect(e2.status).toBe('pending');
    expect((await zhang.s.post(`/api/v1/exemptions/${e2.id}/withdraw`)).statusCode).toBe(403);
    expect((await li.s.post(`/api/v1/exemptions/${e2.id}/withdraw`)).json().status).toBe('withdrawn');
    // after a withdrawal the activity shows the last decision still standing
    expect((await zhang.s.get(`/api/v1/activities/${b.id}`)).json().exemption).toMatchObject({
      id: e1.id,
      status: 'rejected',
    });

    // a leader on the team may write one but not approve their own
    const c = await createActivity(chen, { officerIds: [chen.id, li.id], inChargeId: chen.id });
    const own = (await chen.s.post(`/api/v1/activities/${c.id}/exemptions`, body)).json();
    const self = await chen.s.post(`/api/v1/exemptions/${own.id}/review`, { decision: 'approve' });
    expect(self.statusCode).toBe(403);
    expect(self.json().details.reason).toBe('self_review');

    const actions = (await admin.get('/api/v1/audit?targetType=exemption'))
      .json()
      .items.map((e: { action: string }) => e.action);
    expect(actions.filter((x: string) => x === 'exemption.request')).toHaveLength(4);
    expect(actions.filter((x: string) => x === 'exemption.review')).toHaveLength(2);
    expect(actions).toContain('exemption.withdraw');
  });

  it('gives each role its to-do list, and the union to someone with several roles', async () => {
    const now = t.clock.now(); // 10:00 in Shanghai
    // officer: an activity today, one from last week never ended, one completed without notification
    const today = await createActivity(zhang, { plannedAt: now + 2 * H });
    const stale = await createActivity(zhang, { plannedAt: now - 7 * 24 * H });
    const unnotified = await createActivity(zhang, {
      plannedAt: now - 26 * H,
      arrivedAt: now - 26 * H,
      endedAt: now - 25 * H,
    });
    const elsewhere = await createActivity(li, {
      officerIds: [li.id, wang.id],
      inChargeId: li.id,
      plannedAt: now + H,
    });
    // an exemption for the leader
    const ex = (
      await zhang.s.post(`/api/v1/activities/${stale.id}/exemptions`, {
        category: 'objective',
        reason: '设备故障',
        basis: '第七条第（三）项',
      })
    ).json();
    // devices: zhang has one out with no check yet; li has one overdue; one failed its check; one lost
    const d1 = await insertDevice('BWC-101', zhang.id);
    await insertCheckout(d1, zhang.id);
    const d2 = await insertDevice('BWC-102', li.id);
    await insertCheckout(d2, li.id, { checkedOutAt: now - 20 * H, dueAt: now - 2 * H });
    const d3 = await insertDevice('BWC-103', wang.id);
    await insertCheck(d3, wang.id, 'fail', ['CLOCK_OFFSET']);
    const d4 = await insertDevice('BWC-104', wang.id, 'lost');

    const kinds = async (p: Person) =>
      (await p.s.get('/api/v1/todo')).json().items as {
        kind: string;
        link: string;
        severity: string;
        title: string;
        titleEn: string;
        due: number | null;
        since: number | null;
      }[];

    const officer = await kinds(zhang);
    const byKind = (items: Awaited<ReturnType<typeof kinds>>, k: string) => items.filter((i) => i.kind === k);
    expect(byKind(officer, 'activity_today')).toEqual([
      expect.objectContaining({
        link: `/activities/${today.id}`,
        severity: 'info',
        due: now + 2 * H,
        title: expect.stringContaining('12:00'),
      }),
    ]);
    expect(byKind(officer, 'activity_end_missing').map((i) => i.link)).toEqual([`/activities/${stale.id}`]);
    expect(byKind(officer, 'activity_notification_missing').map((i) => i.link)).toEqual([
      `/activities/${unnotified.id}`,
    ]);
    expect(byKind(officer, 'checkout_unchecked')).toEqual([
      expect.objectContaining({ link: `/devices/${d1}`, severity: 'warning' }),
    ]);
    expect(officer.some((i) => i.link === `/activities/${elsewhere.id}`)).toBe(false);
    expect(officer.some((i) => i.kind === 'exemption_review' || i.kind.startsWith('device_'))).toBe(false);
    for (const i of officer) {
      expect(i.title).toMatch(/[\u4e00-\u9fff]/);
      expect(i.titleEn).toMatch(/^[\x20-\x7e\u4e00-\u9fff·（）]+$/);
    }

    // a passing check turns the reminder into plain information
    await insertCheck(d1, zhang.id, 'pass');
    expect(byKind(await kinds(zhang), 'checkout_open')).toEqual([
      expect.objectContaining({ link: `/devices/${d1}`, severity: 'info' }),
    ]);
    expect(byKind(await kinds(li), 'checkout_overdue')).toEqual([
      expect.objectContaining({ link: `/devices/${d2}`, severity: 'danger' }),
    ]);

    const leader = await kinds(chen);
    expect(byKind(leader, 'exemption_review')).toEqual([
      expect.objectContaining({
        link: `/activities/${stale.id}`,
        severity: 'warning',
        since: ex.createdAt,
        title: expect.stringContaining('张三'),
      }),
    ]);
    expect(leader.some((i) => i.kind.startsWith('device_'))).toBe(false);

    const custodian = await kinds(zhao);
    expect(byKind(custodian, 'device_overdue')).toEqual([
      expect.objectContaining({ link: `/devices/${d2}`, severity: 'danger', due: now - 2 * H }),
    ]);
    expect(byKind(custodian, 'device_check_failed')).toEqual([
      expect.objectContaining({ link: `/devices/${d3}`, title: expect.stringContaining('时钟偏差超限') }),
    ]);
    expect(byKind(custodian, 'device_lost')).toEqual([
      expect.objectContaining({ link: `/devices/${d4}`, severity: 'danger' }),
    ]);
    expect(custodian.some((i) => i.kind === 'exemption_review')).toBe(false);
    // danger first
    expect(custodian[0]!.severity).toBe('danger');

    // a pass after the failure clears it; so does time
    t.clock.advance(60_000);
    await insertCheck(d3, wang.id, 'pass');
    expect(byKind(await kinds(zhao), 'device_check_failed')).toHaveLength(0);

    // an exemption waiting over three days turns red (sessions have long expired by then)
    t.clock.advance(4 * 24 * H);
    await chen.s.login('chen.liu', STRONG);
    expect(byKind(await kinds(chen), 'exemption_review')[0]!.severity).toBe('danger');

    // several roles: the union
    await admin.login('admin', STRONG);
    expect(
      (await admin.patch(`/api/v1/users/${chen.id}`, { roles: ['leader', 'custodian'] })).statusCode,
    ).toBe(200);
    await chen.s.login('chen.liu', STRONG);
    const both = await kinds(chen);
    expect(both.some((i) => i.kind === 'exemption_review')).toBe(true);
    expect(both.some((i) => i.kind === 'device_overdue')).toBe(true);
    expect(both.some((i) => i.kind === 'device_lost')).toBe(true);
  });
});
