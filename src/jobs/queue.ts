// The job queue lives in the catalogue (the `jobs` table): no Redis, and several servers
// may share it. A worker claims a job for a lease; finishing it (complete or fail) needs
// the lease still to be its own, so a worker that stalled past its lease cannot overwrite
// the result of the one that took the job over. Failures retry with exponential back-off
// up to max_attempts; a lease that ran out counts as a failed attempt.
//
// Claiming: on PostgreSQL `select … for update skip locked` inside a transaction, so
// concurrent workers never wait for or take the same row; on SQLite the transaction is
// BEGIN IMMEDIATE (database.ts), which already holds the single write lock for its length.
import { uuidv7 } from 'uuidv7';
import type { Catalogue, Executor } from '../db/database.js';
import type { JobRow } from '../db/schema.js';
import { errors } from '../domain/errors.js';
import type { Clock } from '../services/context.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface Job<P = unknown> {
  id: string;
  kind: string;
  payload: P;
  status: JobStatus;
  /** Attempts started so far, this one included once claimed. */
  attempts: number;
  maxAttempts: number;
  runAfter: number;
  lockedBy: string | null;
  lockedUntil: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface EnqueueOptions {
  /** Not before this instant (epoch ms); default now. */
  runAfter?: number;
  /** Default 5. */
  maxAttempts?: number;
}

export interface QueueOptions {
  /** First retry delay, ms; doubles with each further attempt. Default 10 s. */
  backoffBaseMs?: number;
  /** Longest retry delay, ms. Default 1 hour. */
  backoffMaxMs?: number;
}

const KIND_RE = /^[a-z][a-z0-9_.-]{0,63}$/;
const WORKER_RE = /^[\x21-\x7e]{1,128}$/;
const MAX_PAYLOAD_CHARS = 64 * 1024;
const MAX_ERROR_CHARS = 2000;
const MAX_LEASE_MS = 24 * 3_600_000;

function present<P>(row: JobRow): Job<P> {
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as P,
    status: row.status as JobStatus,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.maxAttempts),
    runAfter: Number(row.runAfter),
    lockedBy: row.lockedBy,
    lockedUntil: row.lockedUntil === null ? null : Number(row.lockedUntil),
    lastError: row.lastError,
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}

function checkKind(kind: string): void {
  if (typeof kind !== 'string' || !KIND_RE.test(kind))
    throw errors.validation(`job kind "${String(kind).slice(0, 80)}" is not a valid name`);
}

function checkLease(leaseMs: number): void {
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 1 || leaseMs > MAX_LEASE_MS)
    throw errors.validation('leaseMs must be a whole number of milliseconds between 1 and 24 hours');
}

/** What a thrown value says, short enough to store. */
export function describeError(e: unknown): string {
  let text = String(e);
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    text = code ? `${String(code)}: ${e.message}` : e.message;
  }
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}

export class JobQueue {
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;

  constructor(
    private readonly catalogue: Catalogue,
    private readonly clock: Clock,
    opts: QueueOptions = {},
  ) {
    this.backoffBaseMs = opts.backoffBaseMs ?? 10_000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 3_600_000;
  }

  /** Delay before the retry that follows attempt number `attempts` (1-based). */
  backoffMs(attempts: number): number {
    const exp = Math.min(Math.max(attempts - 1, 0), 30);
    return Math.min(this.backoffBaseMs * 2 ** exp, this.backoffMaxMs);
  }

  /**
   * Adds a job. Pass the caller's transaction so the job exists exactly when the change
   * that needs it is committed.
   */
  async enqueue<P>(db: Executor, kind: string, payload: P, opts: EnqueueOptions = {}): Promise<Job<P>> {
    checkKind(kind);
    const json = JSON.stringify(payload ?? null);
    if (json.length > MAX_PAYLOAD_CHARS)
      throw errors.validation('job payload is too large (64 KiB at most): pass ids, not content');
    const maxAttempts = opts.maxAttempts ?? 5;
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)
      throw errors.validation('maxAttempts must be between 1 and 100');
    const now = this.clock.now();
    const runAfter = opts.runAfter ?? now;
    if (!Number.isSafeInteger(runAfter)) throw errors.validation('runAfter must be epoch milliseconds');
    const row: JobRow = {
      id: uuidv7(),
      kind,
      payload: json,
      status: 'queued',
      attempts: 0,
      maxAttempts,
      runAfter,
      lockedBy: null,
      lockedUntil: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    };
    await db.insertInto('jobs').values(row).execute();
    return present<P>(row);
  }

  /**
   * Takes the next due job of one of `kinds` (oldest due first) for `leaseMs`, or null.
   * A running job whose lease ran out is due again; one that has used all its attempts is
   * marked failed instead.
   */
  async claim<P = unknown>(
    workerId: string,
    kinds: readonly string[],
    leaseMs: number,
  ): Promise<Job<P> | null> {
    if (typeof workerId !== 'string' || !WORKER_RE.test(workerId))
      throw errors.validation('workerId must be 1–128 printable characters');
    kinds.forEach(checkKind);
    checkLease(leaseMs);
    if (kinds.length === 0) return null;
    const postgres = this.catalogue.kind === 'postgres';
    return this.catalogue.db.transaction().execute(async (tx) => {
      const now = this.clock.now();
      // Leases that ran out on a last attempt: the job has failed.
      await tx
        .updateTable('jobs')
        .set({
          status: 'failed',
          lockedBy: null,
          lockedUntil: null,
          lastError: 'lease expired on the last attempt: the worker stopped or stalled',
          updatedAt: now,
        })
        .where('status', '=', 'running')
        .where('lockedUntil', '<', now)
        .where('kind', 'in', kinds)
        .where((eb) => eb('attempts', '>=', eb.ref('maxAttempts')))
        .execute();
      let query = tx
        .selectFrom('jobs')
        .selectAll()
        .where('kind', 'in', kinds)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('runAfter', '<=', now)]),
            eb.and([eb('status', '=', 'running'), eb('lockedUntil', '<', now)]),
          ]),
        )
        .orderBy('runAfter')
        .orderBy('id')
        .limit(1);
      // The one dialect difference: SQLite has no row locks (and no syntax for them).
      if (postgres) query = query.forUpdate().skipLocked();
      const row = await query.executeTakeFirst();
      if (!row) return null;
      const expired = row.status === 'running';
      const next = {
        status: 'running',
        attempts: Number(row.attempts) + 1,
        lockedBy: workerId,
        lockedUntil: now + leaseMs,
        lastError: expired ? `lease expired (worker ${row.lockedBy ?? '?'})` : row.lastError,
        updatedAt: now,
      };
      await tx.updateTable('jobs').set(next).where('id', '=', row.id).execute();
      return present<P>({ ...row, ...next });
    });
  }

  /** Marks the job done; false when the lease is no longer this worker's (nothing changed). */
  async complete(job: Pick<Job, 'id' | 'lockedBy'>): Promise<boolean> {
    const r = await this.catalogue.db
      .updateTable('jobs')
      .set({ status: 'done', lockedBy: null, lockedUntil: null, updatedAt: this.clock.now() })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('lockedBy', '=', job.lockedBy)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Records a failed attempt: queued again after the back-off, or failed for good when the
   * attempts are used up (or `permanent`). Returns the outcome, or null when the lease is no
   * longer this worker's.
   */
  async fail(
    job: Pick<Job, 'id' | 'lockedBy'>,
    error: unknown,
    opts: { permanent?: boolean } = {},
  ): Promise<'retry' | 'failed' | null> {
    return this.catalogue.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('jobs')
        .select(['attempts', 'maxAttempts'])
        .where('id', '=', job.id)
        .where('status', '=', 'running')
        .where('lockedBy', '=', job.lockedBy)
        .executeTakeFirst();
      if (!row) return null;
      const now = this.clock.now();
      const attempts = Number(row.attempts);
      const final = opts.permanent === true || attempts >= Number(row.maxAttempts);
      await tx
        .updateTable('jobs')
        .set({
          status: final ? 'failed' : 'queued',
          runAfter: final ? now : now + this.backoffMs(attempts),
          lockedBy: null,
          lockedUntil: null,
          lastError: describeError(error),
          updatedAt: now,
        })
        .where('id', '=', job.id)
        .execute();
      return final ? 'failed' : 'retry';
    });
  }

  /** Extends a running job's lease (long jobs); false when the lease is no longer this worker's. */
  async extend(job: Pick<Job, 'id' | 'lockedBy'>, leaseMs: number): Promise<boolean> {
    checkLease(leaseMs);
    const now = this.clock.now();
    const r = await this.catalogue.db
      .updateTable('jobs')
      .set({ lockedUntil: now + leaseMs, updatedAt: now })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .where('lockedBy', '=', job.lockedBy)
      .where('lockedUntil', '>=', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Puts a failed job back in the queue with a fresh set of attempts (an operator's act). */
  async retry(id: string): Promise<boolean> {
    const now = this.clock.now();
    const r = await this.catalogue.db
      .updateTable('jobs')
      .set({ status: 'queued', attempts: 0, runAfter: now, updatedAt: now })
      .where('id', '=', id)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async get<P = unknown>(id: string): Promise<Job<P> | null> {
    const row = await this.catalogue.db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? present<P>(row) : null;
  }

  /** Jobs per kind and status, for health pages. */
  async counts(): Promise<{ kind: string; status: JobStatus; count: number }[]> {
    const rows = await this.catalogue.db
      .selectFrom('jobs')
      .select(['kind', 'status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy(['kind', 'status'])
      .orderBy('kind')
      .orderBy('status')
      .execute();
    return rows.map((r) => ({ kind: r.kind, status: r.status as JobStatus, count: Number(r.count) }));
  }
}
