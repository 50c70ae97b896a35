// Compliance end to end on SQLite and PostgreSQL, driven by the device simulator: two
// officers on one activity (08:00–08:20), each with a checked camera. Zhang's camera records
// 08:00–08:10 with a one-minute stop at 08:05 and speaks on resuming; Li's records 08:10–08:20
// with a stop at 08:15 and no speech on resuming, and is imported the next day (late). A
// file of Zhang's at 11:00 belongs to no activity. Expected: two GAPs, GAP_NO_SPEECH on Li's
// resumed file, LATE_IMPORT on Li's files, UNLINKED on the 11:00 file; verdict non-compliant.
// Then the officers explain the gaps (A11) and the late import, a leader decides, and the
// verdict moves to awaiting explanation and then to compliant. Bad input is refused.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { PERMISSIONS, permissionsOf, type Permission, type Role } from '../../src/domain/roles.js';
import { simulateDevice } from '../../src/media/simulate-device.js';
import { cliActor, type Actor } from '../../src/services/context.js';
import { databaseKinds, tempDir } from '../support/databases.js';
import { createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2026-08-04 00:00 in Asia/Shanghai. */
const DAY0 = Date.UTC(2026, 7, 3, 16, 0, 0);
const at = (hours: number, minutes = 0) => DAY0 + hours * HOUR + minutes * MIN;

const operator = cliActor(Object.keys(PERMISSIONS) as Permission[]);

const simRoot = tempDir('zhilu-compliance-sims-');
const zhangCard = path.join(simRoot, 'cam1');
const liCard = path.join(simRoot, 'cam2');
const editedCard = path.join(simRoot, 'cam4');
beforeAll(async () => {
  await Promise.all([
    simulateDevice({
      dir: zhangCard,
      serial: 'CAM001',
      officer: '000001',
      start: '2026-08-04T08:00:00+08:00',
      minutes: 10,
      splitMinutes: 5,
      gaps: [{ atMinute: 5, seconds: 60 }],
      speech: true,
    }),
    simulateDevice({
      dir: liCard,
      serial: 'CAM002',
      officer: '000002',
      start: '2026-08-04T08:10:00+08:00',
      minutes: 10,
      splitMinutes: 5,
      gaps: [{ atMinute: 5, seconds: 60 }],
    }),
  ]);
  await simulateDevice({
    dir: editedCard,
    serial: 'CAM004',
    officer: '000001',
    start: '2026-08-04T08:00:00+08:00',
    minutes: 3,
    splitMinutes: 1,
    editSeq: [2],
  });
  // One file of Zhang's camera hours later, outside any activity.
  const later = path.join(simRoot, 'later');
  await simulateDevice({
    dir: later,
    serial: 'CAM001',
    officer: '000001',
    start: '2026-08-04T11:00:00+08:00',
    minutes: 1,
  });
  for (const f of fs.readdirSync(later, { recursive: true, withFileTypes: true }) as fs.Dirent[]) {
    if (!f.isFile() || f.name === 'zhilu-device.json') continue;
    const rel = path.relative(later, path.join(f.parentPath, f.name));
    fs.mkdirSync(path.dirname(path.join(zhangCard, rel)), { recursive: true });
    fs.copyFileSync(path.join(later, rel), path.join(zhangCard, rel));
  }
}, 180_000);
afterAll(() => fs.rmSync(simRoot, { recursive: true, force: true }));

interface View {
  verdict: string;
  phase: string;
  coveredMs: number;
  windowMs: number;
  reasons: { code: string; status: string; effect: string }[];
  timeline: { gaps: { from: number; to: number; speechAtResume: boolean | null }[]; lanes: unknown[] };
  findings: {
    id: string;
    code: string;
    status: string;
    withdrawn: boolean;
    subjectId: string;
    history: { act: string }[];
  }[];
  interruptions: { id: string; decision: string | null }[];
  may: { explain: boolean; decide: boolean };
}

describe.each(databaseKinds())('compliance on %s', (kind) => {
  let t: TestInstall;
  beforeEach(async () => {
    t = await createInstall(kind);
  });
  afterEach(async () => {
    await t.close();
  });
  const svc = () => t.zhilu.services;
  const db = () => t.zhilu.catalogue.db;

  async function person(username: string, code: string, roles: Role[]) {
    const { user, initialPassword } = await svc().users.create(operator, {
      username,
      name: `人员${code}`,
      code,
      unitId: null,
      roles,
      mustChangePassword: true,
    });
    const actor: Actor = {
      userId: user.id,
      name: user.name,
      roles,
      permissions: new Set(permissionsOf(roles)),
      clientIp: null,
      via: 'session',
    };
    return { ...user, initialPassword: initialPassword!, actor };
  }

  async function sessionOf(who: { username: string; initialPassword: string }): Promise<Session> {
    const s = new Session(t.app);
    expect((await s.login(who.username, who.initialPassword)).statusCode).toBe(200);
    const r = await s.post('/api/v1/auth/password', {
      currentPassword: who.initialPassword,
      newPassword: STRONG,
    });
    expect(r.statusCode).toBe(204);
    return s;
  }

  /** A farm to inspect, written directly (subjects have their own tests). */
  async function subject(): Promise<string> {
    const id = uuidv7();
    await db()
      .insertInto('enforcementSubjects')
      .values({
        id,
        type: 'farm',
        name: '某养殖场',
        creditCode: null,
        idNumber: null,
        legalRepresentative: null,
        address: '漯河市郾城区',
        contact: null,
        latitude: null,
        longitude: null,
        unitId: null,
        createdBy: null,
        createdAt: t.clock.now(),
        updatedAt: t.clock.now(),
      })
      .execute();
    return id;
  }

  async function drainJobs() {
    const worker = svc().media.worker({ id: 'test-worker' });
    for (let i = 0; i < 300; i++) if ((await worker.runOnce()) === 'idle') return;
    throw new Error('the queue did not empty');
  }

  it('finds gaps, missing speech, a late import and an unlinked file; explanations and decisions move the verdict', async () => {
    const zhang = await person('zhang.san', '000001', ['officer']);
    const li = await person('li.si', '000002', ['officer']);
    const wang = await person('wang.wu', '000003', ['officer']);
    const leader = await person('zhao.liu', '000100', ['leader']);
    const head = await person('qian.qi', '000200', ['department_head']);
    const cam1 = await svc().devices.create(operator, {
      serial: 'CAM001',
      typeId: 'body_camera',
      holderId: zhang.id,
    });
    const cam2 = await svc().devices.create(operator, {
      serial: 'CAM002',
      typeId: 'body_camera',
      holderId: li.id,
    });

    // Check-outs with passing pre-use checks (A5.1), before the activity.
    t.clock.t = at(7, 40);
    const checkouts = [];
    for (const [who, cam] of [
      [zhang, cam1],
      [li, cam2],
    ] as const) {
      checkouts.push(await svc().checkouts.checkout(who.actor, cam.id, {}));
      await svc().checkouts.recordCheck(who.actor, cam.id, {
        batteryPercent: 95,
        freeStorageMb: 30_000,
        deviceTime: t.clock.now(),
      });
    }
    const subjectId = await subject();

    t.clock.t = at(8, 40);
    const activity = await svc().activities.create(zhang.actor, {
      type: 'routine_inspection',
      subjectId,
      address: '郾城区',
      plannedAt: at(7, 50),
      arrivedAt: at(8),
      endedAt: at(8, 20),
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
    });
    await svc().activities.attachDevice(zhang.actor, activity.id, cam1.id);
    await svc().activities.attachDevice(li.actor, activity.id, cam2.id);
    for (const [who, co] of [
      [zhang, checkouts[0]!],
      [li, checkouts[1]!],
    ] as const)
      await svc().checkouts.checkin(who.actor, co.id);

    // Zhang docks at 09:00; Li only the next morning, after the A13.1 deadline (end of the day).
    t.clock.t = at(9);
    const r1 = await svc().imports.importDirectory(operator, zhangCard, 'CAM001');
    expect(r1.summary.failed).toBe(0);
    t.clock.t = at(24 + 10);
    const r2 = await svc().imports.importDirectory(operator, liCard, 'CAM002');
    expect(r2.summary.failed).toBe(0);
    await drainJobs(); // speech at start, then the recompute the measurements queue

    const url = `/api/v1/activities/${activity.id}/compliance`;
    const [zs, ls, ws, leaderS, headS] = [
      await sessionOf(zhang),
      await sessionOf(li),
      await sessionOf(wang),
      await sessionOf(leader),
      await sessionOf(head),
    ];
    const view = async (s: Session = zs): Promise<View> => {
      const r = await s.get(url);
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as View;
    };
    const standing = (v: View) => v.findings.filter((f) => !f.withdrawn);
    const codes = (v: View) =>
      standing(v)
        .map((f) => f.code)
        .sort();

    let v = await view();
    expect(v.phase).toBe('final');
    expect(v.windowMs).toBe(20 * MIN);
    // Two one-minute stops: 18 of 20 minutes covered, give or take a file's rounding.
    expect(Math.abs(v.coveredMs - 18 * MIN)).toBeLessThan(5_000);
    expect(v.timeline.gaps.map((g) => [Math.round((g.from - at(8)) / MIN), g.speechAtResume])).toEqual([
      [5, true],
      [15, false],
    ]);
    const li2 = await db()
      .selectFrom('recordings')
      .select(['id', 'recordedAt'])
      .where('deviceId', '=', cam2.id)
      .where('kind', '=', 'video')
      .orderBy('recordedAt')
      .execute();
    expect(codes(v).filter((c) => c !== 'LATE_IMPORT')).toEqual([
      'GAP',
      'GAP',
      'GAP_NO_SPEECH',
      'NOT_DOCKED',
    ]);
    // Li's camera was not docked by the deadline (A13.1): the device's finding, beside each file's.
    expect(standing(v).find((f) => f.code === 'NOT_DOCKED')!.subjectId).toBe(cam2.id);
    expect(
      standing(v)
        .filter((f) => f.code === 'LATE_IMPORT')
        .map((f) => f.subjectId)
        .sort(),
    ).toEqual(li2.map((r) => r.id).sort());
    expect(standing(v).find((f) => f.code === 'GAP_NO_SPEECH')!.subjectId).toBe(li2[1]!.id);
    expect(v.verdict).toBe('non_compliant');
    expect(v.may).toEqual({ explain: true, decide: false, mark: true });
    // The 11:00 file is outside every activity.
    const unlinked = await db()
      .selectFrom('findings')
      .select(['subjectId', 'status'])
      .where('code', '=', 'UNLINKED')
      .execute();
    expect(unlinked).toHaveLength(1);
    expect(unlinked[0]!.status).toBe('open');

    // Bad input: "other" without text; someone not on the activity; a leader who was on it.
    const gaps = v.timeline.gaps;
    const post = (s: Session, body: object) =>
      s.post(`/api/v1/activities/${activity.id}/interruptions`, body);
    const first = {
      gapFrom: gaps[0]!.from,
      gapTo: gaps[0]!.to,
      spokenConfirmed: true,
      stoppedForGood: false,
    };
    expect((await post(zs, { ...first, reason: 'other' })).json().code).toBe(
      'INTERRUPTION_REASON_TEXT_REQUIRED',
    );
    expect((await post(zs, { ...first, reason: 'rain' })).statusCode).toBe(400);
    const outsider = await post(ws, { ...first, reason: 'low_battery' });
    expect(outsider.statusCode).toBe(403);
    expect((await post(zs, { ...first, gapTo: first.gapFrom - 1, reason: 'low_battery' })).json().code).toBe(
      'INTERRUPTION_TIMES_INVALID',
    );

    // The officers give the reasons (A11.1) and confirm they were said aloud (A11.2).
    const i1 = await post(zs, { ...first, reason: 'low_battery' });
    expect(i1.statusCode, i1.body).toBe(201);
    const i2 = await post(ls, {
      gapFrom: gaps[1]!.from,
      gapTo: gaps[1]!.to,
      reason: 'venue_change',
      reasonText: '转入饲料库房检查',
      spokenConfirmed: true,
      stoppedForGood: false,
    });
    expect(i2.statusCode, i2.body).toBe(201);
    v = await view();
    expect(
      standing(v)
        .filter((f) => f.code === 'GAP')
        .map((f) => f.status),
    ).toEqual(['explained', 'explained']);
    // The system heard no speech on resuming: still non-compliant until a leader decides.
    expect(standing(v).find((f) => f.code === 'GAP_NO_SPEECH')!.status).toBe('explained');
    expect(v.verdict).toBe('non_compliant');

    // A leader not on the activity decides; a rejection needs a reason.
    const decide = (s: Session, id: string, body: object) =>
      s.post(`/api/v1/interruptions/${id}/decision`, body);
    expect((await decide(zs, i1.json().id, { decision: 'accepted' })).statusCode).toBe(403);
    expect((await decide(leaderS, i2.json().id, { decision: 'rejected' })).statusCode).toBe(400);
    for (const i of [i1, i2])
      expect((await decide(leaderS, i.json().id, { decision: 'accepted' })).statusCode).toBe(200);
    v = await view();
    expect(
      standing(v)
        .filter((f) => f.code.startsWith('GAP'))
        .every((f) => f.status === 'accepted'),
    ).toBe(true);
    // Only the late import is left: it can be explained.
    expect(v.verdict).toBe('awaiting_explanation');
    expect(v.reasons.map((r) => r.code).sort()).toEqual(['LATE_IMPORT', 'NOT_DOCKED']);

    // The late import: Li explains each file; a gap cannot be answered this way.
    const gapFinding = standing(v).find((f) => f.code === 'GAP')!;
    expect(
      (await ls.post(`/api/v1/findings/${gapFinding.id}/acts`, { act: 'explain', comment: 'x' })).json().code,
    ).toBe('FINDING_ANSWERED_BY_INTERRUPTION');
    for (const f of standing(v).filter((x) => x.code === 'LATE_IMPORT' || x.code === 'NOT_DOCKED')) {
      expect(
        (await ws.post(`/api/v1/findings/${f.id}/acts`, { act: 'explain', comment: '顺路' })).statusCode,
      ).toBe(403);
      expect((await ls.post(`/api/v1/findings/${f.id}/acts`, { act: 'explain' })).statusCode).toBe(400);
      const e = await ls.post(`/api/v1/findings/${f.id}/acts`, {
        act: 'explain',
        comment: '当晚采集站故障，次日上午补采',
      });
      expect(e.statusCode, e.body).toBe(200);
      expect(e.json().status).toBe('explained');
    }
    // The department head sees them awaiting a decision in the bell, and accepts.
    const bell = (await headS.get('/api/v1/notifications')).json() as {
      awaiting: { findingId: string; owed: string }[];
    };
    expect(bell.awaiting.filter((a) => a.owed === 'decide')).toHaveLength(li2.length + 1);
    for (const a of bell.awaiting) {
      const r = await headS.post(`/api/v1/findings/${a.findingId}/acts`, { act: 'accept' });
      expect(r.statusCode, r.body).toBe(200);
    }
    v = await view(leaderS);
    expect(v.verdict).toBe('compliant');
    expect(v.may.decide).toBe(true);
    const late = standing(v).find((f) => f.code === 'LATE_IMPORT')!;
    expect(late.history.map((h) => h.act)).toEqual(['raised', 'explain', 'accept']);

    // A recompute with nothing new changes nothing; the audit chain holds.
    const before = JSON.stringify((await view()).findings);
    await svc().compliance.recomputeMany([activity.id]);
    expect(JSON.stringify((await view()).findings)).toBe(before);
    expect((await svc().audit.verify()).ok).toBe(true);
  }, 240_000);

  it('the bell lists import-time findings on an activity’s recordings: to explain, then to decide', async () => {
    const zhang = await person('zhang.san', '000001', ['officer']);
    const li = await person('li.si', '000002', ['officer']);
    const head = await person('qian.qi', '000200', ['department_head']);
    const cam = await svc().devices.create(operator, {
      serial: 'CAM004',
      typeId: 'body_camera',
      holderId: zhang.id,
    });
    const subjectId = await subject();
    t.clock.t = at(7, 30);
    const co = await svc().checkouts.checkout(zhang.actor, cam.id, {});
    t.clock.t = at(8, 30);
    const activity = await svc().activities.create(zhang.actor, {
      type: 'routine_inspection',
      subjectId,
      address: '郾城区',
      plannedAt: at(7, 50),
      arrivedAt: at(8),
      endedAt: at(8, 3),
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
    });
    await svc().checkouts.checkin(zhang.actor, co.id);
    t.clock.t = at(9);
    await svc().imports.importDirectory(operator, editedCard, 'CAM004');
    const edited = await db()
      .selectFrom('findings')
      .innerJoin('recordings', 'recordings.id', 'findings.subjectId')
      .select(['findings.id', 'recordings.activityId'])
      .where('findings.code', '=', 'EDITED')
      .execute();
    expect(edited).toHaveLength(1);
    expect(edited[0]!.activityId).toBe(activity.id);
    const [ls, hs] = [await sessionOf(li), await sessionOf(head)];
    type Bell = { awaiting: { findingId: string; code: string; owed: string; activityId: string }[] };
    const mine = ((await ls.get('/api/v1/notifications')).json() as Bell).awaiting.find(
      (a) => a.code === 'EDITED',
    );
    expect(mine).toMatchObject({ findingId: edited[0]!.id, owed: 'explain', activityId: activity.id });
    const e = await ls.post(`/api/v1/findings/${edited[0]!.id}/acts`, {
      act: 'explain',
      comment: '设备固件自动转码',
    });
    expect(e.statusCode, e.body).toBe(200);
    const theirs = ((await hs.get('/api/v1/notifications')).json() as Bell).awaiting.find(
      (a) => a.code === 'EDITED',
    );
    expect(theirs).toMatchObject({ findingId: edited[0]!.id, owed: 'decide', activityId: activity.id });
  }, 120_000);

  it('the periodic sweep raises NOT_DOCKED once the deadline passes with no input changing', async () => {
    const zhang = await person('zhang.san', '000001', ['officer']);
    const li = await person('li.si', '000002', ['officer']);
    const cam = await svc().devices.create(operator, {
      serial: 'CAM003',
      typeId: 'body_camera',
      holderId: zhang.id,
    });
    const subjectId = await subject();
    t.clock.t = at(7, 30);
    const co = await svc().checkouts.checkout(zhang.actor, cam.id, {});
    t.clock.t = at(10);
    const activity = await svc().activities.create(zhang.actor, {
      type: 'routine_inspection',
      subjectId,
      address: '郾城区',
      plannedAt: at(7, 50),
      arrivedAt: at(8),
      endedAt: at(9),
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
    });
    await svc().activities.attachDevice(zhang.actor, activity.id, cam.id);
    await svc().checkouts.checkin(zhang.actor, co.id);
    await drainJobs();
    const row = async () =>
      db()
        .selectFrom('activityCompliance')
        .select(['phase', 'verdict'])
        .where('activityId', '=', activity.id)
        .executeTakeFirstOrThrow();
    const notDocked = async () =>
      db()
        .selectFrom('findings')
        .select('subjectId')
        .where('activityId', '=', activity.id)
        .where('code', '=', 'NOT_DOCKED')
        .where('withdrawnAt', 'is', null)
        .execute();
    // The same day: the device may still be docked in time.
    expect((await row()).phase).toBe('awaiting_import');
    expect(await notDocked()).toEqual([]);
    // The next morning, nothing was imported: the sweep finds it without anyone asking.
    t.clock.t = at(24 + 9);
    await svc().compliance.scheduleSweep();
    await drainJobs();
    expect((await notDocked()).map((f) => f.subjectId)).toEqual([cam.id]);
    expect((await row()).verdict).not.toBe('compliant');
    // …and schedules its next round.
    const next = await db()
      .selectFrom('jobs')
      .select('runAfter')
      .where('kind', '=', 'compliance.sweep')
      .where('status', '=', 'queued')
      .execute();
    expect(next.map((j) => Number(j.runAfter))).toEqual([t.clock.now() + 15 * MIN]);
  }, 60_000);

  it('A11.3: a stop for good is reported to the department head, acknowledged and explained in writing', async () => {
    const zhang = await person('zhang.san', '000001', ['officer']);
    const li = await person('li.si', '000002', ['officer']);
    const head = await person('qian.qi', '000200', ['department_head']);
    const subjectId = await subject();
    t.clock.t = at(12);
    const activity = await svc().activities.create(zhang.actor, {
      type: 'routine_inspection',
      subjectId,
      address: '郾城区',
      plannedAt: at(7, 50),
      arrivedAt: at(8),
      endedAt: at(9),
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
    });
    const zs = await sessionOf(zhang);
    const hs = await sessionOf(head);
    const created = await zs.post(`/api/v1/activities/${activity.id}/interruptions`, {
      gapFrom: at(8, 30),
      gapTo: at(9),
      reason: 'device_damage',
      spokenConfirmed: false,
      stoppedForGood: true,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    const unreported = (await zs.get(`/api/v1/activities/${activity.id}/compliance`)).json() as View;
    expect(unreported.findings.filter((f) => !f.withdrawn).map((f) => f.code)).toContain('GAP_UNREPORTED');

    expect((await zs.post(`/api/v1/interruptions/${id}/report`)).statusCode).toBe(200);
    let bell = (await hs.get('/api/v1/notifications')).json() as {
      unread: number;
      notifications: { id: string; kind: string; targetId: string }[];
    };
    expect(bell.unread).toBe(1);
    expect(bell.notifications[0]).toMatchObject({ kind: 'interruption.report', targetId: activity.id });
    expect((await hs.post(`/api/v1/interruptions/${id}/acknowledge`)).statusCode).toBe(200);
    bell = (await hs.get('/api/v1/notifications')).json();
    expect(bell.unread).toBe(0);
    const w = await zs.post(`/api/v1/interruptions/${id}/written`, {
      text: '执法记录仪跌落损坏，无法继续录制。',
    });
    expect(w.statusCode, w.body).toBe(200);
    const after = (await zs.get(`/api/v1/activities/${activity.id}/compliance`)).json() as View;
    const gu = after.findings.find((f) => f.code === 'GAP_UNREPORTED')!;
    expect(gu.withdrawn).toBe(true);
    expect(gu.history.map((h) => h.act)).toEqual(['raised', 'withdrawn']);
    const events = await db()
      .selectFrom('auditEvents')
      .select('action')
      .where('action', 'like', 'interruption.%')
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.action)).toEqual([
      'interruption.create',
      'interruption.report',
      'interruption.acknowledge',
      'interruption.written',
    ]);
  }, 60_000);
});
