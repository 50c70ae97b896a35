// The device register (A2.1, A23.1, A21.1(7)): device types as data, devices with their
// holder and status, and their asset history (maintenance, consumables, loss or theft,
// found, retirement). Presenters for check-outs and pre-use checks live here too, so the
// check-out service and the device pages show them the same way.
import { uuidv7 } from 'uuidv7';
import type { Executor, Tx } from '../db/database.js';
import type {
  CheckoutsTable,
  DeviceChecksTable,
  DeviceEventsTable,
  DevicesTable,
  DeviceTypesTable,
} from '../db/schema.js';
import {
  allowedActions,
  calendarDateIn,
  CONSUMABLE_ITEMS,
  DEVICE_EVENT_KINDS,
  DEVICE_STATUS_NAMES,
  isCalendarDate,
  statusAfter,
  type CheckFailure,
  type ConsumableItem,
  type DeviceAction,
  type DeviceEventKind,
  type DeviceStatus,
} from '../domain/device-check.js';
import { AppError, errors } from '../domain/errors.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, hasPermission, type Actor, type ServiceContext } from './context.js';

/** Calendar dates ("today", purchase dates) are judged in the unit's time zone. */
/** One billion yuan: far above any device budget, well inside exact integers. */
export const MAX_COST_CENTS = 100_000_000_000;
const DETAIL_HISTORY_LIMIT = 200;

// ─── Shapes ──────────────────────────────────────────────────────────────────────

export interface DeviceType {
  id: string;
  nameZh: string;
  nameEn: string;
  serviceLifeYears: number;
  active: boolean;
}

export interface Checkout {
  id: string;
  deviceId: string;
  deviceSerial: string;
  officerId: string;
  officerName: string;
  activityId: string | null;
  checkedOutAt: number;
  dueAt: number;
  checkedInAt: number | null;
  remoteWork: boolean;
  returnedAt: number | null;
  reassignedBy: string | null;
  notes: string | null;
  overdue: boolean;
}

export interface DeviceCheck {
  id: string;
  deviceId: string;
  officerId: string;
  officerName: string;
  checkoutId: string | null;
  checkedAt: number;
  batteryPercent: number;
  freeStorageMb: number;
  deviceTime: number;
  offsetMs: number;
  toleranceMs: number;
  result: 'pass' | 'fail';
  failures: CheckFailure[];
}

export interface Device {
  id: string;
  serial: string;
  assetNumber: string | null;
  typeId: string;
  typeNameZh: string;
  typeNameEn: string;
  maker: string | null;
  model: string | null;
  unitId: string | null;
  unitName: string | null;
  purchaseDate: string | null;
  purchaseCostCents: number | null;
  status: DeviceStatus;
  holderId: string | null;
  holderName: string | null;
  holderUsername: string | null;
  notes: string | null;
  openCheckout: Checkout | null;
  lastCheck: DeviceCheck | null;
  createdAt: number;
}

export interface DeviceEvent {
  id: string;
  deviceId: string | null;
  unitId: string | null;
  kind: DeviceEventKind;
  occurredOn: string;
  item: ConsumableItem | null;
  quantity: number | null;
  costCents: number | null;
  vendor: string | null;
  description: string;
  recordedBy: string;
  recordedByName: string;
  createdAt: number;
}

export interface DeviceDetail extends Device {
  events: DeviceEvent[];
  checks: DeviceCheck[];
  checkouts: Checkout[];
}

export interface DeviceFilter {
  q?: string;
  typeId?: string;
  status?: string;
  holderId?: string;
  unitId?: string;
}

export interface CreateDeviceInput {
  serial: string;
  typeId: string;
  assetNumber?: string | null;
  maker?: string | null;
  model?: string | null;
  unitId?: string | null;
  purchaseDate?: string | null;
  purchaseCostCents?: number | null;
  holderId?: string | null;
  notes?: string | null;
}

export interface UpdateDeviceInput {
  assetNumber?: string | null;
  maker?: string | null;
  model?: string | null;
  unitId?: string | null;
  purchaseDate?: string | null;
  purchaseCostCents?: number | null;
  notes?: string | null;
  status?: 'in_stock' | 'maintenance';
}

export interface DeviceEventInput {
  kind: DeviceEventKind;
  occurredOn: string;
  description: string;
  item?: ConsumableItem | null;
  quantity?: number | null;
  costCents?: number | null;
  vendor?: string | null;
}

export interface StockConsumableInput {
  unitId?: string | null;
  occurredOn: string;
  item: ConsumableItem;
  quantity: number;
  costCents: number;
  description: string;
  vendor?: string | null;
}

export interface DeviceTypeInput {
  id: string;
  nameZh: string;
  nameEn: string;
  serviceLifeYears: number;
}

type DeviceRow = DevicesTable;
type CheckoutRow = CheckoutsTable;
type CheckRow = DeviceChecksTable;
type EventRow = DeviceEventsTable;

// ─── Input checks shared by the register services ────────────────────────────────

// Line breaks and tabs are allowed in free text; every other control character is refused.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const CONTROL_SINGLE_LINE = /[\u0000-\u001f\u007f]/;

function invalidField(field: string, zh: string, en: string): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    400,
    { zh: `请求内容不合法：${zh}`, en: `Invalid request: ${en}` },
    { field },
  );
}

/** Required text: trimmed, 1..max characters, no control characters (multi-line only when asked). */
export function requiredText(
  value: string,
  field: string,
  zhField: string,
  max: number,
  multiLine = false,
): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!v || [...v].length > max || (multiLine ? CONTROL : CONTROL_SINGLE_LINE).test(v))
    throw invalidField(
      field,
      `${zhField}须为 1–${max} 个字符，且不含控制字符`,
      `${field} must be 1–${max} characters without control characters`,
    );
  return v;
}

/** Optional text: absent or blank → null; otherwise as requiredText. */
export function optionalText(
  value: string | null | undefined,
  field: string,
  zhField: string,
  max: number,
  multiLine = false,
): string | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  return requiredText(value, field, zhField, max, multiLine);
}

export function checkCostCents(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_COST_CENTS)
    throw invalidField(
      field,
      `${field} 须为 0 至 ${MAX_COST_CENTS} 之间的整数（单位：分）`,
      `${field} must be a whole number of cents from 0 to ${MAX_COST_CENTS}`,
    );
  return value;
}

/** A calendar date that is not in the future (in the registry time zone). */
export function checkPastDate(
  value: string,
  field: string,
  zhField: string,
  now: number,
  timeZone: string,
): string {
  if (typeof value !== 'string' || !isCalendarDate(value))
    throw invalidField(
      field,
      `${zhField}须为有效日期（YYYY-MM-DD）`,
      `${field} must be a valid date (YYYY-MM-DD)`,
    );
  const today = calendarDateIn(now, timeZone);
  if (value > today)
    throw invalidField(
      field,
      `${zhField}不能晚于今天（${today}）`,
      `${field} cannot be after today (${today})`,
    );
  return value;
}

// ─── Errors ──────────────────────────────────────────────────────────────────────

export const deviceErrors = {
  notFound: (id: string) => errors.notFound('device', '设备', id),
  typeUnknown: (typeId: string, inactive = false) =>
    errors.conflict(
      'DEVICE_TYPE_UNKNOWN',
      inactive ? `设备类型 “${typeId}” 已停用` : `未知的设备类型 “${typeId}”`,
      inactive ? `Device type "${typeId}" is no longer in use` : `Unknown device type "${typeId}"`,
      { typeId },
    ),
  serialTaken: (serial: string) =>
    errors.conflict(
      'DEVICE_SERIAL_TAKEN',
      `序列号 “${serial}” 已登记`,
      `Serial number "${serial}" is already registered`,
      { serial },
    ),
  unavailable: (status: DeviceStatus) =>
    errors.conflict(
      'DEVICE_UNAVAILABLE',
      `设备当前为“${DEVICE_STATUS_NAMES[status].zh}”状态，不能使用`,
      `The device is ${DEVICE_STATUS_NAMES[status].en.toLowerCase()} and cannot be used`,
      { status },
    ),
  alreadyOut: (checkoutId: string, officerName: string) =>
    errors.conflict(
      'DEVICE_ALREADY_OUT',
      `设备已被领出（${officerName}），须先归还`,
      `The device is already checked out (${officerName}); check it in first`,
      {
        checkoutId,
      },
    ),
  statusInvalid: (status: DeviceStatus, action: DeviceAction) =>
    errors.conflict(
      'DEVICE_STATUS_INVALID',
      `设备当前为“${DEVICE_STATUS_NAMES[status].zh}”状态，不能进行此操作`,
      `This cannot be done while the device is ${DEVICE_STATUS_NAMES[status].en.toLowerCase()}`,
      { status, action, allowed: allowedActions(status) },
    ),
};

// ─── Presenters ──────────────────────────────────────────────────────────────────

async function inChunks<T, R>(items: T[], fn: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  // SQLite limits bound parameters; 500 at a time stays well inside it.
  const out: R[] = [];
  for (let i = 0; i < items.length; i += 500) out.push(...(await fn(items.slice(i, i + 500))));
  return out;
}

export async function userNames(
  db: Executor,
  ids: (string | null)[],
): Promise<Map<string, { name: string; username: string }>> {
  const unique = [...new Set(ids.filter((x): x is string => x !== null))];
  const rows = await inChunks(unique, (chunk) =>
    db.selectFrom('users').select(['id', 'name', 'username']).where('id', 'in', chunk).execute(),
  );
  return new Map(rows.map((r) => [r.id, { name: r.name, username: r.username }]));
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

export async function presentCheckouts(db: Executor, rows: CheckoutRow[], now: number): Promise<Checkout[]> {
  const names = await userNames(
    db,
    rows.map((r) => r.officerId),
  );
  const deviceIds = [...new Set(rows.map((r) => r.deviceId))];
  const serials = new Map(
    (
      await inChunks(deviceIds, (chunk) =>
        db.selectFrom('devices').select(['id', 'serial']).where('id', 'in', chunk).execute(),
      )
    ).map((d) => [d.id, d.serial]),
  );
  return rows.map((r) => ({
    id: r.id,
    deviceId: r.deviceId,
    deviceSerial: serials.get(r.deviceId) ?? '',
    officerId: r.officerId,
    officerName: names.get(r.officerId)?.name ?? '',
    activityId: r.activityId,
    checkedOutAt: Number(r.checkedOutAt),
    dueAt: Number(r.dueAt),
    checkedInAt: num(r.checkedInAt),
    remoteWork: r.remoteWork === 1,
    returnedAt: num(r.returnedAt),
    reassignedBy: r.reassignedBy,
    notes: r.notes,
    overdue: r.checkedInAt === null && now > Number(r.dueAt),
  }));
}

export async function presentChecks(db: Executor, rows: CheckRow[]): Promise<DeviceCheck[]> {
  const names = await userNames(
    db,
    rows.map((r) => r.officerId),
  );
  return rows.map((r) => ({
    id: r.id,
    deviceId: r.deviceId,
    officerId: r.officerId,
    officerName: names.get(r.officerId)?.name ?? '',
    checkoutId: r.checkoutId,
    checkedAt: Number(r.checkedAt),
    batteryPercent: Number(r.batteryPercent),
    freeStorageMb: Number(r.freeStorageMb),
    deviceTime: Number(r.deviceTime),
    offsetMs: Number(r.offsetMs),
    toleranceMs: Number(r.toleranceMs),
    result: r.result === 'pass' ? 'pass' : 'fail',
    failures: JSON.parse(r.failures) as CheckFailure[],
  }));
}

export async function presentEvents(db: Executor, rows: EventRow[]): Promise<DeviceEvent[]> {
  const names = await userNames(
    db,
    rows.map((r) => r.recordedBy),
  );
  return rows.map((r) => ({
    id: r.id,
    deviceId: r.deviceId,
    unitId: r.unitId,
    kind: r.kind as DeviceEventKind,
    occurredOn: r.occurredOn,
    item: r.item as ConsumableItem | null,
    quantity: num(r.quantity),
    costCents: num(r.costCents),
    vendor: r.vendor,
    description: r.description,
    recordedBy: r.recordedBy,
    recordedByName: names.get(r.recordedBy)?.name ?? '',
    createdAt: Number(r.createdAt),
  }));
}

/** The open check-out of each device (at most one by construction). */
export async function openCheckoutRows(db: Executor, deviceIds: string[]): Promise<Map<string, CheckoutRow>> {
  const rows = await inChunks(deviceIds, (chunk) =>
    db
      .selectFrom('checkouts')
      .selectAll()
      .where('deviceId', 'in', chunk)
      .where('checkedInAt', 'is', null)
      .orderBy('checkedOutAt', 'desc')
      .execute(),
  );
  const map = new Map<string, CheckoutRow>();
  for (const r of rows) if (!map.has(r.deviceId)) map.set(r.deviceId, r);
  return map;
}

/** The most recently recorded check of each device (UUIDv7 ids grow with time). */
async function lastCheckRows(db: Executor, deviceIds: string[]): Promise<Map<string, CheckRow>> {
  const rows = await inChunks(deviceIds, (chunk) =>
    db
      .selectFrom('deviceChecks')
      .selectAll()
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('deviceChecks')
          .select((e) => e.fn.max('id').as('id'))
          .where('deviceId', 'in', chunk)
          .groupBy('deviceId'),
      )
      .execute(),
  );
  return new Map(rows.map((r) => [r.deviceId, r]));
}

function presentType(r: DeviceTypesTable): DeviceType {
  return {
    id: r.id,
    nameZh: r.nameZh,
    nameEn: r.nameEn,
    serviceLifeYears: Number(r.serviceLifeYears),
    active: r.active === 1,
  };
}

export async function presentDevices(db: Executor, rows: DeviceRow[], now: number): Promise<Device[]> {
  const ids = rows.map((r) => r.id);
  const types = new Map((await db.selectFrom('deviceTypes').selectAll().execute()).map((t) => [t.id, t]));
  const units = new Map(
    (await db.selectFrom('units').select(['id', 'name']).execute()).map((u) => [u.id, u.name]),
  );
  const holders = await userNames(
    db,
    rows.map((r) => r.holderId),
  );
  const open = await openCheckoutRows(db, ids);
  const openPresented = new Map(
    (await presentCheckouts(db, [...open.values()], now)).map((c) => [c.deviceId, c]),
  );
  const checks = await lastCheckRows(db, ids);
  const checksPresented = new Map(
    (await presentChecks(db, [...checks.values()])).map((c) => [c.deviceId, c]),
  );
  return rows.map((r) => {
    const type = types.get(r.typeId);
    const holder = r.holderId ? holders.get(r.holderId) : undefined;
    return {
      id: r.id,
      serial: r.serial,
      assetNumber: r.assetNumber,
      typeId: r.typeId,
      typeNameZh: type?.nameZh ?? r.typeId,
      typeNameEn: type?.nameEn ?? r.typeId,
      maker: r.maker,
      model: r.model,
      unitId: r.unitId,
      unitName: r.unitId ? (units.get(r.unitId) ?? null) : null,
      purchaseDate: r.purchaseDate,
      purchaseCostCents: num(r.purchaseCostCents),
      status: r.status as DeviceStatus,
      holderId: r.holderId,
      holderName: holder?.name ?? null,
      holderUsername: holder?.username ?? null,
      notes: r.notes,
      openCheckout: openPresented.get(r.id) ?? null,
      lastCheck: checksPresented.get(r.id) ?? null,
      createdAt: Number(r.createdAt),
    };
  });
}

/**
 * Takes the device row's write lock for the rest of the transaction, so two check-outs
 * (or a check-out and a loss report) of one device cannot interleave. An UPDATE locks
 * the row on PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers.
 */
export async function lockDevice(tx: Tx, id: string): Promise<DeviceRow | undefined> {
  const touched = await tx
    .updateTable('devices')
    .set((eb) => ({ updatedAt: eb.ref('updatedAt') }))
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(touched.numUpdatedRows) === 0) return undefined;
  return tx.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
}

/** An active user who may hold and use devices. */
export async function activeUser(
  db: Executor,
  id: string,
  field: string,
): Promise<{ id: string; name: string; username: string }> {
  const u = await db
    .selectFrom('users')
    .select(['id', 'name', 'username', 'active'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!u) throw errors.notFound('user', '人员', id);
  if (u.active !== 1)
    throw new AppError(
      'USER_INACTIVE',
      400,
      { zh: `人员 “${u.name}” 已停用`, en: `User "${u.username}" is deactivated` },
      { field, userId: id },
    );
  return { id: u.id, name: u.name, username: u.username };
}

// ─── The service ─────────────────────────────────────────────────────────────────

const TYPE_ID = /^[a-z][a-z0-9_]{1,31}$/;
const BUILT_IN_ORDER = ['body_camera', 'camera', 'video_camera', 'voice_recorder'];

/** The built-in types in their usual order, then added ones by age, "other" last (a picker's order). */
export function sortTypes<T extends { id: string }>(rows: T[]): T[] {
  const rank = (id: string) =>
    id === 'other'
      ? BUILT_IN_ORDER.length + 1
      : BUILT_IN_ORDER.includes(id)
        ? BUILT_IN_ORDER.indexOf(id)
        : BUILT_IN_ORDER.length;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r.id) - rank(b.r.id) || a.i - b.i)
    .map((x) => x.r);
}

export class DevicesService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  private get db() {
    return this.ctx.catalogue.db;
  }

  // ── Types ──

  async listTypes(actor: Actor): Promise<DeviceType[]> {
    assertPermission(actor, 'devices.read');
    const rows = await this.db
      .selectFrom('deviceTypes')
      .selectAll()
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
    return sortTypes(rows).map(presentType);
  }

  async addType(actor: Actor, input: DeviceTypeInput): Promise<DeviceType> {
    assertPermission(actor, 'devices.manage');
    const id = typeof input.id === 'string' ? input.id.trim() : '';
    if (!TYPE_ID.test(id))
      throw invalidField(
        'id',
        '类型代码须为 2–32 位小写字母、数字或下划线，以字母开头',
        'type id must be 2–32 lower-case letters, digits or _ starting with a letter',
      );
    const nameZh = requiredText(input.nameZh, 'nameZh', '中文名称', 50);
    const nameEn = requiredText(input.nameEn, 'nameEn', '英文名称', 100);
    if (
      !Number.isInteger(input.serviceLifeYears) ||
      input.serviceLifeYears < 1 ||
      input.serviceLifeYears > 50
    )
      throw invalidField('serviceLifeYears', '使用年限须为 1–50 年', 'serviceLifeYears must be 1–50 years');
    const exists = () =>
      errors.conflict('DEVICE_TYPE_EXISTS', `设备类型 “${id}” 已存在`, `Device type "${id}" already exists`, {
        id,
      });
    try {
      return await this.db.transaction().execute(async (tx) => {
        if (await tx.selectFrom('deviceTypes').select('id').where('id', '=', id).executeTakeFirst())
          throw exists();
        const row: DeviceTypesTable = {
          id,
          nameZh,
          nameEn,
          serviceLifeYears: input.serviceLifeYears,
          active: 1,
          createdAt: this.ctx.clock.now(),
        };
        await tx.insertInto('deviceTypes').values(row).execute();
        await this.audit.record(tx, actor, {
          action: 'device_type.create',
          targetType: 'device_type',
          targetId: id,
          details: { nameZh, nameEn, serviceLifeYears: row.serviceLifeYears },
        });
        return presentType(row);
      });
    } catch (e) {
      if (this.ctx.catalogue.dialect.isUniqueViolation(e)) throw exists();
      throw e;
    }
  }

  // ── Devices ──

  async list(actor: Actor, filter: DeviceFilter = {}): Promise<Device[]> {
    assertPermission(actor, 'devices.read');
    let q = this.db.selectFrom('devices').selectAll();
    if (filter.q && filter.q.trim()) {
      const like = `%${filter.q
        .trim()
        .toLowerCase()
        .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or(
          (['serial', 'assetNumber', 'maker', 'model'] as const).map((c) =>
            eb(eb.fn('lower', [c]), 'like', like),
          ),
        ),
      );
    }
    if (filter.typeId) q = q.where('typeId', '=', filter.typeId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.holderId) q = q.where('holderId', '=', filter.holderId);
    if (filter.unitId) q = q.where('unitId', '=', filter.unitId);
    const rows = await q.orderBy('serial').execute();
    return presentDevices(this.db, rows, this.ctx.clock.now());
  }

  async get(actor: Actor, id: string): Promise<DeviceDetail> {
    assertPermission(actor, 'devices.read');
    const db = this.db;
    const row = await db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw deviceErrors.notFound(id);
    const now = this.ctx.clock.now();
    const [device] = await presentDevices(db, [row], now);
    const events = await db
      .selectFrom('deviceEvents')
      .selectAll()
      .where('deviceId', '=', id)
      .orderBy('occurredOn', 'desc')
      .orderBy('createdAt', 'desc')
      .limit(DETAIL_HISTORY_LIMIT)
      .execute();
    const checks = await db
      .selectFrom('deviceChecks')
      .selectAll()
      .where('deviceId', '=', id)
      .orderBy('checkedAt', 'desc')
      .orderBy('id', 'desc')
      .limit(DETAIL_HISTORY_LIMIT)
      .execute();
    const checkouts = await db
      .selectFrom('checkouts')
      .selectAll()
      .where('deviceId', '=', id)
      .orderBy('checkedOutAt', 'desc')
      .limit(DETAIL_HISTORY_LIMIT)
      .execute();
    return {
      ...device!,
      events: await presentEvents(db, events),
      checks: await presentChecks(db, checks),
      checkouts: await presentCheckouts(db, checkouts, now),
    };
  }

  /** Finds a device by id or serial number (for the CLI and the station). */
  async resolve(actor: Actor, idOrSerial: string): Promise<Device> {
    assertPermission(actor, 'devices.read');
    const row = await this.db
      .selectFrom('devices')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrSerial), eb('serial', '=', idOrSerial)]))
      .executeTakeFirst();
    if (!row) throw deviceErrors.notFound(idOrSerial);
    return (await presentDevices(this.db, [row], this.ctx.clock.now()))[0]!;
  }

  async create(actor: Actor, input: CreateDeviceInput): Promise<Device> {
    assertPermission(actor, 'devices.manage');
    const now = this.ctx.clock.now();
    const serial = requiredText(input.serial, 'serial', '序列号', 64);
    const typeId = requiredText(input.typeId, 'typeId', '设备类型', 32);
    const assetNumber = optionalText(input.assetNumber, 'assetNumber', '资产编号', 64);
    const maker = optionalText(input.maker, 'maker', '生产厂家', 100);
    const model = optionalText(input.model, 'model', '型号', 100);
    const notes = optionalText(input.notes, 'notes', '备注', 1000, true);
    const purchaseDate = input.purchaseDate
      ? checkPastDate(input.purchaseDate, 'purchaseDate', '购置日期', now, this.ctx.timezone)
      : null;
    const purchaseCostCents =
      input.purchaseCostCents === undefined || input.purchaseCostCents === null
        ? null
        : checkCostCents(input.purchaseCostCents, 'purchaseCostCents');
    try {
      return await this.db.transaction().execute(async (tx) => {
        const type = await tx
          .selectFrom('deviceTypes')
          .selectAll()
          .where('id', '=', typeId)
          .executeTakeFirst();
        if (!type || type.active !== 1) throw deviceErrors.typeUnknown(typeId, type !== undefined);
        // Serial numbers are compared without regard to case: "dsj-001" and "DSJ-001" are one device.
        const clash = await tx
          .selectFrom('devices')
          .select('id')
          .where((eb) => eb(eb.fn('lower', ['serial']), '=', serial.toLowerCase()))
          .executeTakeFirst();
        if (clash) throw deviceErrors.serialTaken(serial);
        if (
          input.unitId &&
          !(await tx.selectFrom('units').select('id').where('id', '=', input.unitId).executeTakeFirst())
        )
          throw errors.notFound('unit', '单位', input.unitId);
        const holder = input.holderId ? await activeUser(tx, input.holderId, 'holderId') : null;
        const row: DeviceRow = {
          id: uuidv7(),
          serial,
          assetNumber,
          typeId,
          maker,
          model,
          unitId: input.unitId ?? null,
          purchaseDate,
          purchaseCostCents,
          status: 'in_stock',
          holderId: holder?.id ?? null,
          notes,
          retiredAt: null,
          createdAt: now,
          updatedAt: now,
        };
        await tx.insertInto('devices').values(row).execute();
        await this.audit.record(tx, actor, {
          action: 'device.create',
          targetType: 'device',
          targetId: row.id,
          details: {
            serial,
            typeId,
            assetNumber,
            maker,
            model,
            unitId: row.unitId,
            purchaseDate,
            purchaseCostCents,
            holderId: row.holderId,
          },
        });
        return (await presentDevices(tx, [row], now))[0]!;
      });
    } catch (e) {
      if (this.ctx.catalogue.dialect.isUniqueViolation(e)) throw deviceErrors.serialTaken(serial);
      throw e;
    }
  }

  async update(actor: Actor, id: string, patch: UpdateDeviceInput): Promise<Device> {
    assertPermission(actor, 'devices.manage');
    const now = this.ctx.clock.now();
    const next: Partial<DeviceRow> = {};
    if (patch.assetNumber !== undefined)
      next.assetNumber = optionalText(patch.assetNumber, 'assetNumber', '资产编号', 64);
    if (patch.maker !== undefined) next.maker = optionalText(patch.maker, 'maker', '生产厂家', 100);
    if (patch.model !== undefined) next.model = optionalText(patch.model, 'model', '型号', 100);
    if (patch.notes !== undefined) next.notes = optionalText(patch.notes, 'notes', '备注', 1000, true);
    if (patch.purchaseDate !== undefined)
      next.purchaseDate = patch.purchaseDate
        ? checkPastDate(patch.purchaseDate, 'purchaseDate', '购置日期', now, this.ctx.timezone)
        : null;
    if (patch.purchaseCostCents !== undefined)
      next.purchaseCostCents =
        patch.purchaseCostCents === null
          ? null
          : checkCostCents(patch.purchaseCostCents, 'purchaseCostCents');
    return this.db.transaction().execute(async (tx) => {
      const current = await lockDevice(tx, id);
      if (!current) throw deviceErrors.notFound(id);
      if (patch.unitId !== undefined) {
        if (
          patch.unitId !== null &&
          !(await tx.selectFrom('units').select('id').where('id', '=', patch.unitId).executeTakeFirst())
        )
          throw errors.notFound('unit', '单位', patch.unitId);
        next.unitId = patch.unitId;
      }
      const status = current.status as DeviceStatus;
      if (patch.status !== undefined && patch.status !== status) {
        const action: DeviceAction = patch.status === 'maintenance' ? 'start_maintenance' : 'end_maintenance';
        if (statusAfter(status, action) !== patch.status) throw deviceErrors.statusInvalid(status, action);
        next.status = patch.status;
      }
      const changed: Record<string, { from: unknown; to: unknown }> = {};
      for (const [k, v] of Object.entries(next)) {
        const before = (current as unknown as Record<string, unknown>)[k];
        if ((before === null ? null : k === 'purchaseCostCents' ? Number(before) : before) !== v)
          changed[k] = { from: before, to: v };
      }
      if (Object.keys(changed).length > 0) {
        await tx
          .updateTable('devices')
          .set({ ...next, updatedAt: now })
          .where('id', '=', id)
          .execute();
        await this.audit.record(tx, actor, {
          action: 'device.update',
          targetType: 'device',
          targetId: id,
          details: { serial: current.serial, changed },
        });
      }
      return (await presentDevices(tx, [{ ...current, ...next }], now))[0]!;
    });
  }

  /** The custodian gives the device to another holder (or to nobody): audited with the reason. */
  async changeHolder(actor: Actor, id: string, holderId: string | null, reason: string): Promise<Device> {
    assertPermission(actor, 'devices.manage');
    const why = requiredText(reason, 'reason', '调配原因', 500, true);
    const now = this.ctx.clock.now();
    return this.db.transaction().execute(async (tx) => {
      const current = await lockDevice(tx, id);
      if (!current) throw deviceErrors.notFound(id);
      const status = current.status as DeviceStatus;
      if (status === 'lost' || status === 'retired') throw deviceErrors.unavailable(status);
      const open = (await openCheckoutRows(tx, [id])).get(id);
      if (open && open.officerId !== holderId) {
        const name = (await userNames(tx, [open.officerId])).get(open.officerId)?.name ?? '';
        throw deviceErrors.alreadyOut(open.id, name);
      }
      const holder = holderId ? await activeUser(tx, holderId, 'holderId') : null;
      if (current.holderId !== (holder?.id ?? null)) {
        await tx
          .updateTable('devices')
          .set({ holderId: holder?.id ?? null, updatedAt: now })
          .where('id', '=', id)
          .execute();
        await this.audit.record(tx, actor, {
          action: 'device.reassign',
          targetType: 'device',
          targetId: id,
          details: {
            serial: current.serial,
            fromHolderId: current.holderId,
            toHolderId: holder?.id ?? null,
            reason: why,
          },
        });
      }
      return (await presentDevices(tx, [{ ...current, holderId: holder?.id ?? null }], now))[0]!;
    });
  }

  /**
   * Adds an entry to the device's history and moves its status. Loss and theft may be
   * reported by the officer who holds or has the device (A21.1(7)); everything else is
   * the custodian's.
   */
  async addEvent(actor: Actor, deviceId: string, input: DeviceEventInput): Promise<DeviceEvent> {
    const kind = input.kind;
    if (!(DEVICE_EVENT_KINDS as readonly string[]).includes(kind))
      throw invalidField('kind', '未知的事件类型', 'unknown event kind');
    const reportsLoss = kind === 'loss' || kind === 'theft';
    if (!reportsLoss) assertPermission(actor, 'devices.manage');
    else if (!hasPermission(actor, 'devices.manage')) assertPermission(actor, 'checkouts.own');
    const now = this.ctx.clock.now();
    const fields = this.eventFields(input, now);
    return this.db.transaction().execute(async (tx) => {
      const device = await lockDevice(tx, deviceId);
      if (!device) throw deviceErrors.notFound(deviceId);
      const open = (await openCheckoutRows(tx, [deviceId])).get(deviceId);
      if (!hasPermission(actor, 'devices.manage')) {
        // Only one's own device: held, or out with one at the moment.
        const own =
          actor.userId !== null && (device.holderId === actor.userId || open?.officerId === actor.userId);
        if (!own) throw errors.forbidden('devices.manage');
      }
      const status = device.status as DeviceStatus;
      const after = statusAfter(status, kind);
      if (after === null) throw deviceErrors.statusInvalid(status, kind);
      if (device.purchaseDate && fields.occurredOn < device.purchaseDate)
        throw invalidField(
          'occurredOn',
          `日期不能早于购置日期（${device.purchaseDate}）`,
          `occurredOn cannot be before the purchase date (${device.purchaseDate})`,
        );
      const row: EventRow = {
        id: uuidv7(),
        deviceId,
        unitId: device.unitId,
        ...fields,
        recordedBy: this.recorder(actor),
        createdAt: now,
      };
      await tx.insertInto('deviceEvents').values(row).execute();

      const update: Partial<DeviceRow> = { updatedAt: now };
      if (after !== status) update.status = after;
      let closedCheckoutId: string | null = null;
      // A lost device is no longer with the officer: the check-out ends with the report.
      if (reportsLoss && open) {
        closedCheckoutId = open.id;
        const note = `${kind === 'theft' ? '报告被盗' : '报告遗失'} / reported ${kind === 'theft' ? 'stolen' : 'lost'}`;
        await tx
          .updateTable('checkouts')
          .set({
            checkedInAt: now,
            checkedInBy: this.recorder(actor),
            notes: open.notes ? `${open.notes}\n${note}` : note,
          })
          .where('id', '=', open.id)
          .execute();
      }
      // The holder stays on a retired or lost device: the last person accountable for it.
      if (kind === 'retirement') update.retiredAt = now;
      await tx.updateTable('devices').set(update).where('id', '=', deviceId).execute();
      await this.audit.record(tx, actor, {
        action: `device.${kind}`,
        targetType: 'device',
        targetId: deviceId,
        details: {
          serial: device.serial,
          eventId: row.id,
          occurredOn: row.occurredOn,
          description: row.description,
          item: row.item,
          quantity: row.quantity,
          costCents: row.costCents,
          vendor: row.vendor,
          statusFrom: status,
          statusTo: after,
          holderId: device.holderId,
          ...(closedCheckoutId ? { closedCheckoutId } : {}),
        },
      });
      return (await presentEvents(tx, [row]))[0]!;
    });
  }

  /** Consumables bought for stock, not for one device (batteries, memory cards). */
  async addStockConsumable(actor: Actor, input: StockConsumableInput): Promise<DeviceEvent> {
    assertPermission(actor, 'devices.manage');
    const now = this.ctx.clock.now();
    const fields = this.eventFields({ ...input, kind: 'consumable' }, now);
    return this.db.transaction().execute(async (tx) => {
      if (
        input.unitId &&
        !(await tx.selectFrom('units').select('id').where('id', '=', input.unitId).executeTakeFirst())
      )
        throw errors.notFound('unit', '单位', input.unitId);
      const row: EventRow = {
        id: uuidv7(),
        deviceId: null,
        unitId: input.unitId ?? null,
        ...fields,
        recordedBy: this.recorder(actor),
        createdAt: now,
      };
      await tx.insertInto('deviceEvents').values(row).execute();
      await this.audit.record(tx, actor, {
        action: 'device.consumable',
        targetType: 'device_event',
        targetId: row.id,
        details: {
          unitId: row.unitId,
          occurredOn: row.occurredOn,
          item: row.item,
          quantity: row.quantity,
          costCents: row.costCents,
          vendor: row.vendor,
          description: row.description,
        },
      });
      return (await presentEvents(tx, [row]))[0]!;
    });
  }

  /** device_events.recorded_by names a person; the console operator has no account. */
  private recorder(actor: Actor): string {
    if (actor.userId === null)
      throw new AppError('ACCOUNT_REQUIRED', 400, {
        zh: '此操作须以人员账号办理，不能以控制台身份办理',
        en: 'This must be done with a user account, not as the console operator',
      });
    return actor.userId;
  }

  /** Validates the fields of one history entry; which fields apply depends on the kind. */
  private eventFields(
    input: DeviceEventInput,
    now: number,
  ): Omit<EventRow, 'id' | 'deviceId' | 'unitId' | 'recordedBy' | 'createdAt'> {
    const kind = input.kind;
    const occurredOn = checkPastDate(input.occurredOn, 'occurredOn', '发生日期', now, this.ctx.timezone);
    const description = requiredText(input.description, 'description', '说明', 1000, true);
    const given = (v: unknown) => v !== undefined && v !== null;
    const notFor = (field: string) =>
      invalidField(field, `“${kind}” 事件不能填写 ${field}`, `${field} does not apply to a ${kind} event`);
    if (kind === 'consumable') {
      if (!given(input.item) || !(CONSUMABLE_ITEMS as readonly string[]).includes(input.item!))
        throw invalidField(
          'item',
          '耗材须注明品类：battery、memory_card 或 other',
          'item must be battery, memory_card or other',
        );
      if (
        !given(input.quantity) ||
        !Number.isInteger(input.quantity) ||
        input.quantity! < 1 ||
        input.quantity! > 100_000
      )
        throw invalidField(
          'quantity',
          '数量须为 1–100000 的整数',
          'quantity must be a whole number from 1 to 100000',
        );
      if (!given(input.costCents))
        throw invalidField('costCents', '耗材须填写金额', 'costCents is required for consumables');
    } else {
      if (given(input.item)) throw notFor('item');
      if (given(input.quantity)) throw notFor('quantity');
    }
    if (kind !== 'consumable' && kind !== 'maintenance') {
      if (given(input.costCents)) throw notFor('costCents');
      if (given(input.vendor)) throw notFor('vendor');
    }
    return {
      kind,
      occurredOn,
      description,
      item: kind === 'consumable' ? input.item! : null,
      quantity: kind === 'consumable' ? input.quantity! : null,
      costCents: given(input.costCents) ? checkCostCents(input.costCents!, 'costCents') : null,
      vendor: optionalText(input.vendor, 'vendor', '供应商 / 维修单位', 200),
    };
  }
}
