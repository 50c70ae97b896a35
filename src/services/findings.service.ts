// An activity's compliance as people see and answer it (A9.1, A11, A21): the verdict with
// its reasons and the timeline, every finding with its history, the officers' interruption
// records and the markers; and the acts on a finding — the officer explains, a leader or
// department head accepts or rejects. Gaps (A11) are answered through an interruption
// record instead (interruptions.service.ts): their status follows it.
import { uuidv7 } from 'uuidv7';
import type { Executor, Tx } from '../db/database.js';
import {
  FINDING_CODES,
  findingStatusAfter,
  isFindingCode,
  isFindingStatus,
  type FindingAct,
  type FindingStatus,
  type VerdictReason,
} from '../domain/compliance-findings.js';
import { AppError, errors } from '../domain/errors.js';
import type { ActivitiesService } from './activities.service.js';
import { cleanText } from './activities.service.js';
import type { AuditService } from './audit.service.js';
import type { ComplianceService } from './compliance.service.js';
import { assertPermission, hasPermission, type Actor, type ServiceContext } from './context.js';

/** Findings answered by an interruption record, not directly (A11.1–A11.3). */
export const ANSWERED_BY_INTERRUPTION = new Set(['GAP', 'EARLY_STOP', 'GAP_NO_SPEECH', 'GAP_UNREPORTED']);

export interface FindingView {
  id: string;
  code: string;
  name: { zh: string; en: string };
  article: string;
  articles: readonly string[];
  severity: string;
  subjectType: string;
  subjectId: string;
  status: string;
  source: string | null;
  /** The engine no longer finds it (inputs changed); kept for the record. */
  withdrawn: boolean;
  detail: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  history: {
    at: number;
    act: string;
    actorName: string;
    fromStatus: string | null;
    toStatus: string;
    comment: string | null;
  }[];
}

export interface InterruptionView {
  id: string;
  gapFrom: number;
  gapTo: number;
  reason: string;
  reasonText: string | null;
  spokenConfirmed: boolean;
  stoppedForGood: boolean;
  reportedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedByName: string | null;
  writtenExplanation: string | null;
  writtenAt: number | null;
  decision: string | null;
  decidedByName: string | null;
  decidedAt: number | null;
  decisionComment: string | null;
  createdBy: string;
  createdByName: string;
  createdAt: number;
}

export interface MarkerView {
  id: string;
  recordingId: string;
  kind: string;
  offsetMs: number;
  at: number | null;
  note: string | null;
  createdByName: string;
  createdAt: number;
}

export interface ActivityCompliance {
  activityId: string;
  verdict: string;
  phase: string;
  coveredMs: number;
  windowMs: number;
  share: number | null;
  reasons: VerdictReason[];
  timeline: unknown;
  computedAt: number;
  findings: FindingView[];
  interruptions: InterruptionView[];
  markers: MarkerView[];
  /** What the asking user may do here. */
  may: { explain: boolean; decide: boolean; mark: boolean };
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export async function teamOf(db: Executor, activityId: string): Promise<string[]> {
  return (
    await db.selectFrom('activityOfficers').select('userId').where('activityId', '=', activityId).execute()
  ).map((o) => o.userId);
}

export class FindingsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
    private readonly activities: ActivitiesService,
    private readonly compliance: ComplianceService,
  ) {}

  private async names(db: Executor, ids: readonly (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((i): i is string => i !== null))];
    if (wanted.length === 0) return new Map();
    const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', wanted).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** The activity's compliance; computed on the spot the first time it is asked for. */
  async forActivity(actor: Actor, activityId: string): Promise<ActivityCompliance> {
    await this.activities.get(actor, activityId); // who may see the activity may see this
    const db = this.ctx.catalogue.db;
    let row = await db
      .selectFrom('activityCompliance')
      .selectAll()
      .where('activityId', '=', activityId)
      .executeTakeFirst();
    if (!row) {
      const tolerances = await this.compliance.loadTolerances();
      await db.transaction().execute((tx) => this.compliance.recompute(tx, activityId, null, tolerances));
      row = await db
        .selectFrom('activityCompliance')
        .selectAll()
        .where('activityId', '=', activityId)
        .executeTakeFirstOrThrow();
    }
    const recordings = await db
      .selectFrom('recordings')
      .select(['id', 'recordedAt'])
      .where('activityId', '=', activityId)
      .execute();
    const recIds = recordings.map((r) => r.id);
    const findingRows = await db
      .selectFrom('findings')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('activityId', '=', activityId),
          ...(recIds.length
            ? [eb.and([eb('subjectType', '=', 'recording'), eb('subjectId', 'in', recIds)])]
            : []),
        ]),
      )
      .orderBy('createdAt')
      .orderBy('id')
      .execute();
    const events = findingRows.length
      ? await db
          .selectFrom('findingEvents')
          .selectAll()
          .where(
            'findingId',
            'in',
            findingRows.map((f) => f.id),
          )
          .orderBy('at')
          .orderBy('id')
          .execute()
      : [];
    const interruptionRows = await db
      .selectFrom('interruptions')
      .selectAll()
      .where('activityId', '=', activityId)
      .orderBy('gapFrom')
      .execute();
    const markerRows = recIds.length
      ? await db
          .selectFrom('markers')
          .selectAll()
          .where('recordingId', 'in', recIds)
          .orderBy('createdAt')
          .execute()
      : [];
    const names = await this.names(db, [
      ...interruptionRows.flatMap((i) => [i.createdBy, i.acknowledgedBy, i.decidedBy]),
      ...markerRows.map((m) => m.createdBy),
    ]);
    const startOf = new Map(recordings.map((r) => [r.id, num(r.recordedAt)]));
    const team = await teamOf(db, activityId);
    const onTeam = actor.userId !== null && team.includes(actor.userId);
    const timeline = JSON.parse(row.timeline) as { share?: number | null };
    return {
      activityId,
      verdict: row.verdict,
      phase: row.phase,
      coveredMs: Number(row.coveredMs),
      windowMs: Number(row.windowMs),
      share: timeline.share ?? null,
      reasons: JSON.parse(row.reasons) as VerdictReason[],
      timeline,
      computedAt: Number(row.computedAt),
      findings: findingRows.map((f) => {
        const info = isFindingCode(f.code) ? FINDING_CODES[f.code] : null;
        return {
          id: f.id,
          code: f.code,
          name: info ? { zh: info.zh, en: info.en } : { zh: f.code, en: f.code },
          article: f.article,
          articles: info?.articles ?? [f.article],
          severity: f.severity,
          subjectType: f.subjectType,
          subjectId: f.subjectId,
          status: f.status,
          source: f.source ?? null,
          withdrawn: f.withdrawnAt !== null && f.withdrawnAt !== undefined,
          detail: JSON.parse(f.detail) as Record<string, unknown>,
          createdAt: Number(f.createdAt),
          updatedAt: Number(f.updatedAt),
          history: events
            .filter((e) => e.findingId === f.id)
            .map((e) => ({
              at: Number(e.at),
              act: e.act,
              actorName: e.actorName,
              fromStatus: e.fromStatus,
              toStatus: e.toStatus,
              comment: e.comment,
            })),
        };
      }),
      interruptions: interruptionRows.map((i) => ({
        id: i.id,
        gapFrom: Number(i.gapFrom),
        gapTo: Number(i.gapTo),
        reason: i.reason,
        reasonText: i.reasonText,
        spokenConfirmed: Number(i.spokenConfirmed) === 1,
        stoppedForGood: Number(i.stoppedForGood) === 1,
        reportedAt: num(i.reportedAt),
        acknowledgedAt: num(i.acknowledgedAt),
        acknowledgedByName: i.acknowledgedBy ? (names.get(i.acknowledgedBy) ?? null) : null,
        writtenExplanation: i.writtenExplanation,
        writtenAt: num(i.writtenAt),
        decision: i.decision,
        decidedByName: i.decidedBy ? (names.get(i.decidedBy) ?? null) : null,
        decidedAt: num(i.decidedAt),
        decisionComment: i.decisionComment,
        createdBy: i.createdBy,
        createdByName: names.get(i.createdBy) ?? '',
        createdAt: Number(i.createdAt),
      })),
      markers: markerRows.map((m) => {
        const start = startOf.get(m.recordingId) ?? null;
        return {
          id: m.id,
          recordingId: m.recordingId,
          kind: m.kind,
          offsetMs: Number(m.offsetMs),
          at: start === null ? null : start + Number(m.offsetMs),
          note: m.note,
          createdByName: names.get(m.createdBy) ?? '',
          createdAt: Number(m.createdAt),
        };
      }),
      may: {
        explain: onTeam,
        decide: hasPermission(actor, 'findings.decide') && !onTeam,
        mark: onTeam,
      },
    };
  }

  /**
   * An act on one finding: 'explain' by an officer of the activity (a comment is the
   * explanation), 'accept' or 'reject' by a leader or department head who was not on it.
   */
  async act(
    actor: Actor,
    findingId: string,
    act: Exclude<FindingAct, 'record_violation'>,
    comment: string | null,
  ): Promise<FindingView> {
    const db = this.ctx.catalogue.db;
    const f = await db.selectFrom('findings').selectAll().where('id', '=', findingId).executeTakeFirst();
    if (!f) throw errors.notFound('finding', '核查发现', findingId);
    if (ANSWERED_BY_INTERRUPTION.has(f.code))
      throw new AppError(
        'FINDING_ANSWERED_BY_INTERRUPTION',
        409,
        {
          zh: '录制中断须通过中断说明（原因、补充说明、报告）办理，由领导对中断说明作出决定',
          en: 'An interruption is answered with an interruption record (reason, report, explanation) that a leader decides on',
        },
        { findingId, code: f.code },
      );
    if (f.withdrawnAt !== null && f.withdrawnAt !== undefined)
      throw errors.conflict('FINDING_WITHDRAWN', '该核查发现已不再成立', 'This finding no longer applies', {
        findingId,
      });
    const activityId = f.activityId ?? (await this.activityOfRecording(db, f));
    const team = activityId ? await teamOf(db, activityId) : [];
    const holder =
      f.subjectType === 'recording'
        ? (
            await db
              .selectFrom('recordings')
              .select('holderId')
              .where('id', '=', f.subjectId)
              .executeTakeFirst()
          )?.holderId
        : null;
    const involved = actor.userId !== null && (team.includes(actor.userId) || holder === actor.userId);
    if (act === 'explain') {
      if (!involved) throw errors.forbidden('activities.manage');
    } else {
      assertPermission(actor, 'findings.decide');
      if (involved)
        throw new AppError(
          'FINDING_SELF_DECISION',
          403,
          {
            zh: '不能对本人参与的执法活动的说明作出决定',
            en: 'You may not decide on an activity you took part in',
          },
          { findingId },
        );
    }
    const text =
      comment === null || comment.trim() === ''
        ? null
        : cleanText(comment, 'comment', act === 'explain' ? '说明' : '意见', 2000, true);
    if ((act === 'explain' || act === 'reject') && text === null)
      throw errors.validation(
        act === 'explain' ? 'an explanation is required' : 'a reason for rejecting is required',
        {
          field: 'comment',
        },
      );
    if (!isFindingStatus(f.status)) throw errors.internal();
    const to = findingStatusAfter(f.status, act);
    const tolerances = activityId ? await this.compliance.loadTolerances() : null;
    await db.transaction().execute(async (tx) => {
      await this.changeStatus(tx, actor, f.id, f.status as FindingStatus, to, act, text);
      if (activityId && tolerances) await this.compliance.recompute(tx, activityId, actor, tolerances);
    });
    const view = await this.forActivityFinding(actor, f.id, activityId);
    return view;
  }

  /** Status change with its history row and audit event, in the caller's transaction. */
  async changeStatus(
    tx: Tx,
    actor: Actor,
    findingId: string,
    from: FindingStatus,
    to: FindingStatus,
    act: string,
    comment: string | null,
  ): Promise<void> {
    const now = this.ctx.clock.now();
    const res = await tx
      .updateTable('findings')
      .set({ status: to, updatedAt: now })
      .where('id', '=', findingId)
      .where('status', '=', from)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw errors.conflict(
        'FINDING_CHANGED',
        '该核查发现已被他人处理，请刷新',
        'The finding was changed meanwhile; reload',
        {
          findingId,
        },
      );
    await tx
      .insertInto('findingEvents')
      .values({
        id: uuidv7(),
        findingId,
        at: now,
        actorId: actor.userId,
        actorName: actor.name,
        act,
        fromStatus: from,
        toStatus: to,
        comment,
      })
      .execute();
    await this.audit.record(tx, actor, {
      action: `finding.${act}`,
      targetType: 'finding',
      targetId: findingId,
      details: { from, to, comment },
    });
  }

  private async activityOfRecording(
    db: Executor,
    f: { subjectType: string; subjectId: string },
  ): Promise<string | null> {
    if (f.subjectType !== 'recording') return null;
    const r = await db
      .selectFrom('recordings')
      .select('activityId')
      .where('id', '=', f.subjectId)
      .executeTakeFirst();
    return r?.activityId ?? null;
  }

  private async forActivityFinding(
    actor: Actor,
    findingId: string,
    activityId: string | null,
  ): Promise<FindingView> {
    if (activityId) {
      const view = await this.forActivity(actor, activityId);
      const found = view.findings.find((f) => f.id === findingId);
      if (found) return found;
    }
    const f = await this.ctx.catalogue.db
      .selectFrom('findings')
      .selectAll()
      .where('id', '=', findingId)
      .executeTakeFirstOrThrow();
    const info = isFindingCode(f.code) ? FINDING_CODES[f.code] : null;
    return {
      id: f.id,
      code: f.code,
      name: info ? { zh: info.zh, en: info.en } : { zh: f.code, en: f.code },
      article: f.article,
      articles: info?.articles ?? [f.article],
      severity: f.severity,
      subjectType: f.subjectType,
      subjectId: f.subjectId,
      status: f.status,
      source: f.source ?? null,
      withdrawn: f.withdrawnAt !== null && f.withdrawnAt !== undefined,
      detail: JSON.parse(f.detail) as Record<string, unknown>,
      createdAt: Number(f.createdAt),
      updatedAt: Number(f.updatedAt),
      history: [],
    };
  }
}
