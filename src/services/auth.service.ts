// Logging in and staying logged in: passwords (argon2id), lock-out with back-off,
// optional TOTP, sessions with idle and absolute expiry, API tokens.
import { generate as totpGenerate, generateSecret, generateURI, verify as totpVerify } from 'otplib';
import { usersRepository } from '../db/repositories/users.repository.js';
import type { UserRow } from '../db/schema.js';
import { AppError } from '../domain/errors.js';
import { checkPassword } from '../domain/password-policy.js';
import {
  permissionsOf,
  SCOPE_PERMISSIONS,
  type Permission,
  type Role,
  type TokenScope,
} from '../domain/roles.js';
import type { AuditService } from './audit.service.js';
import type { Actor, ServiceContext } from './context.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import { newSecret, secretHash } from './secrets.js';
import type { SettingsService } from './settings.service.js';
import { weakPasswordError, type User, type UsersService } from './users.service.js';

/** Failed attempts allowed before the account locks; each further failure doubles the lock. */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_BASE_MS = 60_000;
export const LOCKOUT_MAX_MS = 60 * 60_000;
const MFA_CHALLENGE_MS = 5 * 60_000;
const SEEN_WRITE_INTERVAL_MS = 30_000;

export function lockoutDuration(failedLogins: number): number {
  if (failedLogins < LOCKOUT_THRESHOLD) return 0;
  return Math.min(LOCKOUT_BASE_MS * 2 ** (failedLogins - LOCKOUT_THRESHOLD), LOCKOUT_MAX_MS);
}

export interface Client {
  ip: string | null;
  userAgent: string | null;
}

export type LoginResult =
  | { kind: 'session'; token: string; user: User; expiresAt: number }
  | { kind: 'mfa'; challenge: string; expiresAt: number };

export interface Me extends User {
  permissions: Permission[];
  mfaRequired: boolean;
}

export interface Authenticated {
  actor: Actor;
  user: UserRow;
  roles: Role[];
  sessionId: string | null;
  /** Gates: the person must change the password / enrol TOTP before doing anything else. */
  mustChangePassword: boolean;
  mustEnrolMfa: boolean;
}

const invalidCredentials = () =>
  new AppError('INVALID_CREDENTIALS', 401, { zh: '用户名或密码错误', en: 'Wrong username or password' });
const accountLocked = (until: number, now: number) => {
  const retryAfterSeconds = Math.ceil((until - now) / 1000);
  return new AppError(
    'ACCOUNT_LOCKED',
    423,
    {
      zh: `登录失败次数过多，账号已锁定，请 ${retryAfterSeconds} 秒后再试`,
      en: `Too many failed attempts; the account is locked for ${retryAfterSeconds} s`,
    },
    { retryAfterSeconds },
  );
};
const accountDisabled = () =>
  new AppError('ACCOUNT_DISABLED', 403, {
    zh: '账号已停用，请联系系统管理员',
    en: 'This account is deactivated; contact your administrator',
  });

export class AuthService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
    private readonly users: UsersService,
    private readonly settings: SettingsService,
  ) {}

  private anonymous(client: Client, name: string): Actor {
    return { userId: null, name, roles: [], permissions: new Set(), clientIp: client.ip, via: 'session' };
  }

  actorFor(
    user: UserRow,
    roles: Role[],
    via: Actor['via'],
    client: Client,
    scope?: TokenScope,
    tokenId?: string,
  ): Actor {
    let permissions = permissionsOf(roles);
    const allowed = scope ? SCOPE_PERMISSIONS[scope] : 'owner';
    if (allowed !== 'owner') permissions = permissions.filter((p) => allowed.includes(p));
    return {
      userId: user.id,
      name: user.username,
      roles,
      permissions: new Set(permissions),
      clientIp: client.ip,
      via,
      tokenId,
    };
  }

  private async rolesOf(userId: string): Promise<Role[]> {
    return ((await usersRepository.roles(this.ctx.catalogue.db, [userId])).get(userId) ?? []) as Role[];
  }

  async me(user: UserRow, roles: Role[], actor: Actor): Promise<Me> {
    const presented = await this.users.presentOne(this.ctx.catalogue.db, user);
    const policy = await this.settings.security();
    return {
      ...presented,
      permissions: [...actor.permissions],
      mfaRequired: roles.some((r) => policy.mfaRequiredRoles.includes(r)),
    };
  }

  /** Counts a failure, locks the account when the threshold is passed, and audits. */
  private async failAttempt(user: UserRow, client: Client, reason: string): Promise<AppError> {
    const now = this.ctx.clock.now();
    const failed = user.failedLogins + 1;
    const lockMs = lockoutDuration(failed);
    const lockedUntil = lockMs ? now + lockMs : null;
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      await usersRepository.update(tx, user.id, { failedLogins: failed, lockedUntil });
      await this.audit.record(tx, this.anonymous(client, user.username), {
        action: reason === 'mfa' ? 'auth.mfa' : 'auth.login',
        targetType: 'user',
        targetId: user.id,
        outcome: 'failure',
        details: { reason, failedLogins: failed, lockedUntil },
      });
    });
    return lockedUntil
      ? accountLocked(lockedUntil, now)
      : reason === 'mfa'
        ? mfaInvalid()
        : invalidCredentials();
  }

  async login(usernameRaw: string, password: string, client: Client): Promise<LoginResult> {
    const username = usernameRaw.trim().toLowerCase();
    const now = this.ctx.clock.now();
    const user = await usersRepository.byUsername(this.ctx.catalogue.db, username);
    if (!user) {
      await verifyPassword(await dummyPasswordHash(), password);
      await this.audit.recordAlone(this.anonymous(client, username.slice(0, 64)), {
        action: 'auth.login',
        outcome: 'failure',
        details: { reason: 'unknown_user' },
      });
      throw invalidCredentials();
    }
    if (user.lockedUntil !== null && Number(user.lockedUntil) > now) {
      await this.audit.recordAlone(this.anonymous(client, user.username), {
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
        outcome: 'failure',
        details: { reason: 'locked', lockedUntil: Number(user.lockedUntil) },
      });
      throw accountLocked(Number(user.lockedUntil), now);
    }
    if (!(await verifyPassword(user.passwordHash, password)))
      throw await this.failAttempt(user, client, 'bad_password');
    if (user.active !== 1) {
      await this.audit.recordAlone(this.anonymous(client, user.username), {
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
        outcome: 'failure',
        details: { reason: 'disabled' },
      });
      throw accountDisabled();
    }
    if (user.totpSecret) {
      const challenge = newSecret();
      const expiresAt = now + MFA_CHALLENGE_MS;
      await this.ctx.catalogue.db
        .insertInto('sessions')
        .values({
          id: secretHash(challenge),
          userId: user.id,
          kind: 'mfa_challenge',
          createdAt: now,
          lastSeenAt: now,
          expiresAt,
          clientIp: client.ip,
          userAgent: client.userAgent,
          revokedAt: null,
        })
        .execute();
      return { kind: 'mfa', challenge, expiresAt };
    }
    return this.openSession(user, client, { method: 'password' });
  }

  async completeMfa(challenge: string, code: string, client: Client): Promise<LoginResult> {
    const db = this.ctx.catalogue.db;
    const now = this.ctx.clock.now();
    const row = await db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', secretHash(challenge))
      .where('kind', '=', 'mfa_challenge')
      .executeTakeFirst();
    if (!row || row.revokedAt !== null || Number(row.expiresAt) < now)
      throw new AppError('MFA_CHALLENGE_EXPIRED', 401, {
        zh: '验证已过期，请重新登录',
        en: 'The verification expired; log in again',
      });
    const user = await usersRepository.get(db, row.userId);
    if (!user || !user.totpSecret) throw invalidCredentials();
    if (user.lockedUntil !== null && Number(user.lockedUntil) > now)
      throw accountLocked(Number(user.lockedUntil), now);
    if (!(await checkTotp(user.totpSecret, code))) throw await this.failAttempt(user, client, 'mfa');
    await db.updateTable('sessions').set({ revokedAt: now }).where('id', '=', row.id).execute();
    return this.openSession(user, client, { method: 'password+totp' });
  }

  private async openSession(
    user: UserRow,
    client: Client,
    details: Record<string, unknown>,
  ): Promise<LoginResult> {
    const now = this.ctx.clock.now();
    const policy = await this.settings.security();
    const token = newSecret();
    const expiresAt = now + policy.sessionAbsoluteHours * 3_600_000;
    const roles = await this.rolesOf(user.id);
    const actor = this.actorFor(user, roles, 'session', client);
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('sessions')
        .values({
          id: secretHash(token),
          userId: user.id,
          kind: 'session',
          createdAt: now,
          lastSeenAt: now,
          expiresAt,
          clientIp: client.ip,
          userAgent: client.userAgent?.slice(0, 300) ?? null,
          revokedAt: null,
        })
        .execute();
      await usersRepository.update(tx, user.id, { failedLogins: 0, lockedUntil: null, lastLoginAt: now });
      await this.audit.record(tx, actor, {
        action: 'auth.login',
        targetType: 'user',
        targetId: user.id,
        details: { ...details, userAgent: client.userAgent?.slice(0, 200) ?? null },
      });
    });
    const fresh = (await usersRepository.get(this.ctx.catalogue.db, user.id))!;
    return {
      kind: 'session',
      token,
      user: await this.users.presentOne(this.ctx.catalogue.db, fresh),
      expiresAt,
    };
  }

  /** Resolves a session cookie; expired (idle or absolute) and revoked sessions are refused. */
  async fromSession(token: string, client: Client): Promise<Authenticated | null> {
    const db = this.ctx.catalogue.db;
    const now = this.ctx.clock.now();
    const id = secretHash(token);
    const row = await db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .where('kind', '=', 'session')
      .executeTakeFirst();
    if (!row || row.revokedAt !== null || Number(row.expiresAt) <= now) return null;
    const policy = await this.settings.security();
    if (Number(row.lastSeenAt) + policy.sessionIdleMinutes * 60_000 <= now) return null;
    const user = await usersRepository.get(db, row.userId);
    if (!user || user.active !== 1) return null;
    if (now - Number(row.lastSeenAt) > SEEN_WRITE_INTERVAL_MS)
      await db.updateTable('sessions').set({ lastSeenAt: now }).where('id', '=', id).execute();
    const roles = await this.rolesOf(user.id);
    return {
      actor: this.actorFor(user, roles, 'session', client),
      user,
      roles,
      sessionId: id,
      mustChangePassword: user.mustChangePassword === 1,
      mustEnrolMfa: !user.totpSecret && roles.some((r) => policy.mfaRequiredRoles.includes(r)),
    };
  }

  /** Resolves an `Authorization: Bearer zl_…` API token. */
  async fromToken(secret: string, client: Client): Promise<Authenticated | null> {
    const db = this.ctx.catalogue.db;
    const now = this.ctx.clock.now();
    const row = await db
      .selectFrom('apiTokens')
      .selectAll()
      .where('tokenHash', '=', secretHash(secret))
      .executeTakeFirst();
    if (!row || row.revokedAt !== null || (row.expiresAt !== null && Number(row.expiresAt) <= now))
      return null;
    const user = await usersRepository.get(db, row.userId);
    if (!user || user.active !== 1) return null;
    if (row.lastUsedAt === null || now - Number(row.lastUsedAt) > SEEN_WRITE_INTERVAL_MS)
      await db.updateTable('apiTokens').set({ lastUsedAt: now }).where('id', '=', row.id).execute();
    const roles = await this.rolesOf(user.id);
    return {
      actor: this.actorFor(user, roles, 'token', client, row.scope as TokenScope, row.id),
      user,
      roles,
      sessionId: null,
      mustChangePassword: false,
      mustEnrolMfa: false,
    };
  }

  async logout(auth: Authenticated): Promise<void> {
    if (!auth.sessionId) return;
    const sessionId = auth.sessionId;
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('sessions')
        .set({ revokedAt: this.ctx.clock.now() })
        .where('id', '=', sessionId)
        .execute();
      await this.audit.record(tx, auth.actor, {
        action: 'auth.logout',
        targetType: 'user',
        targetId: auth.user.id,
      });
    });
  }

  async changePassword(auth: Authenticated, current: string, next: string): Promise<void> {
    const user = auth.user;
    if (!(await verifyPassword(user.passwordHash, current))) {
      await this.audit.recordAlone(auth.actor, {
        action: 'auth.password_change',
        targetType: 'user',
        targetId: user.id,
        outcome: 'failure',
        details: { reason: 'bad_current_password' },
      });
      throw new AppError('CURRENT_PASSWORD_WRONG', 400, {
        zh: '当前密码不正确',
        en: 'The current password is wrong',
      });
    }
    const rule = checkPassword(next, user.username, current);
    if (rule) throw weakPasswordError(rule);
    const passwordHash = await hashPassword(next);
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const now = this.ctx.clock.now();
      await usersRepository.update(tx, user.id, {
        passwordHash,
        mustChangePassword: 0,
        passwordChangedAt: now,
        updatedAt: now,
      });
      // Other sessions of this person end; this one continues.
      let q = tx
        .updateTable('sessions')
        .set({ revokedAt: now })
        .where('userId', '=', user.id)
        .where('revokedAt', 'is', null);
      if (auth.sessionId) q = q.where('id', '!=', auth.sessionId);
      await q.execute();
      await this.audit.record(tx, auth.actor, {
        action: 'auth.password_change',
        targetType: 'user',
        targetId: user.id,
        details: { forced: user.mustChangePassword === 1 },
      });
    });
  }

  async totpSetup(auth: Authenticated): Promise<{ secret: string; otpauthUrl: string }> {
    const secret = generateSecret();
    await usersRepository.update(this.ctx.catalogue.db, auth.user.id, { totpPendingSecret: secret });
    const otpauthUrl = generateURI({ issuer: 'zhilu 执录', label: auth.user.username, secret });
    return { secret, otpauthUrl };
  }

  async totpEnable(auth: Authenticated, code: string): Promise<void> {
    const row = await usersRepository.get(this.ctx.catalogue.db, auth.user.id);
    if (!row?.totpPendingSecret)
      throw new AppError('MFA_NOT_SET_UP', 400, {
        zh: '请先生成双因素密钥',
        en: 'Set up the authenticator first',
      });
    if (!(await checkTotp(row.totpPendingSecret, code))) throw mfaInvalid();
    const secret = row.totpPendingSecret;
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      await usersRepository.update(tx, row.id, {
        totpSecret: secret,
        totpPendingSecret: null,
        updatedAt: this.ctx.clock.now(),
      });
      await this.audit.record(tx, auth.actor, {
        action: 'auth.totp_enable',
        targetType: 'user',
        targetId: row.id,
      });
    });
  }

  async totpDisable(auth: Authenticated, password: string): Promise<void> {
    if (!(await verifyPassword(auth.user.passwordHash, password)))
      throw new AppError('CURRENT_PASSWORD_WRONG', 400, {
        zh: '当前密码不正确',
        en: 'The current password is wrong',
      });
    const policy = await this.settings.security();
    if (auth.roles.some((r) => policy.mfaRequiredRoles.includes(r)))
      throw new AppError('MFA_REQUIRED_BY_POLICY', 403, {
        zh: '您的角色要求启用双因素认证，不能关闭',
        en: 'Your role requires two-factor authentication; it cannot be turned off',
      });
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      await usersRepository.update(tx, auth.user.id, {
        totpSecret: null,
        totpPendingSecret: null,
        updatedAt: this.ctx.clock.now(),
      });
      await this.audit.record(tx, auth.actor, {
        action: 'auth.totp_disable',
        targetType: 'user',
        targetId: auth.user.id,
      });
    });
  }

  /** For tests and the CLI: a current code for a secret. */
  static async currentCode(secret: string): Promise<string> {
    return totpGenerate({ secret });
  }
}

function mfaInvalid(): AppError {
  return new AppError('MFA_INVALID', 401, { zh: '动态验证码不正确', en: 'Wrong verification code' });
}

async function checkTotp(secret: string, code: string): Promise<boolean> {
  if (!/^\d{6}$/.test(code.trim())) return false;
  try {
    const r = await totpVerify({ secret, token: code.trim(), epochTolerance: 30 });
    return r.valid;
  } catch {
    return false;
  }
}
