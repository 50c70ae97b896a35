// Accounts, sessions, lock-out, second factor and API tokens, through the real HTTP
// app on a real catalogue — once on SQLite and once on PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { databaseKinds } from '../support/databases.js';
import { adminSession, createInstall, Session, STRONG, type TestInstall } from '../support/zhilu.js';

describe.each(databaseKinds())('accounts and sessions on %s', (kind) => {
  let t: TestInstall;
  beforeEach(async () => {
    t = await createInstall(kind);
  });
  afterEach(async () => {
    await t.close();
  });

  async function createOfficer(admin: Session, username = 'zhang.san') {
    const r = await admin.post('/api/v1/users', {
      username,
      name: '张三',
      code: '41110001',
      roles: ['officer'],
    });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { user: { id: string }; initialPassword: string };
  }

  it('forces the bootstrap administrator to change the one-time password before anything else', async () => {
    const s = new Session(t.app);
    const login = await s.login('admin', t.adminPassword);
    expect(login.statusCode).toBe(200);
    expect(login.json().user.mustChangePassword).toBe(true);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);

    const blocked = await s.get('/api/v1/users');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await s.get('/api/v1/auth/me')).statusCode).toBe(200);

    const weak = await s.post('/api/v1/auth/password', {
      currentPassword: t.adminPassword,
      newPassword: 'short',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ code: 'PASSWORD_WEAK', details: { rule: 'min_length' } });
    const classes = await s.post('/api/v1/auth/password', {
      currentPassword: t.adminPassword,
      newPassword: 'alllowercaseletters',
    });
    expect(classes.json().details.rule).toBe('char_classes');

    expect(
      (await s.post('/api/v1/auth/password', { currentPassword: t.adminPassword, newPassword: STRONG }))
        .statusCode,
    ).toBe(204);
    expect((await s.get('/api/v1/users')).statusCode).toBe(200);
  });

  it('creates users with one-time passwords; duplicate usernames are a 409', async () => {
    const admin = await adminSession(t);
    const { initialPassword } = await createOfficer(admin);
    expect(initialPassword).toMatch(/^[\w]{4}-[\w]{4}-[\w]{4}-[\w]{4}$/);
    const dup = await admin.post('/api/v1/users', {
      username: 'Zhang.San',
      name: '张三',
      code: 'x',
      roles: ['officer'],
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('USERNAME_TAKEN');

    const officer = new Session(t.app);
    expect((await officer.login('zhang.san', initialPassword)).json().user.mustChangePassword).toBe(true);
    expect(
      (await officer.post('/api/v1/auth/password', { currentPassword: initialPassword, newPassword: STRONG }))
        .statusCode,
    ).toBe(204);
    const me = (await officer.get('/api/v1/auth/me')).json();
    expect(me.roles).toEqual(['officer']);
    expect(me.permissions).not.toContain('users.manage');
    // least privilege: an officer cannot create users, and the refusal is audited
    const denied = await officer.post('/api/v1/users', {
      username: 'x1',
      name: 'x',
      code: 'x',
      roles: ['admin'],
    });
    expect(denied.statusCode).toBe(403);
    const audit = (await admin.get('/api/v1/audit?action=access.denied')).json();
    expect(audit.items[0]).toMatchObject({ actorName: 'zhang.san', outcome: 'denied' });
  });

  it('locks an account after repeated failures, with growing back-off, and audits each failure', async () => {
    const admin = await adminSession(t);
    const { initialPassword } = await createOfficer(admin);
    const s = new Session(t.app);
    for (let i = 0; i < 4; i++)
      expect((await s.login('zhang.san', 'wrong-password')).json().code).toBe('INVALID_CREDENTIALS');
    const fifth = await s.login('zhang.san', 'wrong-password');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json().details.retryAfterSeconds).toBe(60);
    // even the right password is refused while locked
    expect((await s.login('zhang.san', initialPassword)).statusCode).toBe(423);
    t.clock.advance(61_000);
    const sixth = await s.login('zhang.san', 'wrong-password');
    expect(sixth.json().details.retryAfterSeconds).toBe(120);
    t.clock.advance(121_000);
    expect((await s.login('zhang.san', initialPassword)).statusCode).toBe(200);

    const failures = (await admin.get('/api/v1/audit?action=auth.login&outcome=failure')).json();
    expect(failures.items.length).toBeGreaterThanOrEqual(7);
    // unknown users are refused the same way, and audited
    expect((await s.login('nobody', 'x')).json().code).toBe('INVALID_CREDENTIALS');
  });

  it('ends sessions after the idle timeout and after the absolute lifetime', async () => {
    const admin = await adminSession(t);
    t.clock.advance(29 * 60_000);
    expect((await admin.get('/api/v1/auth/me')).statusCode).toBe(200);
    t.clock.advance(31 * 60_000);
    expect((await admin.get('/api/v1/auth/me')).statusCode).toBe(401);

    const again = new Session(t.app);
    await again.login('admin', STRONG);
    for (let i = 0; i < 13 * 3; i++) {
      t.clock.advance(20 * 60_000); // stays active, never idle for 30 min
      const r = await again.get('/api/v1/auth/me');
      if (r.statusCode === 401) {
        expect(i * 20).toBeGreaterThanOrEqual(11 * 60);
        return;
      }
    }
    throw new Error('the absolute lifetime never ended the session');
  });

  it('logs out and the old cookie no longer works', async () => {
    const admin = await adminSession(t);
    const cookie = admin.cookie;
    expect((await admin.post('/api/v1/auth/logout')).statusCode).toBe(204);
    const stale = new Session(t.app);
    stale.cookie = cookie;
    expect((await stale.get('/api/v1/auth/me')).statusCode).toBe(401);
  });

  it('requires the CSRF header on cookie-authenticated changes', async () => {
    const admin = await adminSession(t);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/units',
      payload: { name: '第一中队', kind: 'squadron' },
      headers: { cookie: `zhilu_session=${admin.cookie}` },
    });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('CSRF_HEADER_MISSING');
  });

  it('supports TOTP as a second factor and a policy that requires it per role', async () => {
    const admin = await adminSession(t);
    const setup = (await admin.post('/api/v1/auth/totp/setup')).json();
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(setup.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect((await admin.post('/api/v1/auth/totp/enable', { code: '000000' })).json().code).toBe(
      'MFA_INVALID',
    );
    expect(
      (await admin.post('/api/v1/auth/totp/enable', { code: await generate({ secret: setup.secret }) }))
        .statusCode,
    ).toBe(204);

    const s = new Session(t.app);
    const first = await s.login('admin', STRONG);
    expect(first.json()).toEqual({ mfaRequired: true });
    expect(s.cookie).toBeNull();
    expect((await s.post('/api/v1/auth/mfa', { code: '123456' })).statusCode).toBe(401);
    const ok = await s.post('/api/v1/auth/mfa', { code: await generate({ secret: setup.secret }) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.username).toBe('admin');

    // policy: officers must enrol; an officer without TOTP may only reach their profile
    expect(
      (
        await admin.put('/api/v1/settings/security', {
          mfaRequiredRoles: ['officer'],
          sessionIdleMinutes: 30,
          sessionAbsoluteHours: 12,
        })
      ).statusCode,
    ).toBe(200);
    const { initialPassword } = await createOfficer(admin);
    const officer = new Session(t.app);
    await officer.login('zhang.san', initialPassword);
    await officer.post('/api/v1/auth/password', { currentPassword: initialPassword, newPassword: STRONG });
    expect((await officer.get('/api/v1/units')).json().code).toBe('MFA_ENROLMENT_REQUIRED');
    expect((await officer.get('/api/v1/auth/me')).json().mfaRequired).toBe(true);
    const osetup = (await officer.post('/api/v1/auth/totp/setup')).json();
    await officer.post('/api/v1/auth/totp/enable', { code: await generate({ secret: osetup.secret }) });
    expect((await officer.get('/api/v1/units')).statusCode).toBe(200);
    expect((await officer.post('/api/v1/auth/totp/disable', { password: STRONG })).json().code).toBe(
      'MFA_REQUIRED_BY_POLICY',
    );
    const settingsAudit = (await admin.get('/api/v1/audit?action=settings.update')).json();
    expect(settingsAudit.items[0].details.after.mfaRequiredRoles).toEqual(['officer']);
  });

  it('issues API tokens shown once, stored hashed, scoped and revocable', async () => {
    const admin = await adminSession(t);
    const { user } = await createOfficer(admin, 'station1');
    const created = await admin.post('/api/v1/tokens', {
      userId: user.id,
      name: '一号采集站',
      scope: 'station',
    });
    expect(created.statusCode).toBe(201);
    const { secret, token } = created.json();
    expect(secret).toMatch(/^zl_/);
    const stored = await t.zhilu.catalogue.db
      .selectFrom('apiTokens')
      .selectAll()
      .where('id', '=', token.id)
      .executeTakeFirstOrThrow();
    expect(stored.tokenHash).not.toContain(secret);
    expect(JSON.stringify((await admin.get('/api/v1/tokens')).json())).not.toContain(secret);

    const bearer = { authorization: `Bearer ${secret}` };
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer });
    expect(me.statusCode).toBe(200);
    // a station token is limited to its scope even though its owner may read users
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer })).statusCode).toBe(
      403,
    );
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/units', headers: bearer })).statusCode).toBe(
      200,
    );

    expect((await admin.delete(`/api/v1/tokens/${token.id}`)).statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('TOKEN_INVALID');
    const actions = (await admin.get('/api/v1/audit?targetType=api_token'))
      .json()
      .items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['token.revoke', 'token.create']);
  });

  it('answers bad input with stable codes in the caller language', async () => {
    const admin = await adminSession(t);
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/units',
      payload: '{"name": ',
      headers: {
        'content-type': 'application/json',
        cookie: `zhilu_session=${admin.cookie}`,
        'x-requested-with': 'zhilu',
      },
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('INVALID_JSON');
    const unknown = await admin.post('/api/v1/units', { name: '一中队', kind: 'squadron', colour: 'red' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('VALIDATION_FAILED');
    expect(unknown.json().message).toMatch(/colour/);
    const big = await admin.post('/api/v1/units', { name: 'x'.repeat(2 * 1024 * 1024), kind: 'squadron' });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('BODY_TOO_LARGE');
    const en = await t.app.inject({
      method: 'GET',
      url: '/api/v1/users',
      headers: { 'accept-language': 'en-US,en;q=0.9' },
    });
    expect(en.json()).toEqual({ code: 'UNAUTHENTICATED', message: 'Please log in first' });
    const zh = await t.app.inject({ method: 'GET', url: '/api/v1/users' });
    expect(zh.json().message).toBe('请先登录');
    const boom = await admin.get('/api/v1/no-such-thing');
    expect(boom.statusCode).toBe(404);
  });

  it('sends security headers and reports health', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      status: 'ok',
      database: { ok: true, kind },
      storage: { ok: true, kind: 'local' },
    });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect((await t.app.inject({ method: 'GET', url: '/api/docs/json' })).json().openapi).toMatch(/^3\./);
  });
});
