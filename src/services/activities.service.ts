// Enforcement activities (A6.1, A9.1, A10.1): who went where, about whom, when, with
// which devices, and whether the party was told that recording was on (A8.1).
import type { Selectable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Executor, Tx } from '../db/database.js';
import type { ActivitiesTable } from '../db/schema.js';
import {
  EARLIEST_TIME,
  FUTURE_TOLERANCE_MS,
  isActivityType,
  nextStatus,
  validateCoordinates,
  validatePlannedAt,
  validateTeam,
  validateTimes,
  type ActivityStatus,
  type ActivityType,
} from '../domain/activity.js';
import { AppError, errors } from '../domain/errors.js';
import { shownExemption } from '../domain/exemption.js';
import { can, isRole, type Role } from '../domain/roles.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';
import { presentExemptions, type Exemption } from './exemptions.service.js';

export type ActivityRow = Selectable<ActivitiesTable>;

export interface ActivityOfficer {
  userId: string;
  name: string;
  code: string;
  inCharge: boolean;
}

export interface ActivityDevice {
  deviceId: string;
  serial: string;
  typeId: string;
  officerId: string | null;
  checkoutId: string | null;
}

export interface Activity {
  id: string;
  type: ActivityType;
  title: string | null;
  subjectId: string;
  subjectName: string;
  caseId: string | null;
  caseNumber: string | null;
  unitId: string | null;
  address: string;
  latitude: number | null;
  longitude: number | null;
  plannedAt: number;
  arrivedAt: number | null;
  endedAt: number | null;
  remoteWork: boolean;
  returnedAt: number | null;
  status: ActivityStatus;
  notifiedAt: number | null;
  notifiedBy: string | null;
  notes: string | null;
  officers: ActivityOfficer[];
  devices: ActivityDevice[];
  /** The one the activity shows: the latest still standing (see domain/exemption). */
  exemption: Exemption | null;
  createdAt: number;
}

export interface CreateActivityInput {
  type: string;
  title?: string | null;
  subjectId: string;
  caseId?: string | null;
  unitId?: string | null;
  address: string;
  latitude?: number | null;
  longitude?: number | null;
  plannedAt: number;
  arrivedAt?: number | null;
  endedAt?: number | null;
  remoteWork?: boolean;
  returnedAt?: number | null;
  officerIds: string[];
  inChargeId: string;
  notes?: string | null;
}

export interface UpdateActivityInput {
  type?: string;
  title?: string | null;
  caseId?: string | null;
  address?: string;
  latitude?: number | null;
  longitude?: number | null;
  plannedAt?: number;
  arrivedAt?: number | null;
  endedAt?: number | null;
  remoteWork?: boolean;
  returnedAt?: number | null;
  status?: ActivityStatus;
  notes?: string | null;
  officerIds?: string[];
  inChargeId?: string;
}

export interface ActivityFilter {
  from?: number;
  to?: number;
  subjectId?: string;
  caseId?: string;
  officerId?: string;
  status?: ActivityStatus;
  /** Only activities the caller is on. */
  mine?: boolean;
  limit?: number;
}

/** Roles that oversee the work of others and may correct any activity. */
const OVERSEERS: readonly Role[] = ['leader', 'department_head', 'admin'];

export function isOverseer(actor: Actor): boolean {
  return actor.via === 'cli' || actor.roles.some((r) => OVERSEERS.includes(r));
}

/** What officers may still change on a completed or cancelled activity. */
const AFTER_CLOSE: readonly (keyof UpdateActivityInput)[] = ['returnedAt', 'remoteWork', 'notes'];

/** Free text from outside: trimmed, bounded, no control characters (line breaks allowed where `multiline`). */
export function cleanText(
  value: string,
  field: string,
  zhField: string,
  max: number,
  multiline = false,
): string {
  const v = value.trim();
  const bad = multiline ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/;
  if (!v || [...v].length > max || bad.test(v))
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

function optionalText(
  value: string | null | undefined,
  field: string,
  zhField: string,
  max: number,
  multiline = false,
): string | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  return cleanText(value, field, zhField, max, multiline);
}

const activityClosed = (status: ActivityStatus, fields?: string[]) =>
  new AppError(
    'ACTIVITY_CLOSED',
    409,
    {
      zh:
        status === 'cancelled'
          ? '该执法活动已取消'
          : '该执法活动已结束，只有领导可以更正；执法人员只能补登返回时间和备注',
      en:
        status === 'cancelled'
          ? 'This activity was cancelled'
          : 'This activity is completed; only a leader may correct it (officers may add the return time and notes)',
    },
    fields ? { status, fields } : { status },
  );

const notOnActivity = () =>
  new AppError(
    'FORBIDDEN',
    403,
    {
      zh: '只有本次活动的执法人员或领导可以办理',
      en: 'Only the activity’s officers or a leader may do this',
    },
    { reason: 'not_on_activity' },
  );

/** Splits a list into chunks SQLite can bind as parameters. */
function chunks<T>(list: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

/**
 * Runs in the transaction that changed an activity's times, status, team or devices — what
 * decides which recordings belong to it (re-linking) and whether it was recorded lawfully.
 */
export type ActivityChangeListener = (tx: Tx, actor: Actor, activityId: string) => Promise<void>;

/** Changes that can move recordings in or out of an activity. */
const LINK_FIELDS = ['arrivedAt', 'endedAt', 'status', 'officers'];

export class ActivitiesService {
  private readonly listeners: ActivityChangeListener[] = [];

  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  /** Registers a listener (wired in zhilu.ts, so this service need not know the others). */
  onChange(listener: ActivityChangeListener): void {
    this.listeners.push(listener);
  }

  private async changed(tx: Tx, actor: Actor, id: string): Promise<void> {
    for (const listener of this.listeners) await listener(tx, actor, id);
  }

  /** Rows → the API shape, with subject, case, officers, devices and exemption in a few queries. */
  async present(db: Executor, rows: readonly ActivityRow[]): Promise<Activity[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const subjectIds = [...new Set(rows.map((r) => r.subjectId))];
    const caseIds = [...new Set(rows.map((r) => r.caseId).filter((c): c is string => c !== null))];
    const subjects = new Map<string, string>();
    for (const part of chunks(subjectIds))
      for (const s of await db
        .selectFrom('enforcementSubjects')
        .select(['id', 'name'])
        .where('id', 'in', part)
        .execute())
        subjects.set(s.id, s.name);
    const cases = new Map<string, string>();
    for (const part of chunks(caseIds))
      for (const c of await db
        .selectFrom('cases')
        .select(['id', 'caseNumber'])
        .where('id', 'in', part)
        .execute())
        cases.set(c.id, c.caseNumber);
    const officers = new Map<string, ActivityOfficer[]>();
    const devices = new Map<string, ActivityDevice[]>();
    const exemptionRows: Awaited<ReturnType<typeof selectExemptions>> = [];
    for (const part of chunks(ids)) {
      const os = await db
        .selectFrom('activityOfficers as ao')
        .innerJoin('users as u', 'u.id', 'ao.userId')
        .select(['ao.activityId', 'ao.userId', 'ao.inCharge', 'u.name', 'u.code'])
        .where('ao.activityId', 'in', part)
        .execute();
      for (const o of os)
        officers.set(o.activityId, [
          ...(officers.get(o.activityId) ?? []),
          { userId: o.userId, name: o.name, code: o.code, inCharge: o.inCharge === 1 },
        ]);
      const ds = await db
        .selectFrom('activityDevices as ad')
        .innerJoin('devices as d', 'd.id', 'ad.deviceId')
        .select([
          'ad.activityId',
          'ad.deviceId',
          'ad.officerId',
          'ad.checkoutId',
          'ad.addedAt',
          'd.serial',
          'd.typeId',
        ])
        .where('ad.activityId', 'in', part)
        .orderBy('ad.addedAt')
        .orderBy('d.serial')
        .execute();
      for (const d of ds)
        devices.set(d.activityId, [
          ...(devices.get(d.activityId) ?? []),
          {
            deviceId: d.deviceId,
            serial: d.serial,
            typeId: d.typeId,
            officerId: d.officerId,
            checkoutId: d.checkoutId,
          },
        ]);
      exemptionRows.push(...(await selectExemptions(db, part)));
    }
    const exemptions = new Map<string, Exemption[]>();
    for (const e of await presentExemptions(db, exemptionRows))
      exemptions.set(e.activityId, [...(exemptions.get(e.activityId) ?? []), e]);
    return rows.map((r) => ({
      id: r.id,
      type: r.type as ActivityType,
      title: r.title,
      subjectId: r.subjectId,
      subjectName: subjects.get(r.subjectId) ?? '',
      caseId: r.caseId,
      caseNumber: r.caseId ? (cases.get(r.caseId) ?? null) : null,
      unitId: r.unitId,
      address: r.address,
      latitude: r.latitude === null ? null : Number(r.latitude),
      longitude: r.longitude === null ? null : Number(r.longitude),
      plannedAt: Number(r.plannedAt),
      arrivedAt: num(r.arrivedAt),
      endedAt: num(r.endedAt),
      remoteWork: r.remoteWork === 1,
      returnedAt: num(r.returnedAt),
      status: r.status as ActivityStatus,
      notifiedAt: num(r.notifiedAt),
      notifiedBy: r.notifiedBy,
      notes: r.notes,
      // the officer in charge first, then by name: the order the notification reads them
      officers: (officers.get(r.id) ?? []).sort(
        (a, b) => Number(b.inCharge) - Number(a.inCharge) || a.name.localeCompare(b.name, 'zh-CN'),
      ),
      devices: devices.get(r.id) ?? [],
      exemption: shownExemption(exemptions.get(r.id) ?? []),
      createdAt: Number(r.createdAt),
    }));
  }

  async presentOne(db: Executor, row: ActivityRow): Promise<Activity> {
    return (await this.present(db, [row]))[0]!;
  }

  async list(actor: Actor, filter: ActivityFilter = {}): Promise<Activity[]> {
    assertPermission(actor, 'activities.read');
    const db = this.ctx.catalogue.db;
    let q = db.selectFrom('activities').selectAll();
    if (filter.from !== undefined) q = q.where('plannedAt', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('plannedAt', '<=', filter.to);
    if (filter.subjectId !== undefined) q = q.where('subjectId', '=', filter.subjectId);
    if (filter.caseId !== undefined) q = q.where('caseId', '=', filter.caseId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    const onTeam = (userId: string) =>
      q.where('id', 'in', (eb) =>
        eb.selectFrom('activityOfficers').select('activityId').where('userId', '=', userId),
      );
    if (filter.officerId !== undefined) q = onTeam(filter.officerId);
    if (filter.mine) {
      // the console operator is on no team
      if (!actor.userId) return [];
      q = onTeam(actor.userId);
    }
    q = q.orderBy('plannedAt', 'desc').orderBy('id', 'desc');
    if (filter.limit !== undefined) q = q.limit(filter.limit);
    return this.present(db, await q.execute());
  }

  async get(actor: Actor, id: string): Promise<Activity> {
    assertPermission(actor, 'activities.read');
    const db = this.ctx.catalogue.db;
    return this.presentOne(db, await this.row(db, id));
  }

  private async row(db: Executor, id: string): Promise<ActivityRow> {
    const row = await db.selectFrom('activities').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw errors.notFound('activity', '执法活动', id);
    return row;
  }

  private async team(db: Executor, id: string): Promise<{ userId: string; inCharge: boolean }[]> {
    const rows = await db
      .selectFrom('activityOfficers')
      .select(['userId', 'inCharge'])
      .where('activityId', '=', id)
      .execute();
    return rows.map((r) => ({ userId: r.userId, inCharge: r.inCharge === 1 }));
  }

  /**
   * Takes the activity's row lock (PostgreSQL) for the rest of the transaction, so two
   * concurrent changes to one activity are applied one after the other. SQLite's
   * BEGIN IMMEDIATE already serialises every writing transaction.
   */
  static async lock(tx: Tx, id: string): Promise<void> {
    await tx
      .updateTable('activities')
      .set((eb) => ({ updatedAt: eb.ref('updatedAt') }))
      .where('id', '=', id)
      .execute();
  }

  /** Officers must exist, be active and do field work (hold activities.manage). */
  private async checkOfficers(db: Executor, ids: readonly string[]): Promise<void> {
    const users = await db
      .selectFrom('users')
      .select(['id', 'active'])
      .where('id', 'in', [...ids])
      .execute();
    const roles = await db
      .selectFrom('userRoles')
      .select(['userId', 'role'])
      .where('userId', 'in', [...ids])
      .execute();
    for (const id of ids) {
      const u = users.find((x) => x.id === id);
      const theirs = roles
        .filter((r) => r.userId === id)
        .map((r) => r.role)
        .filter(isRole);
      const reason = !u
        ? 'not_found'
        : u.active !== 1
          ? 'inactive'
          : !can(theirs, 'activities.manage')
            ? 'not_field_role'
            : null;
      if (reason)
        throw new AppError(
          'ACTIVITY_OFFICER_INVALID',
          400,
          {
            zh:
              reason === 'not_found'
                ? `执法人员不存在：${id}`
                : reason === 'inactive'
                  ? '执法人员账号已停用'
                  : '该人员的角色不承担现场执法',
            en:
              reason === 'not_found'
                ? `No such officer: ${id}`
                : reason === 'inactive'
                  ? 'The officer’s account is deactivated'
                  : 'This person’s roles do not include on-site enforcement',
          },
          { userId: id, reason },
        );
    }
  }

  private async checkCase(db: Executor, caseId: string, subjectId: string): Promise<void> {
    const c = await db
      .selectFrom('cases')
      .select(['id', 'subjectId'])
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (!c) throw errors.notFound('case', '案件', caseId);
    if (c.subjectId !== subjectId)
      throw new AppError(
        'ACTIVITY_CASE_SUBJECT_MISMATCH',
        400,
        {
          zh: '所选案件的执法对象与本次活动的执法对象不一致',
          en: 'The case is about a different subject than the activity',
        },
        { caseId, subjectId },
      );
  }

  async create(actor: Actor, input: CreateActivityInput): Promise<Activity> {
    assertPermission(actor, 'activities.manage');
    if (!isActivityType(input.type))
      throw new AppError(
        'ACTIVITY_TYPE_UNKNOWN',
        400,
        { zh: `未知的执法活动类型：${input.type}`, en: `Unknown activity type: ${input.type}` },
        { type: input.type },
      );
    const type = input.type;
    const team = validateTeam(input.officerIds, input.inChargeId);
    const now = this.ctx.clock.now();
    validatePlannedAt(input.plannedAt, now);
    const latitude = input.latitude ?? null;
    const longitude = input.longitude ?? null;
    validateCoordinates(latitude, longitude);
    const times = {
      arrivedAt: input.arrivedAt ?? null,
      endedAt: input.endedAt ?? null,
      remoteWork: input.remoteWork ?? false,
      returnedAt: input.returnedAt ?? null,
    };
    validateTimes(times, now);
    const status = nextStatus('planned', undefined, times);
    const address = cleanText(input.address, 'address', '地点', 200);
    const title = optionalText(input.title, 'title', '标题', 100);
    const notes = optionalText(input.notes, 'notes', '备注', 2000, true);

    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const subject = await tx
        .selectFrom('enforcementSubjects')
        .select('id')
        .where('id', '=', input.subjectId)
        .executeTakeFirst();
      if (!subject) throw errors.notFound('subject', '执法对象', input.subjectId);
      const caseId = input.caseId ?? null;
      if (caseId) await this.checkCase(tx, caseId, input.subjectId);
      await this.checkOfficers(tx, team.officerIds);
      // The activity belongs to the unit named, else the creator's, else the one in charge's.
      let unitId = input.unitId ?? null;
      if (unitId) {
        if (!(await tx.selectFrom('units').select('id').where('id', '=', unitId).executeTakeFirst()))
          throw errors.notFound('unit', '单位', unitId);
      } else {
        for (const uid of [actor.userId, team.inChargeId]) {
          if (!uid || unitId) continue;
          unitId =
            (await tx.selectFrom('users').select('unitId').where('id', '=', uid).executeTakeFirst())
              ?.unitId ?? null;
        }
      }
      const row: ActivityRow = {
        id: uuidv7(),
        type,
        title,
        subjectId: input.subjectId,
        caseId,
        unitId,
        address,
        latitude,
        longitude,
        plannedAt: input.plannedAt,
        arrivedAt: times.arrivedAt,
        endedAt: times.endedAt,
        remoteWork: times.remoteWork ? 1 : 0,
        returnedAt: times.returnedAt,
        status,
        notifiedAt: null,
        notifiedBy: null,
        notes,
        // the console operator is no user; the audit event names who really created it
        createdBy: actor.userId ?? team.inChargeId,
        createdAt: now,
        updatedAt: now,
      };
      await tx.insertInto('activities').values(row).execute();
      await tx
        .insertInto('activityOfficers')
        .values(
          team.officerIds.map((userId) => ({
            activityId: row.id,
            userId,
            inCharge: userId === team.inChargeId ? 1 : 0,
          })),
        )
        .execute();
      await this.audit.record(tx, actor, {
        action: 'activity.create',
        targetType: 'activity',
        targetId: row.id,
        details: {
          type,
          subjectId: row.subjectId,
          caseId,
          unitId,
          plannedAt: row.plannedAt,
          arrivedAt: row.arrivedAt,
          endedAt: row.endedAt,
          status,
          officerIds: team.officerIds,
          inChargeId: team.inChargeId,
        },
      });
      // recorded after the fact: recordings already imported may belong to it
      if (row.arrivedAt !== null) await this.changed(tx, actor, row.id);
      return this.presentOne(tx, row);
    });
  }

  /** May the actor change this activity? Its officers, or those who oversee them. */
  private async assertMayEdit(
    db: Executor,
    actor: Actor,
    id: string,
  ): Promise<{ onTeam: boolean; overseer: boolean }> {
    assertPermission(actor, 'activities.manage');
    const team = await this.team(db, id);
    const onTeam = actor.userId !== null && team.some((o) => o.userId === actor.userId);
    const overseer = isOverseer(actor);
    if (!onTeam && !overseer) throw notOnActivity();
    return { onTeam, overseer };
  }

  async update(actor: Actor, id: string, patch: UpdateActivityInput): Promise<Activity> {
    assertPermission(actor, 'activities.manage');
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const current = await this.row(tx, id);
      const { overseer } = await this.assertMayEdit(tx, actor, id);
      await ActivitiesService.lock(tx, id);
      const status = current.status as ActivityStatus;
      const given = (Object.keys(patch) as (keyof UpdateActivityInput)[]).filter(
        (k) => patch[k] !== undefined,
      );
      if (status === 'cancelled' && !overseer) throw activityClosed(status);
      if (status === 'completed' && !overseer) {
        const locked = given.filter(
          (k) => !AFTER_CLOSE.includes(k) && !(k === 'status' && patch.status === 'completed'),
        );
        if (locked.length) throw activityClosed(status, locked);
      }
      const now = this.ctx.clock.now();
      const next: Partial<ActivityRow> = {};
      if (patch.type !== undefined) {
        if (!isActivityType(patch.type))
          throw new AppError(
            'ACTIVITY_TYPE_UNKNOWN',
            400,
            { zh: `未知的执法活动类型：${patch.type}`, en: `Unknown activity type: ${patch.type}` },
            { type: patch.type },
          );
        next.type = patch.type;
      }
      if (patch.title !== undefined) next.title = optionalText(patch.title, 'title', '标题', 100);
      if (patch.address !== undefined) next.address = cleanText(patch.address, 'address', '地点', 200);
      if (patch.notes !== undefined) next.notes = optionalText(patch.notes, 'notes', '备注', 2000, true);
      if (patch.plannedAt !== undefined) {
        validatePlannedAt(patch.plannedAt, now);
        next.plannedAt = patch.plannedAt;
      }
      if (patch.latitude !== undefined || patch.longitude !== undefined) {
        const lat = patch.latitude !== undefined ? patch.latitude : current.latitude;
        const lon = patch.longitude !== undefined ? patch.longitude : current.longitude;
        validateCoordinates(lat, lon);
        next.latitude = lat;
        next.longitude = lon;
      }
      if (patch.caseId !== undefined) {
        if (patch.caseId !== null) await this.checkCase(tx, patch.caseId, current.subjectId);
        next.caseId = patch.caseId;
      }
      const remoteWork = patch.remoteWork ?? current.remoteWork === 1;
      const times = {
        arrivedAt: patch.arrivedAt !== undefined ? patch.arrivedAt : num(current.arrivedAt),
        endedAt: patch.endedAt !== undefined ? patch.endedAt : num(current.endedAt),
        remoteWork,
        // turning remote work off takes its return time with it
        returnedAt:
          patch.returnedAt !== undefined ? patch.returnedAt : remoteWork ? num(current.returnedAt) : null,
      };
      validateTimes(times, now);
      next.arrivedAt = times.arrivedAt;
      next.endedAt = times.endedAt;
      next.remoteWork = times.remoteWork ? 1 : 0;
      next.returnedAt = times.returnedAt;
      next.status = nextStatus(status, patch.status, times);

      let teamChange: {
        from: { officerIds: string[]; inChargeId: string | null };
        to: { officerIds: string[]; inChargeId: string };
      } | null = null;
      if (patch.officerIds !== undefined || patch.inChargeId !== undefined) {
        const before = await this.team(tx, id);
        const beforeIds = before.map((o) => o.userId).sort();
        const beforeLead = before.find((o) => o.inCharge)?.userId ?? null;
        const team = validateTeam(patch.officerIds ?? beforeIds, patch.inChargeId ?? beforeLead ?? '');
        const added = team.officerIds.filter((u) => !beforeIds.includes(u));
        if (added.length) await this.checkOfficers(tx, added);
        const afterIds = [...team.officerIds].sort();
        if (afterIds.join() !== beforeIds.join() || team.inChargeId !== beforeLead) {
          await tx.deleteFrom('activityOfficers').where('activityId', '=', id).execute();
          await tx
            .insertInto('activityOfficers')
            .values(
              team.officerIds.map((userId) => ({
                activityId: id,
                userId,
                inCharge: userId === team.inChargeId ? 1 : 0,
              })),
            )
            .execute();
          teamChange = {
            from: { officerIds: beforeIds, inChargeId: beforeLead },
            to: { officerIds: afterIds, inChargeId: team.inChargeId },
          };
        }
      }

      const changed: Record<string, { from: unknown; to: unknown }> = {};
      for (const [k, v] of Object.entries(next)) {
        const was = (current as Record<string, unknown>)[k] ?? null;
        if (was !== v) changed[k] = { from: was, to: v };
      }
      if (teamChange) changed.officers = teamChange;
      next.updatedAt = now;
      await tx.updateTable('activities').set(next).where('id', '=', id).execute();
      if (Object.keys(changed).length)
        await this.audit.record(tx, actor, {
          action: 'activity.update',
          targetType: 'activity',
          targetId: id,
          details: { changed },
        });
      if (LINK_FIELDS.some((f) => f in changed)) await this.changed(tx, actor, id);
      return this.presentOne(tx, await this.row(tx, id));
    });
  }

  /**
   * Records a device as used on the activity, from a team member's check-out: one still
   * open, or, for an activity with recorded times, one that was open during it (the
   * officers often register devices after coming back, when the device is already returned).
   */
  async attachDevice(actor: Actor, id: string, deviceId: string): Promise<Activity> {
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const activity = await this.row(tx, id);
      await this.assertMayEdit(tx, actor, id);
      // a completed activity still takes its devices: they are often registered on return
      if (activity.status === 'cancelled') throw activityClosed('cancelled');
      await ActivitiesService.lock(tx, id);
      const device = await tx
        .selectFrom('devices')
        .select(['id', 'serial'])
        .where('id', '=', deviceId)
        .executeTakeFirst();
      if (!device) throw errors.notFound('device', '设备', deviceId);
      const exists = await tx
        .selectFrom('activityDevices')
        .select('deviceId')
        .where('activityId', '=', id)
        .where('deviceId', '=', deviceId)
        .executeTakeFirst();
      if (exists)
        throw errors.conflict(
          'ACTIVITY_DEVICE_ATTACHED',
          `设备 ${device.serial} 已登记在本次活动中`,
          `Device ${device.serial} is already on this activity`,
          { deviceId },
        );
      const team = (await this.team(tx, id)).map((o) => o.userId);
      const candidates = await tx
        .selectFrom('checkouts')
        .selectAll()
        .where('deviceId', '=', deviceId)
        .where('officerId', 'in', team)
        .orderBy('checkedOutAt', 'desc')
        .execute();
      const open = candidates.filter((c) => c.checkedInAt === null);
      const arrived = num(activity.arrivedAt);
      const until = num(activity.endedAt) ?? this.ctx.clock.now();
      const during =
        arrived === null
          ? []
          : candidates.filter(
              (c) =>
                c.checkedInAt !== null && Number(c.checkedOutAt) <= until && Number(c.checkedInAt) >= arrived,
            );
      // the caller's own check-out first, then a colleague's
      const pick = (list: typeof candidates) => list.find((c) => c.officerId === actor.userId) ?? list[0];
      const checkout = pick(open) ?? pick(during);
      if (!checkout)
        throw errors.conflict(
          'DEVICE_NOT_CHECKED_OUT',
          `设备 ${device.serial} 不在本次活动执法人员的领用中，请先办理领用`,
          `Device ${device.serial} is not checked out to any officer of this activity; check it out first`,
          { deviceId },
        );
      const now = this.ctx.clock.now();
      await tx
        .insertInto('activityDevices')
        .values({
          activityId: id,
          deviceId,
          checkoutId: checkout.id,
          officerId: checkout.officerId,
          addedAt: now,
        })
        .execute();
      await tx.updateTable('activities').set({ updatedAt: now }).where('id', '=', id).execute();
      await this.audit.record(tx, actor, {
        action: 'activity.device_attach',
        targetType: 'activity',
        targetId: id,
        details: {
          deviceId,
          serial: device.serial,
          checkoutId: checkout.id,
          officerId: checkout.officerId,
          open: checkout.checkedInAt === null,
        },
      });
      await this.changed(tx, actor, id);
      return this.presentOne(tx, await this.row(tx, id));
    });
  }

  /** Takes a device registered by mistake off the activity; after completion only a leader may. */
  async detachDevice(actor: Actor, id: string, deviceId: string): Promise<Activity> {
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const activity = await this.row(tx, id);
      const { overseer } = await this.assertMayEdit(tx, actor, id);
      const status = activity.status as ActivityStatus;
      if ((status === 'completed' || status === 'cancelled') && !overseer) throw activityClosed(status);
      await ActivitiesService.lock(tx, id);
      const link = await tx
        .selectFrom('activityDevices')
        .selectAll()
        .where('activityId', '=', id)
        .where('deviceId', '=', deviceId)
        .executeTakeFirst();
      if (!link) throw errors.notFound('activity_device', '本次活动的该设备', deviceId);
      await tx
        .deleteFrom('activityDevices')
        .where('activityId', '=', id)
        .where('deviceId', '=', deviceId)
        .execute();
      const now = this.ctx.clock.now();
      await tx.updateTable('activities').set({ updatedAt: now }).where('id', '=', id).execute();
      await this.audit.record(tx, actor, {
        action: 'activity.device_detach',
        targetType: 'activity',
        targetId: id,
        details: {
          deviceId,
          checkoutId: link.checkoutId,
          officerId: link.officerId,
          addedAt: Number(link.addedAt),
        },
      });
      await this.changed(tx, actor, id);
      return this.presentOne(tx, await this.row(tx, id));
    });
  }

  /** A8.1: the party was told, before enforcement, that recording is on. Recorded by the officer who told them. */
  async recordNotified(actor: Actor, id: string, at?: number): Promise<Activity> {
    assertPermission(actor, 'activities.manage');
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const activity = await this.row(tx, id);
      const team = await this.team(tx, id);
      if (!actor.userId || !team.some((o) => o.userId === actor.userId))
        throw new AppError(
          'FORBIDDEN',
          403,
          {
            zh: '只有本次活动的执法人员可以登记告知',
            en: 'Only an officer of the activity may record the notification',
          },
          { reason: 'not_on_activity' },
        );
      if (activity.status === 'cancelled') throw activityClosed('cancelled');
      await ActivitiesService.lock(tx, id);
      const now = this.ctx.clock.now();
      const when = at ?? now;
      const arrived = num(activity.arrivedAt);
      const ended = num(activity.endedAt);
      const rule =
        !Number.isSafeInteger(when) || when < EARLIEST_TIME
          ? 'not_a_time'
          : when > now + FUTURE_TOLERANCE_MS
            ? 'in_future'
            : arrived !== null && when < arrived - FUTURE_TOLERANCE_MS
              ? 'before_arrival'
              : ended !== null && when > ended + FUTURE_TOLERANCE_MS
                ? 'after_end'
                : null;
      if (rule)
        throw new AppError(
          'ACTIVITY_NOTIFICATION_TIME_INVALID',
          400,
          {
            zh: '告知时间须在到达现场之后、执法结束之前，且不晚于当前时间',
            en: 'The notification time must lie between arrival and end, and not in the future',
          },
          { rule },
        );
      await tx
        .updateTable('activities')
        .set({ notifiedAt: when, notifiedBy: actor.userId, updatedAt: now })
        .where('id', '=', id)
        .execute();
      await this.audit.record(tx, actor, {
        action: 'activity.notified',
        targetType: 'activity',
        targetId: id,
        details: {
          at: when,
          previous:
            activity.notifiedAt === null
              ? null
              : { at: Number(activity.notifiedAt), by: activity.notifiedBy },
        },
      });
      return this.presentOne(tx, await this.row(tx, id));
    });
  }
}

function selectExemptions(db: Executor, activityIds: string[]) {
  return db.selectFrom('exemptions').selectAll().where('activityId', 'in', activityIds).execute();
}
