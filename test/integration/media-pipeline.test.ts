// The media pipeline end to end on SQLite and PostgreSQL: simulated device → local import
// → media jobs queued with each recording → the worker runs them → thumbnails, proxies and
// speech flags exist, originals untouched (re-hashed); undecodable files fail once and for
// good, ffmpeg crashes retry with back-off and then fail — never a retry storm; failures
// are listed by GET /api/v1/jobs?status=failed.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config.js';
import { PERMISSIONS, permissionsOf, type Permission } from '../../src/domain/roles.js';
import type { RunOutcome, Worker } from '../../src/jobs/worker.js';
import { simulateDevice, type SimulationResult } from '../../src/media/simulate-device.js';
import { cliActor, type Actor } from '../../src/services/context.js';
import { enqueueMediaJobs, MEDIA_JOB_MAX_ATTEMPTS } from '../../src/services/media-pipeline.service.js';
import { databaseKinds, tempDir } from '../support/databases.js';
import { openZhilu } from '../../src/zhilu.js';
import { adminSession, createInstall, s3TestStorage, Session, type TestInstall } from '../support/zhilu.js';

const operator = cliActor(Object.keys(PERMISSIONS) as Permission[]);

const simRoot = tempDir('zhilu-media-sims-');
let speech: SimulationResult;
let quiet: SimulationResult;

beforeAll(async () => {
  const common = { officer: '000001', start: '2026-08-04T08:00:00+08:00', splitMinutes: 0.5 };
  [speech, quiet] = await Promise.all([
    // Three 30 s videos with speech at the start (no. 3 cut short), a photo, an audio note.
    simulateDevice({
      ...common,
      dir: path.join(simRoot, 'speech'),
      serial: 'MED001',
      minutes: 1.5,
      speech: true,
      truncateSeq: [3],
      photos: 1,
      audio: 1,
    }),
    // Two videos of room noise only, an audio note without speech.
    simulateDevice({ ...common, dir: path.join(simRoot, 'quiet'), serial: 'MED002', minutes: 1, audio: 1 }),
  ]);
}, 120_000);
afterAll(() => fs.rmSync(simRoot, { recursive: true, force: true }));

async function drain(worker: Worker): Promise<Record<RunOutcome, number>> {
  const n: Record<RunOutcome, number> = { idle: 0, done: 0, retry: 0, failed: 0, lost: 0 };
  for (let i = 0; i < 200; i++) {
    const o = await worker.runOnce();
    if (o === 'idle') return n;
    n[o] += 1;
  }
  throw new Error('the queue did not empty');
}

// Every catalogue with local blobs; and once with originals and derivatives in S3 (Ceph RGW)
// when the engine runs: the worker reads originals through the store and writes back to it.
const s3 = inject('s3');
const setups = [
  ...databaseKinds().map((kind) => ({ label: `${kind}, local blobs`, kind, s3: false })),
  ...(s3 ? [{ label: 'sqlite, S3 blobs', kind: 'sqlite' as const, s3: true }] : []),
];

describe.each(setups)('media pipeline ($label)', ({ kind, s3: onS3 }) => {
  let t: TestInstall;
  beforeEach(async () => {
    t = await createInstall(kind, {}, onS3 ? { storage: await s3TestStorage(s3!, 'media') } : {});
  });
  afterEach(async () => {
    await t.close();
  });

  const db = () => t.zhilu.catalogue.db;
  const svc = () => t.zhilu.services;

  async function importSim(sim: SimulationResult) {
    await svc().devices.create(operator, { serial: sim.device.serial, typeId: 'body_camera' });
    return svc().imports.importDirectory(operator, sim.dir, sim.device.serial, { source: 'cli' });
  }

  const jobsOf = async (recordingId: string) =>
    (await db().selectFrom('jobs').selectAll().execute()).filter(
      (j) => (JSON.parse(j.payload) as { recordingId?: string }).recordingId === recordingId,
    );

  it('queues with the recording, derives thumbnails, proxies and speech flags, never touches an original', async () => {
    const a = await importSim(speech);
    const b = await importSim(quiet);
    const recordings = await db().selectFrom('recordings').selectAll().execute();
    // Every file is catalogued, the device-info file too (as 'other').
    expect(recordings.map((r) => r.kind).sort()).toEqual([
      'audio',
      'audio',
      'other',
      'other',
      'photo',
      'video',
      'video',
      'video',
      'video',
      'video',
    ]);
    const byPath = new Map(recordings.map((r) => [r.originalPath, r]));
    const rec = (sim: SimulationResult, kindOf: string, seq: number) =>
      byPath.get(sim.files.find((f) => f.kind === kindOf && f.sequence === seq)!.path)!;

    // Jobs were queued with each recording: the kinds by recording kind, none for the unreadable one.
    const expected: Record<string, string[]> = {
      video: ['media.proxy', 'media.speech', 'media.thumbnail'],
      audio: ['media.proxy', 'media.speech'],
      photo: ['media.thumbnail'],
    };
    for (const r of recordings) {
      const jobs = await jobsOf(r.id);
      if (r.kind === 'other') {
        // Nothing to derive from a file that is not media.
        expect(jobs).toEqual([]);
        expect(r.mediaStatus).toBeNull();
        continue;
      }
      if (r.mediaOk === 0) {
        expect(jobs).toEqual([]);
        expect(r.mediaStatus).toBe('failed');
        expect(r.mediaError).toMatch(/^UNREADABLE/);
        continue;
      }
      expect(jobs.map((j) => j.kind).sort(), r.originalPath).toEqual(expected[r.kind]);
      expect(jobs.every((j) => j.status === 'queued' && Number(j.createdAt) === Number(r.createdAt))).toBe(
        true,
      );
      expect(r.mediaStatus).toBe('pending');
    }
    expect(rec(speech, 'video', 3).mediaOk).toBe(0);
    expect(a.summary.imported + b.summary.imported).toBe(10);

    // The queueing is part of the caller's transaction: rolled back with it.
    const before = (await db().selectFrom('jobs').select('id').execute()).length;
    await db()
      .transaction()
      .execute(async (tx) => {
        await enqueueMediaJobs(tx, t.zhilu, rec(quiet, 'video', 1));
        throw new Error('roll back');
      })
      .catch((e: Error) => expect(e.message).toBe('roll back'));
    expect((await db().selectFrom('jobs').select('id').execute()).length).toBe(before);

    const blobsBefore = new Set<string>();
    for await (const blob of t.zhilu.blobs.list()) blobsBefore.add(blob.sha256);

    const worker = svc().media.worker({ id: 'test-worker' });
    const outcome = await drain(worker);
    expect(outcome).toMatchObject({ done: 3 * 4 + 1 + 2 * 2, retry: 0, failed: 0, lost: 0 });

    const after = await db().selectFrom('recordings').selectAll().execute();
    const derivatives = await db().selectFrom('derivatives').selectAll().execute();
    for (const r of after) {
      const mine = derivatives.filter((d) => d.recordingId === r.id);
      if (r.kind === 'other') {
        expect(mine).toEqual([]);
        expect(r.mediaStatus).toBeNull();
        continue;
      }
      if (r.mediaOk === 0) {
        expect(mine).toEqual([]);
        expect(r.mediaStatus).toBe('failed');
        continue;
      }
      expect(r.mediaStatus, r.originalPath).toBe('ready');
      expect(r.mediaError).toBeNull();
      const kinds = mine.map((d) => d.kind).sort();
      expect(kinds).toEqual(
        r.kind === 'video' ? ['proxy', 'thumbnail'] : r.kind === 'audio' ? ['proxy'] : ['thumbnail'],
      );
      for (const d of mine) {
        expect(d.mediaType).toBe(
          d.kind === 'thumbnail' ? 'image/jpeg' : r.kind === 'audio' ? 'audio/mp4' : 'video/mp4',
        );
        expect(d.sha256).not.toBe(r.sha256);
        const v = await t.zhilu.blobs.verify(d.sha256);
        expect(v).toMatchObject({ ok: true, size: Number(d.size) });
      }
      // Speech: every spoken opening found, no quiet one taken for speech.
      const device = r.originalPath.includes('MED001') ? 'speech' : 'quiet';
      if (r.kind === 'photo') expect(r.speechAtStart).toBeNull();
      else {
        expect(r.speechAtStart, r.originalPath).toBe(device === 'speech' ? 1 : 0);
        if (device === 'speech') expect(Number(r.speechMs)).toBeGreaterThanOrEqual(1000);
        else expect(r.firstSpeechAtMs).toBeNull();
      }
    }
    // The originals: same rows, same bytes (re-hashed from the store), none rewritten.
    for (const r of after) {
      const old = recordings.find((x) => x.id === r.id)!;
      expect([r.sha256, Number(r.size)]).toEqual([old.sha256, Number(old.size)]);
      expect(await t.zhilu.blobs.verify(r.sha256)).toMatchObject({ ok: true, actualSha256: r.sha256 });
      expect(blobsBefore.has(r.sha256)).toBe(true);
    }
    const audit = await db()
      .selectFrom('auditEvents')
      .select(['action'])
      .where('action', 'in', ['recording.derivative', 'recording.speech_measured'])
      .execute();
    expect(audit).toHaveLength(derivatives.length + 6);

    // Idempotent: the same jobs again change nothing and record nothing.
    const r1 = rec(speech, 'video', 1);
    await db()
      .transaction()
      .execute((tx) => enqueueMediaJobs(tx, t.zhilu, r1));
    expect(await drain(worker)).toMatchObject({ done: 3, failed: 0 });
    expect(await db().selectFrom('derivatives').selectAll().execute()).toEqual(derivatives);
    const audit2 = await db()
      .selectFrom('auditEvents')
      .select(['action'])
      .where('action', 'in', ['recording.derivative', 'recording.speech_measured'])
      .execute();
    expect(audit2).toHaveLength(audit.length);
    const r1After = await db()
      .selectFrom('recordings')
      .selectAll()
      .where('id', '=', r1.id)
      .executeTakeFirstOrThrow();
    expect(r1After.mediaStatus).toBe('ready');
  });

  it('fails an undecodable file once, retries an ffmpeg crash with back-off, and lists failures', async () => {
    await importSim(speech);
    const recordings = await db().selectFrom('recordings').selectAll().execute();
    const truncated = recordings.find((r) => r.mediaOk === 0)!;
    const photo = recordings.find((r) => r.kind === 'photo')!;
    const worker = svc().media.worker({ id: 'test-worker' });
    // Everything readable first.
    expect(await drain(worker)).toMatchObject({ failed: 0, retry: 0 });

    // A file the probe cannot read, queued anyway (as if the import's probe had been fooled):
    // one attempt, failed for good, the reason on the recording.
    await db()
      .updateTable('recordings')
      .set({ mediaOk: 1, mediaStatus: 'pending' })
      .where('id', '=', truncated.id)
      .execute();
    await db()
      .transaction()
      .execute((tx) => enqueueMediaJobs(tx, t.zhilu, { ...truncated, mediaOk: 1 }));
    expect(await drain(worker)).toMatchObject({ done: 0, retry: 0, failed: 3 });
    const bad = await jobsOf(truncated.id);
    expect(bad.map((j) => [j.status, Number(j.attempts)])).toEqual([
      ['failed', 1],
      ['failed', 1],
      ['failed', 1],
    ]);
    expect(bad.every((j) => /undecodable/.test(j.lastError ?? ''))).toBe(true);
    const badRow = await db()
      .selectFrom('recordings')
      .selectAll()
      .where('id', '=', truncated.id)
      .executeTakeFirstOrThrow();
    expect(badRow.mediaStatus).toBe('failed');
    expect(badRow.mediaError).toMatch(/undecodable/);
    expect(await t.zhilu.blobs.verify(truncated.sha256)).toMatchObject({ ok: true });

    // ffmpeg crashing: retried after the back-off (not at once), then failed when attempts run out.
    await db().deleteFrom('derivatives').where('recordingId', '=', photo.id).execute();
    await db().updateTable('recordings').set({ mediaStatus: 'pending' }).where('id', '=', photo.id).execute();
    await db()
      .transaction()
      .execute((tx) => enqueueMediaJobs(tx, t.zhilu, photo));
    const saved = process.env.ZHILU_FFMPEG;
    process.env.ZHILU_FFMPEG = 'false';
    try {
      for (let attempt = 1; attempt <= MEDIA_JOB_MAX_ATTEMPTS; attempt++) {
        const n = await drain(worker);
        expect(n).toMatchObject(
          attempt < MEDIA_JOB_MAX_ATTEMPTS ? { retry: 1, failed: 0 } : { retry: 0, failed: 1 },
        );
        // Nothing due until the back-off has passed: no storm.
        expect(await worker.runOnce()).toBe('idle');
        t.clock.advance(svc().media.queue.backoffMs(attempt) + 1);
      }
    } finally {
      if (saved === undefined) delete process.env.ZHILU_FFMPEG;
      else process.env.ZHILU_FFMPEG = saved;
    }
    const photoJob = (await jobsOf(photo.id)).find((j) => j.status === 'failed')!;
    expect(Number(photoJob.attempts)).toBe(MEDIA_JOB_MAX_ATTEMPTS);
    expect(photoJob.lastError).toMatch(/FFMPEG_FAILED|ffmpeg/);
    const photoRow = await db()
      .selectFrom('recordings')
      .selectAll()
      .where('id', '=', photo.id)
      .executeTakeFirstOrThrow();
    expect(photoRow.mediaStatus).toBe('failed');
    expect(photoRow.mediaError).toMatch(/^media\.thumbnail: /);

    // Visible: GET /jobs?status=failed for an administrator; refused without the permission.
    const admin = await adminSession(t);
    const res = await admin.get('/api/v1/jobs?status=failed');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{
      items: { recordingId: string; status: string; kind: string }[];
      counts: unknown[];
    }>();
    expect(body.items).toHaveLength(4);
    expect(body.items.every((j) => j.status === 'failed')).toBe(true);
    expect(new Set(body.items.map((j) => j.recordingId))).toEqual(new Set([truncated.id, photo.id]));
    expect((await admin.get('/api/v1/jobs?status=broken')).statusCode).toBe(400);
    expect((await admin.get('/api/v1/jobs?status=failed&extra=1')).statusCode).toBe(400);
    const officer: Actor = {
      userId: null,
      name: 'officer',
      roles: ['officer'],
      permissions: new Set(permissionsOf(['officer'])),
      clientIp: null,
      via: 'session',
    };
    await expect(svc().media.listJobs(officer, { status: 'failed' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await new Session(t.app).get('/api/v1/jobs')).statusCode).toBe(401);
  });
});

describe('zhilu worker --once', () => {
  it('works the queue of a local installation until nothing is due, then exits', async () => {
    const data = tempDir('zhilu-worker-cli-');
    try {
      const config = loadConfig({}, { data });
      const z = await openZhilu(config);
      try {
        await z.services.devices.create(operator, { serial: quiet.device.serial, typeId: 'body_camera' });
        await z.services.imports.importDirectory(operator, quiet.dir, quiet.device.serial, { source: 'cli' });
      } finally {
        await z.close();
      }
      const out: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        out.push(String(chunk));
        return true;
      });
      const saved = process.exitCode;
      try {
        await main(['worker', '--once', '--json', '--data', data]);
      } finally {
        write.mockRestore();
      }
      expect(process.exitCode ?? 0).toBe(0);
      process.exitCode = saved;
      // Two videos (three jobs each) and an audio note (two).
      expect(JSON.parse(out.join(''))).toMatchObject({ done: 8, retry: 0, failed: 0, lost: 0 });
      const again = await openZhilu(config);
      try {
        const rows = await again.catalogue.db
          .selectFrom('recordings')
          .select(['kind', 'mediaStatus'])
          .execute();
        expect(rows.filter((r) => r.kind !== 'other').every((r) => r.mediaStatus === 'ready')).toBe(true);
        expect(await again.catalogue.db.selectFrom('derivatives').select('kind').execute()).toHaveLength(5);
      } finally {
        await again.close();
      }
    } finally {
      fs.rmSync(data, { recursive: true, force: true });
    }
  });
});
