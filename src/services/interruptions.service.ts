// Interruptions (A11.1–A11.3) and markers (A8.1, A10.1), as the officers record them.
// An interruption record answers a gap in the team's recording: the reason from A11.1's
// list (or "other" with text), whether the reason was stated aloud on resuming (A11.2 — the
// system shows its own speech measure beside it), and where recording could not go on
// (A11.3) the immediate report to the department head, who acknowledges it, and the written
// explanation afterwards. A leader or department head not on the activity accepts or rejects
// it; the gap's findings follow. Markers are moments on a recording, kept beside the file.
// Every act is audited and recomputes the activity's compliance in the same transaction.
import { uuidv7 } from 'uuidv7';
import type { Executor, Tx } from '../db/database.js';
import type { InterruptionsTable } from '../db/schema.js';
import { MARKER_KINDS, type MarkerKind } from '../domain/compliance.js';
import { validateInterruptionReason } from '../domain/compliance-findings.js';
import { AppError, errors } from '../domain/errors.js';
import { cleanText } from './activities.service.js';
import type { AuditService } from './audit.service.js';
import type { ComplianceService } from './compliance.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';
import { teamOf } from './findings.service.js';
import type { NotificationsService } from './notifications.service.js';

/** The department head should see an A11.3 report the same day. */
const REPORT_DUE_MS = 24 * 3_600_000;
/** How far outside the activity's window an interruption may lie (clock slack). */
const WINDOW_SLACK_MS = 60 * 60_000;

export interface InterruptionInput {
  gapFrom: number;
  gapTo: number;
  reason: string;
  reasonText?: string | null;
  spokenConfirmed: boolean;
  stoppedForGood: boolean;
  /** Report to the department head now (A11.3), in the same act. */
  report?: boolean;
}

const notOnTeam = () =>
  new AppError(
    'FORBIDDEN',
    403,
    {
      zh: '只有本次活动的执法人员可以说明录制中断',
      en: 'Only the activity’s officers may explain an interruption',
    },
    { reason: 'not_on_activity' },
  );

export class InterruptionsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
    private readonly compliance: ComplianceService,
    private readonly notifications: NotificationsService,
  ) {}

  private get db() {
    return this.ctx.catalogue.db;
  }

  /** Runs an act and the recompute in one transaction (tolerances read before it opens). */
  private async acting<T>(activityId: string, actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const tolerances = await this.compliance.loadTolerances();
    return this.db.transaction().execute(async (tx) => {
      const out = await fn(tx);
      await this.compliance.recompute(tx, activityId, actor, tolerances);
      return out;
    });
  }

  private async row(db: Executor, id: string): Promise<InterruptionsTable> {
    const r = await db.selectFrom('interruptions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw errors.notFound('interruption', '中断说明', id);
    return r;
  }

  private async assertOnTeam(db: Executor, actor: Actor, activityId: string): Promise<string[]> {
    const team = await teamOf(db, activityId);
    if (!actor.userId || !team.includes(actor.userId)) throw notOnTeam();
    return team;
  }

  private checkTimes(
    activity: { arrivedAt: number | null; endedAt: number | null },
    gapFrom: number,
    gapTo: number,
  ): void {
    const bad = (why: string, zh: string) =>
      new AppError(
        'INTERRUPTION_TIMES_INVALID',
        400,
        { zh: `中断时间无效：${zh}`, en: `Invalid interruption times: ${why}` },
        {},
      );
    if (!Number.isSafeInteger(gapFrom) || !Number.isSafeInteger(gapTo))
      throw bad('not epoch milliseconds', '不是有效时间');
    if (gapTo <= gapFrom) throw bad('the end must follow the start', '结束须晚于开始');
    if (activity.arrivedAt === null) throw bad('the activity has no arrival time', '活动尚无到达时间');
    const to = activity.endedAt ?? this.ctx.clock.now();
    if (gapFrom < Number(activity.arrivedAt) - WINDOW_SLACK_MS || gapTo > Number(to) + WINDOW_SLACK_MS)
      throw bad('outside the activity', '不在执法活动时段内');
  }

  /** Department heads over the activity's unit (its unit or one above), else all of them. */
  private async departmentHeads(db: Executor, activityId: string): Promise<string[]> {
    const act = await db
      .selectFrom('activities')
      .select('unitId')
      .where('id', '=', activityId)
      .executeTakeFirst();
    const chain: string[] = [];
    let unit = act?.unitId ?? null;
    while (unit && chain.length < 20 && !chain.includes(unit)) {
      chain.push(unit);
      unit =
        (await db.selectFrom('units').select('parentId').where('id', '=', unit).executeTakeFirst())
          ?.parentId ?? null;
    }
    const heads = await db
      .selectFrom('users')
      .innerJoin('userRoles', 'userRoles.userId', 'users.id')
      .select(['users.id', 'users.unitId'])
      .where('userRoles.role', '=', 'department_head')
      .where('users.active', '=', 1)
      .execute();
    const near = heads.filter((h) => h.unitId !== null && chain.includes(h.unitId)).map((h) => h.id);
    return near.length ? near : heads.map((h) => h.id);
  }

  private async notifyReport(tx: Tx, activityId: string): Promise<string[]> {
    const heads = await this.departmentHeads(tx, activityId);
    await this.notifications.notify(tx, heads, {
      kind: 'interruption.report',
      title: { zh: '执法记录中断报告（无法继续录制）', en: 'Recording stopped for good: report' },
      targetType: 'activity',
      targetId: activityId,
      dueAt: this.ctx.clock.now() + REPORT_DUE_MS,
    });
    return heads;
  }

  async create(actor: Actor, activityId: string, input: InterruptionInput): Promise<{ id: string }> {
    assertPermission(actor, 'activities.manage');
    const { reason, text } = validateInterruptionReason(input.reason, input.reasonText);
    const activity = await this.db
      .selectFrom('activities')
      .select(['id', 'arrivedAt', 'endedAt', 'status'])
      .where('id', '=', activityId)
      .executeTakeFirst();
    if (!activity) throw errors.notFound('activity', '执法活动', activityId);
    await this.assertOnTeam(this.db, actor, activityId);
    this.checkTimes({ arrivedAt: activity.arrivedAt, endedAt: activity.endedAt }, input.gapFrom, input.gapTo);
    return this.acting(activityId, actor, async (tx) => {
      const now = this.ctx.clock.now();
      const report = input.report === true;
      const row: InterruptionsTable = {
        id: uuidv7(),
        activityId,
        gapFrom: input.gapFrom,
        gapTo: input.gapTo,
        reason,
        reasonText: text,
        spokenConfirmed: input.spokenConfirmed ? 1 : 0,
        stoppedForGood: input.stoppedForGood ? 1 : 0,
        reportedAt: report ? now : null,
        reportedTo: null,
        acknowledgedBy: null,
        acknowledgedAt: null,
        writtenExplanation: null,
        writtenAt: null,
        decision: null,
        decidedBy: null,
        decidedAt: null,
        decisionComment: null,
        createdBy: actor.userId!,
        createdAt: now,
        updatedAt: now,
      };
      if (report) row.reportedTo = JSON.stringify(await this.notifyReport(tx, activityId));
      await tx.insertInto('interruptions').values(row).execute();
      await this.audit.record(tx, actor, {
        action: 'interruption.create',
        targetType: 'activity',
        targetId: activityId,
        details: {
          interruptionId: row.id,
          gapFrom: row.gapFrom,
          gapTo: row.gapTo,
          reason,
          reasonText: text,
          spokenConfirmed: input.spokenConfirmed,
          stoppedForGood: input.stoppedForGood,
          reported: report,
        },
      });
      return { id: row.id };
    });
  }

  /** Corrects the reason or the spoken confirmation while undecided or after a rejection. */
  async update(
    actor: Actor,
    id: string,
    input: Pick<InterruptionInput, 'reason' | 'reasonText' | 'spokenConfirmed' | 'stoppedForGood'>,
  ): Promise<{ id: string }> {
    const current = await this.row(this.db, id);
    await this.assertOnTeam(this.db, actor, current.activityId);
    if (current.decision === 'accepted')
      throw errors.conflict(
        'INTERRUPTION_DECIDED',
        '该中断说明已被认可，不能再修改',
        'This interruption record was accepted and is final',
        { id },
      );
    const { reason, text } = validateInterruptionReason(input.reason, input.reasonText);
    return this.acting(current.activityId, actor, async (tx) => {
      await tx
        .updateTable('interruptions')
        .set({
          reason,
          reasonText: text,
          spokenConfirmed: input.spokenConfirmed ? 1 : 0,
          stoppedForGood: input.stoppedForGood ? 1 : 0,
          // a corrected record goes back for a decision
          decision: null,
          decidedBy: null,
          decidedAt: null,
          decisionComment: null,
          updatedAt: this.ctx.clock.now(),
        })
        .where('id', '=', id)
        .execute();
      await this.audit.record(tx, actor, {
        action: 'interruption.update',
        targetType: 'activity',
        targetId: current.activityId,
        details: {
          interruptionId: id,
          from: { reason: current.reason, reasonText: current.reasonText, decision: current.decision },
          to: {
            reason,
            reasonText: text,
            spokenConfirmed: input.spokenConfirmed,
            stoppedForGood: input.stoppedForGood,
          },
        },
      });
      return { id };
    });
  }

  /** A11.3: the report to the department head, at once. */
  async report(actor: Actor, id: string): Promise<{ id: string }> {
    const current = await this.row(this.db, id);
    await this.assertOnTeam(this.db, actor, current.activityId);
    if (current.reportedAt !== null)
      throw errors.conflict('INTERRUPTION_REPORTED', '已报告', 'Already reported', { id });
    return this.acting(current.activityId, actor, async (tx) => {
      const heads = await this.notifyReport(tx, current.activityId);
      await tx
        .updateTable('interruptions')
        .set({
          reportedAt: this.ctx.clock.now(),
          reportedTo: JSON.stringify(heads),
          updatedAt: this.ctx.clock.now(),
        })
        .where('id', '=', id)
        .execute();
      await this.audit.record(tx, actor, {
        action: 'interruption.report',
        targetType: 'activity',
        targetId: current.activityId,
        details: { interruptionId: id, to: heads },
      });
      return { id };
    });
  }

  /** The department head (or a leader) acknowledges the report. */
  async acknowledge(actor: Actor, id: string): Promise<{ id: string }> {
    assertPermission(actor, 'findings.decide');
    const current = await this.row(this.db, id);
    if (current.reportedAt === null)
      throw errors.conflict('INTERRUPTION_NOT_REPORTED', '尚未报告', 'Not reported yet', { id });
    if (current.acknowledgedAt !== null)
      throw errors.conflict('INTERRUPTION_ACKNOWLEDGED', '已确认收到', 'Already acknowledged', { id });
    return this.acting(current.activityId, actor, async (tx) => {
      const now = this.ctx.clock.now();
      await tx
        .updateTable('interruptions')
        .set({ acknowledgedBy: actor.userId, acknowledgedAt: now, updatedAt: now })
        .where('id', '=', id)
        .execute();
      if (actor.userId)
        await tx
          .updateTable('notifications')
          .set({ readAt: now, acknowledgedAt: now })
          .where('userId', '=', actor.userId)
          .where('kind', '=', 'interruption.report')
          .where('targetId', '=', current.activityId)
          .where('acknowledgedAt', 'is', null)
          .execute();
      await this.audit.record(tx, actor, {
        action: 'interruption.acknowledge',
        targetType: 'activity',
        targetId: current.activityId,
        details: { interruptionId: id },
      });
      return { id };
    });
  }

  /** A11.3: the written explanation, afterwards. */
  async explainInWriting(actor: Actor, id: string, text: string): Promise<{ id: string }> {
    const current = await this.row(this.db, id);
    await this.assertOnTeam(this.db, actor, current.activityId);
    const written = cleanText(text, 'text', '书面说明', 5000, true);
    return this.acting(current.activityId, actor, async (tx) => {
      const now = this.ctx.clock.now();
      await tx
        .updateTable('interruptions')
        .set({ writtenExplanation: written, writtenAt: now, updatedAt: now })
        .where('id', '=', id)
        .execute();
      await this.audit.record(tx, actor, {
        action: 'interruption.written',
        targetType: 'activity',
        targetId: current.activityId,
        details: { interruptionId: id, length: [...written].length },
      });
      return { id };
    });
  }

  /** A leader or department head not on the activity accepts or rejects the record. */
  async decide(
    actor: Actor,
    id: string,
    decision: 'accepted' | 'rejected',
    comment: string | null,
  ): Promise<{ id: string }> {
    assertPermission(actor, 'findings.decide');
    const current = await this.row(this.db, id);
    const team = await teamOf(this.db, current.activityId);
    if (actor.userId && team.includes(actor.userId))
      throw new AppError(
        'FINDING_SELF_DECISION',
        403,
        {
          zh: '不能对本人参与的执法活动的说明作出决定',
          en: 'You may not decide on an activity you took part in',
        },
        { interruptionId: id },
      );
    if (current.decision === decision)
      throw errors.conflict('INTERRUPTION_DECIDED', '已作出同样的决定', 'Already decided so', { id });
    const note =
      comment === null || comment.trim() === '' ? null : cleanText(comment, 'comment', '意见', 2000, true);
    if (decision === 'rejected' && note === null)
      throw errors.validation('a reason for rejecting is required', { field: 'comment' });
    return this.acting(current.activityId, actor, async (tx) => {
      const now = this.ctx.clock.now();
      await tx
        .updateTable('interruptions')
        .set({ decision, decidedBy: actor.userId, decidedAt: now, decisionComment: note, updatedAt: now })
        .where('id', '=', id)
        .execute();
      await this.notifications.notify(tx, team, {
        kind: `interruption.${decision}`,
        title:
          decision === 'accepted'
            ? { zh: '中断说明已被认可', en: 'Interruption record accepted' }
            : { zh: '中断说明被驳回，请重新说明', en: 'Interruption record rejected: explain again' },
        targetType: 'activity',
        targetId: current.activityId,
      });
      await this.audit.record(tx, actor, {
        action: 'interruption.decide',
        targetType: 'activity',
        targetId: current.activityId,
        details: { interruptionId: id, decision, comment: note },
      });
      return { id };
    });
  }

  /** A moment marked on a recording (A8.1 notification, A10.1 violation, evidence, questioning). */
  async mark(
    actor: Actor,
    recordingId: string,
    input: { kind: string; offsetMs: number; note?: string | null },
  ): Promise<{ id: string }> {
    assertPermission(actor, 'activities.manage');
    if (!(MARKER_KINDS as readonly string[]).includes(input.kind))
      throw new AppError(
        'MARKER_KIND_INVALID',
        400,
        { zh: `未知的标记类型：${input.kind}`, en: `Unknown marker kind: ${input.kind}` },
        { kind: input.kind, allowed: [...MARKER_KINDS] },
      );
    const rec = await this.db
      .selectFrom('recordings')
      .select(['id', 'activityId', 'holderId', 'durationMs'])
      .where('id', '=', recordingId)
      .executeTakeFirst();
    if (!rec) throw errors.notFound('recording', '录像', recordingId);
    const team = rec.activityId ? await teamOf(this.db, rec.activityId) : [];
    if (!actor.userId || (!team.includes(actor.userId) && rec.holderId !== actor.userId)) throw notOnTeam();
    const duration = rec.durationMs === null ? null : Number(rec.durationMs);
    if (
      !Number.isSafeInteger(input.offsetMs) ||
      input.offsetMs < 0 ||
      (duration !== null && input.offsetMs > duration)
    )
      throw new AppError(
        'MARKER_OFFSET_INVALID',
        400,
        { zh: '标记时间须在录像时长之内', en: 'The marker must fall within the recording' },
        { offsetMs: input.offsetMs, durationMs: duration },
      );
    const note =
      input.note === undefined || input.note === null || input.note.trim() === ''
        ? null
        : cleanText(input.note, 'note', '备注', 500, true);
    const write = async (tx: Tx) => {
      const id = uuidv7();
      await tx
        .insertInto('markers')
        .values({
          id,
          recordingId,
          kind: input.kind as MarkerKind,
          offsetMs: input.offsetMs,
          note,
          createdBy: actor.userId!,
          createdAt: this.ctx.clock.now(),
        })
        .execute();
      await this.audit.record(tx, actor, {
        action: 'recording.mark',
        targetType: 'recording',
        targetId: recordingId,
        details: { markerId: id, kind: input.kind, offsetMs: input.offsetMs, note },
      });
      return { id };
    };
    return rec.activityId ? this.acting(rec.activityId, actor, write) : this.db.transaction().execute(write);
  }
}
