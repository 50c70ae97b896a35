// First start: with no users at all, create the administrator. The password is
// ZHILU_ADMIN_PASSWORD when given, otherwise a generated one printed once; either
// way it must be changed at first login.
import { usersRepository } from '../db/repositories/users.repository.js';
import { checkPassword } from '../domain/password-policy.js';
import type { AuditService } from './audit.service.js';
import { systemActor, type ServiceContext } from './context.js';
import { hashPassword, newOneTimePassword } from './passwords.js';
import { weakPasswordError } from './users.service.js';
import { uuidv7 } from 'uuidv7';

export const BOOTSTRAP_USERNAME = 'admin';

export async function bootstrapAdmin(
  ctx: Pick<ServiceContext, 'catalogue' | 'clock'>,
  audit: AuditService,
  fixedPassword: string | null,
): Promise<{ username: string; password: string; generated: boolean } | null> {
  const db = ctx.catalogue.db;
  if ((await usersRepository.count(db)) > 0) return null;
  if (fixedPassword !== null) {
    const rule = checkPassword(fixedPassword, BOOTSTRAP_USERNAME);
    if (rule) throw weakPasswordError(rule);
  }
  const password = fixedPassword ?? newOneTimePassword();
  const passwordHash = await hashPassword(password);
  const created = await db.transaction().execute(async (tx) => {
    if ((await usersRepository.count(tx)) > 0) return false; // another server got there first
    const now = ctx.clock.now();
    const id = uuidv7();
    await usersRepository.insert(tx, {
      id,
      username: BOOTSTRAP_USERNAME,
      name: '系统管理员',
      code: 'ADMIN',
      unitId: null,
      passwordHash,
      mustChangePassword: 1,
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
    await usersRepository.setRoles(tx, id, ['admin']);
    await audit.record(tx, systemActor, {
      action: 'system.bootstrap_admin',
      targetType: 'user',
      targetId: id,
      details: {
        username: BOOTSTRAP_USERNAME,
        passwordFrom: fixedPassword ? 'ZHILU_ADMIN_PASSWORD' : 'generated',
      },
    });
    return true;
  });
  return created ? { username: BOOTSTRAP_USERNAME, password, generated: fixedPassword === null } : null;
}
