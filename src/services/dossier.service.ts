// The 一户式 dossier of one enforcement subject (A14.1): everything about it on one
// timeline, newest first. The subject's activities and cases define its scope; every
// other kind of record (documents, exemptions, and later recordings and compliance)
// is a DossierSource that loads what belongs to that scope and says how it appears on
// the timeline, so a new kind plugs in with `addSource` and no change here.
import { ACTIVITY_STATUS_NAMES, ACTIVITY_TYPE_NAMES, type ActivityType } from '../domain/activity.js';
import { CASE_STATUS_DATE, CASE_STATUS_NAMES, CASE_STATUSES } from '../domain/case.js';
import { EXEMPTION_CATEGORY_NAMES, EXEMPTION_STATUS_NAMES } from '../domain/exemption.js';
import type { Permission } from '../domain/roles.js';
import type { Activity } from './activities.service.js';
import type { AuditService } from './audit.service.js';
import { CasesService, type Case } from './cases.service.js';
import { assertPermission, hasPermission, type Actor, type ServiceContext } from './context.js';
import { DocumentsService, type Document } from './documents.service.js';
import { presentExemptions, type Exemption } from './exemptions.service.js';
import type { SettingsService } from './settings.service.js';
import { DEFAULT_TIME_ZONE, SubjectsService, type Subject } from './subjects.service.js';

export interface DossierEntry {
  /** Epoch ms; calendar dates (case milestones) count from local midnight. */
  at: number;
  /** 'activity' | 'case' | 'document' | 'exemption', and whatever sources add ('recording'). */
  kind: string;
  id: string;
  title: string;
  detail: Record<string, unknown>;
}

/** What a source may draw on: the subject and the ids of its cases and activities. */
export interface DossierScope {
  subject: Subject;
  cases: Case[];
  activities: Activity[];
  caseIds: string[];
  activityIds: string[];
}

export interface DossierSource {
  /** The key of its list in the dossier answer, e.g. 'documents', 'recordings'. */
  key: string;
  /** Sources the actor may not read are left out, not refused: the rest of the dossier still shows. */
  permission: Permission;
  load(actor: Actor, scope: DossierScope): Promise<{ items: unknown[]; entries: DossierEntry[] }>;
}

export interface Dossier {
  subject: Subject;
  activities: Activity[];
  cases: Case[];
  documents: Document[];
  exemptions: Exemption[];
  timeline: DossierEntry[];
  /** Lists of sources added later, by key. */
  [key: string]: unknown;
}

export interface ActivityLister {
  list(actor: Actor, filter: { subjectId: string }): Promise<Activity[]>;
}

/** Local midnight of a 'YYYY-MM-DD' in a time zone, as epoch ms. */
export function startOfLocalDay(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  // The zone's offset at that moment (and once more, in case the first guess crossed a DST change).
  const offsetAt = (t: number) => {
    const p = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(t);
    const v = (k: string) => Number(p.find((x) => x.type === k)!.value);
    return Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second')) - t;
  };
  const first = utcMidnight - offsetAt(utcMidnight);
  return utcMidnight - offsetAt(first);
}

function activityEntry(a: Activity): DossierEntry {
  const typeName = ACTIVITY_TYPE_NAMES[a.type as ActivityType]?.zh ?? a.type;
  return {
    at: a.arrivedAt ?? a.plannedAt,
    kind: 'activity',
    id: a.id,
    title: a.title ? `${typeName}：${a.title}` : typeName,
    detail: {
      type: a.type,
      status: a.status,
      statusNameZh: ACTIVITY_STATUS_NAMES[a.status]?.zh ?? a.status,
      plannedAt: a.plannedAt,
      arrivedAt: a.arrivedAt,
      endedAt: a.endedAt,
      address: a.address,
      caseId: a.caseId,
      caseNumber: a.caseNumber,
      officers: a.officers.map((o) => o.name),
      exemptionStatus: a.exemption?.status ?? null,
    },
  };
}

/** One entry per procedural step the case has reached, on the date it was reached. */
function caseEntries(c: Case, timeZone: string): DossierEntry[] {
  const out: DossierEntry[] = [];
  for (const status of CASE_STATUSES) {
    const field = CASE_STATUS_DATE[status];
    const on = field ? c[field] : null;
    if (!on) continue;
    out.push({
      at: startOfLocalDay(on, timeZone),
      kind: 'case',
      id: c.id,
      title: `${c.caseNumber} ${CASE_STATUS_NAMES[status].zh}：${c.title}`,
      detail: {
        event: status,
        on,
        caseNumber: c.caseNumber,
        status: c.status,
        officers: c.officers.map((o) => o.name),
      },
    });
  }
  return out;
}

export function documentsSource(documents: DocumentsService): DossierSource {
  return {
    key: 'documents',
    permission: 'documents.read',
    async load(actor, scope) {
      const items = await documents.listForDossier(actor, {
        subjectId: scope.subject.id,
        caseIds: scope.caseIds,
        activityIds: scope.activityIds,
      });
      const entries = items.map((d): DossierEntry => ({
        at: d.uploadedAt,
        kind: 'document',
        id: d.id,
        title: d.title,
        detail: {
          kind: d.kind,
          filename: d.filename,
          mediaType: d.mediaType,
          size: d.size,
          caseId: d.caseId,
          activityId: d.activityId,
          uploadedByName: d.uploadedByName,
        },
      }));
      return { items, entries };
    },
  };
}

export function exemptionsSource(ctx: ServiceContext): DossierSource {
  return {
    key: 'exemptions',
    permission: 'activities.read',
    async load(_actor, scope) {
      if (scope.activityIds.length === 0) return { items: [], entries: [] };
      const rows = await ctx.catalogue.db
        .selectFrom('exemptions')
        .selectAll()
        .where('activityId', 'in', scope.activityIds)
        .orderBy('createdAt', 'desc')
        .orderBy('id', 'desc')
        .execute();
      const items = await presentExemptions(ctx.catalogue.db, rows);
      const entries = items.map((e): DossierEntry => ({
        at: e.createdAt,
        kind: 'exemption',
        id: e.id,
        title: `不予记录说明（${EXEMPTION_CATEGORY_NAMES[e.category]?.zh ?? e.category}，${EXEMPTION_STATUS_NAMES[e.status]?.zh ?? e.status}）`,
        detail: {
          activityId: e.activityId,
          category: e.category,
          status: e.status,
          authorName: e.authorName,
          reviewerName: e.reviewerName,
          reviewedAt: e.reviewedAt,
        },
      }));
      return { items, entries };
    },
  };
}

export class DossierService {
  private readonly sources: DossierSource[] = [];

  constructor(
    private readonly subjects: SubjectsService,
    private readonly cases: CasesService,
    private readonly activities: ActivityLister,
    sources: DossierSource[],
    private readonly timeZone: string = DEFAULT_TIME_ZONE,
  ) {
    for (const s of sources) this.addSource(s);
  }

  /** Adds a kind of record to every dossier (the collection issue adds recordings this way). */
  addSource(source: DossierSource): void {
    if (
      ['subject', 'activities', 'cases', 'timeline', ...this.sources.map((s) => s.key)].includes(source.key)
    )
      throw new Error(`dossier source key already used: ${source.key}`);
    this.sources.push(source);
  }

  async get(actor: Actor, subjectId: string): Promise<Dossier> {
    assertPermission(actor, 'subjects.read');
    const subject = await this.subjects.get(actor, subjectId);
    const cases = hasPermission(actor, 'cases.read')
      ? await this.cases.list(actor, { subjectId, limit: 2000 })
      : [];
    const activities = hasPermission(actor, 'activities.read')
      ? await this.activities.list(actor, { subjectId })
      : [];
    const scope: DossierScope = {
      subject,
      cases,
      activities,
      caseIds: cases.map((c) => c.id),
      activityIds: activities.map((a) => a.id),
    };

    const timeline: DossierEntry[] = [
      ...activities.map(activityEntry),
      ...cases.flatMap((c) => caseEntries(c, this.timeZone)),
    ];
    const extra: Record<string, unknown[]> = {};
    for (const source of this.sources) {
      if (!hasPermission(actor, source.permission)) {
        extra[source.key] = [];
        continue;
      }
      const { items, entries } = await source.load(actor, scope);
      extra[source.key] = items;
      timeline.push(...entries);
    }
    // Newest first; ties in a stable, meaningful order.
    timeline.sort((a, b) => b.at - a.at || a.kind.localeCompare(b.kind) || b.id.localeCompare(a.id));
    return {
      ...extra,
      subject,
      activities,
      cases,
      documents: (extra.documents ?? []) as Document[],
      exemptions: (extra.exemptions ?? []) as Exemption[],
      timeline,
    };
  }
}

/**
 * Builds the subject, case, document and dossier services together (they share the
 * dossier's sources). `activities` is any ActivitiesService: they hold no state.
 */
export function createRecordServices(
  ctx: ServiceContext,
  audit: AuditService,
  settings: SettingsService,
  activities: ActivityLister,
  timeZone: string = DEFAULT_TIME_ZONE,
): { subjects: SubjectsService; cases: CasesService; documents: DocumentsService; dossier: DossierService } {
  const subjects = new SubjectsService(ctx, audit, timeZone);
  const cases = new CasesService(ctx, audit, settings, timeZone);
  const documents = new DocumentsService(ctx, audit);
  const dossier = new DossierService(
    subjects,
    cases,
    activities,
    [documentsSource(documents), exemptionsSource(ctx)],
    timeZone,
  );
  return { subjects, cases, documents, dossier };
}
