// The collection's read side on SQLite and PostgreSQL: two simulated devices (one with a
// dropped file and an edited one) are imported and the media worker run; then the
// recordings list with each filter, the detail, the thumbnail (streamed, audited), who sees
// what (holder, team member, another officer, custodian, administrator), the imports list
// and detail, and bad input answered 400 with a code.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { PERMISSIONS, permissionsOf, type Permission, type Role } from '../../src/domain/roles.js';
import { simulateDevice, type SimulationResult } from '../../src/media/simulate-device.js';
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

const simRoot = tempDir('zhilu-read-sims-');
let cam1: SimulationResult;
let cam2: SimulationResult;
beforeAll(async () => {
  [cam1, cam2] = await Promise.all([
    // 08:10–08:13, three one-minute files numbered by the device (DCIM/RECORD): no. 2
    // deleted on the device, no. 3 edited; a photo.
    simulateDevice({
      dir: path.join(simRoot, 'cam1'),
      serial: 'CAM001',
      officer: '000001',
      start: '2026-08-04T08:10:00+08:00',
      minutes: 3,
      splitMinutes: 1,
      naming: 'dcim-record',
      dropSeq: [2],
      editSeq: [3],
      photos: 1,
    }),
    // Another officer's device, at 10:00, outside any activity.
    simulateDevice({
      dir: path.join(simRoot, 'cam2'),
      serial: 'CAM002',
      officer: '000003',
      start: '2026-08-04T10:00:00+08:00',
      minutes: 1,
    }),
  ]);
}, 180_000);
afterAll(() => fs.rmSync(simRoot, { recursive: true, force: true }));

describe.each(databaseKinds())('recordings and imports, read side, on %s', (kind) => {
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
      name: `用户${code}`,
      code,
      unitId: null,
      roles,
      mustChangePassword: true,
    });
    return { ...user, initialPassword: initialPassword!, actor: actorOf(user, roles) };
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

  /** Both devices out and checked, an activity 08:00–09:00, both imported at 13:00, media made. */
  async function setUp() {
    const zhang = await person('zhang.san', '000001', ['officer']);
    const li = await person('li.si', '000002', ['officer']);
    const wang = await person('wang.wu', '000003', ['officer']);
    const zhao = await person('zhao.liu', '000200', ['custodian']);
    const d1 = await svc().devices.create(operator, {
      serial: 'CAM001',
      typeId: 'body_camera',
      holderId: zhang.id,
    });
    const d2 = await svc().devices.create(operator, {
      serial: 'CAM002',
      typeId: 'body_camera',
      holderId: wang.id,
    });
    t.clock.t = at(7, 30);
    const c1 = await svc().checkouts.checkout(zhang.actor, d1.id, {});
    const c2 = await svc().checkouts.checkout(wang.actor, d2.id, {});
    for (const [who, dev] of [
      [zhang, d1],
      [wang, d2],
    ] as const)
      await svc().checkouts.recordCheck(who.actor, dev.id, {
        batteryPercent: 90,
        freeStorageMb: 20_000,
        deviceTime: t.clock.now(),
      });
    t.clock.t = at(12);
    const farm = await subject('宏发养殖场');
    const activity = await svc().activities.create(operator, {
      type: 'routine_inspection',
      title: '例行检查',
      subjectId: farm,
      address: '郾城区',
      plannedAt: at(7, 45),
      arrivedAt: at(8),
      endedAt: at(9),
      officerIds: [zhang.id, li.id],
      inChargeId: zhang.id,
    });
    await svc().checkouts.checkin(zhang.actor, c1.id);
    await svc().checkouts.checkin(wang.actor, c2.id);
    t.clock.t = at(13);
    const r1 = await svc().imports.importDirectory(operator, cam1.dir, 'CAM001');
    const r2 = await svc().imports.importDirectory(operator, cam2.dir, 'CAM002');
    const worker = svc().media.worker();
    for (let i = 0; i < 100 && (await worker.runOnce()) !== 'idle'; i++);
    return { zhang, li, wang, zhao, d1, d2, farm, activity, r1, r2 };
  }

  const idsOf = (res: { json(): { items: { id: string }[] } }) =>
    res
      .json()
      .items.map((i) => i.id)
      .sort();

  it('lists with every filter, shows the detail and the thumbnail, and keeps each officer to their own', async () => {
    const { zhang, li, wang, zhao, d2, farm, activity, r1, r2 } = await setUp();
    const all = await db().selectFrom('recordings').selectAll().execute();
    const byPath = (sim: SimulationResult, kindOf: string, seq: number) =>
      all.find(
        (r) => r.originalPath === sim.files.find((f) => f.kind === kindOf && f.sequence === seq)!.path,
      )!;
    const edited = byPath(cam1, 'video', 3);
    const first = byPath(cam1, 'video', 1);
    const photo = byPath(cam1, 'photo', 1);
    const other = byPath(cam2, 'video', 1);
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

    const custodian = await sessionOf(zhao);
    const list = await custodian.get('/api/v1/recordings');
    expect(list.statusCode).toBe(200);
    expect(list.json().total).toBe(all.length);
    expect(idsOf(list)).toEqual(ids(all));
    // Newest first.
    const times = list
      .json()
      .items.map((i: { recordedAt: number | null }) => i.recordedAt)
      .filter((x: number | null) => x !== null);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const itemOf = (id: string) => list.json().items.find((i: { id: string }) => i.id === id);
    expect(itemOf(first.id)).toMatchObject({
      activityId: activity.id,
      activityTitle: '例行检查',
      subjectId: farm,
      subjectName: '宏发养殖场',
      findings: [],
    });
    // The edit moved the file's time to 11:27, after the activity: not linked.
    const item = itemOf(edited.id);
    expect(item).toMatchObject({
      kind: 'video',
      deviceSerial: 'CAM001',
      holderId: zhang.id,
      holderName: zhang.name,
      activityId: null,
      sha256: edited.sha256,
      size: Number(edited.size),
      importId: r1.importId,
      mediaStatus: 'ready',
      hasThumbnail: true,
    });
    expect(item.findings.sort()).toEqual(['EDITED', 'UNLINKED']);
    expect(list.json().items.find((i: { id: string }) => i.id === other.id)).toMatchObject({
      activityId: null,
      findings: expect.arrayContaining(['UNLINKED']),
    });

    const q = async (query: string) => {
      const r = await custodian.get(`/api/v1/recordings?${query}`);
      expect(r.statusCode, `${query}: ${r.body}`).toBe(200);
      expect(r.json().total).toBe(r.json().items.length);
      return r
        .json()
        .items.map((i: { id: string }) => i.id)
        .sort();
    };
    expect(await q(`officer=${zhang.id}`)).toEqual(ids(all.filter((r) => r.holderId === zhang.id)));
    expect(await q(`officer=${wang.id}`)).toEqual(ids(all.filter((r) => r.holderId === wang.id)));
    expect(await q(`device=${d2.id}`)).toEqual(ids(all.filter((r) => r.deviceId === d2.id)));
    const linked = all.filter((r) => r.activityId === activity.id);
    expect(linked.map((r) => r.id)).toEqual(expect.arrayContaining([first.id, photo.id]));
    expect(await q(`activity=${activity.id}`)).toEqual(ids(linked));
    expect(await q(`subject=${farm}`)).toEqual(ids(linked));
    expect(await q('linked=true')).toEqual(ids(linked));
    expect(await q('linked=false')).toEqual(ids(all.filter((r) => r.activityId === null)));
    expect(await q('kind=photo')).toEqual([photo.id]);
    expect(await q('finding=EDITED')).toEqual([edited.id]);
    expect(await q('finding=UNLINKED')).toEqual([edited.id, other.id].sort());
    expect(await q(`from=${at(9, 30)}&to=${at(11)}`)).toEqual(
      ids(
        all.filter(
          (r) => r.recordedAt !== null && Number(r.recordedAt) >= at(9, 30) && Number(r.recordedAt) <= at(11),
        ),
      ),
    );
    expect(await q(`from=${at(9, 30)}&to=${at(11)}`)).toContain(other.id);
    // Search: a piece of the file name, a hash prefix, a device serial (any case).
    const name = path.posix.basename(edited.originalPath);
    expect(await q(`q=${encodeURIComponent(name.slice(0, 9).toLowerCase())}`)).toEqual([edited.id]);
    expect(await q(`q=${edited.sha256.slice(0, 10).toUpperCase()}`)).toEqual([edited.id]);
    expect(await q('q=cam002')).toEqual(ids(all.filter((r) => r.deviceId === d2.id)));
    // LIKE wildcards are searched for, not obeyed.
    expect(await q('q=%25')).toEqual([]);
    expect(await q(`kind=video&officer=${zhang.id}&finding=EDITED&linked=false`)).toEqual([edited.id]);
    expect(await q(`kind=video&officer=${zhang.id}&finding=EDITED&linked=true`)).toEqual([]);
    // Pages.
    const p1 = (await custodian.get('/api/v1/recordings?pageSize=2&page=1')).json();
    const p2 = (await custodian.get('/api/v1/recordings?pageSize=2&page=2')).json();
    expect(p1).toMatchObject({ total: all.length, page: 1, pageSize: 2 });
    expect(p1.items).toHaveLength(2);
    expect(p2.items.map((i: { id: string }) => i.id)).not.toContain(p1.items[0].id);
    expect([...p1.items, ...p2.items].map((i: { id: string }) => i.id)).toEqual(
      list
        .json()
        .items.slice(0, 4)
        .map((i: { id: string }) => i.id),
    );

    // Detail: everything about the edited file.
    const detail = await custodian.get(`/api/v1/recordings/${edited.id}`);
    expect(detail.statusCode).toBe(200);
    const d = detail.json();
    expect(d).toMatchObject({
      id: edited.id,
      sha256: edited.sha256,
      originalPath: edited.originalPath,
      nameScheme: edited.nameScheme,
      timeSource: edited.timeSource,
      rawRecordedAt: Number(edited.rawRecordedAt),
      recordedAt: Number(edited.recordedAt),
      device: { serial: 'CAM001', typeId: 'body_camera' },
      holder: { id: zhang.id, code: '000001' },
      import: { id: r1.importId, source: 'cli', status: 'completed' },
      activity: null,
      sequence: 3,
      mediaOk: true,
      mediaStatus: 'ready',
      mayLink: true,
    });
    expect(d.clockCheck).toMatchObject({ result: 'pass' });
    expect(d.clockOffsetMs).toBe(d.clockCheck.offsetMs);
    expect(d.mediaInfo).toMatchObject({ ok: true });
    expect(d.allFindings.find((f: { code: string }) => f.code === 'EDITED')).toMatchObject({
      article: 'A11.4',
      severity: 'serious',
      status: 'open',
      detail: { importId: r1.importId },
    });
    expect(d.derivatives.map((x: { kind: string }) => x.kind)).toEqual(['proxy', 'thumbnail']);
    expect(d.speech.atStart).not.toBeNull();
    expect(d.jobs.map((j: { kind: string; status: string }) => `${j.kind}:${j.status}`)).toEqual([
      'media.proxy:done',
      'media.speech:done',
      'media.thumbnail:done',
    ]);
    expect(d.linkHistory).toEqual([]);
    const firstDetail = (await custodian.get(`/api/v1/recordings/${first.id}`)).json();
    expect(firstDetail.activity).toMatchObject({
      id: activity.id,
      subjectName: '宏发养殖场',
      title: '例行检查',
    });
    expect(firstDetail.linkHistory).toEqual([
      expect.objectContaining({ from: null, to: activity.id, auto: true, reason: null }),
    ]);

    // A manual link shows up in the history with its reason.
    const zs = await sessionOf(zhang);
    expect(
      (await zs.post(`/api/v1/recordings/${other.id}/link`, { activityId: activity.id, reason: '补录' }))
        .statusCode,
    ).toBe(403); // not zhang's recording
    expect(
      (
        await custodian.post(`/api/v1/recordings/${other.id}/link`, {
          activityId: activity.id,
          reason: '现场补拍',
        })
      ).statusCode,
    ).toBe(200);
    const relinked = (await custodian.get(`/api/v1/recordings/${other.id}`)).json();
    expect(relinked.activity.id).toBe(activity.id);
    expect(relinked.linkHistory.at(-1)).toMatchObject({
      from: null,
      to: activity.id,
      auto: false,
      reason: '现场补拍',
    });
    expect(relinked.findings).not.toContain('UNLINKED');
    expect(relinked.allFindings.find((f: { code: string }) => f.code === 'UNLINKED').status).toBe(
      'explained',
    );
    expect(await q('finding=UNLINKED')).toEqual([edited.id]);
    expect(await q('linked=false')).not.toContain(other.id);

    // Thumbnail: the JPEG, cacheable privately, one audit event per fetch.
    const views = async () =>
      (
        await db()
          .selectFrom('auditEvents')
          .select('id')
          .where('action', '=', 'recording.thumbnail.view')
          .where('targetId', '=', edited.id)
          .execute()
      ).length;
    const thumb = await custodian.get(`/api/v1/recordings/${edited.id}/thumbnail`);
    expect(thumb.statusCode).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/jpeg');
    expect(thumb.headers['cache-control']).toBe('private, max-age=3600');
    expect(thumb.rawPayload.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(Number(thumb.headers['content-length'])).toBe(thumb.rawPayload.length);
    expect(thumb.rawPayload.length).toBe(
      d.derivatives.find((x: { kind: string }) => x.kind === 'thumbnail').size,
    );
    expect(await views()).toBe(1);
    await custodian.get(`/api/v1/recordings/${edited.id}/thumbnail`);
    expect(await views()).toBe(2);
    const info = all.find((r) => r.kind === 'other')!;
    const none = await custodian.get(`/api/v1/recordings/${info.id}/thumbnail`);
    expect(none.statusCode).toBe(404);
    expect(none.json().code).toBe('THUMBNAIL_NOT_FOUND');
    expect(none.headers['content-type']).toMatch(/^application\/json/);
    expect(none.headers['cache-control']).toBeUndefined();

    // Officers: their own recordings (held, or linked to an activity they were on).
    // zhang's own, and CAM002's file now that it is linked to zhang's activity.
    const own = ids(all.filter((r) => r.holderId === zhang.id || r.id === other.id));
    expect(idsOf(await zs.get('/api/v1/recordings'))).toEqual(own);
    const ls = await sessionOf(li);
    // li held nothing but was on the activity: its recordings, now including CAM002's one.
    expect(idsOf(await ls.get('/api/v1/recordings'))).toEqual(
      ids(await db().selectFrom('recordings').select('id').where('activityId', '=', activity.id).execute()),
    );
    expect((await ls.get(`/api/v1/recordings/${first.id}`)).statusCode).toBe(200);
    // ...but not zhang's file outside the activity.
    expect((await ls.get(`/api/v1/recordings/${edited.id}`)).statusCode).toBe(403);
    const ws = await sessionOf(wang);
    expect(idsOf(await ws.get('/api/v1/recordings'))).toEqual(ids(all.filter((r) => r.holderId === wang.id)));
    expect((await ws.get(`/api/v1/recordings?officer=${zhang.id}`)).json()).toMatchObject({
      items: [],
      total: 0,
    });
    const refused = await ws.get(`/api/v1/recordings/${edited.id}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('FORBIDDEN');
    expect((await ws.get(`/api/v1/recordings/${edited.id}/thumbnail`)).statusCode).toBe(403);
    expect((await zs.get(`/api/v1/recordings/${edited.id}/thumbnail`)).statusCode).toBe(200);
    expect((await zs.get(`/api/v1/recordings/${edited.id}`)).json().mayLink).toBe(true);
    expect((await ls.get(`/api/v1/recordings/${first.id}`)).json().mayLink).toBe(false);
    // The administrator is a technical role: no recordings of others.
    const admin = await adminSession(t);
    expect((await admin.get('/api/v1/recordings')).json()).toMatchObject({ items: [], total: 0 });
    expect((await admin.get(`/api/v1/recordings/${edited.id}`)).statusCode).toBe(403);

    // Imports: the custodian sees both; an officer the imports of their own device only.
    const imports = await custodian.get('/api/v1/imports');
    expect(imports.statusCode).toBe(200);
    expect(imports.json().total).toBe(2);
    expect(imports.json().items.map((i: { id: string }) => i.id)).toEqual([r2.importId, r1.importId]);
    expect(imports.json().items[1]).toMatchObject({
      deviceSerial: 'CAM001',
      source: 'cli',
      status: 'completed',
      summary: { imported: r1.summary.imported, failed: 0, findings: { EDITED: 1, SEQUENCE_GAP: 1 } },
    });
    expect((await custodian.get(`/api/v1/imports?device=${d2.id}`)).json().items).toHaveLength(1);
    expect((await custodian.get('/api/v1/imports?status=partial')).json().total).toBe(0);
    expect((await custodian.get(`/api/v1/imports?from=${at(14)}`)).json().total).toBe(0);
    expect((await zs.get('/api/v1/imports')).json().items.map((i: { id: string }) => i.id)).toEqual([
      r1.importId,
    ]);
    expect((await ws.get(`/api/v1/imports/${r1.importId}`)).statusCode).toBe(403);
    expect((await ls.get('/api/v1/imports')).json().total).toBe(0);

    const imp = await custodian.get(`/api/v1/imports/${r1.importId}`);
    expect(imp.statusCode).toBe(200);
    const body = imp.json();
    expect(body.filesTotal).toBe(r1.files.length);
    expect(body.files.map((f: { path: string }) => f.path).sort()).toEqual(
      r1.files.map((f) => f.path).sort(),
    );
    expect(body.files.find((f: { recordingId: string }) => f.recordingId === edited.id)).toMatchObject({
      status: 'imported',
      sha256: edited.sha256,
      size: Number(edited.size),
      kind: 'video',
      findings: expect.arrayContaining(['EDITED']),
      error: null,
    });
    const codes = body.findings.map((f: { code: string }) => f.code);
    expect(codes).toEqual(expect.arrayContaining(['SEQUENCE_GAP', 'EDITED']));
    expect(body.findings.find((f: { code: string }) => f.code === 'SEQUENCE_GAP')).toMatchObject({
      subjectType: 'device',
      article: 'A11.4',
      detail: { from: 2, to: 2, importId: r1.importId },
    });
    // Only this import's findings: CAM002's UNLINKED belongs to the other one.
    expect(
      body.findings.every(
        (f: { subjectId: string; subjectType: string }) =>
          f.subjectType !== 'recording' || all.find((r) => r.id === f.subjectId)?.importId === r1.importId,
      ),
    ).toBe(true);
  }, 120_000);

  it('answers bad ids and bad filters with 400 and a code, unknown ids with 404', async () => {
    const zhao = await person('zhao.liu', '000200', ['custodian']);
    const s = await sessionOf(zhao);
    const expectCode = async (url: string, status: number, code: string) => {
      const r = await s.get(url);
      expect(r.statusCode, `${url}: ${r.body}`).toBe(status);
      expect(r.json().code, url).toBe(code);
    };
    for (const url of [
      '/api/v1/recordings?kind=movie',
      '/api/v1/recordings?linked=perhaps',
      '/api/v1/recordings?finding=edited',
      '/api/v1/recordings?from=yesterday',
      `/api/v1/recordings?from=${at(12)}&to=${at(11)}`,
      '/api/v1/recordings?pageSize=1000',
      '/api/v1/recordings?page=0',
      '/api/v1/recordings?officer=a%20b',
      '/api/v1/recordings?colour=red',
      `/api/v1/recordings?q=${'x'.repeat(201)}`,
      '/api/v1/recordings/..%2F..%2Fetc',
      '/api/v1/recordings/a%20b/thumbnail',
      '/api/v1/imports?status=done',
      `/api/v1/imports?from=${at(12)}&to=${at(11)}`,
      '/api/v1/imports/%E4%B8%AD',
    ])
      await expectCode(url, 400, 'VALIDATION_FAILED');
    await expectCode(`/api/v1/recordings/${uuidv7()}`, 404, 'RECORDING_NOT_FOUND');
    await expectCode(`/api/v1/recordings/${uuidv7()}/thumbnail`, 404, 'RECORDING_NOT_FOUND');
    await expectCode(`/api/v1/imports/${uuidv7()}`, 404, 'IMPORT_NOT_FOUND');
    // Nothing imported yet: empty lists, not errors.
    expect((await s.get('/api/v1/recordings')).json()).toEqual({
      items: [],
      total: 0,
      page: 1,
      pageSize: 50,
    });
    expect((await s.get('/api/v1/imports')).json()).toEqual({ items: [], total: 0, page: 1, pageSize: 50 });
    // Without a session: 401.
    expect((await new Session(t.app).get('/api/v1/recordings')).statusCode).toBe(401);
  });
});
