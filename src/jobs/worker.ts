// A worker loop over the job queue: claims jobs of the kinds it has handlers for, runs them
// one at a time, keeps the lease alive while a handler runs, and records the outcome.
// stop() lets the running job finish (or aborts it with { abort: true }) and returns when
// the loop has ended. `serve` and the tests start workers; nothing here knows a job kind.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Job, JobQueue } from './queue.js';

export interface JobContext {
  /** Aborted when the worker stops with { abort: true } or the lease was lost. */
  signal: AbortSignal;
  workerId: string;
}

export type JobHandler = (job: Job, ctx: JobContext) => Promise<void>;

/** Thrown by a handler for a failure that retrying cannot fix (bad payload, gone record). */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export interface WorkerOptions {
  /** Default host:pid:random. */
  id?: string;
  /** Lease per claim, renewed every third of it while the handler runs. Default 5 minutes. */
  leaseMs?: number;
  /** Pause when no job is due. Default 1 s. */
  idleMs?: number;
  /** Pause after the queue itself failed (database down). Default 5 s. */
  errorPauseMs?: number;
  /** Told about failures of the queue and of handlers; default silent. */
  onError?: (error: unknown, job: Job | null) => void;
}

export type RunOutcome = 'idle' | 'done' | 'retry' | 'failed' | 'lost';

export function defaultWorkerId(): string {
  return `${os.hostname().slice(0, 64)}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export class Worker {
  readonly id: string;
  private readonly kinds: string[];
  private readonly leaseMs: number;
  private readonly idleMs: number;
  private readonly errorPauseMs: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private current: AbortController | null = null;

  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    private readonly opts: WorkerOptions = {},
  ) {
    this.id = opts.id ?? defaultWorkerId();
    this.kinds = Object.keys(handlers);
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.idleMs = opts.idleMs ?? 1000;
    this.errorPauseMs = opts.errorPauseMs ?? 5000;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Claims and runs at most one job. */
  async runOnce(): Promise<RunOutcome> {
    const job = await this.queue.claim(this.id, this.kinds, this.leaseMs);
    if (!job) return 'idle';
    const controller = new AbortController();
    this.current = controller;
    let lost = false;
    const renew = setInterval(
      () => {
        this.queue.extend(job, this.leaseMs).then(
          (ok) => {
            if (!ok && !lost) {
              lost = true;
              controller.abort(new Error('lease lost'));
            }
          },
          (e: unknown) => this.opts.onError?.(e, job),
        );
      },
      Math.max(Math.floor(this.leaseMs / 3), 10),
    );
    try {
      await this.handlers[job.kind]!(job, { signal: controller.signal, workerId: this.id });
      clearInterval(renew);
      return (await this.queue.complete(job)) ? 'done' : 'lost';
    } catch (e) {
      clearInterval(renew);
      this.opts.onError?.(e, job);
      const outcome = await this.queue.fail(job, e, { permanent: e instanceof PermanentJobError });
      return outcome ?? 'lost';
    } finally {
      clearInterval(renew);
      this.current = null;
    }
  }

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the loop; the running job finishes unless { abort: true }. */
  async stop(opts: { abort?: boolean } = {}): Promise<void> {
    this.running = false;
    if (opts.abort) this.current?.abort(new Error('worker stopping'));
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let pause = 0;
      try {
        if ((await this.runOnce()) === 'idle') pause = this.idleMs;
      } catch (e) {
        this.opts.onError?.(e, null);
        pause = this.errorPauseMs;
      }
      if (pause > 0 && this.running) await this.sleep(pause);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
