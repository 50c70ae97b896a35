// The database-backed job queue and its worker loop, on SQLite and PostgreSQL: claiming,
// leases, back-off, attempts, transactional enqueue, concurrent claimers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalogue, type Catalogue } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { PermanentJobError, Worker } from '../../src/jobs/worker.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { TestClock } from '../support/zhilu.js';

describe.each(databaseKinds())('job queue on %s', (kind) => {
  let db: TestDatabase;
  let catalogue: Catalogue;
  let clock: TestClock;
  let queue: JobQueue;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
    catalogue = await openCatalogue(db.config);
    await migrateToLatest(catalogue);
    clock = new TestClock();
    queue = new JobQueue(catalogue, clock, { backoffBaseMs: 1000, backoffMaxMs: 8000 });
  });
  afterEach(async () => {
    await catalogue.close();
    await db.drop();
  });

  it('claims due jobs oldest first, one worker at a time, and completes them', async () => {
    const a = await queue.enqueue(catalogue.db, 'media.probe', { recordingId: 'r1' });
    const b = await queue.enqueue(catalogue.db, 'media.probe', { recordingId: 'r2' });
    await queue.enqueue(
      catalogue.db,
      'media.probe',
      { recordingId: 'later' },
      { runAfter: clock.now() + 60_000 },
    );
    await queue.enqueue(catalogue.db, 'other.kind', {});

    const first = await queue.claim<{ recordingId: string }>('w1', ['media.probe'], 30_000);
    expect(first).toMatchObject({
      id: a.id,
      status: 'running',
      attempts: 1,
      lockedBy: 'w1',
      payload: { recordingId: 'r1' },
    });
    expect(first!.lockedUntil).toBe(clock.now() + 30_000);
    const second = await queue.claim('w2', ['media.probe'], 120_000);
    expect(second!.id).toBe(b.id);
    expect(await queue.claim('w3', ['media.probe'], 30_000)).toBeNull(); // the third is not due yet
    expect(await queue.claim('w3', [], 30_000)).toBeNull();

    expect(await queue.complete(first!)).toBe(true);
    expect(await queue.complete(first!)).toBe(false); // already done
    expect(await queue.complete({ id: b.id, lockedBy: 'someone-else' })).toBe(false);
    expect((await queue.get(a.id))!.status).toBe('done');

    clock.advance(60_000);
    expect(
      (await queue.claim<{ recordingId: string }>('w3', ['media.probe'], 30_000))!.payload.recordingId,
    ).toBe('later');
    expect(await queue.counts()).toEqual([
      { kind: 'media.probe', status: 'done', count: 1 },
      { kind: 'media.probe', status: 'running', count: 2 },
      { kind: 'other.kind', status: 'queued', count: 1 },
    ]);
  });

  it('retries failures with exponential back-off until the attempts are used up', async () => {
    const job = await queue.enqueue(catalogue.db, 'flaky', { n: 1 }, { maxAttempts: 3 });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claimed = await queue.claim('w', ['flaky'], 10_000);
      expect(claimed?.attempts).toBe(attempt);
      const outcome = await queue.fail(
        claimed!,
        Object.assign(new Error(`boom ${attempt}`), { code: 'EIO' }),
      );
      const after = (await queue.get(job.id))!;
      expect(after.lastError).toBe(`EIO: boom ${attempt}`);
      if (attempt < 3) {
        expect(outcome).toBe('retry');
        expect(after.status).toBe('queued');
        delays.push(after.runAfter - clock.now());
        expect(await queue.claim('w', ['flaky'], 10_000)).toBeNull(); // not before the back-off
        clock.advance(after.runAfter - clock.now());
      } else {
        expect(outcome).toBe('failed');
        expect(after.status).toBe('failed');
      }
    }
    expect(delays).toEqual([1000, 2000]);
    expect(queue.backoffMs(10)).toBe(8000); // capped
    expect(await queue.claim('w', ['flaky'], 10_000)).toBeNull();
    // An operator puts it back with fresh attempts.
    expect(await queue.retry(job.id)).toBe(true);
    expect((await queue.claim('w', ['flaky'], 10_000))?.attempts).toBe(1);
  });

  it('fails permanently on request, and refuses a fail() from a worker that lost the lease', async () => {
    const job = await queue.enqueue(catalogue.db, 'k', {});
    const claimed = (await queue.claim('w', ['k'], 10_000))!;
    expect(await queue.fail({ id: job.id, lockedBy: 'not-me' }, new Error('x'))).toBeNull();
    expect(await queue.fail(claimed, new Error('bad payload'), { permanent: true })).toBe('failed');
    expect((await queue.get(job.id))!.attempts).toBe(1);
  });

  it('reclaims a job whose lease ran out; the stale worker cannot finish it; the last attempt fails', async () => {
    const job = await queue.enqueue(catalogue.db, 'long', {}, { maxAttempts: 2 });
    const stale = (await queue.claim('w-stale', ['long'], 5_000))!;
    expect(await queue.claim('w-new', ['long'], 5_000)).toBeNull();
    clock.advance(4_000);
    expect(await queue.extend(stale, 5_000)).toBe(true); // still its own: extended to t+9 s
    clock.advance(5_001);
    expect(await queue.extend(stale, 5_000)).toBe(false); // ran out
    const taken = (await queue.claim('w-new', ['long'], 5_000))!;
    expect(taken).toMatchObject({ id: job.id, attempts: 2, lockedBy: 'w-new' });
    expect(taken.lastError).toContain('lease expired');
    expect(await queue.complete(stale)).toBe(false);
    expect(await queue.fail(stale, new Error('late'))).toBeNull();
    // The second (last) lease also runs out: failed, not run a third time.
    clock.advance(5_001);
    expect(await queue.claim('w-third', ['long'], 5_000)).toBeNull();
    const end = (await queue.get(job.id))!;
    expect(end.status).toBe('failed');
    expect(end.lastError).toContain('lease expired on the last attempt');
  });

  it('enqueues inside the caller transaction: a rollback leaves no job', async () => {
    await expect(
      catalogue.db.transaction().execute(async (tx) => {
        await queue.enqueue(tx, 'k', { x: 1 });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await queue.claim('w', ['k'], 1000)).toBeNull();
    await catalogue.db.transaction().execute((tx) => queue.enqueue(tx, 'k', { x: 2 }));
    expect((await queue.claim<{ x: number }>('w', ['k'], 1000))!.payload).toEqual({ x: 2 });
  });

  it('validates kinds, workers, leases and payload sizes', async () => {
    await expect(queue.enqueue(catalogue.db, 'Bad Kind', {})).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(queue.enqueue(catalogue.db, 'k', { blob: 'x'.repeat(70_000) })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(queue.enqueue(catalogue.db, 'k', {}, { maxAttempts: 0 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(queue.claim('', ['k'], 1000)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(queue.claim('w', ['k'], 0)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('gives each of many concurrent claimers a different job', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) ids.add((await queue.enqueue(catalogue.db, 'bulk', { i })).id);
    // Separate connections on PostgreSQL (the pool), one serialised connection on SQLite.
    const claims = await Promise.all(
      Array.from({ length: 16 }, (_, i) => queue.claim(`w${i}`, ['bulk'], 60_000)),
    );
    const got = claims.filter((c) => c !== null).map((c) => c.id);
    expect(got.length).toBe(12);
    expect(new Set(got)).toEqual(ids);
  });

  it('runs a worker loop with handlers by kind, retrying and stopping cleanly', async () => {
    const seen: string[] = [];
    let flaky = 0;
    await queue.enqueue(catalogue.db, 'ok', { name: 'a' });
    await queue.enqueue(catalogue.db, 'flaky', {}, { maxAttempts: 3 });
    const poison = await queue.enqueue(catalogue.db, 'poison', {});
    const errorsSeen: string[] = [];
    const worker = new Worker(
      queue,
      {
        ok: async (job) => {
          seen.push(`ok:${(job.payload as { name: string }).name}`);
        },
        flaky: async () => {
          flaky++;
          if (flaky === 1) throw new Error('first time fails');
          seen.push('flaky');
        },
        poison: async () => {
          throw new PermanentJobError('cannot ever work');
        },
      },
      { idleMs: 5, leaseMs: 60_000, onError: (e) => errorsSeen.push((e as Error).message) },
    );
    expect(await worker.runOnce()).toBe('done');
    expect(await worker.runOnce()).toBe('retry');
    expect(await worker.runOnce()).toBe('failed');
    expect(await worker.runOnce()).toBe('idle'); // the flaky job waits for its back-off
    clock.advance(1000);
    worker.start();
    worker.start(); // idempotent
    for (let i = 0; i < 200 && !seen.includes('flaky'); i++) await new Promise((r) => setTimeout(r, 5));
    await worker.stop();
    expect(worker.isRunning).toBe(false);
    expect(seen).toEqual(['ok:a', 'flaky']);
    expect(errorsSeen).toEqual(['first time fails', 'cannot ever work']);
    expect((await queue.get(poison.id))!).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'cannot ever work',
    });
  });

  it('aborts a running handler when stopped with { abort: true }', async () => {
    await queue.enqueue(catalogue.db, 'slow', {}, { maxAttempts: 2 });
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    const worker = new Worker(
      queue,
      {
        slow: (_job, { signal }) =>
          new Promise<void>((_resolve, reject) => {
            started();
            signal.addEventListener('abort', () => reject(signal.reason as Error));
          }),
      },
      { idleMs: 5 },
    );
    worker.start();
    await isStarted;
    await worker.stop({ abort: true });
    const [job] = await catalogue.db.selectFrom('jobs').selectAll().execute();
    expect(job).toMatchObject({ status: 'queued', attempts: 1, lastError: 'worker stopping' });
  });
});
