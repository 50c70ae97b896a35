// Optional numeric and id fields keep their values exactly: 0 stays 0, null stays null,
// and nothing is coerced into an empty-string id (request validation has type coercion on).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { adminSession, createInstall, type TestInstall } from '../support/zhilu.js';

describe.each(databaseKinds())('nullable fields on %s', (kind) => {
  let t: TestInstall;
  beforeEach(async () => {
    t = await createInstall(kind);
  });
  afterEach(async () => {
    await t.close();
  });

  it('keeps 0 as 0 and null as null', async () => {
    const admin = await adminSession(t);
    const me = (await admin.get('/api/v1/auth/me')).json();
    const free = await admin.post('/api/v1/devices', {
      serial: 'ZERO-1',
      typeId: 'camera',
      purchaseCostCents: 0,
      holderId: me.id,
      unitId: null,
    });
    expect(free.statusCode, free.body).toBe(201);
    expect(free.json().purchaseCostCents).toBe(0);
    expect(free.json().unitId).toBeNull();
    const unknown = await admin.post('/api/v1/devices', {
      serial: 'NULL-1',
      typeId: 'camera',
      purchaseCostCents: null,
    });
    expect(unknown.json().purchaseCostCents).toBeNull();
    const subject = await admin.post('/api/v1/subjects', {
      type: 'farm',
      name: '赤道农场',
      latitude: 0,
      longitude: 0,
    });
    expect(subject.statusCode, subject.body).toBe(201);
    expect(subject.json()).toMatchObject({ latitude: 0, longitude: 0 });
  });
});
