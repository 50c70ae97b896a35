// Cases (案件): a unique case number (given, or generated from the configured pattern),
// the subject, the handling officers with one lead, the procedural status moving forward
// one step at a time with its dates, and the archive retention class (A15.1 builds on it).
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Executor, Tx } from '../db/database.js';
import type { CasesTable } from '../db/schema.js';
import {
  CASE_STATUS_DATE,
  CASE_STATUS_NAMES,
  CASE_STATUSES,
  caseNumberMatcher,
  checkCaseDates,
  checkCaseTransition,
  formatCaseNumber,
  isCaseStatus,
  isRetentionYears,
  localDate,
  nextCaseSeq,
  patternNeedsUnitCode,
  type CaseDateField,
  type CaseStatus,
} from '../domain/case.js';
import { AppError, errors } from '../domain/errors.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';
import type { SettingsService } from './settings.service.js';
import { DEFAULT_TIME_ZONE, likeContains, optionalText, requiredText } from './subjects.service.js';

export interface CaseOfficer {
  userId: string;
  name: string;
  lead: boolean;
}

export interface Case {
  id: string;
  caseNumber: string;
  title: string;
  subjectId: string;
  subjectName: string;
  unitId: string | null;
  status: CaseStatus;
  filedOn: string;
  decidedOn: string | null;
  closedOn: string | null;
  archivedOn: string | null;
  /** null: kept permanently */
  retentionYears: number | null;
  summary: string | null;
  officers: CaseOfficer[];
  createdAt: number;
}

export interface CreateCaseInput {
  caseNumber?: string | null;
  title: string;
  subjectId: string;
  filedOn: string;
  officerIds: string[];
  leadOfficerId: string;
  /** Absent: permanent, the safe default until the legal office sets a class. */
  retentionYears?: number | null;
  summary?: string | null;
  /** Absent: the creating user's unit. */
  unitId?: string | null;
}

export interface UpdateCaseInput {
  title?: string;
  summary?: string | null;
  retentionYears?: number | null;
  status?: CaseStatus;
  filedOn?: string;
  decidedOn?: string;
  closedOn?: string;
  archivedOn?: string;
  officerIds?: string[];
  leadOfficerId?: string;
}

export interface CaseFilter {
  q?: string;
  status?: CaseStatus;
  subjectId?: string;
  limit?: number;
}

type CaseRow = CasesTable;

const MAX_OFFICERS = 30;
const GENERATE_ATTEMPTS = 5;

const caseError = (code: string, zh: string, en: string, details?: Record<string, unknown>) =>
  new AppError(code, 400, { zh, en }, details);

const caseNumberTaken = (caseNumber: string) =>
  errors.conflict(
    'CASE_NUMBER_TAKEN',
    `案件编号 “${caseNumber}” 已被使用`,
    `Case number "${caseNumber}" is already taken`,
    { caseNumber },
  );

/** Marks a generated number that lost a race, so create() can draw the next one. */
class GeneratedNumberClash extends Error {}

export class CasesService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
    private readonly settings: SettingsService,
    private readonly timeZone: string = DEFAULT_TIME_ZONE,
  ) {}

  private today(): string {
    return localDate(this.ctx.clock.now(), this.timeZone);
  }

  async present(db: Executor, rows: CaseRow[]): Promise<Case[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const subjectIds = [...new Set(rows.map((r) => r.subjectId))];
    const subjects = new Map(
      (
        await db
          .selectFrom('enforcementSubjects')
          .select(['id', 'name'])
          .where('id', 'in', subjectIds)
          .execute()
      ).map((s) => [s.id, s.name]),
    );
    const officers = await db
      .selectFrom('caseOfficers')
      .innerJoin('users', 'users.id', 'caseOfficers.userId')
      .select(['caseOfficers.caseId', 'caseOfficers.userId', 'caseOfficers.lead', 'users.name'])
      .where('caseOfficers.caseId', 'in', ids)
      .orderBy('caseOfficers.lead', 'desc')
      .orderBy('users.name')
      .execute();
    const byCase = new Map<string, CaseOfficer[]>();
    for (const o of officers) {
      const list = byCase.get(o.caseId) ?? [];
      list.push({ userId: o.userId, name: o.name, lead: Number(o.lead) === 1 });
      byCase.set(o.caseId, list);
    }
    return rows.map((r) => ({
      id: r.id,
      caseNumber: r.caseNumber,
      title: r.title,
      subjectId: r.subjectId,
      subjectName: subjects.get(r.subjectId) ?? '',
      unitId: r.unitId,
      status: r.status as CaseStatus,
      filedOn: r.filedOn,
      decidedOn: r.decidedOn,
      closedOn: r.closedOn,
      archivedOn: r.archivedOn,
      retentionYears: r.retentionYears === null ? null : Number(r.retentionYears),
      summary: r.summary,
      officers: byCase.get(r.id) ?? [],
      createdAt: Number(r.createdAt),
    }));
  }

  async list(actor: Actor, filter: CaseFilter = {}): Promise<Case[]> {
    assertPermission(actor, 'cases.read');
    const db = this.ctx.catalogue.db;
    let q = db.selectFrom('cases').selectAll('cases');
    if (filter.status) q = q.where('cases.status', '=', filter.status);
    if (filter.subjectId) q = q.where('cases.subjectId', '=', filter.subjectId);
    const text = filter.q?.normalize('NFKC').trim();
    if (text) {
      const pattern = likeContains(text.toLowerCase());
      q = q
        .innerJoin('enforcementSubjects', 'enforcementSubjects.id', 'cases.subjectId')
        .where((eb) =>
          eb.or([
            sql<boolean>`lower(${eb.ref('cases.caseNumber')}) like ${pattern} escape '\\'`,
            sql<boolean>`lower(${eb.ref('cases.title')}) like ${pattern} escape '\\'`,
            sql<boolean>`lower(${eb.ref('enforcementSubjects.name')}) like ${pattern} escape '\\'`,
          ]),
        );
    }
    const limit = Math.min(Math.max(filter.limit ?? 500, 1), 2000);
    const rows = await q
      .orderBy('cases.filedOn', 'desc')
      .orderBy('cases.createdAt', 'desc')
      .limit(limit)
      .execute();
    return this.present(db, rows);
  }

  async get(actor: Actor, id: string): Promise<Case> {
    assertPermission(actor, 'cases.read');
    const db = this.ctx.catalogue.db;
    return (await this.present(db, [await this.row(db, id)]))[0]!;
  }

  private async row(db: Executor, id: string): Promise<CaseRow> {
    const row = await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw errors.notFound('case', '案件', id);
    return row;
  }

  /** Officer ids: unique, existing, active; the lead among them. */
  private async checkOfficers(db: Executor, officerIds: string[], leadOfficerId: string): Promise<string[]> {
    const ids = [...new Set(officerIds)];
    if (ids.length === 0 || ids.length > MAX_OFFICERS)
      throw caseError(
        'CASE_OFFICERS_INVALID',
        `办案人员须为 1–${MAX_OFFICERS} 人`,
        `A case needs 1–${MAX_OFFICERS} handling officers`,
      );
    if (!ids.includes(leadOfficerId))
      throw caseError(
        'CASE_LEAD_INVALID',
        '主办人须是办案人员之一',
        'The lead officer must be one of the handling officers',
        { leadOfficerId },
      );
    const found = await db.selectFrom('users').select(['id', 'active']).where('id', 'in', ids).execute();
    const missing = ids.filter((id) => !found.some((u) => u.id === id));
    if (missing.length) throw errors.notFound('user', '人员', missing[0]);
    const inactive = found.filter((u) => Number(u.active) !== 1).map((u) => u.id);
    if (inactive.length)
      throw caseError(
        'CASE_OFFICER_INACTIVE',
        '已停用的人员不能作为办案人员',
        'A deactivated user cannot handle a case',
        { userIds: inactive },
      );
    return ids;
  }

  private checkDates(dates: Pick<CaseRow, CaseDateField>): void {
    const r = checkCaseDates(dates, this.today());
    if (r.ok) return;
    const why = {
      invalid: ['不是有效日期（YYYY-MM-DD）', 'is not a valid date (YYYY-MM-DD)'],
      future: ['不能晚于今天', 'cannot be in the future'],
      order: [
        '须按 立案 ≤ 决定 ≤ 结案 ≤ 归档 的先后顺序',
        'must follow the order filed ≤ decided ≤ closed ≤ archived',
      ],
    }[r.reason];
    throw caseError('CASE_DATES_INVALID', `案件日期 ${r.field} ${why[0]}`, `Case date ${r.field} ${why[1]}`, {
      field: r.field,
      reason: r.reason,
    });
  }

  private async unitFor(
    db: Executor,
    actor: Actor,
    unitId: string | null | undefined,
  ): Promise<string | null> {
    if (unitId) {
      if (!(await db.selectFrom('units').select('id').where('id', '=', unitId).executeTakeFirst()))
        throw errors.notFound('unit', '单位', unitId);
      return unitId;
    }
    if (unitId === null || !actor.userId) return null;
    return (
      (await db.selectFrom('users').select('unitId').where('id', '=', actor.userId).executeTakeFirst())
        ?.unitId ?? null
    );
  }

  /** The next number under the configured pattern for the case's unit and the year it was filed. */
  private async generateNumber(
    tx: Tx,
    pattern: string,
    unitId: string | null,
    filedOn: string,
  ): Promise<string> {
    let unitCode: string | null = null;
    if (patternNeedsUnitCode(pattern)) {
      unitCode = unitId
        ? ((await tx.selectFrom('units').select('code').where('id', '=', unitId).executeTakeFirst())?.code ??
          null)
        : null;
      if (!unitCode)
        throw caseError(
          'CASE_NUMBER_UNIT_CODE_MISSING',
          '案件编号格式需要单位代码：请先为办案单位设置代码，或手工填写案件编号',
          'The case number pattern needs the unit code: set a code on the handling unit, or enter the case number yourself',
          { pattern, unitId },
        );
    }
    const parts = { unitCode, year: Number(filedOn.slice(0, 4)) };
    const { prefix } = caseNumberMatcher(pattern, parts);
    const existing = await tx
      .selectFrom('cases')
      .select('caseNumber')
      .where((eb) => sql<boolean>`${eb.ref('caseNumber')} like ${likeContains(prefix).slice(1)} escape '\\'`)
      .execute();
    return formatCaseNumber(
      pattern,
      parts,
      nextCaseSeq(
        pattern,
        parts,
        existing.map((r) => r.caseNumber),
      ),
    );
  }

  async create(actor: Actor, input: CreateCaseInput): Promise<Case> {
    assertPermission(actor, 'cases.manage');
    // cases.created_by names a person: the console operator cannot open a case.
    if (!actor.userId) throw errors.forbidden('cases.manage');
    const createdBy = actor.userId;
    const title = requiredText(input.title, 'title', '案件名称', 200);
    const summary = optionalText(input.summary, 'summary', '案情摘要', 4000, true);
    const given = input.caseNumber ? requiredText(input.caseNumber, 'caseNumber', '案件编号', 100) : null;
    this.checkDates({ filedOn: input.filedOn, decidedOn: null, closedOn: null, archivedOn: null });
    const retentionYears = input.retentionYears === undefined ? null : input.retentionYears;
    if (!isRetentionYears(retentionYears))
      throw caseError(
        'CASE_RETENTION_INVALID',
        '保存期限须为 1–100 年，或永久',
        'The retention class must be 1–100 years, or permanent',
        { retentionYears },
      );

    // Read before the transaction: on SQLite the transaction holds the only connection.
    const { caseNumberPattern: pattern } = await this.settings.registry();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ctx.catalogue.db.transaction().execute(async (tx) => {
          const subject = await tx
            .selectFrom('enforcementSubjects')
            .select(['id', 'name'])
            .where('id', '=', input.subjectId)
            .executeTakeFirst();
          if (!subject) throw errors.notFound('subject', '执法对象', input.subjectId);
          const officerIds = await this.checkOfficers(tx, input.officerIds, input.leadOfficerId);
          const unitId = await this.unitFor(tx, actor, input.unitId);
          // Every audited act already serialises on the audit-chain lock; taking it before
          // drawing the number makes draw and insert one step, so concurrent cases do not collide.
          if (!given) await this.ctx.catalogue.dialect.lockAuditChain(tx);
          const caseNumber = given ?? (await this.generateNumber(tx, pattern, unitId, input.filedOn));
          if (
            await tx.selectFrom('cases').select('id').where('caseNumber', '=', caseNumber).executeTakeFirst()
          ) {
            if (given) throw caseNumberTaken(caseNumber);
            throw new GeneratedNumberClash();
          }
          const now = this.ctx.clock.now();
          const row: CaseRow = {
            id: uuidv7(),
            caseNumber,
            title,
            subjectId: subject.id,
            unitId,
            status: 'filed',
            filedOn: input.filedOn,
            decidedOn: null,
            closedOn: null,
            archivedOn: null,
            retentionYears,
            summary,
            createdBy,
            createdAt: now,
            updatedAt: now,
          };
          await tx.insertInto('cases').values(row).execute();
          await tx
            .insertInto('caseOfficers')
            .values(
              officerIds.map((userId) => ({
                caseId: row.id,
                userId,
                lead: userId === input.leadOfficerId ? 1 : 0,
              })),
            )
            .execute();
          await this.audit.record(tx, actor, {
            action: 'case.create',
            targetType: 'case',
            targetId: row.id,
            details: {
              caseNumber,
              numberGenerated: given === null,
              title,
              subjectId: subject.id,
              subjectName: subject.name,
              unitId,
              filedOn: row.filedOn,
              retentionYears,
              officerIds,
              leadOfficerId: input.leadOfficerId,
            },
          });
          return (await this.present(tx, [row]))[0]!;
        });
      } catch (e) {
        const clash = e instanceof GeneratedNumberClash || this.ctx.catalogue.dialect.isUniqueViolation(e);
        if (!clash) throw e;
        // A generated number taken by a concurrent transaction: draw again.
        if (given || attempt >= GENERATE_ATTEMPTS) throw caseNumberTaken(given ?? '');
      }
    }
  }

  async update(actor: Actor, id: string, patch: UpdateCaseInput): Promise<Case> {
    assertPermission(actor, 'cases.manage');
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const current = await this.row(tx, id);
      const [before] = await this.present(tx, [current]);
      const status = current.status as CaseStatus;
      if (status === 'archived')
        throw errors.conflict(
          'CASE_ARCHIVED',
          `案件 ${current.caseNumber} 已归档，不能再修改`,
          `Case ${current.caseNumber} is archived and can no longer be changed`,
        );
      const next: Partial<CaseRow> = {};
      if (patch.title !== undefined) next.title = requiredText(patch.title, 'title', '案件名称', 200);
      if (patch.summary !== undefined)
        next.summary = optionalText(patch.summary, 'summary', '案情摘要', 4000, true);
      if (patch.retentionYears !== undefined) {
        if (!isRetentionYears(patch.retentionYears))
          throw caseError(
            'CASE_RETENTION_INVALID',
            '保存期限须为 1–100 年，或永久',
            'The retention class must be 1–100 years, or permanent',
            {
              retentionYears: patch.retentionYears,
            },
          );
        next.retentionYears = patch.retentionYears;
      }

      let newStatus: CaseStatus = status;
      if (patch.status !== undefined && patch.status !== status) {
        if (!isCaseStatus(patch.status))
          throw caseError(
            'CASE_STATUS_INVALID',
            `未知的案件状态：${String(patch.status)}`,
            `Unknown case status: ${String(patch.status)}`,
          );
        const t = checkCaseTransition(status, patch.status);
        if (!t.ok) {
          const nextZh = t.next ? `，下一步只能是“${CASE_STATUS_NAMES[t.next].zh}”` : '';
          const nextEn = t.next ? `; the next step can only be "${t.next}"` : '';
          throw caseError(
            'CASE_STATUS_INVALID',
            `案件状态不能从“${CASE_STATUS_NAMES[status].zh}”改为“${CASE_STATUS_NAMES[patch.status].zh}”：只能依次向前${nextZh}`,
            `A case cannot go from ${status} to ${patch.status}: it moves forward one step at a time${nextEn}`,
            { from: status, to: patch.status, allowed: t.next ? [t.next] : [] },
          );
        }
        newStatus = patch.status;
        next.status = newStatus;
      }

      // A status date may be given with the move that sets it, or corrected once reached;
      // the moving step defaults to today.
      const reached = CASE_STATUSES.indexOf(newStatus);
      for (const s of CASE_STATUSES) {
        const field = CASE_STATUS_DATE[s];
        if (!field) continue;
        const value = patch[field];
        const isReached = CASE_STATUSES.indexOf(s) <= reached;
        if (value !== undefined) {
          if (!isReached)
            throw caseError(
              'CASE_DATES_INVALID',
              `案件尚未到“${CASE_STATUS_NAMES[s].zh}”阶段，不能填写 ${field}`,
              `The case has not reached "${s}", so ${field} cannot be set`,
              {
                field,
                reason: 'not_reached',
              },
            );
          next[field] = value;
        } else if (s === newStatus && newStatus !== status) next[field] = this.today();
      }
      const dates = {
        filedOn: next.filedOn ?? current.filedOn,
        decidedOn: next.decidedOn !== undefined ? next.decidedOn : current.decidedOn,
        closedOn: next.closedOn !== undefined ? next.closedOn : current.closedOn,
        archivedOn: next.archivedOn !== undefined ? next.archivedOn : current.archivedOn,
      };
      this.checkDates(dates);

      let officerIds: string[] | null = null;
      let leadOfficerId: string | null = null;
      if (patch.officerIds !== undefined || patch.leadOfficerId !== undefined) {
        const currentIds = before!.officers.map((o) => o.userId);
        officerIds = patch.officerIds ?? currentIds;
        leadOfficerId = patch.leadOfficerId ?? before!.officers.find((o) => o.lead)?.userId ?? '';
        officerIds = await this.checkOfficers(tx, officerIds, leadOfficerId);
      }

      if (Object.keys(next).length === 0 && officerIds === null) return before!;
      next.updatedAt = this.ctx.clock.now();
      await tx.updateTable('cases').set(next).where('id', '=', id).execute();
      if (officerIds !== null) {
        await tx.deleteFrom('caseOfficers').where('caseId', '=', id).execute();
        await tx
          .insertInto('caseOfficers')
          .values(
            officerIds.map((userId) => ({ caseId: id, userId, lead: userId === leadOfficerId ? 1 : 0 })),
          )
          .execute();
      }
      const [after] = await this.present(tx, [{ ...current, ...next }]);
      const changed: Record<string, { from: unknown; to: unknown }> = {};
      for (const k of [
        'title',
        'summary',
        'retentionYears',
        'status',
        'filedOn',
        'decidedOn',
        'closedOn',
        'archivedOn',
      ] as const)
        if (before![k] !== after![k]) changed[k] = { from: before![k], to: after![k] };
      const officersOf = (c: Case) =>
        c.officers
          .map((o) => `${o.userId}${o.lead ? '*' : ''}`)
          .sort()
          .join(',');
      if (officersOf(before!) !== officersOf(after!))
        changed.officers = {
          from: before!.officers.map((o) => ({ userId: o.userId, lead: o.lead })),
          to: after!.officers.map((o) => ({ userId: o.userId, lead: o.lead })),
        };
      await this.audit.record(tx, actor, {
        action: newStatus !== status ? 'case.status_change' : 'case.update',
        targetType: 'case',
        targetId: id,
        details: { caseNumber: current.caseNumber, changed },
      });
      return after!;
    });
  }
}
