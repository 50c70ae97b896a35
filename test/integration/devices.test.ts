// The device register, check-out, pre-use check and check-in (A2.1, A5.1, A13.1,
// A21.1(2)(7), A23.1) through the real HTTP app, on SQLite and PostgreSQL; and the
// `zhilu device` commands as a real child process.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { adminSession, createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

interface Person {
  id: string;
  username: string;
  s: Session;
}

describe.each(databaseKinds())('devices and check-outs on %s', (kind) => {
  let t: TestInstall;
  let admin: Session;
  beforeEach(async () => {
    t = await createInstall(kind);
    admin = await adminSession(t);
  });
  afterEach(async () => {
    await t.close();
  });

  /** A user with the given roles, logged in with the one-time password changed. */
  async function person(username: string, name: string, roles: string[]): Promise<Person> {
    const r = await admin.post('/api/v1/users', { username, name, code: `C-${username}`, roles });
    expect(r.statusCode, r.body).toBe(201);
    const { user, initialPassword } = r.json() as { user: { id: string }; initialPassword: string };
    const s = new Session(t.app);
    expect((await s.login(username, initialPassword)).statusCode).toBe(200);
    expect(
      (await s.post('/api/v1/auth/password', { currentPassword: initialPassword, newPassword: STRONG }))
        .statusCode,
    ).toBe(204);
    return { id: user.id, username, s };
  }

  /** Sessions expire after 30 idle minutes: after moving the clock by hours, log in again. */
  async function relogin(...people: Person[]): Promise<void> {
    admin = new Session(t.app);
    expect((await admin.login('admin', STRONG)).statusCode).toBe(200);
    for (const p of people) {
      p.s = new Session(t.app);
      expect((await p.s.login(p.username, STRONG)).statusCode).toBe(200);
    }
  }

  async function addDevice(by: Session, body: Record<string, unknown>) {
    const r = await by.post('/api/v1/devices', body);
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { id: string; serial: string; status: string; holderId: string | null };
  }

  async function auditOf(action: string) {
    const r = await admin.get(`/api/v1/audit?action=${encodeURIComponent(action)}`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json().items as {
      action: string;
      outcome: string;
      actorName: string;
      targetId: string;
      details: Record<string, unknown>;
    }[];
  }

  it('registers device types and devices; lists, filters, edits; refuses duplicates and unknown types with codes', async () => {
    const custodian = await person('bao.guan', '保管员甲', ['custodian']);
    const officer = await person('zhang.san', '张三', ['officer']);

    const types = (await officer.s.get('/api/v1/device-types')).json().items as {
      id: string;
      nameZh: string;
    }[];
    expect(types.map((x) => x.id)).toEqual([
      'body_camera',
      'camera',
      'video_camera',
      'voice_recorder',
      'other',
    ]);
    expect(types[0]!.nameZh).toBe('执法记录仪');

    const drone = await custodian.s.post('/api/v1/device-types', {
      id: 'drone_camera',
      nameZh: '无人机航拍设备',
      nameEn: 'Drone camera',
      serviceLifeYears: 4,
    });
    expect(drone.statusCode, drone.body).toBe(201);
    expect(drone.json()).toEqual({
      id: 'drone_camera',
      nameZh: '无人机航拍设备',
      nameEn: 'Drone camera',
      serviceLifeYears: 4,
      active: true,
    });
    const dupType = await custodian.s.post('/api/v1/device-types', {
      id: 'drone_camera',
      nameZh: '重复',
      nameEn: 'Dup',
      serviceLifeYears: 4,
    });
    expect(dupType.statusCode).toBe(409);
    expect(dupType.json().code).toBe('DEVICE_TYPE_EXISTS');
    expect(
      (
        await custodian.s.post('/api/v1/device-types', {
          id: 'Bad Id',
          nameZh: 'x',
          nameEn: 'x',
          serviceLifeYears: 4,
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await officer.s.post('/api/v1/device-types', {
          id: 'scanner',
          nameZh: '扫描仪',
          nameEn: 'Scanner',
          serviceLifeYears: 4,
        })
      ).statusCode,
    ).toBe(403);

    const unit = (await admin.post('/api/v1/units', { name: '第一中队', kind: 'squadron' })).json() as {
      id: string;
    };
    const created = await addDevice(custodian.s, {
      serial: 'DSJ-2026-0001',
      typeId: 'body_camera',
      assetNumber: 'ZC-001',
      maker: '海康威视',
      model: 'DSJ-K5',
      unitId: unit.id,
      purchaseDate: '2026-03-01',
      purchaseCostCents: 320_000,
      holderId: officer.id,
    });
    expect(created).toMatchObject({
      serial: 'DSJ-2026-0001',
      typeId: 'body_camera',
      typeNameZh: '执法记录仪',
      unitName: '第一中队',
      status: 'in_stock',
      holderId: officer.id,
      holderName: '张三',
      holderUsername: 'zhang.san',
      purchaseCostCents: 320_000,
      openCheckout: null,
      lastCheck: null,
    });
    await addDevice(custodian.s, { serial: 'ZXJ-01', typeId: 'drone_camera' });

    // Duplicate serial (also in another case) and unknown type: 409 with a stable code.
    for (const serial of ['DSJ-2026-0001', 'dsj-2026-0001']) {
      const dup = await custodian.s.post('/api/v1/devices', { serial, typeId: 'camera' });
      expect(dup.statusCode).toBe(409);
      expect(dup.json()).toMatchObject({ code: 'DEVICE_SERIAL_TAKEN', details: { serial } });
    }
    const unknown = await custodian.s.post('/api/v1/devices', { serial: 'X-1', typeId: 'hologram' });
    expect(unknown.statusCode).toBe(409);
    expect(unknown.json()).toMatchObject({ code: 'DEVICE_TYPE_UNKNOWN', details: { typeId: 'hologram' } });
    expect(unknown.json().message).toContain('未知的设备类型');

    // Bad input from outside is refused before anything is written.
    expect(
      (
        await custodian.s.post('/api/v1/devices', {
          serial: 'X-2',
          typeId: 'camera',
          purchaseDate: '2026-02-30',
        })
      ).json().code,
    ).toBe('VALIDATION_FAILED');
    expect(
      (
        await custodian.s.post('/api/v1/devices', {
          serial: 'X-2',
          typeId: 'camera',
          purchaseDate: '2027-01-01',
        })
      ).json(),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'purchaseDate' },
    });
    expect(
      (await custodian.s.post('/api/v1/devices', { serial: 'X-2', typeId: 'camera', purchaseCostCents: -1 }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await custodian.s.post('/api/v1/devices', {
          serial: 'X-2',
          typeId: 'camera',
          purchaseCostCents: 12.5,
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (await custodian.s.post('/api/v1/devices', { serial: 'X\u0007', typeId: 'camera' })).statusCode,
    ).toBe(400);
    expect(
      (await custodian.s.post('/api/v1/devices', { serial: 'X-2', typeId: 'camera', colour: 'red' }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await custodian.s.post('/api/v1/devices', {
          serial: 'X-2',
          typeId: 'camera',
          holderId: 'no-such-user',
        })
      ).json().code,
    ).toBe('USER_NOT_FOUND');
    expect((await officer.s.post('/api/v1/devices', { serial: 'X-3', typeId: 'camera' })).statusCode).toBe(
      403,
    );

    const all = (await officer.s.get('/api/v1/devices')).json().items as { serial: string }[];
    expect(all.map((d) => d.serial)).toEqual(['DSJ-2026-0001', 'ZXJ-01']);
    expect((await officer.s.get('/api/v1/devices?q=k5')).json().items).toHaveLength(1);
    expect((await officer.s.get('/api/v1/devices?q=%25')).json().items).toHaveLength(0); // LIKE wildcards are literal
    expect((await officer.s.get(`/api/v1/devices?holderId=${officer.id}`)).json().items).toHaveLength(1);
    expect(
      (await officer.s.get('/api/v1/devices?typeId=drone_camera'))
        .json()
        .items.map((d: { serial: string }) => d.serial),
    ).toEqual(['ZXJ-01']);
    expect(
      (await officer.s.get(`/api/v1/devices?unitId=${unit.id}&status=in_stock`)).json().items,
    ).toHaveLength(1);
    expect((await officer.s.get('/api/v1/devices?status=broken')).statusCode).toBe(400);

    const patched = await custodian.s.patch(`/api/v1/devices/${created.id}`, {
      assetNumber: 'ZC-001A',
      notes: '第一行\n第二行',
      status: 'maintenance',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      assetNumber: 'ZC-001A',
      notes: '第一行\n第二行',
      status: 'maintenance',
    });
    const update = (await auditOf('device.update'))[0]!;
    expect(update.details.changed).toMatchObject({
      assetNumber: { from: 'ZC-001', to: 'ZC-001A' },
      status: { from: 'in_stock', to: 'maintenance' },
    });
    expect(
      (await custodian.s.patch(`/api/v1/devices/${created.id}`, { status: 'in_stock' })).json().status,
    ).toBe('in_stock');
    expect((await custodian.s.patch(`/api/v1/devices/${created.id}`, { status: 'retired' })).statusCode).toBe(
      400,
    ); // not via PATCH
    expect((await officer.s.patch(`/api/v1/devices/${created.id}`, { notes: 'x' })).statusCode).toBe(403);
    expect((await officer.s.get('/api/v1/devices/nope')).json().code).toBe('DEVICE_NOT_FOUND');

    const created1 = (await auditOf('device.create')).find((e) => e.targetId === created.id)!;
    expect(created1).toMatchObject({
      actorName: 'bao.guan',
      outcome: 'success',
      details: { serial: 'DSJ-2026-0001', holderId: officer.id, purchaseCostCents: 320_000 },
    });
  });

  it('changes the holder only through the custodian, with a reason, audited as device.reassign', async () => {
    const custodian = await person('bao.guan', '保管员甲', ['custodian']);
    const a = await person('zhang.san', '张三', ['officer']);
    const b = await person('li.si', '李四', ['officer']);
    const d = await addDevice(custodian.s, { serial: 'DSJ-1', typeId: 'body_camera', holderId: a.id });

    expect((await custodian.s.post(`/api/v1/devices/${d.id}/holder`, { holderId: b.id })).statusCode).toBe(
      400,
    ); // reason required
    expect(
      (await a.s.post(`/api/v1/devices/${d.id}/holder`, { holderId: b.id, reason: '自己转给同事' }))
        .statusCode,
    ).toBe(403);
    const moved = await custodian.s.post(`/api/v1/devices/${d.id}/holder`, {
      holderId: b.id,
      reason: '张三调岗，设备转李四使用',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ holderId: b.id, holderName: '李四' });
    const [event] = await auditOf('device.reassign');
    expect(event).toMatchObject({
      actorName: 'bao.guan',
      targetId: d.id,
      details: { fromHolderId: a.id, toHolderId: b.id, reason: '张三调岗，设备转李四使用' },
    });

    // While the device is out, the holder cannot be moved under the officer's feet.
    expect((await b.s.post(`/api/v1/devices/${d.id}/checkout`, {})).statusCode).toBe(201);
    const busy = await custodian.s.post(`/api/v1/devices/${d.id}/holder`, { holderId: a.id, reason: '调回' });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().code).toBe('DEVICE_ALREADY_OUT');
  });

  it('an officer checks out their device; a check with the clock 5 minutes off fails and is kept; after correction it passes (A5.1)', async () => {
    const custodian = await person('bao.guan', '保管员甲', ['custodian']);
    const officer = await person('zhang.san', '张三', ['officer']);
    const d = await addDevice(custodian.s, { serial: 'DSJ-1', typeId: 'body_camera', holderId: officer.id });

    // Two check-outs at the same moment: exactly one wins (the device row is locked).
    const racer = await addDevice(custodian.s, {
      serial: 'DSJ-RACE',
      typeId: 'body_camera',
      holderId: officer.id,
    });
    const race = await Promise.all(
      [1, 2, 3].map(() => officer.s.post(`/api/v1/devices/${racer.id}/checkout`, {})),
    );
    expect(race.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    expect(race.filter((r) => r.statusCode === 409).map((r) => r.json().code)).toEqual([
      'DEVICE_ALREADY_OUT',
      'DEVICE_ALREADY_OUT',
    ]);

    const out = await officer.s.post(`/api/v1/devices/${d.id}/checkout`, { notes: '日常检查' });
    expect(out.statusCode, out.body).toBe(201);
    const checkout = out.json();
    expect(checkout).toMatchObject({
      deviceId: d.id,
      deviceSerial: 'DSJ-1',
      officerId: officer.id,
      officerName: '张三',
      checkedOutAt: t.clock.now(),
      dueAt: t.clock.now() + 12 * HOUR,
      checkedInAt: null,
      overdue: false,
      reassignedBy: null,
    });
    expect((await officer.s.get(`/api/v1/devices/${d.id}`)).json()).toMatchObject({
      status: 'issued',
      openCheckout: { id: checkout.id },
    });
    const again = await officer.s.post(`/api/v1/devices/${d.id}/checkout`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('DEVICE_ALREADY_OUT');

    // The device shows a time 5 minutes behind the server.
    const fail = await officer.s.post(`/api/v1/devices/${d.id}/checks`, {
      batteryPercent: 85,
      freeStorageMb: 30_000,
      deviceTime: t.clock.now() - 5 * MIN,
    });
    expect(fail.statusCode, fail.body).toBe(201);
    expect(fail.json()).toMatchObject({
      result: 'fail',
      failures: ['CLOCK_OFFSET'],
      offsetMs: -300_000,
      toleranceMs: 30_000,
      checkoutId: checkout.id,
      officerName: '张三',
    });
    const failedAudit = (await auditOf('device.check'))[0]!;
    expect(failedAudit).toMatchObject({
      outcome: 'failure',
      targetId: d.id,
      details: { offsetMs: -300_000, failures: ['CLOCK_OFFSET'] },
    });

    // Two minutes later the officer has corrected the clock (20 s behind, within ±30 s).
    t.clock.advance(2 * MIN);
    const pass = await officer.s.post(`/api/v1/devices/${d.id}/checks`, {
      batteryPercent: 85,
      freeStorageMb: 30_000,
      deviceTime: t.clock.now() - 20_000,
    });
    expect(pass.json()).toMatchObject({
      result: 'pass',
      failures: [],
      offsetMs: -20_000,
      checkedAt: t.clock.now(),
    });
    expect((await auditOf('device.check'))[0]).toMatchObject({ outcome: 'success' });

    const detail = (await officer.s.get(`/api/v1/devices/${d.id}`)).json();
    expect(detail.checks.map((c: { result: string }) => c.result)).toEqual(['pass', 'fail']);
    expect(detail.lastCheck).toMatchObject({ result: 'pass', id: pass.json().id });

    // The helpers other services use.
    const checks = t.zhilu.services.checkouts;
    expect(await checks.latestPassingCheck(d.id, t.clock.now())).toMatchObject({ id: pass.json().id });
    expect(await checks.latestPassingCheck(d.id, t.clock.now() - 1)).toBeNull();
    expect(await checks.openCheckoutFor(d.id)).toMatchObject({ id: checkout.id, officerId: officer.id });

    // Out-of-range values are refused, not stored.
    for (const body of [
      { batteryPercent: 101, freeStorageMb: 1, deviceTime: t.clock.now() },
      { batteryPercent: 50, freeStorageMb: -1, deviceTime: t.clock.now() },
      { batteryPercent: 50, freeStorageMb: 1, deviceTime: 5_000_000_000_000 },
      { batteryPercent: 50, freeStorageMb: 1 },
    ])
      expect((await officer.s.post(`/api/v1/devices/${d.id}/checks`, body)).statusCode).toBe(400);
    expect((await officer.s.get(`/api/v1/devices/${d.id}`)).json().checks).toHaveLength(2);

    // Low battery and storage fail too, all failures listed.
    const low = await officer.s.post(`/api/v1/devices/${d.id}/checks`, {
      batteryPercent: 10,
      freeStorageMb: 100,
      deviceTime: t.clock.now(),
    });
    expect(low.json()).toMatchObject({ result: 'fail', failures: ['BATTERY_LOW', 'STORAGE_LOW'] });

    // The tolerance is a setting.
    const settings = (await admin.get('/api/v1/settings/registry')).json();
    expect(
      (await admin.put('/api/v1/settings/registry', { ...settings, clockToleranceSeconds: 600 })).statusCode,
    ).toBe(200);
    const wide = await officer.s.post(`/api/v1/devices/${d.id}/checks`, {
      batteryPercent: 85,
      freeStorageMb: 30_000,
      deviceTime: t.clock.now() - 5 * MIN,
    });
    expect(wide.json()).toMatchObject({ result: 'pass', toleranceMs: 600_000 });

    // Own check-outs are visible to the officer; the device becomes overdue after the due time.
    t.clock.advance(13 * HOUR);
    await relogin(officer);
    const mine = (await officer.s.get(`/api/v1/checkouts?open=true&deviceId=${d.id}`)).json().items;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: checkout.id, overdue: true });
  });

  it("refuses the check-out of a colleague's device with 403 and audits the attempt (A21.1(2)); the custodian's check-out to another officer is the reassignment", async () => {
    const custodian = await person('bao.guan', '保管员甲', ['custodian']);
    const a = await person('zhang.san', '张三', ['officer']);
    const b = await person('li.si', '李四', ['officer']);
    const legal = await person('fa.zhi', '法制员', ['legal_office']);
    const d = await addDevice(custodian.s, { serial: 'DSJ-7', typeId: 'body_camera', holderId: a.id });

    const refused = await b.s.post(`/api/v1/devices/${d.id}/checkout`, {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      code: 'DEVICE_HELD_BY_OTHER',
      details: { serial: 'DSJ-7', holderId: a.id },
    });
    expect(refused.json().message).toContain('不由您保管使用');
    const [attempt] = await auditOf('checkout.refused');
    expect(attempt).toMatchObject({
      actorName: 'li.si',
      outcome: 'denied',
      targetId: d.id,
      details: { code: 'DEVICE_HELD_BY_OTHER', officerId: b.id, holderId: a.id },
    });
    // Nothing else happened: the device is still in stock with its holder.
    expect((await b.s.get(`/api/v1/devices/${d.id}`)).json()).toMatchObject({
      status: 'in_stock',
      holderId: a.id,
      openCheckout: null,
    });

    // Naming someone else as the officer needs checkouts.manage.
    expect((await b.s.post(`/api/v1/devices/${d.id}/checkout`, { officerId: a.id })).statusCode).toBe(403);
    // A role without checkouts.own cannot check out at all (audited as access.denied).
    expect((await legal.s.post(`/api/v1/devices/${d.id}/checkout`, {})).statusCode).toBe(403);
    // Nor may a colleague record a check on the device.
    const check = await b.s.post(`/api/v1/devices/${d.id}/checks`, {
      batteryPercent: 90,
      freeStorageMb: 9000,
      deviceTime: t.clock.now(),
    });
    expect(check.json().code).toBe('DEVICE_HELD_BY_OTHER');

    // The custodian checks it out to 李四: that is the reassignment, and it is audited.
    const due = t.clock.now() + 48 * HOUR;
    const moved = await custodian.s.post(`/api/v1/devices/${d.id}/checkout`, {
      officerId: b.id,
      dueAt: due,
      remoteWork: true,
    });
    expect(moved.statusCode, moved.body).toBe(201);
    expect(moved.json()).toMatchObject({
      officerId: b.id,
      officerName: '李四',
      reassignedBy: custodian.id,
      dueAt: due,
      remoteWork: true,
    });
    expect((await b.s.get(`/api/v1/devices/${d.id}`)).json()).toMatchObject({
      status: 'issued',
      holderId: b.id,
      holderName: '李四',
    });
    const [reassign] = await auditOf('checkout.reassign');
    expect(reassign).toMatchObject({
      actorName: 'bao.guan',
      targetId: d.id,
      details: { fromHolderId: a.id, toHolderId: b.id, checkoutId: moved.json().id },
    });

    // The custodian sees everyone's check-outs; an officer only their own, and may not ask for others'.
    expect((await custodian.s.get(`/api/v1/checkouts?officerId=${b.id}`)).json().items).toHaveLength(1);
    expect((await a.s.get('/api/v1/checkouts')).json().items).toHaveLength(0);
    expect((await a.s.get(`/api/v1/checkouts?officerId=${b.id}`)).statusCode).toBe(403);
    expect((await b.s.get(`/api/v1/checkouts?deviceId=${d.id}&open=true`)).json().items).toHaveLength(1);

    // Bad check-outs: due time in the past, unknown officer, unknown device.
    const d2 = await addDevice(custodian.s, { serial: 'DSJ-8', typeId: 'body_camera', holderId: a.id });
    expect(
      (await a.s.post(`/api/v1/devices/${d2.id}/checkout`, { dueAt: t.clock.now() - 1 })).json().code,
    ).toBe('CHECKOUT_DUE_INVALID');
    expect(
      (await custodian.s.post(`/api/v1/devices/${d2.id}/checkout`, { officerId: 'nobody' })).json().code,
    ).toBe('USER_NOT_FOUND');
    expect(
      (await custodian.s.post(`/api/v1/devices/${d2.id}/checkout`, { officerId: legal.id })).json().code,
    ).toBe('CHECKOUT_OFFICER_INVALID');
    expect((await a.s.post('/api/v1/devices/nope/checkout', {})).statusCode).toBe(404);
  });

  it('checks in with "remote work, returned at …" (A13.1); the device is back in stock', async () => {
    const custodian = await person('bao.guan', '保管员甲', ['custodian']);
    const officer = await person('zhang.san', '张三', ['officer']);
    const other = await person('li.si', '李四', ['officer']);
    const d = await addDevice(custodian.s, { serial: 'DSJ-9', typeId: 'body_camera', holderId: officer.id });
    const start = t.clock.now();
    const checkout = (await officer.s.post(`/api/v1/devices/${d.id}/checkout`, {})).json();

    t.clock.advance(30 * HOUR); // two days in a remote township
    await relogin(officer, other, custodian);
    expect((await other.s.post(`/api/v1/checkouts/${checkout.id}/checkin`, {})).statusCode).toBe(403);
    expect(
      (
        await officer.s.post(`/api/v1/checkouts/${checkout.id}/checkin`, { returnedAt: t.clock.now() + MIN })
      ).json().code,
    ).toBe('RETURNED_AT_INVALID');
    expect(
      (await officer.s.post(`/api/v1/checkouts/${checkout.id}/checkin`, { returnedAt: start - 1 })).json()
        .code,
    ).toBe('RETURNED_AT_INVALID');

    const returnedAt = start + 26 * HOUR;
    const back = await officer.s.post(`/api/v1/checkouts/${checkout.id}/checkin`, {
      returnedAt,
      notes: '乡镇连续作业',
    });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({
      checkedInAt: t.clock.now(),
      returnedAt,
      remoteWork: true,
      overdue: false,
    });
    expect(back.json().notes).toContain('乡镇连续作业');
    expect((await officer.s.get(`/api/v1/devices/${d.id}`)).json()).toMatchObject({
      status: 'in_stock',
      openCheckout: null,
    });
    expect((await officer.s.post(`/api/v1/checkouts/${checkout.id}/checkin`, {})).json().code).toBe(
      'CHECKOUT_CLOSED',
    );
    expect((await auditOf('checkout.checkin'))[0]).toMatchObject({
      targetId: d.id,
      details: { checkoutId: checkout.id, returnedAt, remoteWork: true, overdue: true },
    });
    expect(await t.zhilu.services.checkouts.openCheckoutFor(d.id)).toBeNull();

    // An ordinary day: checked in by the custodian for the officer, no return time needed.
    const second = (await officer.s.post(`/api/v1/devices/${d.id}/checkout`, {})).json();
    t.clock.advance(8 * HOUR);
    await relogin(officer, custodian);
    const closed = (await custodian.s.post(`/api/v1/checkouts/${second.id}/checkin`, {})).json();
    expect(closed).toMatchObject({ remoteWork: false, returnedAt: null, checkedInAt: t.clock.now() });
    expect((await officer.s.get('/api/v1/checkouts?open=false')).json().items).toHaveLength(2);
  });

  it('a loss report sets the device lost and blocks check-out; found brings it back; retirement is final (A21.1(7))', async () => {
    const custodian = await person('bao.guan', '保管员甲', ['custodian']);
    const officer = await person('zhang.san', '张三', ['officer']);
    const other = await person('li.si', '李四', ['officer']);
    const d = await addDevice(custodian.s, {
      serial: 'DSJ-L',
      typeId: 'body_camera',
      holderId: officer.id,
      purchaseDate: '2024-01-10',
    });
    const checkout = (await officer.s.post(`/api/v1/devices/${d.id}/checkout`, {})).json();

    // A colleague cannot report someone else's device; maintenance is the custodian's.
    expect(
      (
        await other.s.post(`/api/v1/devices/${d.id}/events`, {
          kind: 'loss',
          occurredOn: '2026-08-04',
          description: 'x',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await officer.s.post(`/api/v1/devices/${d.id}/events`, {
          kind: 'maintenance',
          occurredOn: '2026-08-04',
          description: 'x',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await officer.s.post(`/api/v1/devices/${d.id}/events`, {
          kind: 'loss',
          occurredOn: '2026-08-05',
          description: '明天',
        })
      ).statusCode,
    ).toBe(400);

    const lost = await officer.s.post(`/api/v1/devices/${d.id}/events`, {
      kind: 'loss',
      occurredOn: '2026-08-04',
      description: '现场检查途中遗失于养殖场附近',
    });
    expect(lost.statusCode, lost.body).toBe(201);
    expect(lost.json()).toMatchObject({
      kind: 'loss',
      deviceId: d.id,
      recordedBy: officer.id,
      recordedByName: '张三',
      costCents: null,
    });
    const device = (await officer.s.get(`/api/v1/devices/${d.id}`)).json();
    expect(device).toMatchObject({ status: 'lost', holderId: officer.id, openCheckout: null });
    expect(device.checkouts[0]).toMatchObject({ id: checkout.id, checkedInAt: t.clock.now() });
    expect((await auditOf('device.loss'))[0]).toMatchObject({
      actorName: 'zhang.san',
      details: {
        statusFrom: 'issued',
        statusTo: 'lost',
        closedCheckoutId: checkout.id,
        holderId: officer.id,
      },
    });

    const blocked = await officer.s.post(`/api/v1/devices/${d.id}/checkout`, {});
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json()).toMatchObject({ code: 'DEVICE_UNAVAILABLE', details: { status: 'lost' } });
    expect(
      (
        await officer.s.post(`/api/v1/devices/${d.id}/checks`, {
          batteryPercent: 90,
          freeStorageMb: 9000,
          deviceTime: t.clock.now(),
        })
      ).json().code,
    ).toBe('DEVICE_UNAVAILABLE');
    const twice = await officer.s.post(`/api/v1/devices/${d.id}/events`, {
      kind: 'theft',
      occurredOn: '2026-08-04',
      description: 'x',
    });
    expect(twice.json()).toMatchObject({
      code: 'DEVICE_STATUS_INVALID',
      details: { status: 'lost', allowed: ['found', 'retirement'] },
    });

    expect(
      (
        await custodian.s.post(`/api/v1/devices/${d.id}/events`, {
          kind: 'found',
          occurredOn: '2026-08-04',
          description: '群众送回',
        })
      ).statusCode,
    ).toBe(201);
    expect((await officer.s.get(`/api/v1/devices/${d.id}`)).json().status).toBe('in_stock');

    // Maintenance with a cost; field rules per kind.
    const repair = await custodian.s.post(`/api/v1/devices/${d.id}/events`, {
      kind: 'maintenance',
      occurredOn: '2026-08-04',
      description: '更换外壳',
      costCents: 15_000,
      vendor: '维修站',
    });
    expect(repair.json()).toMatchObject({
      kind: 'maintenance',
      costCents: 15_000,
      vendor: '维修站',
      item: null,
    });
    expect(
      (
        await custodian.s.post(`/api/v1/devices/${d.id}/events`, {
          kind: 'maintenance',
          occurredOn: '2023-12-31',
          description: '购置前',
        })
      ).json().details.field,
    ).toBe('occurredOn');
    expect(
      (
        await custodian.s.post(`/api/v1/devices/${d.id}/events`, {
          kind: 'maintenance',
          occurredOn: '2026-08-04',
          description: 'x',
          item: 'battery',
        })
      ).json().details.field,
    ).toBe('item');
    expect(
      (
        await custodian.s.post(`/api/v1/devices/${d.id}/events`, {
          kind: 'consumable',
          occurredOn: '2026-08-04',
          description: '电池',
        })
      ).json().details.field,
    ).toBe('item');
    expect(
      (
        await custodian.s.post(`/api/v1/devices/${d.id}/events`, {
          kind: 'consumable',
          occurredOn: '2026-08-04',
          description: '电池',
          item: 'battery',
          quantity: 2,
        })
      ).json().details.field,
    ).toBe('costCents');
    const battery = await custodian.s.post(`/api/v1/devices/${d.id}/events`, {
      kind: 'consumable',
      occurredOn: '2026-08-04',
      description: '备用电池',
      item: 'battery',
      quantity: 2,
      costCents: 24_000,
    });
    expect(battery.json()).toMatchObject({ item: 'battery', quantity: 2, costCents: 24_000 });
    const stock = await custodian.s.post('/api/v1/consumables', {
      occurredOn: '2026-08-01',
      item: 'memory_card',
      quantity: 10,
      costCents: 80_000,
      description: '64G 存储卡',
      vendor: '某商贸',
    });
    expect(stock.statusCode, stock.body).toBe(201);
    expect(stock.json()).toMatchObject({ deviceId: null, kind: 'consumable', item: 'memory_card' });
    expect(
      (
        await officer.s.post('/api/v1/consumables', {
          occurredOn: '2026-08-01',
          item: 'battery',
          quantity: 1,
          costCents: 1,
          description: 'x',
        })
      ).statusCode,
    ).toBe(403);

    // An issued device is checked in before it can be retired.
    const out = (await officer.s.post(`/api/v1/devices/${d.id}/checkout`, {})).json();
    expect(
      (
        await custodian.s.post(`/api/v1/devices/${d.id}/events`, {
          kind: 'retirement',
          occurredOn: '2026-08-04',
          description: '报废',
        })
      ).json().code,
    ).toBe('DEVICE_STATUS_INVALID');
    await officer.s.post(`/api/v1/checkouts/${out.id}/checkin`, {});
    const retired = await custodian.s.post(`/api/v1/devices/${d.id}/events`, {
      kind: 'retirement',
      occurredOn: '2026-08-04',
      description: '外壳破损，无维修价值',
    });
    expect(retired.statusCode, retired.body).toBe(201);
    expect((await officer.s.get(`/api/v1/devices/${d.id}`)).json().status).toBe('retired');

    // Retired is final: no check-out, no event, no status change, no new holder.
    expect((await officer.s.post(`/api/v1/devices/${d.id}/checkout`, {})).json().code).toBe(
      'DEVICE_UNAVAILABLE',
    );
    expect((await custodian.s.post(`/api/v1/devices/${d.id}/checkout`, {})).json().code).toBe(
      'DEVICE_UNAVAILABLE',
    );
    for (const k of ['found', 'maintenance', 'loss', 'retirement'])
      expect(
        (
          await custodian.s.post(`/api/v1/devices/${d.id}/events`, {
            kind: k,
            occurredOn: '2026-08-04',
            description: 'x',
          })
        ).json().code,
        k,
      ).toBe('DEVICE_STATUS_INVALID');
    expect((await custodian.s.patch(`/api/v1/devices/${d.id}`, { status: 'in_stock' })).json().code).toBe(
      'DEVICE_STATUS_INVALID',
    );
    expect(
      (
        await custodian.s.post(`/api/v1/devices/${d.id}/holder`, { holderId: other.id, reason: '再用' })
      ).json().code,
    ).toBe('DEVICE_UNAVAILABLE');

    const history = (await custodian.s.get(`/api/v1/devices/${d.id}`))
      .json()
      .events.map((e: { kind: string }) => e.kind);
    expect(history.sort()).toEqual(['consumable', 'found', 'loss', 'maintenance', 'retirement']);
    expect((await admin.get('/api/v1/audit/verify')).json().ok).toBe(true);
  });
});

describe.each(databaseKinds())('zhilu device commands on %s', (kind) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await db.drop();
  });

  it('adds and lists devices with --json; unknown type and duplicate serial exit 1 with their codes', async () => {
    const user = await runCli(
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
        '--json',
      ],
      db.env,
    );
    expect(user.code, user.stderr).toBe(0);
    const unit = await runCli(['unit', 'add', '--name', '第一中队', '--kind', 'squadron', '--json'], db.env);
    expect(unit.code, unit.stderr).toBe(0);

    const add = await runCli(
      [
        'device',
        'add',
        '--serial',
        'DSJ-0001',
        '--type',
        'body_camera',
        '--holder',
        'zhang.san',
        '--model',
        'DSJ-K5',
        '--maker',
        '海康威视',
        '--unit',
        '第一中队',
        '--purchase-date',
        '2024-05-01',
        '--cost',
        '3200.5',
        '--json',
      ],
      db.env,
    );
    expect(add.code, add.stderr).toBe(0);
    const device = JSON.parse(add.stdout).device;
    expect(device).toMatchObject({
      serial: 'DSJ-0001',
      typeId: 'body_camera',
      typeNameZh: '执法记录仪',
      model: 'DSJ-K5',
      maker: '海康威视',
      unitName: '第一中队',
      holderUsername: 'zhang.san',
      holderName: '张三',
      status: 'in_stock',
      purchaseDate: '2024-05-01',
      purchaseCostCents: 320_050,
    });

    const list = await runCli(['device', 'list', '--json'], db.env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).items.map((d: { serial: string }) => d.serial)).toEqual(['DSJ-0001']);
    const human = await runCli(['device', 'list'], db.env);
    expect(human.stdout).toContain('DSJ-0001');
    expect(human.stdout).toContain('执法记录仪');

    const unknown = await runCli(
      ['device', 'add', '--serial', 'X-1', '--type', 'hologram', '--holder', 'zhang.san', '--json'],
      db.env,
    );
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr).error.code).toBe('DEVICE_TYPE_UNKNOWN');
    const dup = await runCli(
      ['device', 'add', '--serial', 'DSJ-0001', '--type', 'camera', '--holder', 'zhang.san'],
      db.env,
    );
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('DEVICE_SERIAL_TAKEN');
    expect(dup.stderr).toContain('已登记');
    const noHolder = await runCli(
      ['device', 'add', '--serial', 'X-2', '--type', 'camera', '--holder', 'nobody'],
      db.env,
    );
    expect(noHolder.code).toBe(1);
    expect(noHolder.stderr).toContain('USER_NOT_FOUND');
    const badCost = await runCli(
      ['device', 'add', '--serial', 'X-3', '--type', 'camera', '--holder', 'zhang.san', '--cost', '12.345'],
      db.env,
    );
    expect(badCost.code).toBe(2);
    expect(badCost.stderr).toContain('--cost');
    expect((await runCli(['device', 'add', '--serial', 'X-4', '--type', 'camera'], db.env)).code).toBe(2); // --holder is required
  });
});
