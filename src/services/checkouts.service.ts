// Check-out, pre-use check and check-in (A5.1, A21.1(2), A13.1). A device goes out only
// to its holder; a custodian checking it out to someone else is the reassignment, and is
// audited as such; anyone else trying is refused, and the refusal is audited on its own.
// Every pre-use check is kept, pass or fail, with the measured clock offset.
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../db/database.js';
import type { CheckoutsTable, DeviceChecksTable } from '../db/schema.js';
import { evaluateCheck, statusAfter, type DeviceStatus } from '../domain/device-check.js';
import { AppError, errors, isAppError } from '../domain/errors.js';
import { ROLE_PERMISSIONS, type Role } from '../domain/roles.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, hasPermission, type Actor, type ServiceContext } from './context.js';
import {
  activeUser,
  deviceErrors,
  lockDevice,
  openCheckoutRows,
  optionalText,
  presentChecks,
  presentCheckouts,
  userNames,
  type Checkout,
  type DeviceCheck,
} from './devices.service.js';
import type { SettingsService } from './settings.service.js';

export interface CheckoutInput {
  /** Who takes the device; defaults to the caller. Another officer only with checkouts.manage. */
  officerId?: string | null;
  activityId?: string | null;
  dueAt?: number | null;
  remoteWork?: boolean;
  notes?: string | null;
}

export interface CheckInput {
  batteryPercent: number;
  freeStorageMb: number;
  /** The date and time the device shows, as entered, epoch ms. */
  deviceTime: number;
}

export interface CheckinInput {
  /** Back at the unit after remote or continuous work (A13.1's 24 hours run from here). */
  returnedAt?: number | null;
  notes?: string | null;
}

export interface CheckoutFilter {
  open?: boolean;
  officerId?: string;
  deviceId?: string;
  limit?: number;
}

const HOUR = 3_600_000;
const MAX_CHECKOUT_MS = 30 * 24 * HOUR;
/** 2100-01-01: device clocks beyond it are typing mistakes, not clock drift. */
const MAX_DEVICE_TIME = 4_102_444_800_000;
const MAX_FREE_STORAGE_MB = 100_000_000; // 100 TB

function heldByOther(serial: string, holderId: string | null): AppError {
  return new AppError(
    'DEVICE_HELD_BY_OTHER',
    403,
    {
      zh: `设备 ${serial} 不由您保管使用，不能领用；如需使用，请由保管人调配`,
      en: `Device ${serial} is not held by you and cannot be checked out to you; ask the custodian to reassign it`,
    },
    { serial, holderId },
  );
}

function invalid(code: string, field: string, zh: string, en: string): AppError {
  return new AppError(code, 400, { zh, en }, { field });
}

export class CheckoutsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
  ) {}

  private get db() {
    return this.ctx.catalogue.db;
  }

  /**
   * Checks a device out. Refusals because the device belongs to someone else are
   * audited as `checkout.refused` in a transaction of their own (A21.1(2)).
   */
  async checkout(actor: Actor, deviceId: string, input: CheckoutInput = {}): Promise<Checkout> {
    const manages = hasPermission(actor, 'checkouts.manage');
    if (!manages) assertPermission(actor, 'checkouts.own');
    const officerId = input.officerId ?? actor.userId;
    if (officerId === null)
      throw invalid(
        'VALIDATION_FAILED',
        'officerId',
        '请求内容不合法：须指定领用人',
        'Invalid request: officerId is required',
      );
    // Taking a device out for someone else is the custodian's act.
    if (!manages && officerId !== actor.userId) throw errors.forbidden('checkouts.manage');
    const notes = optionalText(input.notes, 'notes', '备注', 500, true);
    const now = this.ctx.clock.now();
    let dueAt = now + (await this.settings.registry()).defaultCheckoutHours * HOUR;
    if (input.dueAt !== undefined && input.dueAt !== null) {
      if (!Number.isSafeInteger(input.dueAt) || input.dueAt <= now || input.dueAt > now + MAX_CHECKOUT_MS)
        throw invalid(
          'CHECKOUT_DUE_INVALID',
          'dueAt',
          '归还期限须晚于现在，且不超过 30 天',
          'The due time must be in the future and at most 30 days away',
        );
      dueAt = input.dueAt;
    }
    try {
      return await this.db.transaction().execute(async (tx) => {
        const device = await lockDevice(tx, deviceId);
        if (!device) throw deviceErrors.notFound(deviceId);
        const reassign = device.holderId !== officerId;
        if (reassign && !manages) throw heldByOther(device.serial, device.holderId);
        const status = device.status as DeviceStatus;
        const after = statusAfter(status, 'checkout');
        if (after === null) throw deviceErrors.unavailable(status);
        const open = (await openCheckoutRows(tx, [deviceId])).get(deviceId);
        if (open)
          throw deviceErrors.alreadyOut(
            open.id,
            (await userNames(tx, [open.officerId])).get(open.officerId)?.name ?? '',
          );
        const officer = await activeUser(tx, officerId, 'officerId');
        const roles = (
          await tx.selectFrom('userRoles').select('role').where('userId', '=', officerId).execute()
        ).map((r) => r.role as Role);
        if (!roles.some((r) => ROLE_PERMISSIONS[r]?.includes('checkouts.own')))
          throw invalid(
            'CHECKOUT_OFFICER_INVALID',
            'officerId',
            `“${officer.name}” 的角色不能领用设备`,
            `"${officer.username}" has no role that may check out devices`,
          );
        let remoteWork = input.remoteWork ?? false;
        if (input.activityId) {
          const activity = await tx
            .selectFrom('activities')
            .select(['id', 'status', 'remoteWork'])
            .where('id', '=', input.activityId)
            .executeTakeFirst();
          if (!activity) throw errors.notFound('activity', '执法活动', input.activityId);
          const onIt = await tx
            .selectFrom('activityOfficers')
            .select('userId')
            .where('activityId', '=', activity.id)
            .where('userId', '=', officerId)
            .executeTakeFirst();
          if (!onIt)
            throw invalid(
              'CHECKOUT_ACTIVITY_INVALID',
              'activityId',
              `${officer.name} 不是该执法活动的执法人员`,
              `${officer.username} is not an officer of this activity`,
            );
          if (activity.status === 'completed' || activity.status === 'cancelled')
            throw invalid(
              'CHECKOUT_ACTIVITY_INVALID',
              'activityId',
              '该执法活动已结束或已取消',
              'The activity has ended or was cancelled',
            );
          if (input.remoteWork === undefined) remoteWork = activity.remoteWork === 1;
        }
        const row: CheckoutsTable = {
          id: uuidv7(),
          deviceId,
          officerId,
          activityId: input.activityId ?? null,
          checkedOutAt: now,
          dueAt,
          checkedInAt: null,
          checkedInBy: null,
          remoteWork: remoteWork ? 1 : 0,
          returnedAt: null,
          reassignedBy: reassign ? actor.userId : null,
          notes,
        };
        await tx.insertInto('checkouts').values(row).execute();
        await tx
          .updateTable('devices')
          .set({ status: after, holderId: officerId, updatedAt: now })
          .where('id', '=', deviceId)
          .execute();
        if (reassign)
          await this.audit.record(tx, actor, {
            action: 'checkout.reassign',
            targetType: 'device',
            targetId: deviceId,
            details: {
              serial: device.serial,
              checkoutId: row.id,
              fromHolderId: device.holderId,
              toHolderId: officerId,
            },
          });
        await this.audit.record(tx, actor, {
          action: 'checkout.create',
          targetType: 'device',
          targetId: deviceId,
          details: {
            serial: device.serial,
            checkoutId: row.id,
            officerId,
            activityId: row.activityId,
            dueAt,
            remoteWork,
            reassigned: reassign,
          },
        });
        return (await presentCheckouts(tx, [row], now))[0]!;
      });
    } catch (e) {
      if (isAppError(e) && e.code === 'DEVICE_HELD_BY_OTHER')
        await this.audit.recordAlone(actor, {
          action: 'checkout.refused',
          outcome: 'denied',
          targetType: 'device',
          targetId: deviceId,
          details: { code: e.code, officerId, ...(e.details ?? {}) },
        });
      throw e;
    }
  }

  /**
   * Records a pre-use check (A5.1). It is stored whatever the outcome; a failed check
   * is audited with outcome "failure" and the officer corrects the device and checks again.
   */
  async recordCheck(actor: Actor, deviceId: string, input: CheckInput): Promise<DeviceCheck> {
    const manages = hasPermission(actor, 'checkouts.manage');
    if (!manages) assertPermission(actor, 'checkouts.own');
    const officerId = actor.userId;
    if (officerId === null)
      throw new AppError('ACCOUNT_REQUIRED', 400, {
        zh: '使用前检查须以人员账号登记',
        en: 'A pre-use check must be recorded with a user account',
      });
    if (!Number.isInteger(input.batteryPercent) || input.batteryPercent < 0 || input.batteryPercent > 100)
      throw invalid(
        'VALIDATION_FAILED',
        'batteryPercent',
        '请求内容不合法：电量须为 0–100 的整数',
        'Invalid request: batteryPercent must be a whole number from 0 to 100',
      );
    if (
      !Number.isInteger(input.freeStorageMb) ||
      input.freeStorageMb < 0 ||
      input.freeStorageMb > MAX_FREE_STORAGE_MB
    )
      throw invalid(
        'VALIDATION_FAILED',
        'freeStorageMb',
        '请求内容不合法：剩余空间须为非负整数（MB）',
        'Invalid request: freeStorageMb must be a non-negative whole number of MB',
      );
    if (!Number.isSafeInteger(input.deviceTime) || input.deviceTime < 0 || input.deviceTime > MAX_DEVICE_TIME)
      throw invalid(
        'VALIDATION_FAILED',
        'deviceTime',
        '请求内容不合法：设备时间须为 1970–2100 年之间的时刻',
        'Invalid request: deviceTime must be an instant between 1970 and 2100',
      );
    const limits = await this.settings.registry();
    try {
      return await this.db.transaction().execute(async (tx) => {
        const device = await lockDevice(tx, deviceId);
        if (!device) throw deviceErrors.notFound(deviceId);
        const open = (await openCheckoutRows(tx, [deviceId])).get(deviceId);
        if (!manages && device.holderId !== officerId && open?.officerId !== officerId)
          throw heldByOther(device.serial, device.holderId);
        const status = device.status as DeviceStatus;
        if (status === 'lost' || status === 'retired') throw deviceErrors.unavailable(status);
        const now = this.ctx.clock.now();
        const outcome = evaluateCheck(
          {
            serverTime: now,
            deviceTime: input.deviceTime,
            batteryPercent: input.batteryPercent,
            freeStorageMb: input.freeStorageMb,
          },
          limits,
        );
        const row: DeviceChecksTable = {
          id: uuidv7(),
          deviceId,
          officerId,
          checkoutId: open?.id ?? null,
          checkedAt: now,
          batteryPercent: input.batteryPercent,
          freeStorageMb: input.freeStorageMb,
          deviceTime: input.deviceTime,
          offsetMs: outcome.offsetMs,
          toleranceMs: outcome.toleranceMs,
          result: outcome.result,
          failures: JSON.stringify(outcome.failures),
        };
        await tx.insertInto('deviceChecks').values(row).execute();
        await this.audit.record(tx, actor, {
          action: 'device.check',
          targetType: 'device',
          targetId: deviceId,
          outcome: outcome.result === 'pass' ? 'success' : 'failure',
          details: {
            serial: device.serial,
            checkId: row.id,
            checkoutId: row.checkoutId,
            batteryPercent: row.batteryPercent,
            freeStorageMb: row.freeStorageMb,
            deviceTime: row.deviceTime,
            offsetMs: row.offsetMs,
            toleranceMs: row.toleranceMs,
            failures: outcome.failures,
          },
        });
        return (await presentChecks(tx, [row]))[0]!;
      });
    } catch (e) {
      if (isAppError(e) && e.code === 'DEVICE_HELD_BY_OTHER')
        await this.audit.recordAlone(actor, {
          action: 'device.check',
          outcome: 'denied',
          targetType: 'device',
          targetId: deviceId,
          details: { code: e.code, ...(e.details ?? {}) },
        });
      throw e;
    }
  }

  /** Check-in by the officer who has the device, or by the custodian for them. */
  async checkin(actor: Actor, checkoutId: string, input: CheckinInput = {}): Promise<Checkout> {
    const manages = hasPermission(actor, 'checkouts.manage');
    if (!manages) assertPermission(actor, 'checkouts.own');
    const notes = optionalText(input.notes, 'notes', '备注', 500, true);
    return this.db.transaction().execute(async (tx) => {
      const found = await tx
        .selectFrom('checkouts')
        .select('deviceId')
        .where('id', '=', checkoutId)
        .executeTakeFirst();
      if (!found) throw errors.notFound('checkout', '领用记录', checkoutId);
      const device = await lockDevice(tx, found.deviceId);
      const row = (await tx
        .selectFrom('checkouts')
        .selectAll()
        .where('id', '=', checkoutId)
        .executeTakeFirst())!;
      if (!manages && row.officerId !== actor.userId) throw errors.forbidden('checkouts.manage');
      if (row.checkedInAt !== null)
        throw errors.conflict(
          'CHECKOUT_CLOSED',
          '该领用记录已归还',
          'This check-out has already been checked in',
          { checkedInAt: Number(row.checkedInAt) },
        );
      const now = this.ctx.clock.now();
      let returnedAt: number | null = null;
      if (input.returnedAt !== undefined && input.returnedAt !== null) {
        if (
          !Number.isSafeInteger(input.returnedAt) ||
          input.returnedAt < Number(row.checkedOutAt) ||
          input.returnedAt > now
        )
          throw invalid(
            'RETURNED_AT_INVALID',
            'returnedAt',
            '返回单位时间须在领用时间与现在之间',
            'The return time must lie between the check-out and now',
          );
        returnedAt = input.returnedAt;
      } else if (row.remoteWork === 1) {
        // Remote work without a stated return: the check-in itself is the return (the stricter reading).
        returnedAt = now;
      }
      const remoteWork = row.remoteWork === 1 || returnedAt !== null;
      const checkinNote = notes ? `归还 / check-in: ${notes}` : null;
      const patch = {
        checkedInAt: now,
        checkedInBy: actor.userId,
        returnedAt,
        remoteWork: remoteWork ? 1 : 0,
        notes: checkinNote ? (row.notes ? `${row.notes}\n${checkinNote}` : checkinNote) : row.notes,
      };
      await tx.updateTable('checkouts').set(patch).where('id', '=', checkoutId).execute();
      if (device) {
        const after = statusAfter(device.status as DeviceStatus, 'checkin');
        if (after !== null)
          await tx
            .updateTable('devices')
            .set({ status: after, updatedAt: now })
            .where('id', '=', device.id)
            .execute();
      }
      await this.audit.record(tx, actor, {
        action: 'checkout.checkin',
        targetType: 'device',
        targetId: row.deviceId,
        details: {
          serial: device?.serial ?? null,
          checkoutId,
          officerId: row.officerId,
          remoteWork,
          returnedAt,
          overdue: now > Number(row.dueAt),
        },
      });
      return (await presentCheckouts(tx, [{ ...row, ...patch }], now))[0]!;
    });
  }

  /** Check-outs, newest first. Without checkouts.manage one sees only one's own. */
  async list(actor: Actor, filter: CheckoutFilter = {}): Promise<Checkout[]> {
    assertPermission(actor, 'devices.read');
    let officerId = filter.officerId;
    if (!hasPermission(actor, 'checkouts.manage')) {
      if (officerId !== undefined && officerId !== actor.userId) throw errors.forbidden('checkouts.manage');
      if (actor.userId === null) return [];
      officerId = actor.userId;
    }
    let q = this.db.selectFrom('checkouts').selectAll();
    if (filter.open === true) q = q.where('checkedInAt', 'is', null);
    if (filter.open === false) q = q.where('checkedInAt', 'is not', null);
    if (officerId) q = q.where('officerId', '=', officerId);
    if (filter.deviceId) q = q.where('deviceId', '=', filter.deviceId);
    const limit = Math.min(Math.max(filter.limit ?? 200, 1), 1000);
    const rows = await q.orderBy('checkedOutAt', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return presentCheckouts(this.db, rows, this.ctx.clock.now());
  }

  // ── Helpers for the activity, to-do and compliance services (no actor: internal reads) ──

  /** The latest passing pre-use check of the device at or before `at`, or null. */
  async latestPassingCheck(
    deviceId: string,
    at: number,
    db: Executor = this.db,
  ): Promise<DeviceCheck | null> {
    const row = await db
      .selectFrom('deviceChecks')
      .selectAll()
      .where('deviceId', '=', deviceId)
      .where('result', '=', 'pass')
      .where('checkedAt', '<=', at)
      .orderBy('checkedAt', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? (await presentChecks(db, [row]))[0]! : null;
  }

  /** The device's open check-out, or null. */
  async openCheckoutFor(deviceId: string, db: Executor = this.db): Promise<Checkout | null> {
    const row = (await openCheckoutRows(db, [deviceId])).get(deviceId);
    return row ? (await presentCheckouts(db, [row], this.ctx.clock.now()))[0]! : null;
  }
}
