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
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Executor, Tx } from '../db/database.js';
import type {
  ActivityComplianceTable,
  CheckoutsTable,
  FindingEventsTable,
  FindingsTable,
} from '../db/schema.js';
import { isActivityType, type ActivityStatus, type ActivityType } from '../domain/activity.js';
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

type CheckoutRow = Pick<CheckoutsTable, 'id' | 'deviceId' | 'officerId' | 'checkedOutAt' | 'checkedInAt'>;

type StoredFinding = Pick<
  FindingsTable,
  'id' | 'code' | 'status' | 'subjectType' | 'subjectId' | 'detail' | 'findingKey' | 'withdrawnAt'
>;

const num = (v: number | string | null | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);

/** Values per IN list: well inside SQLite's and PostgreSQL's limits on bound parameters. */
const IN_LIST = 500;
/** For a statement that scans its table whatever the list (one scan instead of ten). */
const LONG_IN_LIST = 10_000;
/** An activity window longer than this is read on its own (see gatherMany). */
const LONG_WINDOW_MS = 2 * 86_400_000;
/** Rows per multi-row INSERT (findings have 15 columns: 3,000 parameters). */
const WRITE_ROWS = 200;
/** Imports read together after a chunk's latest end; later ones are asked for one device at a time. */
const DOCKING_HORIZON_MS = 7 * 86_400_000;

/** Runs `query` over `values` in IN-list-sized slices and concatenates the rows. */
async function inChunks<V, R>(
  values: readonly V[],
  query: (slice: V[]) => Promise<R[]>,
  size = IN_LIST,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < values.length; i += size) out.push(...(await query(values.slice(i, i + size))));
  return out;
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Index of the first value ≥ t in an ascending list (its length when there is none). */
function firstAtOrAfter(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function insertRows(
  tx: Tx,
  table: 'findings' | 'findingEvents',
  rows: readonly object[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += WRITE_ROWS)
    await tx
      .insertInto(table)
      .values(rows.slice(i, i + WRITE_ROWS) as never)
      .execute();
}

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
        // In chunks (recomputeMany), not a job per activity: thousands may be due at once.
        await this.recomputeMany(await this.dueForSweep());
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
    return (await this.gatherMany(db, [activityId])).get(activityId) ?? null;
  }

  /**
   * The engine's inputs for many activities with a handful of queries (IN lists in chunks),
   * each activity's share picked out in memory by the same conditions `gather` asks of the
   * database for one. Activities that do not exist (or of an unknown type) are absent.
   * `checkoutFloor`: no check-out overlapping any of these activities began before it (see
   * recomputeMany); it only bounds the scan of check-outs, never changes what is found.
   */
  async gatherMany(
    db: Executor,
    activityIds: readonly string[],
    opts: { checkoutFloor?: number } = {},
  ): Promise<Map<string, ComplianceInput>> {
    const out = new Map<string, ComplianceInput>();
    const ids = [...new Set(activityIds)];
    if (ids.length === 0) return out;
    const now = this.ctx.clock.now();
    const acts = (
      await inChunks(ids, (c) => db.selectFrom('activities').selectAll().where('id', 'in', c).execute())
    ).filter((a) => isActivityType(a.type));
    if (acts.length === 0) return out;
    const actIds = acts.map((a) => a.id);
    const officerRows = await inChunks(actIds, (c) =>
      db
        .selectFrom('activityOfficers')
        .select(['activityId', 'userId', 'inCharge'])
        .where('activityId', 'in', c)
        .execute(),
    );
    const attachedRows = await inChunks(actIds, (c) =>
      db
        .selectFrom('activityDevices')
        .select(['activityId', 'deviceId'])
        .where('activityId', 'in', c)
        .execute(),
    );
    const exemptionRows = await inChunks(actIds, (c) =>
      db
        .selectFrom('exemptions')
        .select(['id', 'activityId', 'status', 'createdAt'])
        .where('activityId', 'in', c)
        .execute(),
    );
    const recAll = await inChunks(actIds, (c) =>
      db
        .selectFrom('recordings')
        .select([
          'id',
          'activityId',
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
        .where('activityId', 'in', c)
        .execute(),
    );
    const interruptionAll = await inChunks(actIds, (c) =>
      db.selectFrom('interruptions').selectAll().where('activityId', 'in', c).execute(),
    );
    const recIds = recAll.map((r) => r.id);
    const carriedAll = await inChunks(recIds, (c) =>
      db
        .selectFrom('findings')
        .select(['id', 'code', 'subjectId'])
        .where('subjectType', '=', 'recording')
        .where('subjectId', 'in', c)
        .where('code', 'in', [...CARRIED_CODES])
        .execute(),
    );
    const markerAll = await inChunks(recIds, (c) =>
      db
        .selectFrom('markers')
        .select(['id', 'recordingId', 'kind', 'offsetMs'])
        .where('recordingId', 'in', c)
        .execute(),
    );
    const officersOf = groupBy(officerRows, (r) => r.activityId);
    const attachedOf = groupBy(attachedRows, (r) => r.activityId);
    const exemptionsOf = groupBy(exemptionRows, (r) => r.activityId);
    const recordingsOf = groupBy(recAll, (r) => r.activityId!);
    const interruptionsOf = groupBy(interruptionAll, (r) => r.activityId);
    const carriedOf = groupBy(carriedAll, (r) => r.subjectId);
    const markersOf = groupBy(markerAll, (r) => r.recordingId);

    // Devices used: attached to the activity, or the source of one of its recordings.
    const windowOf = new Map<string, { deviceIds: string[]; arrived: number; ended: number }>();
    for (const a of acts) {
      const arrived = num(a.arrivedAt);
      const deviceIds = [
        ...new Set([
          ...(attachedOf.get(a.id) ?? []).map((d) => d.deviceId),
          ...(recordingsOf.get(a.id) ?? []).map((r) => r.deviceId),
        ]),
      ];
      if (deviceIds.length > 0 && arrived !== null)
        windowOf.set(a.id, { deviceIds, arrived, ended: num(a.endedAt) ?? now });
    }
    const devices = [...new Set([...windowOf.values()].flatMap((w) => w.deviceIds))];

    // Check-outs overlapping the windows, with their checks. The usual windows (hours) are
    // read together over the span they cover; a long one (an activity never ended runs to
    // now) is read alone, so that it does not stretch the span to months for every device.
    const usual = [...windowOf.values()].filter((w) => w.ended - w.arrived <= LONG_WINDOW_MS);
    const groups = [
      ...(usual.length ? [usual] : []),
      ...[...windowOf.values()].filter((w) => w.ended - w.arrived > LONG_WINDOW_MS).map((w) => [w]),
    ];
    const checkoutById = new Map<string, CheckoutRow>();
    for (const group of groups) {
      const minArrived = group.reduce((m, w) => Math.min(m, w.arrived), Number.POSITIVE_INFINITY);
      const maxEnded = group.reduce((m, w) => Math.max(m, w.ended), Number.NEGATIVE_INFINITY);
      const groupDevices = [...new Set(group.flatMap((w) => w.deviceIds))];
      const rows = await inChunks(groupDevices, (c) => {
        let q = db
          .selectFrom('checkouts')
          .select(['id', 'deviceId', 'officerId', 'checkedOutAt', 'checkedInAt'])
          .where('deviceId', 'in', c)
          .where('checkedOutAt', '<=', maxEnded)
          .where((eb) => eb.or([eb('checkedInAt', 'is', null), eb('checkedInAt', '>=', minArrived)]));
        if (opts.checkoutFloor !== undefined) q = q.where('checkedOutAt', '>=', opts.checkoutFloor);
        return q.execute();
      });
      for (const r of rows) checkoutById.set(r.id, r);
    }
    const checkoutAll = [...checkoutById.values()];
    // device_checks has no index on checkout_id: each statement scans the table, so few, long lists.
    const checkAll = await inChunks(
      checkoutAll.map((c) => c.id),
      (c) =>
        db
          .selectFrom('deviceChecks')
          .select(['id', 'checkoutId', 'checkedAt', 'result', 'offsetMs', 'failures'])
          .where('checkoutId', 'in', c)
          .execute(),
      LONG_IN_LIST,
    );
    const checksOf = groupBy(checkAll, (k) => k.checkoutId!);
    const checkoutsOf = groupBy(checkoutAll, (c) => c.deviceId);

    // Dockings: each device's first import at or after each activity's end. Imports within
    // a few days of the latest end are read at once; a device with none there is asked alone.
    const endedWindows = acts.flatMap((a) => {
      const w = windowOf.get(a.id);
      const endedAt = num(a.endedAt);
      return w && endedAt !== null ? [{ ...w, endedAt }] : [];
    });
    const importsOf = new Map<string, number[]>();
    const horizon =
      endedWindows.reduce((m, w) => Math.max(m, w.endedAt), Number.NEGATIVE_INFINITY) + DOCKING_HORIZON_MS;
    if (endedWindows.length > 0) {
      const minEnd = endedWindows.reduce((m, w) => Math.min(m, w.endedAt), Number.POSITIVE_INFINITY);
      const dockDevices = [...new Set(endedWindows.flatMap((w) => w.deviceIds))];
      const rows = await inChunks(dockDevices, (c) =>
        db
          .selectFrom('imports')
          .select(['deviceId', 'startedAt'])
          .where('deviceId', 'in', c)
          .where('startedAt', '>=', minEnd)
          .where('startedAt', '<=', horizon)
          .execute(),
      );
      for (const r of rows) {
        const list = importsOf.get(r.deviceId) ?? [];
        list.push(Number(r.startedAt));
        importsOf.set(r.deviceId, list);
      }
      for (const list of importsOf.values()) list.sort((x, y) => x - y);
    }
    const firstImport = async (deviceId: string, endedAt: number): Promise<number | null> => {
      const list = importsOf.get(deviceId) ?? [];
      const i = firstAtOrAfter(list, endedAt);
      if (i < list.length) return list[i]!;
      const first = await db
        .selectFrom('imports')
        .select('startedAt')
        .where('deviceId', '=', deviceId)
        .where('startedAt', '>', horizon)
        .orderBy('startedAt')
        .limit(1)
        .executeTakeFirst();
      return first ? Number(first.startedAt) : null;
    };

    const gapAll = await inChunks(devices, (c) =>
      db
        .selectFrom('findings')
        .select(['id', 'subjectId', 'detail'])
        .where('code', '=', 'SEQUENCE_GAP')
        .where('subjectType', '=', 'device')
        .where('subjectId', 'in', c)
        .execute(),
    );
    const sequenceGapsOf = new Map<string, DeviceSequenceGap[]>();
    for (const g of gapAll) {
      const d = JSON.parse(g.detail) as { group?: string | null; from?: number; to?: number };
      if (typeof d.from !== 'number' || typeof d.to !== 'number') continue;
      const list = sequenceGapsOf.get(g.subjectId) ?? [];
      list.push({ findingId: g.id, deviceId: g.subjectId, group: d.group ?? null, from: d.from, to: d.to });
      sequenceGapsOf.set(g.subjectId, list);
    }

    for (const a of acts) {
      const recRows = recordingsOf.get(a.id) ?? [];
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
        importFindings: (carriedOf.get(r.id) ?? []).map((f) => ({ id: f.id, code: f.code })),
      }));
      const startOf = new Map(recordings.map((r) => [r.id, r.start]));
      const attached = attachedOf.get(a.id) ?? [];
      const arrived = num(a.arrivedAt);
      const deviceUses: DeviceUse[] = [];
      const dockings: DeviceDocking[] = [];
      const sequenceGaps: DeviceSequenceGap[] = [];
      const w = windowOf.get(a.id);
      if (w) {
        for (const d of w.deviceIds)
          for (const c of checkoutsOf.get(d) ?? []) {
            const to = num(c.checkedInAt);
            if (Number(c.checkedOutAt) > w.ended || (to !== null && to < w.arrived)) continue;
            deviceUses.push({
              deviceId: c.deviceId,
              checkoutId: c.id,
              officerId: c.officerId,
              from: Number(c.checkedOutAt),
              to,
              checks: (checksOf.get(c.id) ?? []).map((k) => ({
                id: k.id,
                at: Number(k.checkedAt),
                passed: k.result === 'pass',
                clockOffsetMs: Number(k.offsetMs),
                failures: JSON.parse(k.failures) as string[],
              })),
            });
          }
        const endedAt = num(a.endedAt);
        for (const deviceId of w.deviceIds)
          dockings.push({
            deviceId,
            firstImportAfterEndAt: endedAt === null ? null : await firstImport(deviceId, endedAt),
          });
        for (const d of w.deviceIds) sequenceGaps.push(...(sequenceGapsOf.get(d) ?? []));
      }

      const standing = shownExemption(
        (exemptionsOf.get(a.id) ?? []).map((e) => ({
          id: e.id,
          createdAt: Number(e.createdAt),
          status: e.status as ExemptionStatus,
        })),
      );
      const interruptions: Interruption[] = (interruptionsOf.get(a.id) ?? []).map((i) => ({
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
      out.set(a.id, {
        timeZone: this.ctx.timezone,
        activity: {
          id: a.id,
          type: a.type as ActivityType,
          status: a.status as ActivityStatus,
          plannedAt: Number(a.plannedAt),
          arrivedAt: arrived,
          endedAt: num(a.endedAt),
          remoteWork: Number(a.remoteWork) === 1,
          returnedAt: num(a.returnedAt),
          officers: (officersOf.get(a.id) ?? []).map((o) => ({
            userId: o.userId,
            inCharge: Number(o.inCharge) === 1,
          })),
          deviceIds: attached.map((d) => d.deviceId),
          notifiedAt: num(a.notifiedAt),
          exemption:
            standing &&
            (standing.status === 'pending' ||
              standing.status === 'approved' ||
              standing.status === 'rejected')
              ? { id: standing.id, status: standing.status }
              : null,
        },
        recordings,
        deviceUses,
        dockings,
        sequenceGaps,
        markers: recRows.flatMap((r) =>
          (markersOf.get(r.id) ?? []).flatMap((m) => {
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
        ),
        interruptions,
      });
    }
    return out;
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
    return (await this.recomputeIn(tx, [activityId], actor, tolerances))[0] ?? null;
  }

  /**
   * Recomputes the given activities in the caller's transaction: inputs gathered together,
   * the engine run on each, and the changes written with multi-row statements. What is
   * stored is what `recompute` stores for each one alone.
   */
  async recomputeIn(
    tx: Tx,
    activityIds: readonly string[],
    actor: Actor | null,
    tolerances: Readonly<ComplianceTolerances>,
    opts: { checkoutFloor?: number } = {},
  ): Promise<RecomputeSummary[]> {
    const inputs = await this.gatherMany(tx, activityIds, opts);
    if (inputs.size === 0) return [];
    const now = this.ctx.clock.now();
    const who = { actorId: actor?.userId ?? null, actorName: actor?.name ?? 'system' };
    const ids = [...inputs.keys()];
    const storedAll = (await inChunks(ids, (c) =>
      tx
        .selectFrom('findings')
        .select([
          'id',
          'activityId',
          'code',
          'status',
          'subjectType',
          'subjectId',
          'detail',
          'findingKey',
          'withdrawnAt',
        ])
        .where('activityId', 'in', c)
        .where('source', '=', 'engine')
        .execute(),
    )) as (StoredFinding & { activityId: string })[];
    const storedOf = groupBy(storedAll, (f) => f.activityId);

    const newFindings: FindingsTable[] = [];
    const events: FindingEventsTable[] = [];
    const updates: { id: string; changes: Partial<FindingsTable> }[] = [];
    const withdraw: string[] = [];
    const event = (findingId: string, act: string, from: string | null, to: string, comment: string | null) =>
      events.push({ id: uuidv7(), findingId, at: now, ...who, act, fromStatus: from, toStatus: to, comment });
    const outcomes: {
      activityId: string;
      result: ComplianceResult;
      standing: { code: string; status: string }[];
      raised: number;
      withdrawn: number;
      reopened: number;
    }[] = [];

    for (const [activityId, input] of inputs) {
      const result = evaluateActivity(input, tolerances, now);
      const stored = storedOf.get(activityId) ?? [];
      const byKey = new Map(stored.map((f) => [f.findingKey!, f]));
      const interruptions = new Map((input.interruptions ?? []).map((i) => [i.id, i]));
      // What each stored finding becomes, for the verdict below.
      const after = new Map(
        stored.map((f) => [
          f.id,
          {
            code: f.code,
            status: f.status,
            withdrawn: f.withdrawnAt !== null && f.withdrawnAt !== undefined,
          },
        ]),
      );
      const inserted: { code: string; status: string }[] = [];
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
          newFindings.push({
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
          });
          inserted.push({ code: f.code, status });
          event(id, 'raised', null, 'open', null);
          if (status !== 'open') event(id, 'explain', 'open', status, null);
          raised++;
          continue;
        }
        const state = after.get(old.id)!;
        const changes: Partial<FindingsTable> = {};
        if (old.detail !== detail) changes.detail = detail;
        if (old.withdrawnAt !== null && old.withdrawnAt !== undefined) {
          changes.withdrawnAt = null;
          state.withdrawn = false;
          event(old.id, 'reopened', old.status, old.status, null);
          reopened++;
        }
        if (derived && old.status !== 'violation' && old.status !== derived) {
          changes.status = derived;
          state.status = derived;
          const act = derived === 'accepted' ? 'accept' : derived === 'open' ? 'reject' : 'explain';
          event(old.id, act, old.status, derived, null);
        }
        if (Object.keys(changes).length) updates.push({ id: old.id, changes });
      }
      for (const old of stored) {
        if (seen.has(old.findingKey!) || (old.withdrawnAt !== null && old.withdrawnAt !== undefined))
          continue;
        withdraw.push(old.id);
        after.get(old.id)!.withdrawn = true;
        event(old.id, 'withdrawn', old.status, old.status, null);
        withdrawn++;
      }
      const standing = [...[...after.values()].filter((f) => !f.withdrawn), ...inserted];
      outcomes.push({ activityId, result, standing, raised, withdrawn, reopened });
    }

    // LATE_IMPORT at import time knew nothing of the activity (remote work, the return):
    // the engine's, per linked recording, supersedes it.
    const recIds = [...inputs.values()].flatMap((i) => (i.recordings ?? []).map((r) => r.id));
    const superseded = await inChunks(recIds, (c) =>
      tx
        .selectFrom('findings')
        .select(['id', 'status'])
        .where('code', '=', 'LATE_IMPORT')
        .where('subjectType', '=', 'recording')
        .where('subjectId', 'in', c)
        .where((eb) => eb.or([eb('source', 'is', null), eb('source', '=', 'import')]))
        .where('withdrawnAt', 'is', null)
        .execute(),
    );
    for (const f of superseded) {
      withdraw.push(f.id);
      event(f.id, 'withdrawn', f.status, f.status, 'superseded by the activity’s computation');
    }

    // The verdict weighs the engine's standing findings and the carried import-time ones.
    const carriedIds = [...new Set(outcomes.flatMap((o) => o.result.carried.map((c) => c.findingId)))];
    const carriedRows = await inChunks(carriedIds, (c) =>
      tx.selectFrom('findings').select(['id', 'code', 'status']).where('id', 'in', c).execute(),
    );
    const carriedById = new Map(carriedRows.map((f) => [f.id, f]));
    const summaries: RecomputeSummary[] = [];
    const complianceRows: ActivityComplianceTable[] = [];
    for (const o of outcomes) {
      const carried = o.result.carried.flatMap((c) => {
        const f = carriedById.get(c.findingId);
        return f ? [{ code: f.code, status: f.status }] : [];
      });
      const all = [...o.standing, ...carried].filter((f) => isFindingStatus(f.status)) as {
        code: string;
        status: FindingStatus;
      }[];
      const v = verdict(all);
      const open = all.filter((f) => f.status === 'open' || f.status === 'explained').length;
      complianceRows.push({
        activityId: o.activityId,
        verdict: v.verdict,
        phase: o.result.phase,
        coveredMs: o.result.coveredMs,
        windowMs: o.result.windowMs,
        openFindings: open,
        reasons: JSON.stringify(v.reasons),
        timeline: JSON.stringify(timelineOf(o.result)),
        computedAt: now,
      });
      summaries.push({
        activityId: o.activityId,
        verdict: v.verdict,
        raised: o.raised,
        withdrawn: o.withdrawn,
        reopened: o.reopened,
        open,
      });
    }

    // The writes.
    await insertRows(tx, 'findings', newFindings);
    for (const u of updates)
      await tx
        .updateTable('findings')
        .set({ ...u.changes, updatedAt: now })
        .where('id', '=', u.id)
        .execute();
    await inChunks(withdraw, (c) =>
      tx.updateTable('findings').set({ withdrawnAt: now, updatedAt: now }).where('id', 'in', c).execute(),
    );
    await insertRows(tx, 'findingEvents', events);
    for (let i = 0; i < complianceRows.length; i += WRITE_ROWS)
      await tx
        .insertInto('activityCompliance')
        .values(complianceRows.slice(i, i + WRITE_ROWS))
        .onConflict((oc) =>
          oc.column('activityId').doUpdateSet((eb) => ({
            verdict: eb.ref('excluded.verdict'),
            phase: eb.ref('excluded.phase'),
            coveredMs: eb.ref('excluded.coveredMs'),
            windowMs: eb.ref('excluded.windowMs'),
            openFindings: eb.ref('excluded.openFindings'),
            reasons: eb.ref('excluded.reasons'),
            timeline: eb.ref('excluded.timeline'),
            computedAt: eb.ref('excluded.computedAt'),
          })),
        )
        .execute();
    return summaries;
  }

  /**
   * Recomputes many activities (CLI, benchmark, the periodic sweep) in chunks of
   * `chunkSize`, one transaction each, in order of time so that each chunk's check-outs and
   * imports lie close together.
   */
  async recomputeMany(
    activityIds: readonly string[],
    opts: { chunkSize?: number } = {},
  ): Promise<{ count: number; byVerdict: Record<string, number> }> {
    const chunkSize = Math.max(1, opts.chunkSize ?? 500);
    const byVerdict: Record<string, number> = {};
    const tolerances = await this.loadTolerances();
    const db = this.ctx.catalogue.db;
    // Read before any transaction opens (SQLite).
    const timed = await inChunks([...new Set(activityIds)], (c) =>
      db.selectFrom('activities').select(['id', 'arrivedAt', 'plannedAt']).where('id', 'in', c).execute(),
    );
    timed.sort((x, y) => Number(x.arrivedAt ?? x.plannedAt) - Number(y.arrivedAt ?? y.plannedAt));
    const floor = await this.checkoutFloor();
    for (let i = 0; i < timed.length; i += chunkSize) {
      const chunk = timed.slice(i, i + chunkSize);
      // No check-out overlapping an activity began before its arrival less the longest
      // check-out that has ended, unless it is still open (the earliest open one).
      const minArrived = chunk.reduce(
        (m, a) => Math.min(m, Number(a.arrivedAt ?? a.plannedAt)),
        Number.POSITIVE_INFINITY,
      );
      const checkoutFloor =
        floor === null ? undefined : Math.min(minArrived - floor.longestMs, floor.earliestOpen, floor.at);
      const summaries = await db.transaction().execute((tx) =>
        this.recomputeIn(
          tx,
          chunk.map((a) => a.id),
          null,
          tolerances,
          { checkoutFloor },
        ),
      );
      for (const s of summaries) byVerdict[s.verdict] = (byVerdict[s.verdict] ?? 0) + 1;
    }
    return { count: activityIds.length, byVerdict };
  }

  /**
   * What bounds the check-outs a chunk of activities can overlap: the longest ended
   * check-out and the earliest still open. A check-out ended later than this was open now
   * (so began at or after earliestOpen); one begun later began after `at`.
   */
  private async checkoutFloor(): Promise<{ longestMs: number; earliestOpen: number; at: number } | null> {
    const at = this.ctx.clock.now();
    const row = await this.ctx.catalogue.db
      .selectFrom('checkouts')
      .select([
        sql<number | string | null>`max(checked_in_at - checked_out_at)`.as('longest'),
        sql<number | string | null>`min(case when checked_in_at is null then checked_out_at end)`.as(
          'earliestOpen',
        ),
      ])
      .executeTakeFirst();
    if (!row) return null;
    return {
      longestMs: num(row.longest) ?? 0,
      earliestOpen: num(row.earliestOpen) ?? Number.POSITIVE_INFINITY,
      at,
    };
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
