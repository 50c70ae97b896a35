// Recording devices as assets (A2.1, A23.1) and the pre-use check (A5.1): pure rules,
// no I/O. The services apply them; the to-do list and compliance checks reuse them.

// ─── Pre-use check (A5.1) ───────────────────────────────────────────────────────────

export const CHECK_FAILURES = ['CLOCK_OFFSET', 'BATTERY_LOW', 'STORAGE_LOW'] as const;
export type CheckFailure = (typeof CHECK_FAILURES)[number];

export interface CheckThresholds {
  clockToleranceSeconds: number;
  minBatteryPercent: number;
  minFreeStorageMb: number;
}

export interface CheckInput {
  /** Server time of the check, epoch ms. */
  serverTime: number;
  /** The date and time the device shows, as the officer entered it, epoch ms. */
  deviceTime: number;
  batteryPercent: number;
  freeStorageMb: number;
}

export interface CheckOutcome {
  /** device − server: positive when the device clock runs ahead. */
  offsetMs: number;
  toleranceMs: number;
  result: 'pass' | 'fail';
  /** In a fixed order (clock, battery, storage) so stored values compare equal. */
  failures: CheckFailure[];
}

/**
 * Judges one pre-use check. Every limit is inclusive: an offset of exactly the
 * tolerance, a battery at exactly the minimum, storage at exactly the minimum pass.
 */
export function evaluateCheck(input: CheckInput, limits: CheckThresholds): CheckOutcome {
  const offsetMs = input.deviceTime - input.serverTime;
  const toleranceMs = limits.clockToleranceSeconds * 1000;
  const failures: CheckFailure[] = [];
  if (Math.abs(offsetMs) > toleranceMs) failures.push('CLOCK_OFFSET');
  if (input.batteryPercent < limits.minBatteryPercent) failures.push('BATTERY_LOW');
  if (input.freeStorageMb < limits.minFreeStorageMb) failures.push('STORAGE_LOW');
  return { offsetMs, toleranceMs, result: failures.length === 0 ? 'pass' : 'fail', failures };
}

export const CHECK_FAILURE_NAMES: Record<CheckFailure, { zh: string; en: string }> = {
  CLOCK_OFFSET: {
    zh: '设备时钟误差超出允许范围，请校准后重新检查',
    en: 'Device clock outside the tolerance; correct it and check again',
  },
  BATTERY_LOW: { zh: '电量不足', en: 'Battery too low' },
  STORAGE_LOW: { zh: '剩余存储空间不足', en: 'Not enough free storage' },
};

// ─── Device status (在库 领用 维修 遗失 报废) ─────────────────────────────────────────

export const DEVICE_STATUSES = ['in_stock', 'issued', 'maintenance', 'lost', 'retired'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export const DEVICE_STATUS_NAMES: Record<DeviceStatus, { zh: string; en: string }> = {
  in_stock: { zh: '在库', en: 'In stock' },
  issued: { zh: '领用', en: 'Issued' },
  maintenance: { zh: '维修', en: 'Maintenance' },
  lost: { zh: '遗失', en: 'Lost' },
  retired: { zh: '报废', en: 'Retired' },
};

/** Entries of a device's asset history. */
export const DEVICE_EVENT_KINDS = [
  'maintenance',
  'consumable',
  'loss',
  'theft',
  'found',
  'retirement',
] as const;
export type DeviceEventKind = (typeof DEVICE_EVENT_KINDS)[number];

export const DEVICE_EVENT_NAMES: Record<DeviceEventKind, { zh: string; en: string }> = {
  maintenance: { zh: '维修', en: 'Maintenance' },
  consumable: { zh: '耗材', en: 'Consumable' },
  loss: { zh: '遗失', en: 'Loss' },
  theft: { zh: '被盗', en: 'Theft' },
  found: { zh: '找回', en: 'Found' },
  retirement: { zh: '报废', en: 'Retirement' },
};

export const CONSUMABLE_ITEMS = ['battery', 'memory_card', 'other'] as const;
export type ConsumableItem = (typeof CONSUMABLE_ITEMS)[number];

export const CONSUMABLE_ITEM_NAMES: Record<ConsumableItem, { zh: string; en: string }> = {
  battery: { zh: '电池', en: 'Battery' },
  memory_card: { zh: '存储卡', en: 'Memory card' },
  other: { zh: '其他耗材', en: 'Other' },
};

/** Everything that may happen to a device: the asset events plus check-out, check-in and workshop moves. */
export type DeviceAction = 'checkout' | 'checkin' | 'start_maintenance' | 'end_maintenance' | DeviceEventKind;

interface ActionRule {
  from: readonly DeviceStatus[];
  /** null: the status does not change. */
  to: DeviceStatus | null;
}

// Retired is final: no action lists it in `from`. A lost device comes back only
// through `found` (to in stock, to be checked before it is issued again) or is written off.
const ACTION_RULES: Record<DeviceAction, ActionRule> = {
  // "issued" without an open check-out is tolerated so a stale status never strands a device.
  checkout: { from: ['in_stock', 'issued'], to: 'issued' },
  checkin: { from: ['issued'], to: 'in_stock' },
  start_maintenance: { from: ['in_stock'], to: 'maintenance' },
  end_maintenance: { from: ['maintenance'], to: 'in_stock' },
  maintenance: { from: ['in_stock', 'issued', 'maintenance'], to: null },
  consumable: { from: ['in_stock', 'issued', 'maintenance'], to: null },
  loss: { from: ['in_stock', 'issued', 'maintenance'], to: 'lost' },
  theft: { from: ['in_stock', 'issued', 'maintenance'], to: 'lost' },
  found: { from: ['lost'], to: 'in_stock' },
  // A device out with an officer is checked in first, so its last holder is on record.
  retirement: { from: ['in_stock', 'maintenance', 'lost'], to: 'retired' },
};

export function isDeviceStatus(value: string): value is DeviceStatus {
  return (DEVICE_STATUSES as readonly string[]).includes(value);
}

export function actionAllowed(status: DeviceStatus, action: DeviceAction): boolean {
  return ACTION_RULES[action].from.includes(status);
}

/** The status after the action, or null when the action is not allowed in this status. */
export function statusAfter(status: DeviceStatus, action: DeviceAction): DeviceStatus | null {
  const rule = ACTION_RULES[action];
  if (!rule.from.includes(status)) return null;
  return rule.to ?? status;
}

/** The actions allowed in a status (for the UI's buttons and error details). */
export function allowedActions(status: DeviceStatus): DeviceAction[] {
  return (Object.keys(ACTION_RULES) as DeviceAction[]).filter((a) => ACTION_RULES[a].from.includes(status));
}

/** True when some action moves a device from one status to another (a real change). */
export function canTransition(from: DeviceStatus, to: DeviceStatus): boolean {
  if (from === to) return false;
  return (Object.values(ACTION_RULES) as ActionRule[]).some((r) => r.to === to && r.from.includes(from));
}

/** Devices in these statuses can be used for enforcement at all. */
export function isUsable(status: DeviceStatus): boolean {
  return actionAllowed(status, 'checkout');
}

// ─── Calendar dates ('YYYY-MM-DD') ────────────────────────────────────────────────

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date in the form YYYY-MM-DD (years 1900–2999). */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The date `years` later; 29 February becomes 28 February in a common year. */
export function addYears(date: string, years: number): string {
  const m = DATE.exec(date);
  if (!m || !isCalendarDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  const y = Number(m[1]) + years;
  const mo = Number(m[2]);
  const d = Math.min(Number(m[3]), daysInMonth(y, mo));
  return `${String(y).padStart(4, '0')}-${m[2]}-${String(d).padStart(2, '0')}`;
}

/** The calendar date of an instant in a time zone (Asia/Shanghai for this system). */
export function calendarDateIn(epochMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

// ─── Replacement by age (A23.1) ───────────────────────────────────────────────────

export interface ReplacementInput {
  purchaseDate: string | null;
  serviceLifeYears: number;
  status: DeviceStatus;
}

/** The date the device reaches the end of its service life, or null without a purchase date. */
export function replacementDueOn(purchaseDate: string | null, serviceLifeYears: number): string | null {
  if (purchaseDate === null || !isCalendarDate(purchaseDate)) return null;
  return addYears(purchaseDate, serviceLifeYears);
}

/**
 * Due for replacement in the budget of `reportYear`: purchase date + service life falls
 * on or before 31 December of that year. Retired and lost devices are not in service, so
 * they are not "due" (losses are reported on their own); undated devices cannot be judged.
 */
export function dueForReplacement(device: ReplacementInput, reportYear: number): boolean {
  if (device.status === 'retired' || device.status === 'lost') return false;
  const due = replacementDueOn(device.purchaseDate, device.serviceLifeYears);
  return due !== null && due <= `${reportYear}-12-31`;
}
