// Units in a tree and people in units, administered over the API, each act audited.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { adminSession, createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

describe.each(databaseKinds())('units and users on %s', (kind) => {
  let t: TestInstall;
  beforeEach(async () => {
    t = await createInstall(kind);
  });
  afterEach(async () => {
    await t.close();
  });

  it('keeps units in a tree and refuses cycles and duplicate siblings', async () => {
    const admin = await adminSession(t);
    const brigade = (
      await admin.post('/api/v1/units', { name: '漯河市畜牧兽医执法大队', kind: 'brigade' })
    ).json();
    const sq1 = (
      await admin.post('/api/v1/units', { name: '第一中队', kind: 'squadron', parentId: brigade.id })
    ).json();
    const office = await admin.post('/api/v1/units', {
      name: '法制科',
      kind: 'office',
      parentId: brigade.id,
    });
    expect(office.statusCode).toBe(201);
    const dup = await admin.post('/api/v1/units', {
      name: '第一中队',
      kind: 'squadron',
      parentId: brigade.id,
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('UNIT_NAME_TAKEN');
    const cycle = await admin.patch(`/api/v1/units/${brigade.id}`, { parentId: sq1.id });
    expect(cycle.json().code).toBe('UNIT_CYCLE');
    // explicit nulls mean "no parent" / "no unit", never an empty-string id
    const top = await admin.post('/api/v1/units', { name: '独立科室', kind: 'office', parentId: null });
    expect(top.statusCode, top.body).toBe(201);
    expect(top.json().parentId).toBeNull();
    const moved = await admin.patch(`/api/v1/units/${top.json().id}`, { parentId: brigade.id });
    expect(moved.json().parentId).toBe(brigade.id);
    expect(
      (await admin.patch(`/api/v1/units/${top.json().id}`, { parentId: null })).json().parentId,
    ).toBeNull();
    const renamed = await admin.patch(`/api/v1/units/${sq1.id}`, { name: '城区中队' });
    expect(renamed.json().name).toBe('城区中队');
    const list = (await admin.get('/api/v1/units')).json().items;
    expect(list).toHaveLength(4);
    expect(list.find((u: { id: string }) => u.id === sq1.id).parentId).toBe(brigade.id);
    const audit = (await admin.get('/api/v1/audit?targetType=unit')).json().items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual([
      'unit.update',
      'unit.update',
      'unit.update',
      'unit.create',
      'unit.create',
      'unit.create',
      'unit.create',
    ]);
    expect(audit[0].details.changed).toEqual({ name: '城区中队' });
  });

  it('edits roles and deactivates users, ending their sessions; an admin cannot lock themself out', async () => {
    const admin = await adminSession(t);
    const unit = (await admin.post('/api/v1/units', { name: '第二中队', kind: 'squadron' })).json();
    const created = (
      await admin.post('/api/v1/users', {
        username: 'li.si',
        name: '李四',
        code: '41110002',
        roles: ['officer'],
        unitId: unit.id,
      })
    ).json();
    expect(created.user.unitName).toBe('第二中队');
    const li = new Session(t.app);
    await li.login('li.si', created.initialPassword);
    await li.post('/api/v1/auth/password', { currentPassword: created.initialPassword, newPassword: STRONG });

    const noUnit = await admin.patch(`/api/v1/users/${created.user.id}`, { unitId: null });
    expect(noUnit.statusCode, noUnit.body).toBe(200);
    expect(noUnit.json().unitId).toBeNull();
    const updated = await admin.patch(`/api/v1/users/${created.user.id}`, {
      roles: ['officer', 'custodian'],
    });
    expect(updated.json().roles).toEqual(['custodian', 'officer']);
    expect((await li.get('/api/v1/auth/me')).statusCode).toBe(401); // role change ends sessions

    await li.login('li.si', STRONG);
    await admin.patch(`/api/v1/users/${created.user.id}`, { active: false });
    expect((await li.get('/api/v1/auth/me')).statusCode).toBe(401);
    expect((await new Session(t.app).login('li.si', STRONG)).json().code).toBe('ACCOUNT_DISABLED');

    const me = (await admin.get('/api/v1/auth/me')).json();
    expect((await admin.patch(`/api/v1/users/${me.id}`, { roles: ['supervisor'] })).json().code).toBe(
      'SELF_LOCKOUT',
    );
    expect((await admin.patch(`/api/v1/users/${me.id}`, { active: false })).json().code).toBe('SELF_LOCKOUT');

    const filtered = (await admin.get(`/api/v1/users?role=custodian`)).json().items;
    expect(filtered.map((u: { username: string }) => u.username)).toEqual(['li.si']);
    const search = (await admin.get(`/api/v1/users?q=${encodeURIComponent('李')}`)).json().items;
    expect(search).toHaveLength(1);

    const reset = (await admin.post(`/api/v1/users/${created.user.id}/reset-password`)).json();
    await admin.patch(`/api/v1/users/${created.user.id}`, { active: true });
    const relog = await new Session(t.app).login('li.si', reset.initialPassword);
    expect(relog.json().user.mustChangePassword).toBe(true);
    const audit = (await admin.get(`/api/v1/audit?targetId=${created.user.id}`))
      .json()
      .items.map((e: { action: string }) => e.action);
    expect(audit).toContain('user.reset_password');
    expect(audit.filter((a: string) => a === 'user.update')).toHaveLength(4);
  });

  it('shows the role and permission table', async () => {
    const admin = await adminSession(t);
    const roles = (await admin.get('/api/v1/roles')).json();
    expect(roles.roles.map((r: { role: string }) => r.role)).toEqual([
      'officer',
      'custodian',
      'legal_office',
      'leader',
      'department_head',
      'supervisor',
      'admin',
    ]);
    expect(roles.roles.find((r: { role: string }) => r.role === 'leader').zh).toBe('大队领导');
  });
});
