// The violation register (A21.1, A22.1). Supervisors record a violation — from findings the
// compliance engine raised, or from what they found themselves — with its evidence, decide
// the sanctions and close it once carried out. Findings taken into a record become
// 'violation' in their own history. Officers see their own records, leaders and department
// heads those of their unit and the units under it, supervisors all.
import type { Selectable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Executor, Tx } from '../db/database.js';
import type { ViolationsTable } from '../db/schema.js';
import { ACTIVITY_TYPE_NAMES, isActivityType } from '../domain/activity.js';
import { localDate } from '../domain/case.js';
import {
  FINDING_CODES,
  findingStatusAfter,
  isFindingCode,
  isFindingStatus,
  type FindingStatus,
} from '../domain/compliance-findings.js';
import { AppError, errors } from '../domain/errors.js';
import type { Role } from '../domain/roles.js';
import {
  MAX_DECISION_TEXT,
  MAX_DESCRIPTION,
  MAX_EVIDENCE_ITEMS,
  MAX_EVIDENCE_TEXT,
  MAX_NOTE,
  SANCTIONS,
  validateCategory,
  validateDecision,
  VIOLATION_CATEGORIES,
  violationNumber,
  violationSeq,
  violationStatusAfter,
  type Sanction,
  type ViolationAct,
  type ViolationCategory,
  type ViolationStatus,
} from '../domain/violation.js';
import { cleanText } from './activities.service.js';
import type { AuditService } from './audit.service.js';
import { enqueueCompliance } from './compliance.service.js';
import { assertPermission, hasPermission, type Actor, type ServiceContext } from './context.js';
import type { NotificationsService } from './notifications.service.js';

type ViolationRow = Selectable<ViolationsTable>;

export interface ViolationListItem {
  id: string;
  number: string;
  officerId: string;
  officerName: string;
  unitId: string | null;
  unitName: string | null;
  category: ViolationCategory;
  description: string;
  occurredAt: number;
  status: ViolationStatus;
  sanctions: Sanction[];
  suspensionFrom: string | null;
  suspensionTo: string | null;
  decisionText: string | null;
  decidedAt: number | null;
  findingCount: number;
  auditEventCount: number;
  createdAt: number;
}

export interface ViolationFindingEvidence {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  article: string;
  articles: string[];
  severity: string;
  status: string;
  subjectType: string;
  subjectId: string;
  withdrawn: boolean;
  createdAt: number;
  activity: {
    id: string;
    type: string;
    typeNameZh: string;
    title: string | null;
    arrivedAt: number | null;
  } | null;
}

export interface ViolationAuditEvidence {
  seq: number;
  id: string;
  at: number | null;
  actorName: string | null;
  action: string | null;
  targetType: string | null;
  targetId: string | null;
}

export interface Violation extends ViolationListItem {
  evidenceText: string | null;
  decidedByName: string | null;
  closedAt: number | null;
  closedByName: string | null;
  closeNote: string | null;
  withdrawnAt: number | null;
  withdrawnByName: string | null;
  withdrawReason: string | null;
  createdByName: string;
  findings: ViolationFindingEvidence[];
  auditEvents: ViolationAuditEvidence[];
}

export interface ViolationInput {
  officerId: string;
  category: string;
  description: string;
  occurredAt?: number | null;
  findingIds?: readonly string[];
  auditSeqs?: readonly number[];
  evidenceText?: string | null;
}

export interface DecisionInput {
  sanctions: readonly string[];
  decisionText: string;
  suspensionFrom?: string | null;
  suspensionTo?: string | null;
}

export interface ViolationFilter {
  officer?: string;
  unit?: string;
  category?: string;
  status?: string;
  from?: number;
  to?: number;
  limit?: number;
  offset?: number;
}

/** A finding a supervisor may take into a violation record. */
export interface CandidateFinding {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  article: string;
  status: FindingStatus;
  createdAt: number;
  activityId: string | null;
  activityTitle: string | null;
  activityTypeNameZh: string | null;
  activityArrivedAt: number | null;
}

/** Who the caller may see: everything, or the officer themself and the units they lead. */
type Scope = { all: true } | { all: false; officerId: string | null; unitIds: string[] };

const LEADING_ROLES: readonly Role[] = ['leader', 'department_head'];
/** Occurred at: a little ahead of the server clock is a clock difference, more is a mistake. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function optionalText(
  value: string | null | undefined,
  field: string,
  zh: string,
  max: number,
): string | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  return cleanText(value, field, zh, max, true);
}

function chunks<T>(list: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function descendants(units: readonly { id: string; parentId: string | null }[], root: string): string[] {
  const out = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const u of units)
      if (u.parentId !== null && out.has(u.parentId) && !out.has(u.id)) {
        out.add(u.id);
        grew = true;
      }
  }
  return [...out];
}

const notFound = (id: string) => errors.notFound('violation', '违规记录', id);

export class ViolationsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
  ) {}

  /** The zone the register's times are written in when exported. */
  get timeZone(): string {
    return this.ctx.timezone;
  }

  now(): number {
    return this.ctx.clock.now();
  }

  // ─── Scope ──────────────────────────────────────────────────────────────────────

  private async scope(db: Executor, actor: Actor): Promise<Scope> {
    if (actor.via === 'cli' || hasPermission(actor, 'violations.record')) return { all: true };
    if (actor.userId === null) return { all: false, officerId: null, unitIds: [] };
    let unitIds: string[] = [];
    if (actor.roles.some((r) => LEADING_ROLES.includes(r))) {
      const me = await db
        .selectFrom('users')
        .select('unitId')
        .where('id', '=', actor.userId)
        .executeTakeFirst();
      if (me?.unitId) {
        const units = await db.selectFrom('units').select(['id', 'parentId']).execute();
        unitIds = descendants(units, me.unitId);
      }
    }
    return { all: false, officerId: actor.userId, unitIds };
  }

  private visible(scope: Scope, row: Pick<ViolationRow, 'officerId' | 'unitId'>): boolean {
    return (
      scope.all ||
      row.officerId === scope.officerId ||
      (row.unitId !== null && scope.unitIds.includes(row.unitId))
    );
  }

  // ─── Reading ────────────────────────────────────────────────────────────────────

  /** The register, filtered and scoped, newest occurrence first; total counts all that match. */
  async list(actor: Actor, filter: ViolationFilter): Promise<{ items: ViolationListItem[]; total: number }> {
    const db = this.ctx.catalogue.db;
    const rows = await this.query(db, actor, filter);
    const offset = filter.offset ?? 0;
    const page = rows.slice(offset, offset + (filter.limit ?? 200));
    return { items: await this.present(db, page), total: rows.length };
  }

  /** Every row of the filtered register (for an export). */
  async all(actor: Actor, filter: ViolationFilter): Promise<ViolationListItem[]> {
    const db = this.ctx.catalogue.db;
    return this.present(db, await this.query(db, actor, filter));
  }

  private async query(db: Executor, actor: Actor, filter: ViolationFilter): Promise<ViolationRow[]> {
    const scope = await this.scope(db, actor);
    if (filter.category !== undefined) validateCategory(filter.category);
    if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to)
      throw new AppError(
        'PERIOD_INVALID',
        400,
        { zh: '起始时间不能晚于结束时间', en: 'The period must not end before it starts' },
        { from: filter.from, to: filter.to },
      );
    let unitIds: string[] | null = null;
    if (filter.unit !== undefined) {
      const units = await db.selectFrom('units').select(['id', 'parentId']).execute();
      if (!units.some((u) => u.id === filter.unit)) throw errors.notFound('unit', '单位', filter.unit);
      unitIds = descendants(units, filter.unit);
      // a leader asking for a unit outside theirs is refused, not shown an empty register
      if (!scope.all && scope.unitIds.length > 0 && !scope.unitIds.includes(filter.unit))
        throw errors.forbidden();
    }
    let q = db.selectFrom('violations').selectAll();
    if (!scope.all) {
      const { officerId, unitIds: own } = scope;
      q = q.where((eb) =>
        eb.or([eb('officerId', '=', officerId ?? ''), ...(own.length ? [eb('unitId', 'in', own)] : [])]),
      );
    }
    if (filter.officer !== undefined) q = q.where('officerId', '=', filter.officer);
    if (unitIds !== null) q = q.where('unitId', 'in', unitIds);
    if (filter.category !== undefined) q = q.where('category', '=', filter.category);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.from !== undefined) q = q.where('occurredAt', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('occurredAt', '<', filter.to);
    return q.orderBy('occurredAt', 'desc').orderBy('number', 'desc').execute();
  }

  private async present(db: Executor, rows: readonly ViolationRow[]): Promise<ViolationListItem[]> {
    if (rows.length === 0) return [];
    const userIds = [...new Set(rows.map((r) => r.officerId))];
    const unitIds = [...new Set(rows.flatMap((r) => (r.unitId ? [r.unitId] : [])))];
    const ids = rows.map((r) => r.id);
    const users = new Map<string, string>();
    const units = new Map<string, string>();
    const findings = new Map<string, number>();
    const events = new Map<string, number>();
    for (const part of chunks(userIds))
      for (const u of await db.selectFrom('users').select(['id', 'name']).where('id', 'in', part).execute())
        users.set(u.id, u.name);
    for (const part of chunks(unitIds))
      for (const u of await db.selectFrom('units').select(['id', 'name']).where('id', 'in', part).execute())
        units.set(u.id, u.name);
    for (const part of chunks(ids)) {
      for (const r of await db
        .selectFrom('violationFindings')
        .select(['violationId', (eb) => eb.fn.countAll<number>().as('n')])
        .where('violationId', 'in', part)
        .groupBy('violationId')
        .execute())
        findings.set(r.violationId, Number(r.n));
      for (const r of await db
        .selectFrom('violationAuditEvents')
        .select(['violationId', (eb) => eb.fn.countAll<number>().as('n')])
        .where('violationId', 'in', part)
        .groupBy('violationId')
        .execute())
        events.set(r.violationId, Number(r.n));
    }
    return rows.map((r) => ({
      id: r.id,
      number: r.number,
      officerId: r.officerId,
      officerName: users.get(r.officerId) ?? '',
      unitId: r.unitId,
      unitName: r.unitId ? (units.get(r.unitId) ?? null) : null,
      category: r.category as ViolationCategory,
      description: r.description,
      occurredAt: Number(r.occurredAt),
      status: r.status as ViolationStatus,
      sanctions: r.sanctions ? (JSON.parse(r.sanctions) as Sanction[]) : [],
      suspensionFrom: r.suspensionFrom,
      suspensionTo: r.suspensionTo,
      decisionText: r.decisionText,
      decidedAt: num(r.decidedAt),
      findingCount: findings.get(r.id) ?? 0,
      auditEventCount: events.get(r.id) ?? 0,
      createdAt: Number(r.createdAt),
    }));
  }

  private async row(db: Executor, id: string): Promise<ViolationRow> {
    const row = await db.selectFrom('violations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(id);
    return row;
  }

  /** One record with its evidence; someone else's record outside one's scope does not exist. */
  async get(actor: Actor, id: string): Promise<Violation> {
    const db = this.ctx.catalogue.db;
    const row = await this.row(db, id);
    if (!this.visible(await this.scope(db, actor), row)) throw notFound(id);
    return this.detail(db, row);
  }

  private async detail(db: Executor, row: ViolationRow): Promise<Violation> {
    const [item] = await this.present(db, [row]);
    // people by their names where they are users; the name stored at the act otherwise (CLI)
    const actorIds = [row.createdBy, row.decidedBy, row.closedBy, row.withdrawnBy].filter(
      (x): x is string => !!x,
    );
    const people = new Map(
      actorIds.length
        ? (await db.selectFrom('users').select(['id', 'name']).where('id', 'in', actorIds).execute()).map(
            (u) => [u.id, u.name],
          )
        : [],
    );
    const who = (id: string | null, stored: string | null) => (id ? (people.get(id) ?? stored) : stored);
    const findingRows = await db
      .selectFrom('violationFindings')
      .innerJoin('findings', 'findings.id', 'violationFindings.findingId')
      .select([
        'findings.id',
        'findings.code',
        'findings.article',
        'findings.severity',
        'findings.status',
        'findings.subjectType',
        'findings.subjectId',
        'findings.withdrawnAt',
        'findings.createdAt',
        'findings.activityId',
      ])
      .where('violationFindings.violationId', '=', row.id)
      .orderBy('findings.createdAt')
      .execute();
    const activityIds = [...new Set(findingRows.flatMap((f) => (f.activityId ? [f.activityId] : [])))];
    const activities = new Map<
      string,
      { id: string; type: string; title: string | null; arrivedAt: number | null }
    >();
    for (const part of chunks(activityIds))
      for (const a of await db
        .selectFrom('activities')
        .select(['id', 'type', 'title', 'arrivedAt'])
        .where('id', 'in', part)
        .execute())
        activities.set(a.id, { ...a, arrivedAt: num(a.arrivedAt) });
    const findings: ViolationFindingEvidence[] = findingRows.map((f) => {
      const info = isFindingCode(f.code) ? FINDING_CODES[f.code] : null;
      const a = f.activityId ? activities.get(f.activityId) : undefined;
      return {
        id: f.id,
        code: f.code,
        nameZh: info?.zh ?? f.code,
        nameEn: info?.en ?? f.code,
        article: f.article,
        articles: info ? [...info.articles] : [f.article],
        severity: f.severity,
        status: f.status,
        subjectType: f.subjectType,
        subjectId: f.subjectId,
        withdrawn: f.withdrawnAt !== null && f.withdrawnAt !== undefined,
        createdAt: Number(f.createdAt),
        activity: a
          ? {
              ...a,
              typeNameZh: isActivityType(a.type) ? ACTIVITY_TYPE_NAMES[a.type].zh : a.type,
            }
          : null,
      };
    });
    const links = await db
      .selectFrom('violationAuditEvents')
      .select(['auditSeq', 'auditId'])
      .where('violationId', '=', row.id)
      .orderBy('auditSeq')
      .execute();
    const seqs = links.map((l) => Number(l.auditSeq));
    const eventsBySeq = new Map<number, ViolationAuditEvidence>();
    for (const part of chunks(seqs))
      for (const e of await db
        .selectFrom('auditEvents')
        .select(['seq', 'id', 'at', 'actorName', 'action', 'targetType', 'targetId'])
        .where('seq', 'in', part)
        .execute())
        eventsBySeq.set(Number(e.seq), { ...e, seq: Number(e.seq), at: Number(e.at) });
    const auditEvents = links.map(
      (l): ViolationAuditEvidence =>
        eventsBySeq.get(Number(l.auditSeq)) ?? {
          seq: Number(l.auditSeq),
          id: l.auditId,
          at: null,
          actorName: null,
          action: null,
          targetType: null,
          targetId: null,
        },
    );
    return {
      ...item!,
      evidenceText: row.evidenceText,
      decidedByName: who(row.decidedBy, row.decidedByName),
      closedAt: num(row.closedAt),
      closedByName: who(row.closedBy, row.closedByName),
      closeNote: row.closeNote,
      withdrawnAt: num(row.withdrawnAt),
      withdrawnByName: who(row.withdrawnBy, row.withdrawnByName),
      withdrawReason: row.withdrawReason,
      createdByName: who(row.createdBy, row.createdByName) ?? row.createdByName,
      findings,
      auditEvents,
    };
  }

  /**
   * Findings a supervisor may take into a record for this officer: still open or explained,
   * not withdrawn, on activities the officer was on (or about recordings they held).
   */
  async candidateFindings(actor: Actor, officerId: string): Promise<CandidateFinding[]> {
    assertPermission(actor, 'violations.record');
    const db = this.ctx.catalogue.db;
    const rows = await db
      .selectFrom('findings')
      .leftJoin('activities', 'activities.id', 'findings.activityId')
      .leftJoin('recordings', (j) =>
        j.onRef('recordings.id', '=', 'findings.subjectId').on('findings.subjectType', '=', 'recording'),
      )
      .select([
        'findings.id',
        'findings.code',
        'findings.article',
        'findings.status',
        'findings.createdAt',
        'findings.activityId',
        'activities.title',
        'activities.type',
        'activities.arrivedAt',
      ])
      .where('findings.status', 'in', ['open', 'explained'])
      .where('findings.withdrawnAt', 'is', null)
      .where((eb) =>
        eb.or([
          eb(
            'findings.activityId',
            'in',
            eb.selectFrom('activityOfficers').select('activityId').where('userId', '=', officerId),
          ),
          eb('recordings.holderId', '=', officerId),
        ]),
      )
      .orderBy('findings.createdAt', 'desc')
      .limit(500)
      .execute();
    return rows.map((f) => {
      const info = isFindingCode(f.code) ? FINDING_CODES[f.code] : null;
      return {
        id: f.id,
        code: f.code,
        nameZh: info?.zh ?? f.code,
        nameEn: info?.en ?? f.code,
        article: f.article,
        status: f.status as FindingStatus,
        createdAt: Number(f.createdAt),
        activityId: f.activityId ?? null,
        activityTitle: f.title,
        activityTypeNameZh: f.type && isActivityType(f.type) ? ACTIVITY_TYPE_NAMES[f.type].zh : null,
        activityArrivedAt: num(f.arrivedAt),
      };
    });
  }

  // ─── Acts ───────────────────────────────────────────────────────────────────────

  /** Records a violation; the findings it rests on become 'violation', each with its history. */
  async record(actor: Actor, input: ViolationInput): Promise<Violation> {
    assertPermission(actor, 'violations.record');
    const category = validateCategory(input.category);
    const description = cleanText(input.description, 'description', '违规事实', MAX_DESCRIPTION, true);
    const evidenceText = optionalText(input.evidenceText, 'evidenceText', '其他证据说明', MAX_EVIDENCE_TEXT);
    const findingIds = [...new Set(input.findingIds ?? [])];
    const auditSeqs = [...new Set(input.auditSeqs ?? [])].sort((a, b) => a - b);
    if (findingIds.length > MAX_EVIDENCE_ITEMS || auditSeqs.length > MAX_EVIDENCE_ITEMS)
      throw errors.validation(`at most ${MAX_EVIDENCE_ITEMS} evidence items of each kind`, {
        max: MAX_EVIDENCE_ITEMS,
      });
    const now = this.ctx.clock.now();
    if (
      input.occurredAt !== undefined &&
      input.occurredAt !== null &&
      input.occurredAt > now + FUTURE_TOLERANCE_MS
    )
      throw new AppError(
        'VIOLATION_OCCURRED_IN_FUTURE',
        400,
        { zh: '违规发生时间不能晚于当前时间', en: 'A violation cannot have occurred in the future' },
        { occurredAt: input.occurredAt },
      );
    if ((input.occurredAt === undefined || input.occurredAt === null) && findingIds.length === 0)
      throw new AppError('VIOLATION_OCCURRED_AT_REQUIRED', 400, {
        zh: '未关联核查发现时须填写违规发生时间',
        en: 'Without findings, say when the violation occurred',
      });

    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      // Serialises records with every other audited act, so the year's next number is ours.
      await this.ctx.catalogue.dialect.lockAuditChain(tx);
      const officer = await tx
        .selectFrom('users')
        .select(['id', 'unitId'])
        .where('id', '=', input.officerId)
        .executeTakeFirst();
      if (!officer) throw errors.notFound('user', '人员', input.officerId);

      const findings = await this.takeFindings(tx, findingIds, now);
      const events = await this.auditEvidence(tx, auditSeqs);
      const occurredAt = input.occurredAt ?? (await this.occurredFrom(tx, findings));

      const year = Number(localDate(now, this.ctx.timezone).slice(0, 4));
      const taken = await tx
        .selectFrom('violations')
        .select('number')
        .where('number', 'like', `${year}-%`)
        .execute();
      const seq = Math.max(0, ...taken.map((t) => violationSeq(t.number, year) ?? 0)) + 1;
      const id = uuidv7();
      const number = violationNumber(year, seq);
      await tx
        .insertInto('violations')
        .values({
          id,
          number,
          officerId: officer.id,
          unitId: officer.unitId,
          category,
          description,
          occurredAt,
          evidenceText,
          status: 'draft',
          sanctions: null,
          decisionText: null,
          suspensionFrom: null,
          suspensionTo: null,
          decidedBy: null,
          decidedByName: null,
          decidedAt: null,
          closedBy: null,
          closedByName: null,
          closedAt: null,
          closeNote: null,
          withdrawnBy: null,
          withdrawnByName: null,
          withdrawnAt: null,
          withdrawReason: null,
          createdBy: actor.userId,
          createdByName: actor.name,
          createdAt: now,
          updatedAt: now,
        })
        .execute();
      for (const f of findings) {
        await tx.insertInto('violationFindings').values({ violationId: id, findingId: f.id }).execute();
        await tx
          .insertInto('findingEvents')
          .values({
            id: uuidv7(),
            findingId: f.id,
            at: now,
            actorId: actor.userId,
            actorName: actor.name,
            act: 'record_violation',
            fromStatus: f.status,
            toStatus: 'violation',
            comment: `违规记录 ${number}`,
          })
          .execute();
      }
      for (const e of events)
        await tx
          .insertInto('violationAuditEvents')
          .values({ violationId: id, auditSeq: e.seq, auditId: e.id })
          .execute();
      await this.audit.record(tx, actor, {
        action: 'violation.record',
        targetType: 'violation',
        targetId: id,
        details: {
          number,
          officerId: officer.id,
          unitId: officer.unitId,
          category,
          article: VIOLATION_CATEGORIES[category].article,
          occurredAt,
          findingIds: findings.map((f) => f.id),
          auditSeqs: events.map((e) => e.seq),
        },
      });
      // a violation makes the activity non-compliant: recompute its verdict
      for (const activityId of new Set(findings.flatMap((f) => (f.activityId ? [f.activityId] : []))))
        await enqueueCompliance(tx, this.ctx, activityId);
      return this.detail(tx, await this.row(tx, id));
    });
  }

  /** Moves each finding to 'violation' (compare-and-set on the status read). */
  private async takeFindings(
    tx: Tx,
    ids: readonly string[],
    now: number,
  ): Promise<{ id: string; status: FindingStatus; activityId: string | null; createdAt: number }[]> {
    const out: { id: string; status: FindingStatus; activityId: string | null; createdAt: number }[] = [];
    for (const id of ids) {
      const f = await tx
        .selectFrom('findings')
        .select(['id', 'status', 'activityId', 'withdrawnAt', 'createdAt'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!f) throw errors.notFound('finding', '核查发现', id);
      if (f.withdrawnAt !== null && f.withdrawnAt !== undefined)
        throw errors.conflict(
          'FINDING_WITHDRAWN',
          '该核查发现已因情况变化撤销，不能作为违规证据',
          'This finding was withdrawn (its inputs changed); it cannot be evidence of a violation',
          { id },
        );
      if (!isFindingStatus(f.status)) throw errors.internal();
      const to = findingStatusAfter(f.status, 'record_violation');
      const res = await tx
        .updateTable('findings')
        .set({ status: to, updatedAt: now })
        .where('id', '=', id)
        .where('status', '=', f.status)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) throw errors.internal();
      out.push({ id, status: f.status, activityId: f.activityId ?? null, createdAt: Number(f.createdAt) });
    }
    return out;
  }

  private async auditEvidence(tx: Tx, seqs: readonly number[]): Promise<{ seq: number; id: string }[]> {
    const found = new Map<number, string>();
    for (const part of chunks(seqs))
      for (const e of await tx
        .selectFrom('auditEvents')
        .select(['seq', 'id'])
        .where('seq', 'in', part)
        .execute())
        found.set(Number(e.seq), e.id);
    const missing = seqs.find((s) => !found.has(s));
    if (missing !== undefined)
      throw new AppError(
        'AUDIT_EVENT_NOT_FOUND',
        404,
        { zh: `审计日志中没有序号为 ${missing} 的事件`, en: `No audit event with number ${missing}` },
        { seq: missing },
      );
    return seqs.map((seq) => ({ seq, id: found.get(seq)! }));
  }

  /** When a violation found in findings occurred: the earliest arrival of their activities. */
  private async occurredFrom(tx: Tx, findings: readonly { activityId: string | null; createdAt: number }[]) {
    const activityIds = [...new Set(findings.flatMap((f) => (f.activityId ? [f.activityId] : [])))];
    const times: number[] = findings.filter((f) => !f.activityId).map((f) => f.createdAt);
    for (const part of chunks(activityIds))
      for (const a of await tx
        .selectFrom('activities')
        .select(['arrivedAt', 'plannedAt'])
        .where('id', 'in', part)
        .execute())
        times.push(Number(a.arrivedAt ?? a.plannedAt));
    return Math.min(...times);
  }

  /** A22.1: the sanctions decided, with the decision's text and a suspension's period. */
  async decide(actor: Actor, id: string, input: DecisionInput): Promise<Violation> {
    assertPermission(actor, 'violations.record');
    const decision = validateDecision(input);
    const decisionText = cleanText(input.decisionText, 'decisionText', '处理决定', MAX_DECISION_TEXT, true);
    return this.act(
      actor,
      id,
      'decide',
      (now) => ({
        changes: {
          sanctions: JSON.stringify(decision.sanctions),
          decisionText,
          suspensionFrom: decision.suspensionFrom,
          suspensionTo: decision.suspensionTo,
          decidedBy: actor.userId,
          decidedByName: actor.name,
          decidedAt: now,
        },
        details: {
          sanctions: decision.sanctions,
          articles: decision.sanctions.map((s) => SANCTIONS[s].article),
          suspensionFrom: decision.suspensionFrom,
          suspensionTo: decision.suspensionTo,
          decisionText,
        },
      }),
      // the officer learns of the decision in the app (the bell)
      (tx, row) =>
        this.notifications
          .notify(tx, [row.officerId], {
            kind: 'violation_decided',
            title: {
              zh: `违规记录 ${row.number} 已作出处理决定：${decision.sanctions.map((s) => SANCTIONS[s].zh).join('、')}`,
              en: `Violation record ${row.number} decided: ${decision.sanctions.map((s) => SANCTIONS[s].en).join(', ')}`,
            },
            targetType: 'violation',
            targetId: row.id,
          })
          .then(() => undefined),
    );
  }

  /** The decided sanctions were carried out. */
  async close(actor: Actor, id: string, note?: string | null): Promise<Violation> {
    assertPermission(actor, 'violations.record');
    const closeNote = optionalText(note, 'note', '办结说明', MAX_NOTE);
    return this.act(actor, id, 'close', (now) => ({
      changes: { closedBy: actor.userId, closedByName: actor.name, closedAt: now, closeNote },
      details: { note: closeNote },
    }));
  }

  /** A draft recorded in error or not pursued; the reason is kept. */
  async withdraw(actor: Actor, id: string, reason: string): Promise<Violation> {
    assertPermission(actor, 'violations.record');
    const withdrawReason = cleanText(reason ?? '', 'reason', '撤销理由', MAX_NOTE, true);
    return this.act(actor, id, 'withdraw', (now) => ({
      changes: { withdrawnBy: actor.userId, withdrawnByName: actor.name, withdrawnAt: now, withdrawReason },
      details: { reason: withdrawReason },
    }));
  }

  private async act(
    actor: Actor,
    id: string,
    act: ViolationAct,
    build: (now: number) => { changes: Partial<ViolationRow>; details: Record<string, unknown> },
    after?: (tx: Tx, row: ViolationRow) => Promise<void>,
  ): Promise<Violation> {
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const current = await this.row(tx, id);
      const from = current.status as ViolationStatus;
      const status = violationStatusAfter(from, act);
      const now = this.ctx.clock.now();
      const { changes, details } = build(now);
      // compare-and-set: of two supervisors acting at once, the second finds it changed
      const res = await tx
        .updateTable('violations')
        .set({ ...changes, status, updatedAt: now })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) {
        violationStatusAfter((await this.row(tx, id)).status as ViolationStatus, act); // throws
        throw errors.internal();
      }
      await this.audit.record(tx, actor, {
        action: `violation.${act}`,
        targetType: 'violation',
        targetId: id,
        details: { number: current.number, officerId: current.officerId, from, to: status, ...details },
      });
      await after?.(tx, current);
      return this.detail(tx, await this.row(tx, id));
    });
  }

  /** Audits that the register left the system, with the filter and how many rows. */
  async recordExport(
    actor: Actor,
    filter: ViolationFilter,
    format: 'csv' | 'xlsx',
    count: number,
  ): Promise<void> {
    await this.audit.recordAlone(actor, {
      action: 'violation.export',
      targetType: 'violation',
      details: { filter, format, count },
    });
  }
}
