// People and their roles. Creating a user gives a one-time password (or takes one
// that meets the policy); the user must change it at first login.
import { uuidv7 } from 'uuidv7';
import { unitsRepository } from '../db/repositories/units.repository.js';
import { usersRepository, type UserFilter } from '../db/repositories/users.repository.js';
import type { Executor } from '../db/database.js';
import type { UserRow } from '../db/schema.js';
import { AppError, errors } from '../domain/errors.js';
import { checkPassword, PASSWORD_RULE_MESSAGES } from '../domain/password-policy.js';
import { isRole, type Role } from '../domain/roles.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';
import { hashPassword, newOneTimePassword } from './passwords.js';

export interface User {
  id: string;
  username: string;
  name: string;
  code: string;
  unitId: string | null;
  unitName: string | null;
  roles: Role[];
  active: boolean;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  lockedUntil: number | null;
  lastLoginAt: number | null;
  createdAt: number;
}

export interface CreateUserInput {
  username: string;
  name: string;
  code: string;
  unitId?: string | null;
  roles: string[];
  password?: string;
  /** false only for accounts provisioned with a password the operator chose on purpose. */
  mustChangePassword?: boolean;
}

export interface UpdateUserInput {
  name?: string;
  code?: string;
  unitId?: string | null;
  roles?: string[];
  active?: boolean;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,31}$/;

export function weakPasswordError(rule: NonNullable<ReturnType<typeof checkPassword>>): AppError {
  const m = PASSWORD_RULE_MESSAGES[rule];
  return new AppError(
    'PASSWORD_WEAK',
    400,
    { zh: `密码不符合要求：${m.zh}`, en: `Password rejected: ${m.en}` },
    { rule },
  );
}

function checkRoles(roles: string[]): Role[] {
  if (!Array.isArray(roles) || roles.length === 0)
    throw new AppError('ROLES_REQUIRED', 400, {
      zh: '至少需要一个角色',
      en: 'At least one role is required',
    });
  const bad = roles.filter((r) => !isRole(r));
  if (bad.length)
    throw new AppError(
      'ROLE_UNKNOWN',
      400,
      { zh: `未知角色：${bad.join(', ')}`, en: `Unknown role: ${bad.join(', ')}` },
      { roles: bad },
    );
  return [...new Set(roles as Role[])];
}

function checkText(value: string, field: string, zhField: string, max: number): string {
  const v = value.trim();
  if (!v || v.length > max || /[\u0000-\u001f\u007f]/.test(v))
    throw new AppError(
      'VALIDATION_FAILED',
      400,
      {
        zh: `${zhField}须为 1–${max} 个字符，且不含控制字符`,
        en: `${field} must be 1–${max} characters without control characters`,
      },
      { field },
    );
  return v;
}

export class UsersService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  async present(db: Executor, rows: UserRow[]): Promise<User[]> {
    const roles = await usersRepository.roles(
      db,
      rows.map((r) => r.id),
    );
    const units = new Map((await unitsRepository.list(db)).map((u) => [u.id, u.name]));
    return rows.map((r) => ({
      id: r.id,
      username: r.username,
      name: r.name,
      code: r.code,
      unitId: r.unitId,
      unitName: r.unitId ? (units.get(r.unitId) ?? null) : null,
      roles: ((roles.get(r.id) ?? []) as Role[]).sort(),
      active: r.active === 1,
      mustChangePassword: r.mustChangePassword === 1,
      totpEnabled: r.totpSecret !== null,
      lockedUntil:
        r.lockedUntil !== null && Number(r.lockedUntil) > this.ctx.clock.now() ? Number(r.lockedUntil) : null,
      lastLoginAt: r.lastLoginAt === null ? null : Number(r.lastLoginAt),
      createdAt: Number(r.createdAt),
    }));
  }

  async presentOne(db: Executor, row: UserRow): Promise<User> {
    return (await this.present(db, [row]))[0]!;
  }

  async list(actor: Actor, filter: UserFilter): Promise<User[]> {
    assertPermission(actor, 'users.read');
    const db = this.ctx.catalogue.db;
    return this.present(db, await usersRepository.list(db, filter));
  }

  async get(actor: Actor, id: string): Promise<User> {
    if (actor.userId !== id) assertPermission(actor, 'users.read');
    const db = this.ctx.catalogue.db;
    const row = await usersRepository.get(db, id);
    if (!row) throw errors.notFound('user', '用户', id);
    return this.presentOne(db, row);
  }

  async byUsername(actor: Actor, username: string): Promise<User> {
    assertPermission(actor, 'users.read');
    const db = this.ctx.catalogue.db;
    const row = await usersRepository.byUsername(db, username);
    if (!row) throw errors.notFound('user', '用户', username);
    return this.presentOne(db, row);
  }

  async create(
    actor: Actor,
    input: CreateUserInput,
  ): Promise<{ user: User; initialPassword: string | null }> {
    assertPermission(actor, 'users.manage');
    const username = input.username.trim().toLowerCase();
    if (!USERNAME.test(username))
      throw new AppError('USERNAME_INVALID', 400, {
        zh: '用户名须为 2–32 位小写字母、数字或 . _ -，且以字母或数字开头',
        en: 'Username must be 2–32 lower-case letters, digits or . _ - starting with a letter or digit',
      });
    const name = checkText(input.name, 'name', '姓名', 50);
    const code = checkText(input.code, 'code', '执法证号', 50);
    const roles = checkRoles(input.roles);
    let password = input.password ?? null;
    if (password !== null) {
      const rule = checkPassword(password, username);
      if (rule) throw weakPasswordError(rule);
    }
    const generated = password === null;
    password ??= newOneTimePassword();
    const passwordHash = await hashPassword(password);
    const db = this.ctx.catalogue.db;
    try {
      return await db.transaction().execute(async (tx) => {
        if (input.unitId && !(await unitsRepository.get(tx, input.unitId)))
          throw errors.notFound('unit', '单位', input.unitId);
        if (await usersRepository.byUsername(tx, username)) throw usernameTaken(username);
        const now = this.ctx.clock.now();
        const id = uuidv7();
        await usersRepository.insert(tx, {
          id,
          username,
          name,
          code,
          unitId: input.unitId ?? null,
          passwordHash,
          mustChangePassword: input.mustChangePassword === false ? 0 : 1,
          active: 1,
          totpSecret: null,
          totpPendingSecret: null,
          failedLogins: 0,
          lockedUntil: null,
          lastLoginAt: null,
          passwordChangedAt: null,
          createdAt: now,
          updatedAt: now,
        });
        await usersRepository.setRoles(tx, id, roles);
        await this.audit.record(tx, actor, {
          action: 'user.create',
          targetType: 'user',
          targetId: id,
          details: {
            username,
            name,
            code,
            unitId: input.unitId ?? null,
            roles,
            passwordGenerated: generated,
          },
        });
        const row = (await usersRepository.get(tx, id))!;
        return { user: await this.presentOne(tx, row), initialPassword: generated ? password : null };
      });
    } catch (e) {
      if (this.ctx.catalogue.dialect.isUniqueViolation(e)) throw usernameTaken(username);
      throw e;
    }
  }

  async update(actor: Actor, id: string, input: UpdateUserInput): Promise<User> {
    assertPermission(actor, 'users.manage');
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const row = await usersRepository.get(tx, id);
      if (!row) throw errors.notFound('user', '用户', id);
      const before = await this.presentOne(tx, row);
      const patch: Partial<UserRow> = {};
      if (input.name !== undefined) patch.name = checkText(input.name, 'name', '姓名', 50);
      if (input.code !== undefined) patch.code = checkText(input.code, 'code', '执法证号', 50);
      if (input.unitId !== undefined) {
        if (input.unitId !== null && !(await unitsRepository.get(tx, input.unitId)))
          throw errors.notFound('unit', '单位', input.unitId);
        patch.unitId = input.unitId;
      }
      if (input.active !== undefined) patch.active = input.active ? 1 : 0;
      const roles = input.roles !== undefined ? checkRoles(input.roles) : undefined;
      if (
        actor.userId === id &&
        ((roles && !roles.includes('admin') && before.roles.includes('admin')) || input.active === false)
      )
        throw new AppError('SELF_LOCKOUT', 400, {
          zh: '不能停用自己或移除自己的系统管理员角色',
          en: 'You cannot deactivate yourself or remove your own administrator role',
        });
      patch.updatedAt = this.ctx.clock.now();
      await usersRepository.update(tx, id, patch);
      if (roles) await usersRepository.setRoles(tx, id, roles);
      // A deactivated account or a role change ends the person's open sessions.
      if (input.active === false || roles)
        await tx
          .updateTable('sessions')
          .set({ revokedAt: patch.updatedAt })
          .where('userId', '=', id)
          .where('revokedAt', 'is', null)
          .execute();
      const after = await this.presentOne(tx, (await usersRepository.get(tx, id))!);
      const changed: Record<string, { from: unknown; to: unknown }> = {};
      for (const k of ['name', 'code', 'unitId', 'active'] as const)
        if (before[k] !== after[k]) changed[k] = { from: before[k], to: after[k] };
      if (before.roles.join() !== after.roles.join()) changed.roles = { from: before.roles, to: after.roles };
      await this.audit.record(tx, actor, {
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        details: { username: row.username, changed },
      });
      return after;
    });
  }

  async resetPassword(actor: Actor, id: string): Promise<{ initialPassword: string }> {
    assertPermission(actor, 'users.manage');
    const password = newOneTimePassword();
    const passwordHash = await hashPassword(password);
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const row = await usersRepository.get(tx, id);
      if (!row) throw errors.notFound('user', '用户', id);
      const now = this.ctx.clock.now();
      await usersRepository.update(tx, id, {
        passwordHash,
        mustChangePassword: 1,
        failedLogins: 0,
        lockedUntil: null,
        updatedAt: now,
      });
      await tx
        .updateTable('sessions')
        .set({ revokedAt: now })
        .where('userId', '=', id)
        .where('revokedAt', 'is', null)
        .execute();
      await this.audit.record(tx, actor, {
        action: 'user.reset_password',
        targetType: 'user',
        targetId: id,
        details: { username: row.username },
      });
    });
    return { initialPassword: password };
  }

  async unlock(actor: Actor, id: string): Promise<void> {
    assertPermission(actor, 'users.manage');
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const row = await usersRepository.get(tx, id);
      if (!row) throw errors.notFound('user', '用户', id);
      await usersRepository.update(tx, id, {
        failedLogins: 0,
        lockedUntil: null,
        updatedAt: this.ctx.clock.now(),
      });
      await this.audit.record(tx, actor, {
        action: 'user.unlock',
        targetType: 'user',
        targetId: id,
        details: { username: row.username },
      });
    });
  }

  async resetMfa(actor: Actor, id: string): Promise<void> {
    assertPermission(actor, 'users.manage');
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const row = await usersRepository.get(tx, id);
      if (!row) throw errors.notFound('user', '用户', id);
      await usersRepository.update(tx, id, {
        totpSecret: null,
        totpPendingSecret: null,
        updatedAt: this.ctx.clock.now(),
      });
      await this.audit.record(tx, actor, {
        action: 'user.reset_mfa',
        targetType: 'user',
        targetId: id,
        details: { username: row.username },
      });
    });
  }
}

function usernameTaken(username: string): AppError {
  return errors.conflict(
    'USERNAME_TAKEN',
    `用户名 “${username}” 已被使用`,
    `Username "${username}" is already taken`,
    { username },
  );
}
