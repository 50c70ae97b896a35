// Compliance dashboards and the monthly / yearly compliance report (issue 5, items 6 and 8).
// Everything is aggregated in SQL over what the compliance job stored — activity_compliance
// (verdict, coverage, open findings) and findings — never recomputed here, so a month of a
// large brigade answers in well under a second.
//
// Period: calendar days in the installation's time zone, both ends included; an activity
// belongs to it by its arrival (or, before it has one, its planned time). Cancelled
// activities are left out. Who sees what (roles.ts COMPLIANCE_VISIBILITY): supervisors and
// the legal office everything; leaders and department heads their unit and its sub-units,
// plus activities they were on; everyone else only the activities they were on.
//
// Definitions the numbers use:
// - requiring recording: completed, of a type A6.1 requires recorded, and no approved
//   exemption (A7.2);
// - recorded: requiring recording and at least one video or audio recording linked (photos
//   cover no time, as in the engine);
// - coverage: Σ covered ÷ Σ window over the activities requiring recording;
// - open findings: not withdrawn, open or explained — the engine's findings on the activity
//   and the import-time findings on its recordings it carries into the verdict.
import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../db/database.js';
import {
  ACTIVITY_TYPE_NAMES,
  ACTIVITY_TYPES,
  dayBounds,
  recordingRequired,
  type ActivityType,
} from '../domain/activity.js';
import { isCalendarDate } from '../domain/case.js';
import {
  CARRIED_CODES,
  FINDING_CODE_LIST,
  FINDING_CODES,
  FINDING_STATUSES,
  isFindingCode,
  VERDICTS,
  type FindingCode,
  type FindingStatus,
  type Severity,
  type Verdict,
  type VerdictReason,
} from '../domain/compliance-findings.js';
import { errors } from '../domain/errors.js';
import { EXEMPTION_STATUSES, type ExemptionStatus } from '../domain/exemption.js';
import { wallTimeToEpoch } from '../domain/file-names.js';
import { COMPLIANCE_VISIBILITY, type Role } from '../domain/roles.js';
import { VIOLATION_STATUSES, type ViolationStatus } from '../domain/violation.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';

// ─── Shapes ──────────────────────────────────────────────────────────────────────

export type PeriodKind = 'month' | 'year' | 'custom';

export interface ReportPeriod {
  /** First and last calendar day, both included (YYYY-MM-DD in `timeZone`). */
  from: string;
  to: string;
  kind: PeriodKind;
  timeZone: string;
  /** [start, end) as epoch ms. */
  start: number;
  end: number;
}

/** A verdict, or no verdict computed yet (the job has not run). */
export type VerdictKey = Verdict | 'not_computed';
export const VERDICT_KEYS: readonly VerdictKey[] = [...VERDICTS, 'not_computed'];

export interface ComplianceMetrics {
  activities: number;
  requiringRecording: number;
  recorded: number;
  /** recorded ÷ requiringRecording; null when nothing required recording. */
  shareRecorded: number | null;
  coveredMs: number;
  windowMs: number;
  /** coveredMs ÷ windowMs; null for no window. */
  coverage: number | null;
  verdicts: Record<VerdictKey, number>;
  openFindings: number;
}

export interface FindingCodeCount {
  code: string;
  zh: string;
  en: string;
  articles: readonly string[];
  severity: Severity | null;
  open: number;
  explained: number;
  accepted: number;
  violation: number;
  /** Open + explained: what still awaits an explanation or a decision. */
  pending: number;
}

export type Visibility = 'all' | 'units' | 'own';

export interface ComplianceDashboard {
  period: ReportPeriod;
  scope: {
    visibility: Visibility;
    unit: { id: string; name: string } | null;
    officer: { id: string; name: string } | null;
  };
  totals: ComplianceMetrics;
  byType: (ComplianceMetrics & { type: ActivityType; nameZh: string; nameEn: string })[];
  findings: {
    byCode: FindingCodeCount[];
    byStatus: Record<FindingStatus, number>;
    /** LATE_IMPORT (A13.1): files imported after the deadline. */
    lateImports: { total: number; pending: number };
    /** NOT_DOCKED (A13.1): devices not imported by the deadline. */
    notDocked: { total: number; pending: number; devices: number };
  };
  exemptions: Record<ExemptionStatus, number> & { total: number };
  /**
   * The violation register (A21.1) for the period, by the time the violation occurred and
   * the officer's unit at the time; `total` leaves out withdrawn records.
   */
  violations: Record<ViolationStatus, number> & { total: number };
  byUnit: (ComplianceMetrics & { unitId: string | null; unitName: string | null })[];
  byOfficer: (ComplianceMetrics & {
    userId: string;
    name: string;
    code: string;
    unitId: string | null;
    unitName: string | null;
  })[];
}

export interface ComplianceQuery {
  from: string;
  to: string;
  unitId?: string | null;
  officerId?: string | null;
}

export type RecordingFilter = 'required' | 'recorded' | 'missing';

export interface ActivityDrillQuery extends ComplianceQuery {
  verdict?: VerdictKey;
  /** Activities with a pending (open or explained) finding of this code. */
  code?: string;
  type?: string;
  recording?: RecordingFilter;
  /** With unitId: that unit only, not its sub-units (the per-unit rows are per unit). */
  unitOnly?: boolean;
  limit?: number;
  offset?: number;
}

export interface DrillActivity {
  id: string;
  type: ActivityType;
  typeNameZh: string;
  title: string | null;
  subjectId: string;
  subjectName: string;
  unitId: string | null;
  unitName: string | null;
  /** Arrival, or the planned time before there is one: what places it in the period. */
  at: number;
  arrivedAt: number | null;
  endedAt: number | null;
  status: string;
  officers: { userId: string; name: string }[];
  verdict: VerdictKey;
  coveredMs: number | null;
  windowMs: number | null;
  openFindings: number;
  /** Codes of pending findings (open or explained), in the code table's order. */
  openCodes: string[];
}

export interface ReportActivity extends DrillActivity {
  /** The verdict's reasons as stored with it (code, articles, status, count, names). */
  reasons: VerdictReason[];
}

export interface ComplianceReport extends Omit<ComplianceDashboard, 'scope'> {
  title: string;
  unit: { id: string; name: string } | null;
  visibility: Visibility;
  generatedAt: number;
  generatedBy: string;
  /** Non-compliant first, then awaiting explanation; each with its reasons. */
  activities: ReportActivity[];
}

// ─── Period ──────────────────────────────────────────────────────────────────────

/** Checks and resolves a period of calendar days in `timeZone` (REPORT_PERIOD_INVALID / _REVERSED). */
export function parsePeriod(from: string, to: string, timeZone: string): ReportPeriod {
  if (!isCalendarDate(from)) throw errors.reportPeriodInvalid('from', from);
  if (!isCalendarDate(to)) throw errors.reportPeriodInvalid('to', to);
  if (from > to) throw errors.reportPeriodReversed(from, to);
  // Noon is on the right day whatever a zone does around midnight.
  const dayOf = (date: string) => dayBounds(wallTimeToEpoch(`${date}T12:00:00`, timeZone)!, timeZone);
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  const lastOfMonth = new Date(Date.UTC(fy, fm, 0)).getUTCDate();
  const kind: PeriodKind =
    fd === 1 && fy === ty && fm === 1 && tm === 12 && td === 31
      ? 'year'
      : fd === 1 && fy === ty && fm === tm && td === lastOfMonth
        ? 'month'
        : 'custom';
  return { from, to, kind, timeZone, start: dayOf(from).start, end: dayOf(to).end };
}

/** "2026年7月", "2026年度", "2026-07-01 至 2026-07-15". */
export function periodName(p: ReportPeriod): string {
  const [y, m] = p.from.split('-').map(Number) as [number, number];
  if (p.kind === 'year') return `${y}年度`;
  if (p.kind === 'month') return `${y}年${m}月`;
  return `${p.from} 至 ${p.to}`;
}

// ─── Helpers ─────────────────────────────────────────────────────────────────────

const MANDATORY_TYPES = ACTIVITY_TYPES.filter(recordingRequired);
const PENDING_STATUSES = ['open', 'explained'];
const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function subtree(units: readonly { id: string; parentId: string | null }[], root: string): string[] {
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

/** Each unit's place when the tree is read depth first, siblings in the order given. */
function treeOrder(units: readonly { id: string; parentId: string | null }[]): Map<string, number> {
  const ids = new Set(units.map((u) => u.id));
  const children = new Map<string | null, string[]>();
  for (const u of units) {
    const parent = u.parentId !== null && ids.has(u.parentId) ? u.parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), u.id]);
  }
  const order = new Map<string, number>();
  const visit = (id: string) => {
    if (order.has(id)) return;
    order.set(id, order.size);
    for (const c of children.get(id) ?? []) visit(c);
  };
  for (const root of children.get(null) ?? []) visit(root);
  return order;
}

interface MetricRow {
  activities: unknown;
  requiring: unknown;
  recorded: unknown;
  coveredMs: unknown;
  windowMs: unknown;
  compliant: unknown;
  awaiting: unknown;
  nonCompliant: unknown;
  notComputed: unknown;
  openFindings: unknown;
}

function metricsOf(rows: readonly MetricRow[]): ComplianceMetrics {
  const sum = (k: keyof MetricRow) => rows.reduce((s, r) => s + n(r[k]), 0);
  const requiringRecording = sum('requiring');
  const recorded = sum('recorded');
  const coveredMs = sum('coveredMs');
  const windowMs = sum('windowMs');
  return {
    activities: sum('activities'),
    requiringRecording,
    recorded,
    shareRecorded: ratio(recorded, requiringRecording),
    coveredMs,
    windowMs,
    coverage: ratio(coveredMs, windowMs),
    verdicts: {
      compliant: sum('compliant'),
      awaiting_explanation: sum('awaiting'),
      non_compliant: sum('nonCompliant'),
      not_computed: sum('notComputed'),
    },
    openFindings: sum('openFindings'),
  };
}

/** Non-compliant first (an ORDER BY prefix). */
const VERDICT_FIRST = sql`case c.verdict when 'non_compliant' then 0 when 'awaiting_explanation' then 1 when 'compliant' then 2 else 3 end, `;

/** The filter every query shares, resolved and checked once. */
interface Filter {
  period: ReportPeriod;
  visibility: Visibility;
  /** Visible units (visibility 'units'). */
  visibleUnits: string[];
  userId: string | null;
  unit: { id: string; name: string; ids: string[] } | null;
  officer: { id: string; name: string } | null;
}

// ─── The service ─────────────────────────────────────────────────────────────────

export class ComplianceReportService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  /** The dashboard's numbers for a period, unit and officer, within what the actor may see. */
  async dashboard(actor: Actor, query: ComplianceQuery): Promise<ComplianceDashboard> {
    const f = await this.resolve(actor, query);
    return this.compute(f);
  }

  /** The activities behind a number (drill-down), newest first, a page at a time. */
  async activities(
    actor: Actor,
    query: ActivityDrillQuery,
  ): Promise<{ items: DrillActivity[]; total: number; limit: number; offset: number }> {
    const f = await this.resolve(actor, query);
    if (query.code !== undefined && !isFindingCode(query.code))
      throw errors.validation(`未知的问题代码 ${query.code} / unknown finding code ${query.code}`, {
        code: query.code,
      });
    if (query.type !== undefined && !(ACTIVITY_TYPES as readonly string[]).includes(query.type))
      throw errors.validation(`未知的活动类型 ${query.type} / unknown activity type ${query.type}`, {
        type: query.type,
      });
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 500);
    const offset = Math.max(query.offset ?? 0, 0);
    const where = this.drillWhere(f, query);
    const db = this.ctx.catalogue.db;
    const total = n(
      (
        await sql<{ total: unknown }>`
          select count(*) as total from activities a
          left join activity_compliance c on c.activity_id = a.id
          where ${where}`.execute(db)
      ).rows[0]?.total,
    );
    const rows = await this.drillRows(db, where, sql`limit ${limit} offset ${offset}`);
    return { items: rows.map(({ reasons: _r, ...rest }) => rest), total, limit, offset };
  }

  /** The monthly / yearly compliance report: the dashboard's tables and the activities to follow up. */
  async build(actor: Actor, query: Omit<ComplianceQuery, 'officerId'>): Promise<ComplianceReport> {
    const f = await this.resolve(actor, { ...query, officerId: null });
    const { scope, ...numbers } = await this.compute(f);
    const where = sql.join(
      [this.where(f), sql`c.verdict in ('non_compliant', 'awaiting_explanation')`],
      sql` and `,
    );
    const db = this.ctx.catalogue.db;
    const activities = await this.drillRows(db, where, sql``, VERDICT_FIRST);
    // the person's name, not their login, on a document that is printed and signed off
    const person = actor.userId
      ? await db.selectFrom('users').select('name').where('id', '=', actor.userId).executeTakeFirst()
      : undefined;
    return {
      title: `${periodName(f.period)}执法音像记录合规报表`,
      ...numbers,
      unit: scope.unit,
      visibility: scope.visibility,
      generatedAt: this.ctx.clock.now(),
      generatedBy: person?.name ?? actor.name,
      activities,
    };
  }

  /** Audits that a report left the system, with its parameters (it names people and subjects). */
  async recordExport(actor: Actor, report: ComplianceReport, format: 'json' | 'pdf' | 'xlsx'): Promise<void> {
    await this.audit.recordAlone(actor, {
      action: 'report.compliance',
      targetType: 'report',
      targetId: `compliance:${report.period.from}:${report.period.to}${report.unit ? `:${report.unit.id}` : ''}`,
      details: {
        from: report.period.from,
        to: report.period.to,
        unitId: report.unit?.id ?? null,
        visibility: report.visibility,
        format,
        activities: report.totals.activities,
      },
    });
  }

  // ─── Scope ─────────────────────────────────────────────────────────────────────

  private async resolve(actor: Actor, q: ComplianceQuery): Promise<Filter> {
    assertPermission(actor, 'activities.read');
    const period = parsePeriod(q.from, q.to, this.ctx.timezone);
    const db = this.ctx.catalogue.db;
    const units = await db.selectFrom('units').select(['id', 'name', 'parentId']).execute();
    const userId = actor.userId;
    const own =
      userId === null
        ? undefined
        : await db.selectFrom('users').select('unitId').where('id', '=', userId).executeTakeFirst();
    const hasRole = (list: readonly Role[]) => actor.roles.some((r) => list.includes(r));
    const wide = actor.permissions.has(COMPLIANCE_VISIBILITY.permission);
    // The console operator answers for the whole installation.
    const visibility: Visibility =
      actor.via === 'cli' || (wide && hasRole(COMPLIANCE_VISIBILITY.all))
        ? 'all'
        : wide && hasRole(COMPLIANCE_VISIBILITY.units)
          ? 'units'
          : 'own';
    const ownUnits = own?.unitId ? subtree(units, own.unitId) : [];

    let unit: Filter['unit'] = null;
    if (q.unitId) {
      const u = units.find((x) => x.id === q.unitId);
      if (!u) throw errors.notFound('unit', '单位', q.unitId);
      // Officers may narrow their own numbers to a part of their unit; nothing beyond.
      if (visibility !== 'all' && !ownUnits.includes(u.id)) throw errors.reportUnitForbidden(u.id);
      unit = { id: u.id, name: u.name, ids: subtree(units, u.id) };
    }
    let officer: Filter['officer'] = null;
    if (q.officerId) {
      if (visibility === 'own' && q.officerId !== userId) throw errors.reportOfficerForbidden(q.officerId);
      const o = await db
        .selectFrom('users')
        .select(['id', 'name'])
        .where('id', '=', q.officerId)
        .executeTakeFirst();
      if (!o) throw errors.notFound('user', '用户', q.officerId);
      officer = o;
    }
    return { period, visibility, visibleUnits: ownUnits, userId, unit, officer };
  }

  /** SQL over `activities a`: in the period, not cancelled, visible, in the unit, with the officer. */
  private where(f: Filter): RawBuilder<unknown> {
    const at = sql`coalesce(a.arrived_at, a.planned_at)`;
    const onTeam = (uid: string) =>
      sql`a.id in (select ot.activity_id from activity_officers ot where ot.user_id = ${uid})`;
    const parts: RawBuilder<unknown>[] = [
      sql`${at} >= ${f.period.start}`,
      sql`${at} < ${f.period.end}`,
      sql`a.status <> 'cancelled'`,
    ];
    if (f.visibility !== 'all') {
      const mine = f.userId === null ? sql`1 = 0` : onTeam(f.userId);
      parts.push(
        f.visibility === 'units' && f.visibleUnits.length > 0
          ? sql`(a.unit_id in (${sql.join(f.visibleUnits)}) or ${mine})`
          : mine,
      );
    }
    if (f.unit) parts.push(sql`a.unit_id in (${sql.join(f.unit.ids)})`);
    if (f.officer) parts.push(onTeam(f.officer.id));
    return sql.join(parts, sql` and `);
  }

  /** One row per activity in the filter, with the flags and numbers the metrics add up. */
  private perActivity(f: Filter): RawBuilder<unknown> {
    const requiring = sql`a.status = 'completed' and a.type in (${sql.join(MANDATORY_TYPES)})
      and not exists (select 1 from exemptions ex where ex.activity_id = a.id and ex.status = 'approved')`;
    const recorded = sql`exists (select 1 from recordings rr where rr.activity_id = a.id and rr.kind in ('video', 'audio'))`;
    return sql`(
      select a.id, a.unit_id, a.type,
        case when ${requiring} then 1 else 0 end as req,
        case when ${recorded} then 1 else 0 end as rec,
        coalesce(c.covered_ms, 0) as covered, coalesce(c.window_ms, 0) as win,
        c.verdict, case when c.activity_id is null then 1 else 0 end as nc,
        coalesce(c.open_findings, 0) as pending
      from activities a left join activity_compliance c on c.activity_id = a.id
      where ${this.where(f)}
    ) t`;
  }

  private static readonly METRICS = sql`
    count(*) as activities,
    sum(t.req) as requiring,
    sum(t.req * t.rec) as recorded,
    sum(t.req * t.covered) as covered_ms,
    sum(t.req * t.win) as window_ms,
    sum(case when t.verdict = 'compliant' then 1 else 0 end) as compliant,
    sum(case when t.verdict = 'awaiting_explanation' then 1 else 0 end) as awaiting,
    sum(case when t.verdict = 'non_compliant' then 1 else 0 end) as non_compliant,
    sum(t.nc) as not_computed,
    sum(t.pending) as open_findings`;

  // ─── Aggregates ────────────────────────────────────────────────────────────────

  private async compute(f: Filter): Promise<ComplianceDashboard> {
    const db = this.ctx.catalogue.db;
    const M = ComplianceReportService.METRICS;
    const where = this.where(f);
    const [groups, officers, findings, notDockedDevices, exemptions, violations, unitRows] =
      await Promise.all([
        sql<MetricRow & { unitId: string | null; type: string }>`
        select t.unit_id, t.type, ${M} from ${this.perActivity(f)} group by t.unit_id, t.type`.execute(db),
        sql<MetricRow & { userId: string; name: string; code: string; unitId: string | null }>`
        select ao.user_id, u.name, u.code, u.unit_id, ${M}
        from ${this.perActivity(f)}
        join activity_officers ao on ao.activity_id = t.id
        join users u on u.id = ao.user_id
        ${f.visibility === 'own' ? sql`where ao.user_id = ${f.userId ?? ''}` : sql``}
        group by ao.user_id, u.name, u.code, u.unit_id`.execute(db),
        sql<{ code: string; status: string; count: unknown }>`
        select f.code, f.status, count(*) as count
        from activities a join findings f on f.activity_id = a.id
        where ${where} and f.withdrawn_at is null
        group by f.code, f.status
        union all
        select f.code, f.status, count(*) as count
        from activities a
        join recordings r on r.activity_id = a.id
        join findings f on f.subject_type = 'recording' and f.subject_id = r.id
        where ${where} and f.activity_id is null and f.withdrawn_at is null
          and f.code in (${sql.join([...CARRIED_CODES])})
        group by f.code, f.status`.execute(db),
        sql<{ devices: unknown }>`
        select count(distinct f.subject_id) as devices
        from activities a join findings f on f.activity_id = a.id
        where ${where} and f.withdrawn_at is null and f.code = 'NOT_DOCKED'`.execute(db),
        sql<{ status: string; count: unknown }>`
        select ex.status, count(*) as count
        from activities a join exemptions ex on ex.activity_id = a.id
        where ${where}
        group by ex.status`.execute(db),
        this.violations(f),
        db
          .selectFrom('units')
          .select(['id', 'name', 'parentId'])
          .orderBy('createdAt')
          .orderBy('id')
          .execute(),
      ]);
    const unitName = new Map(unitRows.map((u) => [u.id, u.name]));
    const position = treeOrder(unitRows);
    const rows = groups.rows;

    const byType = ACTIVITY_TYPES.map((type) => ({
      type,
      nameZh: ACTIVITY_TYPE_NAMES[type].zh,
      nameEn: ACTIVITY_TYPE_NAMES[type].en,
      ...metricsOf(rows.filter((r) => r.type === type)),
    }));
    const unitIds = [...new Set(rows.map((r) => r.unitId))];
    const byUnit = unitIds
      .map((unitId) => ({
        unitId,
        unitName: unitId === null ? null : (unitName.get(unitId) ?? null),
        ...metricsOf(rows.filter((r) => r.unitId === unitId)),
      }))
      // as the unit tree reads: each unit, then its sub-units; activities without a unit last
      .sort(
        (a, b) =>
          (a.unitId === null ? Infinity : (position.get(a.unitId) ?? Infinity)) -
            (b.unitId === null ? Infinity : (position.get(b.unitId) ?? Infinity)) ||
          Number(a.unitId === null) - Number(b.unitId === null),
      );
    const byOfficer = officers.rows
      .map((r) => ({
        userId: r.userId,
        name: r.name,
        code: r.code,
        unitId: r.unitId,
        unitName: r.unitId === null ? null : (unitName.get(r.unitId) ?? null),
        ...metricsOf([r]),
      }))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.code.localeCompare(b.code));

    const counts = new Map<string, FindingCodeCount>();
    const byStatus = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0])) as Record<FindingStatus, number>;
    for (const r of findings.rows) {
      const info = isFindingCode(r.code) ? FINDING_CODES[r.code] : undefined;
      const c = counts.get(r.code) ?? {
        code: r.code,
        zh: info?.zh ?? r.code,
        en: info?.en ?? r.code,
        articles: info?.articles ?? [],
        severity: info?.severity ?? null,
        open: 0,
        explained: 0,
        accepted: 0,
        violation: 0,
        pending: 0,
      };
      const k = n(r.count);
      if ((FINDING_STATUSES as readonly string[]).includes(r.status)) {
        c[r.status as FindingStatus] += k;
        byStatus[r.status as FindingStatus] += k;
      }
      if (PENDING_STATUSES.includes(r.status)) c.pending += k;
      counts.set(r.code, c);
    }
    const order = (code: string) => {
      const i = FINDING_CODE_LIST.indexOf(code as FindingCode);
      return i < 0 ? FINDING_CODE_LIST.length : i;
    };
    const byCode = [...counts.values()].sort(
      (a, b) => order(a.code) - order(b.code) || a.code.localeCompare(b.code),
    );
    const total = (c: FindingCodeCount | undefined) =>
      c ? c.open + c.explained + c.accepted + c.violation : 0;

    const ex = Object.fromEntries(EXEMPTION_STATUSES.map((s) => [s, 0])) as Record<ExemptionStatus, number>;
    for (const r of exemptions.rows)
      if ((EXEMPTION_STATUSES as readonly string[]).includes(r.status))
        ex[r.status as ExemptionStatus] += n(r.count);

    return {
      period: f.period,
      scope: {
        visibility: f.visibility,
        unit: f.unit ? { id: f.unit.id, name: f.unit.name } : null,
        officer: f.officer,
      },
      totals: metricsOf(rows),
      byType,
      findings: {
        byCode,
        byStatus,
        lateImports: {
          total: total(counts.get('LATE_IMPORT')),
          pending: counts.get('LATE_IMPORT')?.pending ?? 0,
        },
        notDocked: {
          total: total(counts.get('NOT_DOCKED')),
          pending: counts.get('NOT_DOCKED')?.pending ?? 0,
          devices: n(notDockedDevices.rows[0]?.devices),
        },
      },
      exemptions: { ...ex, total: Object.values(ex).reduce((s, v) => s + v, 0) },
      violations,
      byUnit,
      byOfficer,
    };
  }

  /** Violation records of the period, by status, within the same scope (by officer and unit). */
  private async violations(f: Filter): Promise<Record<ViolationStatus, number> & { total: number }> {
    let q = this.ctx.catalogue.db
      .selectFrom('violations as v')
      .select(['v.status', (eb) => eb.fn.countAll().as('count')])
      .where('v.occurredAt', '>=', f.period.start)
      .where('v.occurredAt', '<', f.period.end);
    const mine = f.userId ?? '';
    if (f.visibility === 'own') q = q.where('v.officerId', '=', mine);
    if (f.visibility === 'units')
      q = q.where((eb) =>
        eb.or([
          eb('v.officerId', '=', mine),
          ...(f.visibleUnits.length ? [eb('v.unitId', 'in', f.visibleUnits)] : []),
        ]),
      );
    if (f.unit) q = q.where('v.unitId', 'in', f.unit.ids);
    if (f.officer) q = q.where('v.officerId', '=', f.officer.id);
    const out = Object.fromEntries(VIOLATION_STATUSES.map((x) => [x, 0])) as Record<ViolationStatus, number>;
    for (const r of await q.groupBy('v.status').execute())
      if ((VIOLATION_STATUSES as readonly string[]).includes(r.status))
        out[r.status as ViolationStatus] += n(r.count);
    const standing = VIOLATION_STATUSES.filter((x) => x !== 'withdrawn');
    return { ...out, total: standing.reduce((sum, x) => sum + out[x], 0) };
  }

  // ─── Drill-down ────────────────────────────────────────────────────────────────

  private drillWhere(f: Filter, q: ActivityDrillQuery): RawBuilder<unknown> {
    const parts = [this.where(f)];
    if (q.unitOnly && f.unit) parts.push(sql`a.unit_id = ${f.unit.id}`);
    if (q.verdict === 'not_computed') parts.push(sql`c.activity_id is null`);
    else if (q.verdict !== undefined) parts.push(sql`c.verdict = ${q.verdict}`);
    if (q.type !== undefined) parts.push(sql`a.type = ${q.type}`);
    if (q.recording !== undefined) {
      parts.push(sql`a.status = 'completed' and a.type in (${sql.join(MANDATORY_TYPES)})
        and not exists (select 1 from exemptions ex where ex.activity_id = a.id and ex.status = 'approved')`);
      const recorded = sql`exists (select 1 from recordings rr where rr.activity_id = a.id and rr.kind in ('video', 'audio'))`;
      if (q.recording === 'recorded') parts.push(recorded);
      if (q.recording === 'missing') parts.push(sql`not ${recorded}`);
    }
    if (q.code !== undefined) {
      const engine = sql`exists (select 1 from findings fc where fc.activity_id = a.id and fc.code = ${q.code}
        and fc.withdrawn_at is null and fc.status in ('open', 'explained'))`;
      const carried = (CARRIED_CODES as readonly string[]).includes(q.code)
        ? sql` or exists (select 1 from recordings rc join findings fc
            on fc.subject_type = 'recording' and fc.subject_id = rc.id
            where rc.activity_id = a.id and fc.activity_id is null and fc.code = ${q.code}
            and fc.withdrawn_at is null and fc.status in ('open', 'explained'))`
        : sql``;
      parts.push(sql`(${engine}${carried})`);
    }
    return sql.join(parts, sql` and `);
  }

  private async drillRows(
    db: Executor,
    where: RawBuilder<unknown>,
    page: RawBuilder<unknown>,
    first: RawBuilder<unknown> = sql``,
  ): Promise<ReportActivity[]> {
    const rows = (
      await sql<{
        id: string;
        type: string;
        title: string | null;
        subjectId: string;
        subjectName: string | null;
        unitId: string | null;
        unitName: string | null;
        plannedAt: unknown;
        arrivedAt: unknown;
        endedAt: unknown;
        status: string;
        verdict: string | null;
        coveredMs: unknown;
        windowMs: unknown;
        openFindings: unknown;
        reasons: string | null;
      }>`
        select a.id, a.type, a.title, a.subject_id, s.name as subject_name, a.unit_id, u.name as unit_name,
          a.planned_at, a.arrived_at, a.ended_at, a.status,
          c.verdict, c.covered_ms, c.window_ms, c.open_findings, c.reasons
        from activities a
        left join activity_compliance c on c.activity_id = a.id
        left join enforcement_subjects s on s.id = a.subject_id
        left join units u on u.id = a.unit_id
        where ${where}
        order by ${first}coalesce(a.arrived_at, a.planned_at) desc, a.id desc
        ${page}`.execute(db)
    ).rows;
    const team = new Map<string, { userId: string; name: string; inCharge: boolean }[]>();
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      const os = await db
        .selectFrom('activityOfficers as ao')
        .innerJoin('users as u', 'u.id', 'ao.userId')
        .select(['ao.activityId', 'ao.userId', 'ao.inCharge', 'u.name'])
        .where('ao.activityId', 'in', part)
        .execute();
      for (const o of os)
        team.set(o.activityId, [
          ...(team.get(o.activityId) ?? []),
          { userId: o.userId, name: o.name, inCharge: Number(o.inCharge) === 1 },
        ]);
    }
    return rows.map((r) => {
      const type = r.type as ActivityType;
      const reasons = r.reasons ? (JSON.parse(r.reasons) as VerdictReason[]) : [];
      const arrivedAt = r.arrivedAt === null ? null : n(r.arrivedAt);
      return {
        id: r.id,
        type,
        typeNameZh: ACTIVITY_TYPE_NAMES[type]?.zh ?? r.type,
        title: r.title,
        subjectId: r.subjectId,
        subjectName: r.subjectName ?? '',
        unitId: r.unitId,
        unitName: r.unitName,
        at: arrivedAt ?? n(r.plannedAt),
        arrivedAt,
        endedAt: r.endedAt === null ? null : n(r.endedAt),
        status: r.status,
        // the officer in charge first, then by name
        officers: (team.get(r.id) ?? [])
          .sort((a, b) => Number(b.inCharge) - Number(a.inCharge) || a.name.localeCompare(b.name, 'zh-CN'))
          .map(({ userId, name }) => ({ userId, name })),
        verdict: (r.verdict ?? 'not_computed') as VerdictKey,
        coveredMs: r.coveredMs === null ? null : n(r.coveredMs),
        windowMs: r.windowMs === null ? null : n(r.windowMs),
        openFindings: n(r.openFindings),
        openCodes: [
          ...new Set(reasons.filter((x) => PENDING_STATUSES.includes(x.status)).map((x) => x.code)),
        ],
        reasons,
      };
    });
  }
}
