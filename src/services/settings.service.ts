// Security settings an administrator may change at run time, stored in the catalogue
// so every server of a multi-server installation sees the same values.
import { AppError } from '../domain/errors.js';
import { isRole, type Role } from '../domain/roles.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';

export interface SecuritySettings {
  mfaRequiredRoles: Role[];
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
}

export const DEFAULT_SECURITY: SecuritySettings = { mfaRequiredRoles: [], sessionIdleMinutes: 30, sessionAbsoluteHours: 12 };
const KEY = 'security';

export class SettingsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  async security(): Promise<SecuritySettings> {
    const row = await this.ctx.catalogue.db.selectFrom('settings').select('value').where('key', '=', KEY).executeTakeFirst();
    if (!row) return DEFAULT_SECURITY;
    return { ...DEFAULT_SECURITY, ...(JSON.parse(row.value) as Partial<SecuritySettings>) };
  }

  async getSecurity(actor: Actor): Promise<SecuritySettings> {
    assertPermission(actor, 'settings.manage');
    return this.security();
  }

  async updateSecurity(actor: Actor, next: SecuritySettings): Promise<SecuritySettings> {
    assertPermission(actor, 'settings.manage');
    const bad = next.mfaRequiredRoles.filter((r) => !isRole(r));
    if (bad.length) throw new AppError('ROLE_UNKNOWN', 400, { zh: `未知角色：${bad.join(', ')}`, en: `Unknown role: ${bad.join(', ')}` });
    if (!Number.isInteger(next.sessionIdleMinutes) || next.sessionIdleMinutes < 1 || next.sessionIdleMinutes > 480)
      throw new AppError('SETTING_OUT_OF_RANGE', 400, { zh: '空闲超时须为 1–480 分钟', en: 'Idle timeout must be 1–480 minutes' }, { field: 'sessionIdleMinutes' });
    if (!Number.isInteger(next.sessionAbsoluteHours) || next.sessionAbsoluteHours < 1 || next.sessionAbsoluteHours > 168)
      throw new AppError('SETTING_OUT_OF_RANGE', 400, { zh: '会话最长有效期须为 1–168 小时', en: 'Session lifetime must be 1–168 hours' }, { field: 'sessionAbsoluteHours' });
    const value: SecuritySettings = {
      mfaRequiredRoles: [...new Set(next.mfaRequiredRoles)].sort(),
      sessionIdleMinutes: next.sessionIdleMinutes,
      sessionAbsoluteHours: next.sessionAbsoluteHours,
    };
    const before = await this.security();
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const now = this.ctx.clock.now();
      const json = JSON.stringify(value);
      const exists = await tx.selectFrom('settings').select('key').where('key', '=', KEY).executeTakeFirst();
      if (exists) await tx.updateTable('settings').set({ value: json, updatedAt: now, updatedBy: actor.userId }).where('key', '=', KEY).execute();
      else await tx.insertInto('settings').values({ key: KEY, value: json, updatedAt: now, updatedBy: actor.userId }).execute();
      await this.audit.record(tx, actor, { action: 'settings.update', targetType: 'settings', targetId: KEY, details: { before, after: value } });
    });
    return value;
  }
}
