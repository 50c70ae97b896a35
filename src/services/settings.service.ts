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

export const DEFAULT_SECURITY: SecuritySettings = {
  mfaRequiredRoles: [],
  sessionIdleMinutes: 30,
  sessionAbsoluteHours: 12,
};
const KEY = 'security';

/** Tolerances and formats of the register (A5.1 pre-use check, case numbers). */
export interface RegistrySettings {
  clockToleranceSeconds: number;
  minBatteryPercent: number;
  minFreeStorageMb: number;
  defaultCheckoutHours: number;
  /** Placeholders: {unitCode} {year} {seq} (seq zero-padded to 3). */
  caseNumberPattern: string;
}

export const DEFAULT_REGISTRY: RegistrySettings = {
  clockToleranceSeconds: 30,
  minBatteryPercent: 20,
  minFreeStorageMb: 1024,
  defaultCheckoutHours: 12,
  caseNumberPattern: '{unitCode}罚〔{year}〕{seq}号',
};
const REGISTRY_KEY = 'registry';

function rangeError(field: string, zh: string, en: string): AppError {
  return new AppError('SETTING_OUT_OF_RANGE', 400, { zh, en }, { field });
}

export class SettingsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  async security(): Promise<SecuritySettings> {
    return this.read(KEY, DEFAULT_SECURITY);
  }

  private async read<T>(key: string, defaults: T): Promise<T> {
    const row = await this.ctx.catalogue.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? { ...defaults, ...(JSON.parse(row.value) as Partial<T>) } : defaults;
  }

  private async write(actor: Actor, key: string, before: unknown, value: unknown): Promise<void> {
    await this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const now = this.ctx.clock.now();
      const json = JSON.stringify(value);
      const exists = await tx.selectFrom('settings').select('key').where('key', '=', key).executeTakeFirst();
      if (exists)
        await tx
          .updateTable('settings')
          .set({ value: json, updatedAt: now, updatedBy: actor.userId })
          .where('key', '=', key)
          .execute();
      else
        await tx
          .insertInto('settings')
          .values({ key, value: json, updatedAt: now, updatedBy: actor.userId })
          .execute();
      await this.audit.record(tx, actor, {
        action: 'settings.update',
        targetType: 'settings',
        targetId: key,
        details: { before, after: value },
      });
    });
  }

  async registry(): Promise<RegistrySettings> {
    return this.read(REGISTRY_KEY, DEFAULT_REGISTRY);
  }

  async updateRegistry(actor: Actor, next: RegistrySettings): Promise<RegistrySettings> {
    assertPermission(actor, 'settings.manage');
    const intIn = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
    if (!intIn(next.clockToleranceSeconds, 1, 3600))
      throw rangeError(
        'clockToleranceSeconds',
        '时钟允许误差须为 1–3600 秒',
        'Clock tolerance must be 1–3600 seconds',
      );
    if (!intIn(next.minBatteryPercent, 0, 100))
      throw rangeError('minBatteryPercent', '最低电量须为 0–100%', 'Minimum battery must be 0–100%');
    if (!intIn(next.minFreeStorageMb, 0, 1_000_000))
      throw rangeError(
        'minFreeStorageMb',
        '最低剩余空间须为 0–1000000 MB',
        'Minimum free storage must be 0–1,000,000 MB',
      );
    if (!intIn(next.defaultCheckoutHours, 1, 720))
      throw rangeError(
        'defaultCheckoutHours',
        '默认领用时长须为 1–720 小时',
        'Default check-out length must be 1–720 hours',
      );
    const pattern = next.caseNumberPattern.trim();
    if (!pattern.includes('{seq}') || pattern.length > 100)
      throw rangeError(
        'caseNumberPattern',
        '案件编号格式须包含 {seq}，且不超过 100 字',
        'The case number pattern must contain {seq} and be at most 100 characters',
      );
    const value: RegistrySettings = { ...next, caseNumberPattern: pattern };
    await this.write(actor, REGISTRY_KEY, await this.registry(), value);
    return value;
  }

  async getSecurity(actor: Actor): Promise<SecuritySettings> {
    assertPermission(actor, 'settings.manage');
    return this.security();
  }

  async updateSecurity(actor: Actor, next: SecuritySettings): Promise<SecuritySettings> {
    assertPermission(actor, 'settings.manage');
    const bad = next.mfaRequiredRoles.filter((r) => !isRole(r));
    if (bad.length)
      throw new AppError('ROLE_UNKNOWN', 400, {
        zh: `未知角色：${bad.join(', ')}`,
        en: `Unknown role: ${bad.join(', ')}`,
      });
    if (
      !Number.isInteger(next.sessionIdleMinutes) ||
      next.sessionIdleMinutes < 1 ||
      next.sessionIdleMinutes > 480
    )
      throw new AppError(
        'SETTING_OUT_OF_RANGE',
        400,
        { zh: '空闲超时须为 1–480 分钟', en: 'Idle timeout must be 1–480 minutes' },
        { field: 'sessionIdleMinutes' },
      );
    if (
      !Number.isInteger(next.sessionAbsoluteHours) ||
      next.sessionAbsoluteHours < 1 ||
      next.sessionAbsoluteHours > 168
    )
      throw new AppError(
        'SETTING_OUT_OF_RANGE',
        400,
        { zh: '会话最长有效期须为 1–168 小时', en: 'Session lifetime must be 1–168 hours' },
        { field: 'sessionAbsoluteHours' },
      );
    const value: SecuritySettings = {
      mfaRequiredRoles: [...new Set(next.mfaRequiredRoles)].sort(),
      sessionIdleMinutes: next.sessionIdleMinutes,
      sessionAbsoluteHours: next.sessionAbsoluteHours,
    };
    await this.write(actor, KEY, await this.security(), value);
    return value;
  }
}
