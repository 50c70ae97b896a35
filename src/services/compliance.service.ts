// Compliance (A5.1–A13.1, A21.1): gathers an activity's inputs from the catalogue, runs the
// pure engine (domain/compliance.ts), and stores what it found. Findings are matched to the
// ones raised before by their stable key: new ones are raised, those no longer found are
// withdrawn (kept, with their history), those found again are reopened. Every change of a
// finding's status is a finding_events row; the activity's verdict, coverage and timeline
// are kept in activity_compliance for lists, dashboards and reports.
//
// A recompute runs in the transaction of the act that changed the inputs when a person is
// waiting for the answer (an interruption explained, a marker set), and otherwise as a job
// ('compliance.activity') queued in the changing transaction (an import, an activity edit).
import { uuidv7 } from 'uuidv7';
import type { Executor, Tx } from '../db/database.js';
import type { FindingsTable } from '../db/schema.js';
import { isActivityType, type ActivityStatus } from '../domain/activity.js';
import {
  DEFAULT_TOLERANCES,
  evaluateActivity,
  type ComplianceInput,
  type ComplianceRecording,
  type ComplianceResult,
  type ComplianceTolerances,
  type DeviceDocking,
  type DeviceSequenceGap,
  type DeviceUse,
  type Interruption,
  type MarkerKind,
  type RecordingKind,
} from '../domain/compliance.js';
import {
  CARRIED_CODES,
  FINDING_CODES,
  isFindingCode,
  isFindingStatus,
  verdict,
  type FindingStatus,
  type InterruptionReason,
  type VerdictResult,
} from '../domain/compliance-findings.js';
import { shownExemption, type ExemptionStatus } from '../domain/exemption.js';
import { JobQueue } from '../jobs/queue.js';
import type { JobHandler } from '../jobs/worker.js';
import type { Actor, ServiceContext } from './context.js';

export const COMPLIANCE_JOB = 'compliance.activity';
export const SWEEP_JOB = 'compliance.sweep';
/** How often activities waiting on a deadline are looked at again (NOT_DOCKED, final coverage). */
export const SWEEP_EVERY_MS = 15 * 60_000;

/** Findings whose status follows the officers' interruption record (A11) while it stands. */
const INTERRUPTION_CODES = new Set(['GAP', 'EARLY_STOP', 'GAP_NO_SPEECH']);

export interface RecomputeSummary {
  activityId: string;
  verdict: VerdictResult['verdict'];
  raised: number;
  withdrawn: number;
  reopened: number;
  open: number;
}

type StoredFinding = Pick<
  FindingsTable,
  'id' | 'code' | 'status' | 'subjectType' | 'subjectId' | 'detail' | 'findingKey' | 'withdrawnAt'
>;

const num = (v: number | string | null | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);

/** Queues a recompute of the activity unless one is already waiting (in the caller's transaction). */
export async function enqueueCompliance(
  db: Executor,
  ctx: ServiceContext,
  activityId: string,
): Promise<void> {
  const payload = JSON.stringify({ activityId });
  const waiting = await db
    .selectFrom('jobs')
    .select('id')
    .where('kind', '=', COMPLIANCE_JOB)
    .where('status', '=', 'queued')
    .where('payload', '=', payload)
    .executeTakeFirst();
  if (waiting) return;
  await new JobQueue(ctx.catalogue, ctx.clock).enqueue(
    db,
    COMPLIANCE_JOB,
    { activityId },
    { maxAttempts: 5 },
  );
}

export class ComplianceService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly tolerances: () => Promise<ComplianceTolerances> = async () => DEFAULT_TOLERANCES,
  ) {}

  /** The job handlers this service works (merged with the media ones in one worker). */
  handlers(): Record<string, JobHandler> {
    return {
      [COMPLIANCE_JOB]: async (job) => {
        const { activityId } = job.payload as { activityId?: unknown };
        if (typeof activityId !== 'string') return;
        const tolerances = await this.loadTolerances();
        await this.ctx.catalogue.db
          .transaction()
          .execute((tx) => this.recompute(tx, activityId, null, tolerances));
      },
      // Deadlines pass with no input changing: look again at what waits on one, then come back.
      [SWEEP_JOB]: async () => {
        for (const id of await this.dueForSweep()) await this.enqueue(this.ctx.catalogue.db, id);
        await this.scheduleSweep(this.ctx.clock.now() + SWEEP_EVERY_MS);
      },
    };
  }

  /** Queues the periodic sweep unless one is already waiting (serve calls this at start). */
  async scheduleSweep(runAfter = this.ctx.clock.now()): Promise<void> {
    const waiting = await this.ctx.catalogue.db
      .selectFrom('jobs')
      .select('id')
      .where('kind', '=', SWEEP_JOB)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    if (waiting) return;
    await new JobQueue(this.ctx.catalogue, this.ctx.clock).enqueue(
      this.ctx.catalogue.db,
      SWEEP_JOB,
      {},
      { runAfter, maxAttempts: 3 },
    );
  }

  /**
   * The installation's tolerances. Read them BEFORE opening the transaction a recompute runs
   * in: on SQLite a read outside an open transaction waits for it to end.
   */
  loadTolerances(): Promise<ComplianceTolerances> {
    return this.tolerances();
  }

  enqueue(db: Executor, activityId: string): Promise<void> {
    return enqueueCompliance(db, this.ctx, activityId);
  }

  /** Everything the engine needs about one activity, read from the catalogue. */
  async gather(db: Executor, activityId: string): Promise<ComplianceInput | null> {
    const a = await db.selectFrom('activities').selectAll().where('id', '=', activityId).executeTakeFirst();
    if (!a || !isActivityType(a.type)) return null;
    const [officers, attached, exemptions, recRows, interruptionRows] = await Promise.all([
      db
        .selectFrom('activityOfficers')
        .select(['userId', 'inCharge'])
        .where('activityId', '=', activityId)
        .execute(),
      db.selectFrom('activityDevices').select('deviceId').where('activityId', '=', activityId).execute(),
      db
        .selectFrom('exemptions')
        .select(['id', 'status', 'createdAt'])
        .where('activityId', '=', activityId)
        .execute(),
      db
        .selectFrom('recordings')
        .select([
          'id',
          'deviceId',
          'holderId',
          'kind',
          'recordedAt',
          'endedAt',
          'speechAtStart',
          'sequence',
          'sequenceGroup',
          'importedAt',
        ])
        .where('activityId', '=', activityId)
        .execute(),
      db.selectFrom('interruptions').selectAll().where('activityId', '=', activityId).execute(),
    ]);
    const recIds = recRows.map((r) => r.id);
    const carried: { id: string; code: string; subjectId: string }[] = [];
    const markerRows: { id: string; recordingId: string; kind: string; offsetMs: number }[] = [];
    for (let i = 0; i < recIds.length; i += 500) {
      const ids = recIds.slice(i, i + 500);
      carried.push(
        ...(await db
          .selectFrom('findings')
          .select(['id', 'code', 'subjectId'])
          .where('subjectType', '=', 'recording')
          .where('subjectId', 'in', ids)
          .where('code', 'in', [...CARRIED_CODES])
          .execute()),
      );
      markerRows.push(
        ...(await db
          .selectFrom('markers')
          .select(['id', 'recordingId', 'kind', 'offsetMs'])
          .where('recordingId', 'in', ids)
          .execute()),
      );
    }
    const recordings: ComplianceRecording[] = recRows.map((r) => ({
      id: r.id,
      deviceId: r.deviceId,
      holderId: r.holderId,
      kind: r.kind as RecordingKind,
      start: num(r.recordedAt),
      end: num(r.endedAt),
      speechAtStart:
        r.speechAtStart === null || r.speechAtStart === undefined ? null : Number(r.speechAtStart) === 1,
      sequence: num(r.sequence),
      sequenceGroup: r.sequenceGroup,
      importedAt: Number(r.importedAt),
      importFindings: carried.filter((f) => f.subjectId === r.id).map((f) => ({ id: f.id, code: f.code })),
    }));
    const startOf = new Map(recordings.map((r) => [r.id, r.start]));

    // Devices used: attached to the activity, or the source of one of its recordings.
    const deviceIds = [...new Set([...attached.map((d) => d.deviceId), ...recRows.map((r) => r.deviceId)])];
    const arrived = num(a.arrivedAt);
    const ended = num(a.endedAt) ?? this.ctx.clock.now();
    const deviceUses: DeviceUse[] = [];
    const dockings: DeviceDocking[] = [];
    const sequenceGaps: DeviceSequenceGap[] = [];
    if (deviceIds.length > 0 && arrived !== null) {
      const checkouts = await db
        .selectFrom('checkouts')
        .select(['id', 'deviceId', 'officerId', 'checkedOutAt', 'checkedInAt'])
        .where('deviceId', 'in', deviceIds)
        .where('checkedOutAt', '<=', ended)
        .where((eb) => eb.or([eb('checkedInAt', 'is', null), eb('checkedInAt', '>=', arrived)]))
        .execute();
      const checks =
        checkouts.length === 0
          ? []
          : await db
              .selectFrom('deviceChecks')
              .select(['id', 'checkoutId', 'checkedAt', 'result', 'offsetMs', 'failures'])
              .where(
                'checkoutId',
                'in',
                checkouts.map((c) => c.id),
              )
              .execute();
      for (const c of checkouts)
        deviceUses.push({
          deviceId: c.deviceId,
          checkoutId: c.id,
          officerId: c.officerId,
          from: Number(c.checkedOutAt),
          to: num(c.checkedInAt),
          checks: checks
            .filter((k) => k.checkoutId === c.id)
            .map((k) => ({
              id: k.id,
              at: Number(k.checkedAt),
              passed: k.result === 'pass',
              clockOffsetMs: Number(k.offsetMs),
              failures: JSON.parse(k.failures) as string[],
            })),
        });
      const endedAt = num(a.endedAt);
      for (const deviceId of deviceIds) {
        const first =
          endedAt === null
            ? undefined
            : await db
                .selectFrom('imports')
                .select('startedAt')
                .where('deviceId', '=', deviceId)
                .where('startedAt', '>=', endedAt)
                .orderBy('startedAt')
                .limit(1)
                .executeTakeFirst();
        dockings.push({ deviceId, firstImportAfterEndAt: first ? Number(first.startedAt) : null });
      }
      const gapRows = await db
        .selectFrom('findings')
        .select(['id', 'subjectId', 'detail'])
        .where('code', '=', 'SEQUENCE_GAP')
        .where('subjectType', '=', 'device')
        .where('subjectId', 'in', deviceIds)
        .execute();
      for (const g of gapRows) {
        const d = JSON.parse(g.detail) as { group?: string | null; from?: number; to?: number };
        if (typeof d.from !== 'number' || typeof d.to !== 'number') continue;
        sequenceGaps.push({
          findingId: g.id,
          deviceId: g.subjectId,
          group: d.group ?? null,
          from: d.from,
          to: d.to,
        });
      }
    }

    const standing = shownExemption(
      exemptions.map((e) => ({ ...e, createdAt: Number(e.createdAt), status: e.status as ExemptionStatus })),
    );
    const interruptions: Interruption[] = interruptionRows.map((i) => ({
      id: i.id,
      gapFrom: Number(i.gapFrom),
      gapTo: Number(i.gapTo),
      reason: i.reason as InterruptionReason,
      reasonText: i.reasonText,
      spokenConfirmed: Number(i.spokenConfirmed) === 1,
      stoppedForGood: Number(i.stoppedForGood) === 1,
      reportedAt: num(i.reportedAt),
      writtenExplanationAt: num(i.writtenAt),
      decision: i.decision === 'accepted' || i.decision === 'rejected' ? i.decision : null,
    }));
    return {
      timeZone: this.ctx.timezone,
      activity: {
        id: a.id,
        type: a.type,
        status: a.status as ActivityStatus,
        plannedAt: Number(a.plannedAt),
        arrivedAt: arrived,
        endedAt: num(a.endedAt),
        remoteWork: Number(a.remoteWork) === 1,
        returnedAt: num(a.returnedAt),
        officers: officers.map((o) => ({ userId: o.userId, inCharge: Number(o.inCharge) === 1 })),
        deviceIds: attached.map((d) => d.deviceId),
        notifiedAt: num(a.notifiedAt),
        exemption:
          standing &&
          (standing.status === 'pending' || standing.status === 'approved' || standing.status === 'rejected')
            ? { id: standing.id, status: standing.status }
            : null,
      },
      recordings,
      deviceUses,
      dockings,
      sequenceGaps,
      markers: markerRows.flatMap((m) => {
        const start = startOf.get(m.recordingId);
        return start === null || start === undefined
          ? []
          : [
              {
                id: m.id,
                recordingId: m.recordingId,
                kind: m.kind as MarkerKind,
                at: start + Number(m.offsetMs),
              },
            ];
      }),
      interruptions,
    };
  }

  /**
   * Recomputes one activity in the caller's transaction and stores the outcome. `actor` is
   * the person whose act caused it (named in the findings' history), or null for the job.
   */
  async recompute(
    tx: Tx,
    activityId: string,
    actor: Actor | null,
    tolerances: Readonly<ComplianceTolerances>,
  ): Promise<RecomputeSummary | null> {
    const input = await this.gather(tx, activityId);
    if (!input) return null;
    const now = this.ctx.clock.now();
    const result = evaluateActivity(input, tolerances, now);
    const who = { actorId: actor?.userId ?? null, actorName: actor?.name ?? 'system' };

    const stored = (await tx
      .selectFrom('findings')
      .select(['id', 'code', 'status', 'subjectType', 'subjectId', 'detail', 'findingKey', 'withdrawnAt'])
      .where('activityId', '=', activityId)
      .where('source', '=', 'engine')
      .execute()) as StoredFinding[];
    const byKey = new Map(stored.map((f) => [f.findingKey!, f]));
    const interruptions = new Map((input.interruptions ?? []).map((i) => [i.id, i]));
    const event = async (
      findingId: string,
      act: string,
      from: string | null,
      to: string,
      comment: string | null,
    ) =>
      tx
        .insertInto('findingEvents')
        .values({ id: uuidv7(), findingId, at: now, ...who, act, fromStatus: from, toStatus: to, comment })
        .execute();

    let raised = 0;
    let withdrawn = 0;
    let reopened = 0;
    const seen = new Set<string>();
    for (const f of result.findings) {
      seen.add(f.key);
      const detail = JSON.stringify(f.detail);
      // A gap's status follows the interruption record while one stands (A11).
      const iid = typeof f.detail.interruptionId === 'string' ? f.detail.interruptionId : null;
      const interruption = iid && INTERRUPTION_CODES.has(f.code) ? interruptions.get(iid) : undefined;
      const derived: FindingStatus | null = interruption
        ? interruption.decision === 'accepted'
          ? 'accepted'
          : interruption.decision === 'rejected'
            ? 'open'
            : 'explained'
        : null;
      const old = byKey.get(f.key);
      if (!old) {
        const status = derived ?? 'open';
        const id = uuidv7();
        await tx
          .insertInto('findings')
          .values({
            id,
            code: f.code,
            article: f.article,
            severity: f.severity,
            subjectType: f.subjectType,
            subjectId: f.subjectId,
            detail,
            status,
            createdAt: now,
            updatedAt: now,
            activityId,
            findingKey: f.key,
            source: 'engine',
            dueAt: null,
            withdrawnAt: null,
          })
          .execute();
        await event(id, 'raised', null, 'open', null);
        if (status !== 'open') await event(id, 'explain', 'open', status, null);
        raised++;
        continue;
      }
      const changes: Partial<FindingsTable> = {};
      if (old.detail !== detail) changes.detail = detail;
      if (old.withdrawnAt !== null && old.withdrawnAt !== undefined) {
        changes.withdrawnAt = null;
        await event(old.id, 'reopened', old.status, old.status, null);
        reopened++;
      }
      if (derived && old.status !== 'violation' && old.status !== derived) {
        changes.status = derived;
        const act = derived === 'accepted' ? 'accept' : derived === 'open' ? 'reject' : 'explain';
        await event(old.id, act, old.status, derived, null);
      }
      if (Object.keys(changes).length)
        await tx
          .updateTable('findings')
          .set({ ...changes, updatedAt: now })
          .where('id', '=', old.id)
          .execute();
    }
    for (const old of stored) {
      if (seen.has(old.findingKey!) || (old.withdrawnAt !== null && old.withdrawnAt !== undefined)) continue;
      await tx
        .updateTable('findings')
        .set({ withdrawnAt: now, updatedAt: now })
        .where('id', '=', old.id)
        .execute();
      await event(old.id, 'withdrawn', old.status, old.status, null);
      withdrawn++;
    }

    // LATE_IMPORT at import time knew nothing of the activity (remote work, the return):
    // the engine's, per linked recording, supersedes it.
    const recIds = (input.recordings ?? []).map((r) => r.id);
    for (let i = 0; i < recIds.length; i += 500) {
      const superseded = await tx
        .selectFrom('findings')
        .select(['id', 'status'])
        .where('code', '=', 'LATE_IMPORT')
        .where('subjectType', '=', 'recording')
        .where('subjectId', 'in', recIds.slice(i, i + 500))
        .where((eb) => eb.or([eb('source', 'is', null), eb('source', '=', 'import')]))
        .where('withdrawnAt', 'is', null)
        .execute();
      for (const f of superseded) {
        await tx
          .updateTable('findings')
          .set({ withdrawnAt: now, updatedAt: now })
          .where('id', '=', f.id)
          .execute();
        await event(f.id, 'withdrawn', f.status, f.status, 'superseded by the activity’s computation');
      }
    }

    // The verdict weighs the engine's standing findings and the carried import-time ones.
    const standing = await tx
      .selectFrom('findings')
      .select(['code', 'status'])
      .where('activityId', '=', activityId)
      .where('source', '=', 'engine')
      .where('withdrawnAt', 'is', null)
      .execute();
    const carriedIds = result.carried.map((c) => c.findingId);
    const carried =
      carriedIds.length === 0
        ? []
        : await tx.selectFrom('findings').select(['code', 'status']).where('id', 'in', carriedIds).execute();
    const all = [...standing, ...carried].filter((f) => isFindingStatus(f.status)) as {
      code: string;
      status: FindingStatus;
    }[];
    const v = verdict(all);
    const open = all.filter((f) => f.status === 'open' || f.status === 'explained').length;
    const row = {
      verdict: v.verdict,
      phase: result.phase,
      coveredMs: result.coveredMs,
      windowMs: result.windowMs,
      openFindings: open,
      reasons: JSON.stringify(v.reasons),
      timeline: JSON.stringify(timelineOf(result)),
      computedAt: now,
    };
    const exists = await tx
      .selectFrom('activityCompliance')
      .select('activityId')
      .where('activityId', '=', activityId)
      .executeTakeFirst();
    if (exists)
      await tx.updateTable('activityCompliance').set(row).where('activityId', '=', activityId).execute();
    else
      await tx
        .insertInto('activityCompliance')
        .values({ activityId, ...row })
        .execute();
    return { activityId, verdict: v.verdict, raised, withdrawn, reopened, open };
  }

  /** Recomputes many activities (CLI, benchmark, the periodic sweep), one transaction each. */
  async recomputeMany(
    activityIds: readonly string[],
  ): Promise<{ count: number; byVerdict: Record<string, number> }> {
    const byVerdict: Record<string, number> = {};
    const tolerances = await this.loadTolerances();
    for (const id of activityIds) {
      const s = await this.ctx.catalogue.db
        .transaction()
        .execute((tx) => this.recompute(tx, id, null, tolerances));
      if (s) byVerdict[s.verdict] = (byVerdict[s.verdict] ?? 0) + 1;
    }
    return { count: activityIds.length, byVerdict };
  }

  /**
   * Activities whose verdict may have changed with the passing of time alone: those still
   * awaiting imports (NOT_DOCKED and the final coverage findings arrive at a deadline) and
   * those never computed.
   */
  async dueForSweep(limit = 10_000): Promise<string[]> {
    const rows = await this.ctx.catalogue.db
      .selectFrom('activities')
      .leftJoin('activityCompliance', 'activityCompliance.activityId', 'activities.id')
      .select('activities.id')
      .where((eb) =>
        eb.or([
          eb('activityCompliance.activityId', 'is', null),
          eb('activityCompliance.phase', 'in', ['awaiting_import', 'under_way', 'not_started']),
        ]),
      )
      .where('activities.status', '!=', 'cancelled')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }
}

/** What the timeline shows, kept with the verdict (no findings: those are rows). */
function timelineOf(r: ComplianceResult) {
  return {
    window: r.window,
    coverage: r.coverage,
    uncovered: r.uncovered,
    share: r.share,
    lanes: r.lanes,
    gaps: r.gaps,
    officersWithoutLane: r.officersWithoutLane,
  };
}

/** The zh/en name and article of a stored code, for presenting findings. */
export function describeCode(code: string): { zh: string; en: string; articles: readonly string[] } {
  if (isFindingCode(code)) {
    const info = FINDING_CODES[code];
    return { zh: info.zh, en: info.en, articles: info.articles };
  }
  return { zh: code, en: code, articles: [] };
}
