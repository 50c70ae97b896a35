// The media pipeline (issue 4, item 6): for each catalogued recording, jobs in the database
// queue make a thumbnail, a browser-playable proxy and the speech-at-start measure.
//
// - The original is only ever read: each job streams the blob to a private temporary file,
//   checking its SHA-256 on the way (a job never works from bytes that are not the
//   catalogued ones), and derivatives are new content-addressed blobs.
// - Idempotent: a job whose result exists (derivative row, measured speech) does nothing,
//   so a retried or duplicated job replaces nothing.
// - Failures: ffmpeg crashing or timing out, storage errors → retried with the queue's
//   back-off; a file ffprobe cannot decode, a recording that is gone, bytes that do not
//   match their hash → PermanentJobError at once. When a job fails for good the recording
//   shows media_status 'failed' with the reason (and GET /jobs?status=failed lists it).
// - Jobs are queued in the transaction that catalogues the recording (enqueueMediaJobs), so
//   a recording never exists without its jobs nor jobs without their recording.
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Executor } from '../db/database.js';
import type { RecordingsTable } from '../db/schema.js';
import { errors } from '../domain/errors.js';
import { describeError, JobQueue, type Job, type JobStatus } from '../jobs/queue.js';
import {
  PermanentJobError,
  Worker,
  type JobContext,
  type JobHandler,
  type WorkerOptions,
} from '../jobs/worker.js';
import { probe, type MediaInfo } from '../media/probe.js';
import { makeProxy } from '../media/proxy.js';
import { measureSpeechAtStart } from '../media/speech.js';
import { makeThumbnail } from '../media/thumbnail.js';
import { HashingStream } from '../storage/blob-store.js';
import { enqueueCompliance } from './compliance.service.js';
import type { AuditService } from './audit.service.js';
import { hasPermission, systemActor, type Actor, type ServiceContext } from './context.js';

export const MEDIA_JOB_KINDS = ['media.thumbnail', 'media.proxy', 'media.speech'] as const;
export type MediaJobKind = (typeof MEDIA_JOB_KINDS)[number];
export type MediaStatus = 'pending' | 'ready' | 'failed';

export interface MediaJobPayload {
  recordingId: string;
}

/** Attempts per media job: enough to ride out a restart or a storage hiccup, not a storm. */
export const MEDIA_JOB_MAX_ATTEMPTS = 4;
const MAX_MEDIA_ERROR_CHARS = 1000;
const ID_RE = /^[0-9A-Za-z-]{1,64}$/;

/** Which jobs a recording needs: video all three, audio proxy and speech, photo a thumbnail. */
export function mediaJobsFor(kind: string, mediaOk: boolean): MediaJobKind[] {
  if (!mediaOk) return [];
  if (kind === 'video') return ['media.thumbnail', 'media.proxy', 'media.speech'];
  if (kind === 'audio') return ['media.proxy', 'media.speech'];
  if (kind === 'photo') return ['media.thumbnail'];
  return [];
}

const cut = (text: string) =>
  text.length > MAX_MEDIA_ERROR_CHARS ? `${text.slice(0, MAX_MEDIA_ERROR_CHARS - 1)}…` : text;

/**
 * Queues the media jobs of a recording just catalogued, in the caller's transaction, and
 * sets its media_status: 'pending', or 'failed' when the probe could not read it at import
 * (nothing can be derived from it; the original is kept and flagged UNREADABLE), or null
 * when nothing applies ('other' files). Returns the job ids.
 */
export async function enqueueMediaJobs(
  tx: Executor,
  ctx: Pick<ServiceContext, 'catalogue' | 'clock'>,
  recording: Pick<RecordingsTable, 'id' | 'kind' | 'mediaOk' | 'mediaInfo'>,
): Promise<string[]> {
  const readable = recording.mediaOk === 1;
  const kinds = mediaJobsFor(recording.kind, readable);
  const isMedia = ['video', 'audio', 'photo'].includes(recording.kind);
  let mediaStatus: MediaStatus | null = kinds.length > 0 ? 'pending' : null;
  let mediaError: string | null = null;
  if (!readable && isMedia) {
    let why = 'not decodable';
    try {
      why = (JSON.parse(recording.mediaInfo ?? '{}') as { error?: string }).error ?? why;
    } catch {
      // keep the generic reason
    }
    mediaStatus = 'failed';
    mediaError = cut(`UNREADABLE: ${why}; no thumbnail, proxy or speech measure`);
  }
  await tx
    .updateTable('recordings')
    .set({ mediaStatus, mediaError })
    .where('id', '=', recording.id)
    .execute();
  const queue = new JobQueue(ctx.catalogue, ctx.clock);
  const ids: string[] = [];
  for (const kind of kinds) {
    const job = await queue.enqueue<MediaJobPayload>(
      tx,
      kind,
      { recordingId: recording.id },
      { maxAttempts: MEDIA_JOB_MAX_ATTEMPTS },
    );
    ids.push(job.id);
  }
  return ids;
}

interface RecordingForMedia {
  id: string;
  sha256: string;
  size: number;
  kind: string;
  mediaOk: number;
  speechAtStart: number | null;
}

/** A job as the jobs page shows it. */
export interface JobView {
  id: string;
  kind: string;
  status: JobStatus;
  recordingId: string | null;
  attempts: number;
  maxAttempts: number;
  runAfter: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface MediaPipelineOptions {
  /** Where originals are copied for ffmpeg; default the system temporary directory. */
  tmpDir?: string;
}

export class MediaPipelineService {
  readonly queue: JobQueue;
  private readonly tmpDir: string;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
    opts: MediaPipelineOptions = {},
  ) {
    this.queue = new JobQueue(ctx.catalogue, ctx.clock);
    this.tmpDir = opts.tmpDir ?? os.tmpdir();
  }

  private get db() {
    return this.ctx.catalogue.db;
  }

  /** The handlers by job kind, for a Worker. */
  handlers(): Record<MediaJobKind, JobHandler> {
    return {
      'media.thumbnail': (job, c) => this.run(job, c, 'media.thumbnail'),
      'media.proxy': (job, c) => this.run(job, c, 'media.proxy'),
      'media.speech': (job, c) => this.run(job, c, 'media.speech'),
    };
  }

  private readonly otherHandlers: Record<string, JobHandler> = {};

  /**
   * Other background work the same worker takes on (the compliance recompute), registered
   * in zhilu.ts: one worker process per server, whatever the job.
   */
  addHandlers(handlers: Record<string, JobHandler>): void {
    Object.assign(this.otherHandlers, handlers);
  }

  /** A worker over the media jobs and the others registered (not started). */
  worker(opts: WorkerOptions = {}): Worker {
    return new Worker(this.queue, { ...this.otherHandlers, ...this.handlers() }, opts);
  }

  /** Jobs by status (failed ones first of all), newest first: settings.manage or devices.manage. */
  async listJobs(
    actor: Actor,
    filter: { status?: JobStatus; kind?: string; limit?: number } = {},
  ): Promise<{ items: JobView[]; counts: { kind: string; status: JobStatus; count: number }[] }> {
    if (!hasPermission(actor, 'settings.manage') && !hasPermission(actor, 'devices.manage'))
      throw errors.forbidden('settings.manage');
    const limit = filter.limit ?? 100;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000)
      throw errors.validation('limit must be a whole number from 1 to 1000');
    let q = this.db
      .selectFrom('jobs')
      .selectAll()
      .orderBy('updatedAt', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    const rows = await q.execute();
    const items = rows.map((r): JobView => {
      let recordingId: string | null = null;
      try {
        const p = JSON.parse(r.payload) as { recordingId?: unknown };
        if (typeof p?.recordingId === 'string') recordingId = p.recordingId;
      } catch {
        // payloads are written by enqueue() as JSON; a foreign one just has no recording
      }
      return {
        id: r.id,
        kind: r.kind,
        status: r.status as JobStatus,
        recordingId,
        attempts: Number(r.attempts),
        maxAttempts: Number(r.maxAttempts),
        runAfter: Number(r.runAfter),
        lastError: r.lastError,
        createdAt: Number(r.createdAt),
        updatedAt: Number(r.updatedAt),
      };
    });
    return { items, counts: await this.queue.counts() };
  }

  // ─── Running a job ───────────────────────────────────────────────────────────────

  private async run(job: Job, c: JobContext, kind: MediaJobKind): Promise<void> {
    const recordingId = (job.payload as Partial<MediaJobPayload> | null)?.recordingId;
    if (typeof recordingId !== 'string' || !ID_RE.test(recordingId))
      throw new PermanentJobError(`${kind}: payload has no valid recordingId`);
    try {
      await this.runFor(recordingId, c, kind);
    } catch (e) {
      const final = e instanceof PermanentJobError || job.attempts >= job.maxAttempts;
      if (final) await this.markFailed(recordingId, kind, e).catch(() => undefined);
      throw e;
    }
  }

  private async load(id: string): Promise<RecordingForMedia | null> {
    const r = await this.db
      .selectFrom('recordings')
      .select(['id', 'sha256', 'size', 'kind', 'mediaOk', 'speechAtStart'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!r) return null;
    return {
      id: r.id,
      sha256: r.sha256,
      size: Number(r.size),
      kind: r.kind,
      mediaOk: Number(r.mediaOk),
      speechAtStart:
        r.speechAtStart === null || r.speechAtStart === undefined ? null : Number(r.speechAtStart),
    };
  }

  private async hasDerivative(recordingId: string, kind: 'thumbnail' | 'proxy'): Promise<boolean> {
    const row = await this.db
      .selectFrom('derivatives')
      .select('sha256')
      .where('recordingId', '=', recordingId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return row !== undefined;
  }

  private async runFor(recordingId: string, c: JobContext, kind: MediaJobKind): Promise<void> {
    const rec = await this.load(recordingId);
    if (!rec) throw new PermanentJobError(`recording ${recordingId} does not exist`);
    if (!mediaJobsFor(rec.kind, rec.mediaOk === 1).includes(kind))
      throw new PermanentJobError(`${kind} does not apply to a ${rec.kind} recording`);
    const done =
      kind === 'media.speech'
        ? rec.speechAtStart !== null
        : await this.hasDerivative(rec.id, kind === 'media.proxy' ? 'proxy' : 'thumbnail');
    if (done) {
      await this.refreshStatus(rec.id);
      return;
    }
    await fs.mkdir(this.tmpDir, { recursive: true });
    const work = await fs.mkdtemp(path.join(this.tmpDir, 'zhilu-media-'));
    try {
      const original = path.join(work, 'original');
      await this.copyOriginal(rec, original, c.signal);
      const info = await probe(original, { signal: c.signal });
      if (!info.ok) throw new PermanentJobError(`undecodable: ${info.error ?? 'ffprobe cannot read it'}`);
      if (kind === 'media.speech') await this.speech(rec, original, info, c.signal);
      else if (kind === 'media.thumbnail') await this.thumbnail(rec, original, info, work, c.signal);
      else await this.proxy(rec, original, info, work, c.signal);
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
    await this.refreshStatus(rec.id);
  }

  /** Streams the blob to `file`, hashing on the way: the bytes must be the catalogued ones. */
  private async copyOriginal(rec: RecordingForMedia, file: string, signal: AbortSignal): Promise<void> {
    const hashing = new HashingStream();
    await pipeline(
      await this.ctx.blobs.get(rec.sha256),
      hashing,
      createWriteStream(file, { flags: 'wx', mode: 0o600 }),
      {
        signal,
      },
    );
    if (hashing.sha256 !== rec.sha256 || hashing.bytes !== rec.size)
      throw new PermanentJobError(
        `the stored original does not match its catalogue entry (SHA-256 ${hashing.sha256}, ${hashing.bytes} bytes): run the fixity check`,
      );
  }

  private async thumbnail(
    rec: RecordingForMedia,
    original: string,
    info: MediaInfo,
    work: string,
    signal: AbortSignal,
  ): Promise<void> {
    if (!info.video) throw new PermanentJobError('undecodable: no picture stream for a thumbnail');
    const out = path.join(work, 'thumbnail.jpg');
    await makeThumbnail(
      original,
      out,
      { kind: rec.kind === 'photo' ? 'photo' : 'video', durationMs: info.durationMs },
      { signal },
    );
    await this.storeDerivative(rec, 'thumbnail', out, 'image/jpeg');
  }

  private async proxy(
    rec: RecordingForMedia,
    original: string,
    info: MediaInfo,
    work: string,
    signal: AbortSignal,
  ): Promise<void> {
    const audioOnly = rec.kind === 'audio';
    if (audioOnly ? !info.audio : !info.video)
      throw new PermanentJobError(`undecodable: no ${audioOnly ? 'audio' : 'video'} stream for a proxy`);
    const out = path.join(work, audioOnly ? 'proxy.m4a' : 'proxy.mp4');
    const made = await makeProxy(
      original,
      out,
      {
        kind: audioOnly ? 'audio' : 'video',
        width: info.video?.width ?? null,
        height: info.video?.height ?? null,
        hasAudio: info.audio !== undefined,
        durationMs: info.durationMs,
      },
      { signal },
    );
    await this.storeDerivative(rec, 'proxy', out, made.mediaType);
  }

  private async storeDerivative(
    rec: RecordingForMedia,
    kind: 'thumbnail' | 'proxy',
    file: string,
    mediaType: string,
  ): Promise<void> {
    const stored = await this.ctx.blobs.put(createReadStream(file));
    await this.db.transaction().execute(async (tx) => {
      const r = await tx
        .insertInto('derivatives')
        .values({
          recordingId: rec.id,
          kind,
          sha256: stored.sha256,
          size: stored.size,
          mediaType,
          createdAt: this.ctx.clock.now(),
        })
        .onConflict((oc) => oc.columns(['recordingId', 'kind']).doNothing())
        .executeTakeFirst();
      // Another worker made it meanwhile: its row stands, nothing to record.
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) return;
      await this.audit.record(tx, systemActor, {
        action: 'recording.derivative',
        targetType: 'recording',
        targetId: rec.id,
        details: { kind, sha256: stored.sha256, size: stored.size, mediaType, originalSha256: rec.sha256 },
      });
    });
  }

  private async speech(
    rec: RecordingForMedia,
    original: string,
    info: MediaInfo,
    signal: AbortSignal,
  ): Promise<void> {
    const m = await measureSpeechAtStart(original, { hasAudio: info.audio !== undefined }, { signal });
    await this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('recordings')
        .set({ speechAtStart: m.speech ? 1 : 0, speechMs: m.speechMs, firstSpeechAtMs: m.firstSpeechAtMs })
        .where('id', '=', rec.id)
        .where('speechAtStart', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return;
      await this.audit.record(tx, systemActor, {
        action: 'recording.speech_measured',
        targetType: 'recording',
        targetId: rec.id,
        details: { ...m, hasAudio: info.audio !== undefined },
      });
      // Speech at the start decides GAP_NO_SPEECH and NOTIFICATION_MISSING (A8.1, A11.2).
      const linked = await tx
        .selectFrom('recordings')
        .select('activityId')
        .where('id', '=', rec.id)
        .executeTakeFirst();
      if (linked?.activityId) await enqueueCompliance(tx, this.ctx, linked.activityId);
    });
  }

  /** 'ready' once every job the recording needs has its result; otherwise unchanged. */
  private async refreshStatus(recordingId: string): Promise<void> {
    const db = this.db;
    const rec = await this.load(recordingId);
    if (!rec) return;
    const needed = mediaJobsFor(rec.kind, rec.mediaOk === 1);
    if (needed.length === 0) return;
    const have = new Set(
      (
        await db.selectFrom('derivatives').select('kind').where('recordingId', '=', recordingId).execute()
      ).map((d) => d.kind),
    );
    const complete = needed.every((k) =>
      k === 'media.speech'
        ? rec.speechAtStart !== null
        : have.has(k === 'media.proxy' ? 'proxy' : 'thumbnail'),
    );
    if (complete)
      await db
        .updateTable('recordings')
        .set({ mediaStatus: 'ready', mediaError: null })
        .where('id', '=', recordingId)
        .execute();
  }

  private async markFailed(recordingId: string, kind: MediaJobKind, e: unknown): Promise<void> {
    const reason = cut(`${kind}: ${describeError(e)}`);
    await this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('recordings')
        .set({ mediaStatus: 'failed', mediaError: reason })
        .where('id', '=', recordingId)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return;
      await this.audit.record(tx, systemActor, {
        action: 'recording.media_failed',
        targetType: 'recording',
        targetId: recordingId,
        details: { kind, reason },
      });
    });
  }
}

/** What startMediaWorker needs of a running installation. */
export interface MediaWorkerHost {
  services: { media: MediaPipelineService };
}

/** Starts a worker over the media jobs; stop it with `await worker.stop()`. */
export function startMediaWorker(zhilu: MediaWorkerHost, opts: WorkerOptions = {}): Worker {
  const worker = zhilu.services.media.worker(opts);
  worker.start();
  return worker;
}
