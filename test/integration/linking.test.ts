// Linking recordings to activities (A4.1) on SQLite and PostgreSQL: a simulated device is
// imported; files inside the activity's window link to it, a file hours later is UNLINKED
// with a finding; the holder links it by hand (audited, finding explained); others may not.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { PERMISSIONS, permissionsOf, type Permission, type Role } from '../../src/domain/roles.js';
import { simulateDevice } from '../../src/media/simulate-device.js';
import { cliActor, type Actor } from '../../src/services/context.js';
import { databaseKinds, tempDir } from '../support/databases.js';
import { adminSession, createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2026-08-04 00:00 in Asia/Shanghai. */
const DAY0 = Date.UTC(2026, 7, 3, 16, 0, 0);
const at = (hours: number, minutes = 0) => DAY0 + hours * HOUR + minutes * MIN;

const operator = cliActor(Object.keys(PERMISSIONS) as Permission[]);
const actorOf = (user: { id: string; name: string }, roles: Role[]): Actor => ({
  userId: user.id,
  name: user.name,
  roles,
  permissions: new Set(permissionsOf(roles)),
  clientIp: null,
  via: 'session',
});

// One device card: 3 minutes of video from 08:10 (inside the activity) and one minute at 11:00.
const simRoot = tempDir('zhilu-linking-sims-');
const card = path.join(simRoot, 'card');
beforeAll(async () => {
  const common = { serial: 'CAM001', officer: '000001', splitMinutes: 2 };
  await simulateDevice({ dir: card, ...common, start: '2026-08-04T08:10:00+08:00', minutes: 3 });
  const later = path.join(simRoot, 'later');
  await simulateDevice({ dir: later, ...common, start: '2026-08-04T11:00:00+08:00', minutes: 1 });
  for (const f of fs.readdirSync(later, { recursive: true, withFileTypes: true }) as fs.Dirent[]) {
    if (!f.isFile() || f.name === 'zhilu-device.json') continue;
    const rel = path.relative(later, path.join(f.parentPath, f.name));
    fs.mkdirSync(path.dirname(path.join(card, rel)), { recursive: true });
    fs.copyFileSync(path.join(later, rel), path.join(card, rel));
  }
}, 120_000);
afterAll(() => fs.rmSync(simRoot, { recursive: true, force: true }));

describe.each(databaseKinds())('linking recordings to activities on %s', (kind) => {
  let t: TestInstall;
  beforeEach(async () => {
    t = await createInstall(kind);
  });
  afterEach(async () => {
    await t.close();
  });

  const svc = () => t.zhilu.services;
  const db = () => t.zhilu.catalogue.db;

  async function officer(username: string, code: string) {
    const { user, initialPassword } = await svc().users.create(operator, {
      username,
      name: `警员${code}`,
      code,
      unitId: null,
      roles: ['officer'],
      mustChangePassword: true,
    });
    return { ...user, initialPassword: initialPassword!, actor: actorOf(user, ['officer']) };
  }

  /** Logs in (at the current test time) and completes the forced password change. */
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

  async function subject(): Promise<string> {
    const id = uuidv7();
    const now = t.clock.now();
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
        createdAt: now,
        updatedAt: now,
      })
      .execute();
    return id;
  }

  it('links files inside the window, flags the later one UNLINKED; the holder links it by hand; others are refused', async () => {
    const zhang = await officer('zhang.san', '000001');
    const li = await officer('li.si', '000002');
    const wang = await officer('wang.wu', '000003');
    const cam = await svc().devices.create(operator, {
      serial: 'CAM001',
      typeId: 'body_camera',
      holderId: zhang.id,
    });

    t.clock.t = at(7, 30);
    const co = await svc().checkouts.checkout(zhang.actor, cam.id, {});
    await svc().checkouts.recordCheck(zhang.actor, cam.id, {
      batteryPercent: 90,
      freeStorageMb: 20_000,
      deviceTime: t.clock.now(),
    });
    t.clock.t = at(12);
    await svc().checkouts.checkin(zhang.actor, co.id);
    const activity = await svc().activities.create(operator, {
      type: 'routine_inspection',
      subjectId: await subject(),
      address: '郾城区',
      plannedAt: at(7, 45),
      arrivedAt: at(8),
      endedAt: at(9),
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
    });
    // A cancelled activity of the same officer over the later file's time never claims it.
    const cancelled = await svc().activities.create(operator, {
      type: 'routine_inspection',
      subjectId: await subject(),
      address: '别处',
      plannedAt: at(10, 30),
      arrivedAt: at(10, 50), // in progress, open-ended: would claim 11:00 were it not cancelled
      officerIds: [zhang.id, wang.id],
      inChargeId: zhang.id,
    });
    await svc().activities.update(operator, cancelled.id, { status: 'cancelled' });

    t.clock.t = at(13);
    const report = await svc().imports.importDirectory(operator, card, 'CAM001');
    expect(report.summary.failed).toBe(0);
    const rows = await db()
      .selectFrom('recordings')
      .selectAll()
      .where('importId', '=', report.importId)
      .orderBy('recordedAt')
      .execute();
    const videos = rows.filter((r) => r.kind === 'video');
    const inside = videos.filter((r) => Number(r.recordedAt) < at(10));
    const later = videos.filter((r) => Number(r.recordedAt) >= at(10));
    expect(inside.length).toBeGreaterThanOrEqual(2);
    expect(later.length).toBe(1);
    for (const r of inside) expect(r.activityId).toBe(activity.id);
    expect(later[0]!.activityId).toBeNull();
    expect(rows.find((r) => r.kind === 'other')?.activityId).toBeNull();

    const unlinked = await db().selectFrom('findings').selectAll().where('code', '=', 'UNLINKED').execute();
    expect(unlinked).toHaveLength(1);
    expect(unlinked[0]).toMatchObject({
      article: 'A4.1',
      subjectType: 'recording',
      subjectId: later[0]!.id,
      status: 'open',
    });
    expect(JSON.parse(unlinked[0]!.detail)).toMatchObject({ reason: 'NO_ACTIVITY', holderId: zhang.id });
    const autoAudit = await db()
      .selectFrom('auditEvents')
      .select(['targetId', 'details'])
      .where('action', '=', 'recording.link')
      .execute();
    expect(autoAudit.map((a) => a.targetId).sort()).toEqual(inside.map((r) => r.id).sort());

    // Importing again changes nothing: no re-linking, no second finding.
    await svc().imports.importDirectory(operator, card, 'CAM001');
    expect(
      await db().selectFrom('findings').select('id').where('code', '=', 'UNLINKED').execute(),
    ).toHaveLength(1);

    const url = `/api/v1/recordings/${later[0]!.id}/link`;
    const admin = await adminSession(t);
    const [zs, ls, ws] = [await sessionOf(zhang), await sessionOf(li), await sessionOf(wang)];
    // Someone neither custodian nor holder: refused, even when on the activity's team.
    const outsider = await ws.post(url, { activityId: activity.id, reason: '顺手关联' });
    expect(outsider.statusCode).toBe(403);
    expect(outsider.json().code).toBe('FORBIDDEN');
    expect((await ls.post(url, { activityId: activity.id, reason: '同组' })).statusCode).toBe(403);
    // A reason is required; unknown and cancelled activities are refused.
    expect((await zs.post(url, { activityId: activity.id, reason: '' })).statusCode).toBe(400);
    expect((await zs.post(url, { activityId: activity.id })).statusCode).toBe(400);
    expect((await zs.post(url, { activityId: uuidv7(), reason: '补录' })).json().code).toBe(
      'ACTIVITY_NOT_FOUND',
    );
    expect((await zs.post(url, { activityId: cancelled.id, reason: '补录' })).json().code).toBe(
      'ACTIVITY_CANCELLED',
    );

    const blobBefore = (await t.zhilu.blobs.stat(later[0]!.sha256))?.size;
    const linked = await zs.post(url, { activityId: activity.id, reason: '返回途中继续记录现场情况' });
    expect(linked.statusCode, linked.body).toBe(200);
    expect(linked.json()).toMatchObject({
      recordingId: later[0]!.id,
      activityId: activity.id,
      previousActivityId: null,
      findingIds: [unlinked[0]!.id],
    });
    const after = await db()
      .selectFrom('recordings')
      .selectAll()
      .where('id', '=', later[0]!.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ ...later[0]!, activityId: activity.id, linkSource: 'manual' });
    expect((await t.zhilu.blobs.stat(later[0]!.sha256))?.size).toBe(blobBefore);
    const finding = await db()
      .selectFrom('findings')
      .selectAll()
      .where('id', '=', unlinked[0]!.id)
      .executeTakeFirstOrThrow();
    expect(finding.status).toBe('explained');
    expect(JSON.parse(finding.detail).explanation).toMatchObject({ activityId: activity.id, by: zhang.id });
    const manual = await db()
      .selectFrom('auditEvents')
      .select(['actorId', 'details'])
      .where('action', '=', 'recording.link')
      .where('targetId', '=', later[0]!.id)
      .execute();
    expect(manual).toHaveLength(1);
    expect(manual[0]!.actorId).toBe(zhang.id);
    expect(JSON.parse(manual[0]!.details as string)).toMatchObject({
      from: null,
      to: activity.id,
      reason: '返回途中继续记录现场情况',
      as: 'holder',
    });
    // The same link again is a conflict; a custodian (the admin) may unlink, which reopens UNLINKED.
    expect((await zs.post(url, { activityId: activity.id, reason: '再次' })).json().code).toBe(
      'RECORDING_LINK_UNCHANGED',
    );
    const unlink = await admin.post(url, { activityId: null, reason: '核实后不属于该活动' });
    expect(unlink.statusCode, unlink.body).toBe(200);
    expect(unlink.json()).toMatchObject({ activityId: null, previousActivityId: activity.id });
    const reopened = await db()
      .selectFrom('findings')
      .select(['id', 'status'])
      .where('code', '=', 'UNLINKED')
      .where('status', '=', 'open')
      .execute();
    expect(reopened.map((f) => f.id)).toEqual(unlink.json().findingIds);
    expect((await svc().audit.verify()).ok).toBe(true);
  }, 60_000);

  it('re-links when the activity’s times or team change; manual decisions stand', async () => {
    const zhang = await officer('zhang.san', '000001');
    const li = await officer('li.si', '000002');
    const wang = await officer('wang.wu', '000003');
    const cam = await svc().devices.create(operator, {
      serial: 'CAM001',
      typeId: 'body_camera',
      holderId: zhang.id,
    });
    t.clock.t = at(7, 30);
    const co = await svc().checkouts.checkout(zhang.actor, cam.id, {});
    t.clock.t = at(12);
    await svc().checkouts.checkin(zhang.actor, co.id);
    const activity = await svc().activities.create(operator, {
      type: 'routine_inspection',
      subjectId: await subject(),
      address: '郾城区',
      plannedAt: at(7, 45),
      arrivedAt: at(8),
      endedAt: at(9),
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
    });
    t.clock.t = at(13);
    const report = await svc().imports.importDirectory(operator, card, 'CAM001');
    expect(report.summary.failed).toBe(0);
    const recs = async () =>
      db()
        .selectFrom('recordings')
        .select(['id', 'recordedAt', 'activityId', 'linkSource'])
        .where('kind', '=', 'video')
        .orderBy('recordedAt')
        .execute();
    const unlinkedOf = async (id: string) =>
      db()
        .selectFrom('findings')
        .select(['id', 'status', 'detail'])
        .where('code', '=', 'UNLINKED')
        .where('subjectId', '=', id)
        .orderBy('createdAt')
        .orderBy('id')
        .execute();
    const initial = await recs();
    const later = initial.at(-1)!;
    const inside = initial.slice(0, -1);
    expect(Number(later.recordedAt)).toBeGreaterThanOrEqual(at(11));
    expect(later.activityId).toBeNull();
    for (const r of inside) expect(r).toMatchObject({ activityId: activity.id, linkSource: 'auto' });

    // The officers stayed longer than first entered: the 11:00 file now belongs to the activity,
    // and its UNLINKED finding is explained by the rule (kept for the record).
    // (a completed activity is corrected by a leader; the console operator has every permission)
    await svc().activities.update(operator, activity.id, { endedAt: at(11, 30) });
    expect((await recs()).at(-1)).toMatchObject({ activityId: activity.id, linkSource: 'auto' });
    const explained = await unlinkedOf(later.id);
    expect(explained).toHaveLength(1);
    expect(explained[0]!.status).toBe('explained');
    expect(JSON.parse(explained[0]!.detail).explanation).toMatchObject({
      activityId: activity.id,
      auto: true,
    });
    const relinkEvent = await db()
      .selectFrom('auditEvents')
      .select(['details'])
      .where('action', '=', 'recording.link')
      .where('targetId', '=', later.id)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(relinkEvent.details as string)).toMatchObject({
      from: null,
      to: activity.id,
      auto: true,
      trigger: { activityChanged: activity.id },
    });

    // Corrected back: the file is outside again, with a new open finding.
    await svc().activities.update(operator, activity.id, { endedAt: at(9) });
    expect((await recs()).at(-1)).toMatchObject({ activityId: null, linkSource: null });
    expect((await unlinkedOf(later.id)).map((f) => f.status)).toEqual(['explained', 'open']);

    // A custodian unlinks one inside file by hand: no later change of the activity re-links it.
    const admin = await adminSession(t);
    const manual = inside[0]!;
    const unlink = await admin.post(`/api/v1/recordings/${manual.id}/link`, {
      activityId: null,
      reason: '核实为设备试录，与本次检查无关',
    });
    expect(unlink.statusCode, unlink.body).toBe(200);

    // The holder leaves the team (and the device was never registered on it): the rule lets
    // go of the holder's files; putting him back brings them back — except the manual one.
    await svc().activities.update(operator, activity.id, {
      officerIds: [li.id, wang.id],
      inChargeId: li.id,
    });
    for (const r of (await recs()).slice(0, -1)) expect(r.activityId).toBeNull();
    await svc().activities.update(operator, activity.id, {
      officerIds: [zhang.id, li.id, wang.id],
      inChargeId: zhang.id,
    });
    const back = await recs();
    expect(back.find((r) => r.id === manual.id)).toMatchObject({ activityId: null, linkSource: 'manual' });
    for (const r of back.slice(1, -1))
      expect(r).toMatchObject({ activityId: activity.id, linkSource: 'auto' });

    // Times corrected to the afternoon: nothing belongs to it any more; every file the rule
    // had placed is flagged for review again, none is lost.
    await svc().activities.update(operator, activity.id, { arrivedAt: at(12), endedAt: at(12, 30) });
    const released = await recs();
    for (const r of released) expect(r.activityId).toBeNull();
    for (const r of released.slice(1, -1))
      expect((await unlinkedOf(r.id)).filter((f) => f.status === 'open')).toHaveLength(1);
    expect((await svc().audit.verify()).ok).toBe(true);
  }, 60_000);
});
