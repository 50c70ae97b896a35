// Local import (A12.1, A13.1, A19.1, A11.4, A21.1) on SQLite and PostgreSQL: simulated
// device storage → import → catalogue, findings, nasty names, refusals, storage failures,
// and the `zhilu import` command as a real process; once more against S3 (Ceph RGW) when
// ZHILU_TEST_S3=ceph.
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { permissionsOf, type Role } from '../../src/domain/roles.js';
import {
  simulateDevice,
  type SimulateOptions,
  type SimulationResult,
} from '../../src/media/simulate-device.js';
import { blobErrors, type BlobStore } from '../../src/storage/blob-store.js';
import { cliActor, type Actor } from '../../src/services/context.js';
import { AuditService } from '../../src/services/audit.service.js';
import { displayPath, ImportService, type ImportReport } from '../../src/services/import.service.js';
import { PERMISSIONS, type Permission } from '../../src/domain/roles.js';
import { openZhilu, type Zhilu } from '../../src/zhilu.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, databaseKinds, tempDir, type TestDatabase } from '../support/databases.js';
import { createInstall, TestClock, type TestInstall } from '../support/zhilu.js';

const run = promisify(execFile);
const MIN = 60_000;
const HOUR = 60 * MIN;
/** 2026-08-04 00:00 in Asia/Shanghai. */
const DAY0 = Date.UTC(2026, 7, 3, 16, 0, 0);
const at = (hours: number, minutes = 0) => DAY0 + hours * HOUR + minutes * MIN;

const operator = cliActor(Object.keys(PERMISSIONS) as Permission[]);

function actorOf(user: { id: string; name: string }, roles: Role[]): Actor {
  return {
    userId: user.id,
    name: user.name,
    roles,
    permissions: new Set(permissionsOf(roles)),
    clientIp: null,
    via: 'session',
  };
}

async function sha256sum(files: string[]): Promise<Map<string, string>> {
  const { stdout } = await run('sha256sum', ['--', ...files], { maxBuffer: 16 * 1024 * 1024 });
  return new Map(
    stdout
      .trim()
      .split('\n')
      .map((l) => [l.slice(66), l.slice(0, 64)] as [string, string]),
  );
}

function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}

async function readBlob(blobs: BlobStore, sha256: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await blobs.get(sha256)) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

const copyTree = (from: string, to: string) => fs.cpSync(from, to, { recursive: true });

// ─── Simulated devices, made once for the whole file ─────────────────────────────

const simRoot = tempDir('zhilu-import-sims-');
const sims: Record<'base' | 'defects' | 'other', SimulationResult> = {} as never;
const simulate = (name: string, o: Omit<SimulateOptions, 'dir'>) =>
  simulateDevice({ dir: path.join(simRoot, name), ...o });

beforeAll(async () => {
  const [base, defects, other] = await Promise.all([
    // 3 videos, 2 photos, 1 audio; the device clock 20 s fast.
    simulate('base', {
      serial: 'CAM001',
      officer: '000001',
      start: '2026-08-04T08:00:00+08:00',
      minutes: 25,
      photos: 2,
      audio: 1,
      clockOffsetSeconds: 20,
    }),
    // DEVICE/DCIM/RECORD/NNNNNNNN_YYYYMMDD.AVI: 5 videos, no. 2 deleted, no. 3 cut short, no. 4 edited.
    simulate('defects', {
      serial: 'CAM002',
      officer: '000001',
      start: '2026-08-04T08:00:00+08:00',
      minutes: 45,
      naming: 'dcim-record',
      dropSeq: [2],
      truncateSeq: [3],
      editSeq: [4],
    }),
    // Names carry officer 000002; the device clock is 2 minutes fast.
    simulate('other', {
      serial: 'CAM003',
      officer: '000002',
      start: '2026-08-04T08:00:00+08:00',
      minutes: 12,
      clockOffsetSeconds: 120,
    }),
  ]);
  Object.assign(sims, { base, defects, other });
}, 180_000);

afterAll(() => fs.rmSync(simRoot, { recursive: true, force: true }));

describe('device path display', () => {
  it('keeps UTF-8, reads GBK, shows control characters, cuts very long paths', () => {
    expect(displayPath(Buffer.from('VIDEO/录像_001.mp4'))).toEqual({
      text: 'VIDEO/录像_001.mp4',
      exact: true,
      encoding: 'utf-8',
    });
    expect(displayPath(Buffer.from([0xd6, 0xd8, 0xd2, 0xaa, 0x2e, 0x6a, 0x70, 0x67]))).toEqual({
      text: '重要.jpg',
      exact: false,
      encoding: 'gb18030',
    });
    expect(displayPath(Buffer.from('a\x07b\nc\x7f\u202e.mp4'))).toEqual({
      text: 'a␇b␊c␡\uFFFD.mp4',
      exact: false,
      encoding: 'utf-8',
    });
    expect(displayPath(Buffer.from([0x61, 0xff, 0x62])).encoding).toBe('invalid');
    const long = displayPath(Buffer.from(`${'d'.repeat(2000)}/end.mp4`));
    expect(long.text.length).toBe(1023);
    expect(long.text.endsWith('/end.mp4')).toBe(true);
    expect(long.exact).toBe(false);
  });
});

describe.each(databaseKinds())('local import on %s', (kind) => {
  let t: TestInstall;
  let work: string;
  beforeEach(async () => {
    t = await createInstall(kind);
    work = tempDir('zhilu-import-work-');
  });
  afterEach(async () => {
    await t.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const svc = () => t.zhilu.services;

  async function officer(username: string, code: string) {
    const { user } = await svc().users.create(operator, {
      username,
      name: `警员${code}`,
      code,
      unitId: null,
      roles: ['officer'],
      mustChangePassword: true,
    });
    return { ...user, actor: actorOf(user, ['officer']) };
  }

  async function device(serial: string, holderId: string) {
    return svc().devices.create(operator, { serial, typeId: 'body_camera', holderId });
  }

  /** Check-out at 07:30 with a pre-use check showing `offsetSeconds`; check-in at 09:00 (2026-08-04) or `checkinAt`. */
  async function useDevice(
    deviceId: string,
    who: { id: string; actor: Actor },
    offsetSeconds: number,
    extra: { remoteWork?: boolean; checkinAt?: number } = {},
  ) {
    t.clock.t = at(7, 30);
    const co = await svc().checkouts.checkout(who.actor, deviceId, { remoteWork: extra.remoteWork });
    await svc().checkouts.recordCheck(who.actor, deviceId, {
      batteryPercent: 90,
      freeStorageMb: 20_000,
      deviceTime: t.clock.now() + offsetSeconds * 1000,
    });
    t.clock.t = extra.checkinAt ?? at(9);
    await svc().checkouts.checkin(who.actor, co.id); // returned now
    return co;
  }

  const blobCount = async () => {
    let n = 0;
    for await (const _ of t.zhilu.blobs.list()) n++;
    return n;
  };
  const rowsOf = (importId: string) =>
    t.zhilu.catalogue.db
      .selectFrom('recordings')
      .selectAll()
      .where('importId', '=', importId)
      .orderBy('originalPath')
      .execute();
  const findingRows = () => t.zhilu.catalogue.db.selectFrom('findings').selectAll().orderBy('id').execute();
  const count = async (table: 'recordings' | 'imports' | 'importFiles' | 'findings') =>
    Number(
      (
        await t.zhilu.catalogue.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('imports a device: every file catalogued with its sha256sum, holder, corrected time, audit; re-import is a no-op', async () => {
    const zhang = await officer('zhang.san', '000001');
    const cam = await device('CAM001', zhang.id);
    const co = await useDevice(cam.id, zhang, 20);
    const card = path.join(work, 'card');
    copyTree(sims.base.dir, card);
    t.clock.t = at(10);

    const seen: string[] = [];
    const report = await svc().imports.importDirectory(operator, card, 'cam001', {
      onFile: (f) => seen.push(f.path),
    });
    const onDisk = filesUnder(card);
    expect(report.summary).toEqual({
      imported: onDisk.length,
      duplicate: 0,
      failed: 0,
      bytes: onDisk.reduce((n, f) => n + fs.statSync(f).size, 0),
    });
    expect(report.device).toEqual({ id: cam.id, serial: 'CAM001' });
    expect(seen).toEqual(report.files.map((f) => f.path));
    expect(report.findings).toEqual([]);
    const sums = await sha256sum(onDisk);
    for (const f of report.files) {
      expect(f).toMatchObject({
        status: 'imported',
        findings: [],
        sha256: sums.get(path.join(card, f.path)),
      });
      expect((await t.zhilu.blobs.stat(f.sha256!))?.size).toBe(f.size);
    }
    expect(report.files.map((f) => f.kind).sort()).toEqual([
      'audio',
      'other',
      'photo',
      'photo',
      'video',
      'video',
      'video',
    ]);

    const rows = await rowsOf(report.importId);
    expect(rows.length).toBe(onDisk.length);
    for (const sim of sims.base.files.filter((f) => f.present)) {
      const row = rows.find((r) => r.originalPath === sim.path)!;
      expect(row).toMatchObject({
        kind: sim.kind,
        deviceId: cam.id,
        holderId: zhang.id,
        nameScheme: 'device-officer-time',
        timeSource: 'name',
        mediaOk: 1,
        clockOffsetMs: 20_000,
        originalPathBytes: null,
      });
      // The name shows the device clock; corrected = raw − offset = the true start.
      expect(Number(row.rawRecordedAt)).toBe(Date.parse(sim.start) + 20_000);
      expect(Number(row.recordedAt)).toBe(Date.parse(sim.start));
      expect(row.deviceLocalTime).toBe(sim.deviceTime);
      if (sim.kind !== 'photo') expect(Math.abs(Number(row.durationMs) - sim.durationMs)).toBeLessThan(1500);
      expect(report.files.find((f) => f.path === sim.path)!.recordedAt).toBe(Date.parse(sim.start));
    }
    const info = rows.find((r) => r.originalPath === 'zhilu-device.json')!;
    expect(info).toMatchObject({ kind: 'other', mediaOk: 0, holderId: null });

    const imp = await t.zhilu.catalogue.db
      .selectFrom('imports')
      .selectAll()
      .where('id', '=', report.importId)
      .executeTakeFirstOrThrow();
    expect(imp).toMatchObject({ deviceId: cam.id, source: 'cli', status: 'completed', actorId: null });
    expect(JSON.parse(imp.summary)).toMatchObject({ imported: onDisk.length, failed: 0 });
    const audit = await t.zhilu.catalogue.db
      .selectFrom('auditEvents')
      .select(['action', 'targetId'])
      .where('action', 'like', '%import%')
      .execute();
    expect(
      audit
        .filter((a) => a.action === 'recording.import')
        .map((a) => a.targetId)
        .sort(),
    ).toEqual(rows.map((r) => r.id).sort());
    expect(audit.filter((a) => a.action !== 'recording.import').map((a) => a.action)).toEqual([
      'import.start',
      'import.finish',
    ]);
    expect((await svc().audit.verify()).ok).toBe(true);
    expect(co.officerId).toBe(zhang.id);

    // Again: nothing new; every file points at the recording already there.
    t.clock.advance(MIN);
    const again = await svc().imports.importDirectory(operator, card, 'CAM001');
    expect(again.summary).toEqual({ ...report.summary, imported: 0, duplicate: onDisk.length });
    for (const f of again.files) {
      expect(f.status).toBe('duplicate');
      expect(f.findings).toEqual(['DUPLICATE']);
      expect(f.recordingId).toBe(report.files.find((x) => x.path === f.path)!.recordingId);
    }
    expect(await count('recordings')).toBe(onDisk.length);
    // Same device: noted in import_files, not a finding. No activity covers these recordings,
    // so each media file carries its one UNLINKED finding (linking.service.ts), made once.
    const kept = await findingRows();
    expect(kept.filter((f) => f.code !== 'UNLINKED')).toEqual([]);
    expect(kept.map((f) => f.subjectId).sort()).toEqual(
      rows
        .filter((r) => r.kind !== 'other')
        .map((r) => r.id)
        .sort(),
    );
    expect(await count('importFiles')).toBe(2 * onDisk.length);
  });

  it('finds the planted defects: SEQUENCE_GAP, EDITED, and the truncated file kept byte for byte as UNREADABLE', async () => {
    const zhang = await officer('zhang.san', '000001');
    const cam = await device('CAM002', zhang.id);
    await useDevice(cam.id, zhang, 0);
    t.clock.t = at(10);
    const report = await svc().imports.importDirectory(operator, sims.defects.dir, 'CAM002');
    expect(report.summary.failed).toBe(0);
    const byPath = new Map(report.files.map((f) => [f.path, f]));
    const rec = (n: number) => byPath.get(`CAM002/DCIM/RECORD/0000000${n}_20260804.AVI`)!;
    expect(rec(1).findings).toEqual([]);
    expect(rec(2)).toBeUndefined();
    expect(rec(3).findings).toEqual(['UNREADABLE']);
    // The edit moved creation_time, the only time a date-only name leaves: it now falls after
    // the check-in and after "now" — both flagged, as they should be for a file that lies.
    expect(rec(4).findings).toEqual(['EDITED', 'HOLDER_MISMATCH', 'CLOCK_OFFSET']);
    expect(rec(5).findings).toEqual([]);

    const gaps = report.findings.filter((f) => f.code === 'SEQUENCE_GAP');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.detail).toMatchObject({
      from: 2,
      to: 2,
      count: 1,
      folder: 'CAM002/DCIM/RECORD',
      alreadyRecorded: false,
    });
    const edited = report.findings.find((f) => f.code === 'EDITED')!;
    expect(edited.detail.recordingId).toBe(rec(4).recordingId);
    expect((edited.detail.reasons as { code: string }[]).map((r) => r.code)).toContain('EDITOR_TAG');

    // The truncated file: stored exactly as it was on the device, flagged, never dropped.
    const truncated = path.join(sims.defects.dir, 'CAM002/DCIM/RECORD/00000003_20260804.AVI');
    const bytes = fs.readFileSync(truncated);
    expect(rec(3).sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect((await readBlob(t.zhilu.blobs, rec(3).sha256!)).equals(bytes)).toBe(true);
    const row = (await rowsOf(report.importId)).find((r) => r.id === rec(3).recordingId)!;
    expect(row).toMatchObject({ mediaOk: 0, kind: 'video', sequence: 3 });
    expect(JSON.parse(row.mediaInfo!).error).toMatch(/truncated/);

    const rows = await findingRows();
    expect(rows.find((f) => f.code === 'SEQUENCE_GAP')).toMatchObject({
      subjectType: 'device',
      subjectId: cam.id,
      article: 'A11.4',
      severity: 'serious',
      status: 'open',
    });
    expect(rows.find((f) => f.code === 'UNREADABLE')).toMatchObject({
      subjectType: 'recording',
      subjectId: rec(3).recordingId,
      article: 'A19.1',
    });

    // Seen again: reported, not recorded twice.
    const before = await count('findings');
    const again = await svc().imports.importDirectory(operator, sims.defects.dir, 'CAM002');
    expect(again.findings.find((f) => f.code === 'SEQUENCE_GAP')!.detail).toMatchObject({
      from: 2,
      to: 2,
      alreadyRecorded: true,
    });
    expect(await count('findings')).toBe(before);

    // A later import continues the counter: numbers missing between the imports are a gap too.
    const later = path.join(work, 'later');
    fs.mkdirSync(path.join(later, 'CAM002/DCIM/RECORD'), { recursive: true });
    fs.copyFileSync(
      path.join(sims.defects.dir, 'CAM002/DCIM/RECORD/00000001_20260804.AVI'),
      path.join(later, 'CAM002/DCIM/RECORD/00000008_20260804.AVI'),
    );
    fs.appendFileSync(
      path.join(later, 'CAM002/DCIM/RECORD/00000008_20260804.AVI'),
      Buffer.from('different content'),
    );
    const third = await svc().imports.importDirectory(operator, later, 'CAM002');
    expect(third.findings.filter((f) => f.code === 'SEQUENCE_GAP').map((f) => f.detail)).toEqual([
      expect.objectContaining({ from: 6, to: 7, count: 2, previousHighest: 5 }),
    ]);
  });

  it('HOLDER_MISMATCH, CLOCK_OFFSET and LATE_IMPORT from check-outs, pre-use checks and the deadline', async () => {
    const zhang = await officer('zhang.san', '000001');
    const li = await officer('li.si', '000002');
    const cam = await device('CAM003', zhang.id);
    // Zhang has the device out; the names carry Li's code. The check shows the clock 120 s fast.
    const co = await useDevice(cam.id, zhang, 120);
    t.clock.t = at(24 + 10); // the next morning: after A13.1's deadline (end of the recording day)
    const report = await svc().imports.importDirectory(operator, sims.other.dir, 'CAM003');
    const videos = report.files.filter((f) => f.kind === 'video');
    expect(videos).toHaveLength(2);
    for (const v of videos) expect(v.findings).toEqual(['HOLDER_MISMATCH', 'CLOCK_OFFSET', 'LATE_IMPORT']);
    const detail = (code: string) =>
      report.findings.find((f) => f.code === code && f.detail.recordingId === videos[0]!.recordingId)!.detail;
    expect(detail('HOLDER_MISMATCH')).toMatchObject({
      reason: 'OFFICER_CODE_MISMATCH',
      officerCode: '000002',
      holderId: zhang.id,
      holderCode: '000001',
      codeOwnerId: li.id,
      checkoutId: co.id,
    });
    expect(detail('CLOCK_OFFSET')).toMatchObject({
      reason: 'CHECK_OFFSET',
      offsetMs: 120_000,
      toleranceMs: 30_000,
    });
    expect(detail('LATE_IMPORT')).toMatchObject({ remote: false, deadline: at(24), importedAt: at(34) });
    const rows = await rowsOf(report.importId);
    const first = sims.other.files.find((f) => f.kind === 'video' && f.sequence === 1)!;
    expect(rows.find((r) => r.originalPath === first.path)).toMatchObject({
      holderId: zhang.id,
      clockOffsetMs: 120_000,
      recordedAt: Date.parse(first.start),
    });
  });

  it('remote work: 24 hours from the return; no check-out: NO_CHECKOUT; device times in the future: CLOCK_OFFSET', async () => {
    const zhang = await officer('zhang.san', '000002');
    const cam = await device('CAM003', zhang.id);
    // Remote work, back at the unit the next day at 09:00: the deadline is the day after at 09:00.
    await useDevice(cam.id, zhang, 120, { remoteWork: true, checkinAt: at(24 + 9) });
    t.clock.t = at(48 + 8);
    const onTime = await svc().imports.importDirectory(operator, sims.other.dir, 'CAM003');
    for (const f of onTime.files.filter((x) => x.kind === 'video'))
      expect(f.findings).toEqual(['CLOCK_OFFSET']);

    // Another install: the same card, never checked out, imported before its own times.
    const zhang2 = await officer('wang.wu', '000001');
    await device('CAM001', zhang2.id);
    t.clock.t = at(6);
    const early = await svc().imports.importDirectory(operator, sims.base.dir, 'CAM001');
    for (const f of early.files.filter((x) => x.kind !== 'other'))
      expect(f.findings).toEqual(['HOLDER_MISMATCH', 'CLOCK_OFFSET']);
    const d = (code: string) => early.findings.find((f) => f.code === code)!.detail;
    expect(d('HOLDER_MISMATCH')).toMatchObject({
      reason: 'NO_CHECKOUT',
      officerCode: '000001',
      registeredHolderId: zhang2.id,
    });
    expect(d('CLOCK_OFFSET')).toMatchObject({ reason: 'IN_FUTURE' });
    expect((await rowsOf(early.importId)).every((r) => r.holderId === null && r.clockOffsetMs === null)).toBe(
      true,
    );
  });

  it('stores files with nasty names under internal names, keeping the original names (and bytes) as metadata', async () => {
    const zhang = await officer('zhang.san', '000001');
    await device('CAM001', zhang.id);
    const root = path.join(work, 'nasty');
    const mk = (rel: Buffer, from: string | null) => {
      const abs = Buffer.concat([Buffer.from(`${root}/`), rel]);
      fs.mkdirSync(abs.subarray(0, abs.lastIndexOf(0x2f)), { recursive: true });
      if (from === null) fs.writeFileSync(abs, '');
      else fs.copyFileSync(from, abs);
    };
    const base = sims.base.files.filter((f) => f.present).map((f) => path.join(sims.base.dir, f.path));
    const [video1, video2, video3] = base.filter((f) => f.endsWith('.mp4'));
    const [photo1, photo2] = base.filter((f) => f.endsWith('.jpg'));
    const gbk = Buffer.from([0xd6, 0xd8, 0xd2, 0xaa]); // 重要 in GBK
    const longName = `${'录'.repeat(82)}.jpg`; // 250 bytes
    const deep = Array.from({ length: 6 }, (_, i) => `${i}${'d'.repeat(199)}`).join('/');
    const names: [Buffer, string | null][] = [
      [Buffer.from('DCIM/..hidden/..clip..mp4'), video1!],
      [Buffer.from('DCIM/bell\x07\nline\r.mp4'), video2!],
      [Buffer.from(`PHOTO/${longName}`), photo1!],
      [Buffer.concat([Buffer.from('PHOTO/'), gbk, Buffer.from('_0001.jpg')]), photo2!],
      [Buffer.concat([Buffer.from('AUDIO/'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('.mp4')]), video3!],
      [Buffer.from('VIDEO/empty.mp4'), null],
      [Buffer.from(`${deep}/notes.txt`), path.join(sims.base.dir, 'zhilu-device.json')],
    ];
    for (const [rel, from] of names) mk(rel, from);

    const report = await svc().imports.importDirectory(operator, root, 'CAM001');
    expect(report.summary).toMatchObject({ imported: names.length, failed: 0, duplicate: 0 });
    const rows = await rowsOf(report.importId);
    const shown = report.files.map((f) => f.path);
    expect(shown).toContain('DCIM/..hidden/..clip..mp4');
    expect(shown).toContain('DCIM/bell␇␊line␍.mp4');
    expect(shown).toContain(`PHOTO/${longName}`);
    expect(shown).toContain('PHOTO/重要_0001.jpg');
    expect(shown.some((p) => p.startsWith('AUDIO/\uFFFD'))).toBe(true);
    const deepShown = shown.find((p) => p.endsWith('/notes.txt'))!;
    expect(deepShown).toContain('…');

    // Non-exact display names keep the raw bytes, exactly.
    for (const [rel] of names) {
      const row = rows.find((r) =>
        r.originalPathBytes
          ? Buffer.from(r.originalPathBytes, 'hex').equals(rel)
          : r.originalPath === rel.toString('utf8'),
      );
      expect(row, rel.toString('latin1')).toBeDefined();
    }
    expect(rows.find((r) => r.originalPath === 'PHOTO/重要_0001.jpg')).toMatchObject({
      important: 1,
      kind: 'photo',
    });
    expect(JSON.parse(rows.find((r) => r.originalPath === 'PHOTO/重要_0001.jpg')!.nameInfo).encoding).toBe(
      'gb18030',
    );
    const empty = report.files.find((f) => f.path === 'VIDEO/empty.mp4')!;
    expect(empty).toMatchObject({
      size: 0,
      sha256: createHash('sha256').digest('hex'),
      findings: expect.arrayContaining(['UNREADABLE']),
    });
    expect((await t.zhilu.blobs.stat(empty.sha256!))?.size).toBe(0);

    // Nothing in the store is named after a device file.
    const storeFiles = filesUnder(t.config.storage.kind === 'local' ? t.config.storage.dir : '');
    expect(storeFiles.length).toBeGreaterThanOrEqual(names.length);
    for (const f of storeFiles) expect(path.basename(f)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('never follows symbolic links and reports links and special files as failed', async () => {
    const zhang = await officer('zhang.san', '000001');
    await device('CAM001', zhang.id);
    const root = path.join(work, 'links');
    fs.mkdirSync(path.join(root, 'DCIM'), { recursive: true });
    fs.copyFileSync(
      path.join(sims.base.dir, sims.base.files.find((f) => f.kind === 'photo')!.path),
      path.join(root, 'DCIM/IMG_0001.jpg'),
    );
    const secret = path.join(work, 'outside-secret.txt');
    fs.writeFileSync(secret, `outside ${randomUUID()}`);
    fs.mkdirSync(path.join(work, 'outside-dir'));
    fs.writeFileSync(path.join(work, 'outside-dir', 'x.mp4'), `outside ${randomUUID()}`);
    fs.symlinkSync(secret, path.join(root, 'DCIM/link.mp4'));
    fs.symlinkSync(path.join(work, 'outside-dir'), path.join(root, 'DCIM/linked-dir'));
    await run('mkfifo', [path.join(root, 'DCIM/pipe.mp4')]);

    const report = await svc().imports.importDirectory(operator, root, 'CAM001');
    expect(report.summary).toMatchObject({ imported: 1, failed: 3 });
    const failed = Object.fromEntries(
      report.files.filter((f) => f.status === 'failed').map((f) => [f.path, f.error!.code]),
    );
    expect(failed).toEqual({
      'DCIM/link.mp4': 'IMPORT_SYMLINK',
      'DCIM/linked-dir': 'IMPORT_SYMLINK',
      'DCIM/pipe.mp4': 'IMPORT_NOT_REGULAR_FILE',
    });
    const secretSha = createHash('sha256').update(fs.readFileSync(secret)).digest('hex');
    expect(await t.zhilu.blobs.stat(secretSha)).toBeNull();
    const imp = await t.zhilu.catalogue.db
      .selectFrom('imports')
      .selectAll()
      .where('id', '=', report.importId)
      .executeTakeFirstOrThrow();
    expect(imp.status).toBe('partial');
    const rows = await t.zhilu.catalogue.db
      .selectFrom('importFiles')
      .selectAll()
      .where('status', '=', 'failed')
      .execute();
    expect(rows.map((r) => JSON.parse(r.error!).code).sort()).toEqual([
      'IMPORT_NOT_REGULAR_FILE',
      'IMPORT_SYMLINK',
      'IMPORT_SYMLINK',
    ]);
  });

  it('refuses before touching anything: unknown serial, another device’s card, no files, no folder', async () => {
    const zhang = await officer('zhang.san', '000001');
    await device('CAM001', zhang.id);
    const state = async () => ({
      imports: await count('imports'),
      recordings: await count('recordings'),
      audit: (await svc().audit.verify()).checked,
      blobs: await blobCount(),
    });
    const before = await state();
    await expect(svc().imports.importDirectory(operator, sims.base.dir, 'NO-SUCH-CAM')).rejects.toMatchObject(
      { code: 'DEVICE_NOT_FOUND', status: 404 },
    );
    await expect(svc().imports.importDirectory(operator, sims.defects.dir, 'CAM001')).rejects.toMatchObject({
      code: 'IMPORT_DEVICE_MISMATCH',
      details: { deviceInfoSerial: 'CAM002' },
    });
    const empty = path.join(work, 'empty');
    fs.mkdirSync(path.join(empty, 'DCIM/100MEDIA'), { recursive: true });
    await expect(svc().imports.importDirectory(operator, empty, 'CAM001')).rejects.toMatchObject({
      code: 'IMPORT_EMPTY',
    });
    fs.copyFileSync(path.join(sims.base.dir, 'zhilu-device.json'), path.join(empty, 'zhilu-device.json'));
    await expect(svc().imports.importDirectory(operator, empty, 'CAM001')).rejects.toMatchObject({
      code: 'IMPORT_EMPTY',
    });
    await expect(
      svc().imports.importDirectory(operator, path.join(work, 'missing'), 'CAM001'),
    ).rejects.toMatchObject({ code: 'IMPORT_DIR_INVALID', details: { reason: 'ENOENT' } });
    await expect(
      svc().imports.importDirectory(operator, path.join(sims.base.dir, 'zhilu-device.json'), 'CAM001'),
    ).rejects.toMatchObject({ code: 'IMPORT_DIR_INVALID' });
    await expect(svc().imports.importDirectory(operator, sims.base.dir, 'bad\nserial')).rejects.toMatchObject(
      { code: 'VALIDATION_FAILED' },
    );
    // An officer may import only a device they keep or have out.
    const li = await officer('li.si', '000002');
    await expect(svc().imports.importDirectory(li.actor, sims.base.dir, 'CAM001')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await state()).toEqual({ ...before, audit: before.audit + 1 }); // + li's user.create
  });

  it('a storage failure fails that file with the error and catalogues nothing of it; the next run completes', async () => {
    const zhang = await officer('zhang.san', '000001');
    const cam = await device('CAM001', zhang.id);
    await useDevice(cam.id, zhang, 20);
    t.clock.t = at(10);
    let puts = 0;
    const real = t.zhilu.blobs;
    const failing: BlobStore = Object.assign(Object.create(real) as BlobStore, {
      put: async (body: NodeJS.ReadableStream) => {
        if (++puts !== 2) return real.put(body);
        for await (const _ of body) void _; // the disk fills up while writing
        throw blobErrors.unavailable('ENOSPC', '磁盘空间已满', 'disk full (ENOSPC)');
      },
    });
    const ctx = { catalogue: t.zhilu.catalogue, clock: t.clock, blobs: failing, timezone: t.config.timezone };
    const service = new ImportService(ctx, new AuditService(t.zhilu.catalogue, t.clock));
    const report = await service.importDirectory(operator, sims.base.dir, 'CAM001');
    const bad = report.files[1]!;
    expect(bad).toMatchObject({
      status: 'failed',
      recordingId: null,
      error: { code: 'STORAGE_UNAVAILABLE' },
    });
    expect(bad.sha256).toBeNull();
    expect(report.summary.failed).toBe(1);
    expect(
      await t.zhilu.catalogue.db
        .selectFrom('recordings')
        .select('id')
        .where('originalPath', '=', bad.path)
        .execute(),
    ).toEqual([]);
    expect(
      (
        await t.zhilu.catalogue.db
          .selectFrom('imports')
          .select('status')
          .where('id', '=', report.importId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('partial');
    const finish = await t.zhilu.catalogue.db
      .selectFrom('auditEvents')
      .select(['outcome'])
      .where('action', '=', 'import.finish')
      .execute();
    expect(finish).toEqual([{ outcome: 'failure' }]);

    const next = await svc().imports.importDirectory(operator, sims.base.dir, 'CAM001');
    expect(next.summary).toMatchObject({ imported: 1, failed: 0, duplicate: report.files.length - 1 });
    expect(next.files[1]).toMatchObject({ path: bad.path, status: 'imported' });
  });

  describe('the zhilu import command', () => {
    let db: TestDatabase;
    beforeEach(async () => {
      db = await createTestDatabase(kind);
    });
    afterEach(async () => {
      await db.drop();
    });

    it('prints the report with --json and exits non-zero when a file failed, 1 on refusals, 2 on usage errors', async () => {
      expect(
        (
          await runCli(
            [
              'user',
              'add',
              '--username',
              'zhang.san',
              '--name',
              '张三',
              '--code',
              '000001',
              '--roles',
              'officer',
            ],
            db.env,
          )
        ).code,
      ).toBe(0);
      expect(
        (
          await runCli(
            ['device', 'add', '--serial', 'CAM001', '--type', 'body_camera', '--holder', 'zhang.san'],
            db.env,
          )
        ).code,
      ).toBe(0);
      const card = path.join(work, 'cli-card');
      const sim = await runCli(
        [
          'simulate-device',
          card,
          '--serial',
          'CAM001',
          '--officer',
          '000001',
          '--start',
          '2026-08-04T08:00:00+08:00',
          '--minutes',
          '3',
          '--photos',
          '1',
          '--json',
        ],
        db.env,
      );
      expect(sim.code, sim.stderr).toBe(0);

      const first = await runCli(['import', card, '--device', 'CAM001', '--json'], db.env);
      expect(first.code, first.stderr).toBe(0);
      const report = JSON.parse(first.stdout) as ImportReport;
      expect(Object.keys(report)).toEqual(['importId', 'device', 'files', 'findings', 'summary']);
      expect(Object.keys(report.summary)).toEqual(['imported', 'duplicate', 'failed', 'bytes']);
      expect(report.files).toHaveLength(3);
      for (const f of report.files) {
        expect(Object.keys(f)).toEqual([
          'path',
          'sha256',
          'size',
          'status',
          'recordingId',
          'kind',
          'recordedAt',
          'findings',
        ]);
        expect(f.status).toBe('imported');
      }
      for (const f of report.findings) expect(Object.keys(f)).toEqual(['code', 'detail']);
      const sums = await sha256sum(report.files.map((f) => path.join(card, f.path)));
      for (const f of report.files) expect(f.sha256).toBe(sums.get(path.join(card, f.path)));

      const human = await runCli(['import', card, '--device', 'CAM001'], db.env);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout).toContain('duplicate 3');

      await run('mkfifo', [path.join(card, 'pipe.mp4')]);
      const partial = await runCli(['import', card, '--device', 'CAM001', '--json'], db.env);
      expect(partial.code).toBe(1);
      const p = JSON.parse(partial.stdout) as ImportReport;
      expect(p.summary).toMatchObject({ imported: 0, duplicate: 3, failed: 1 });

      const unknown = await runCli(['import', card, '--device', 'CAM999'], db.env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('DEVICE_NOT_FOUND');
      const unknownJson = await runCli(['import', card, '--device', 'CAM999', '--json'], db.env);
      expect(JSON.parse(unknownJson.stderr).error.code).toBe('DEVICE_NOT_FOUND');
      expect((await runCli(['import', card], db.env)).code).toBe(2);
    });
  });
});

// ─── Imports a dead station left running ─────────────────────────────────────────

describe.each(databaseKinds())('abandoned imports on %s', (kind) => {
  let t: TestInstall;
  beforeEach(async () => {
    t = await createInstall(kind);
  });
  afterEach(async () => {
    await t.close();
  });

  it('marks a running import with nothing arriving for hours aborted when the device is imported again', async () => {
    const svc = t.zhilu.services;
    await svc.devices.create(operator, { serial: 'CAM009', typeId: 'body_camera' });
    const open = () =>
      svc.uploads.openImport(operator, {
        deviceSerial: 'CAM009',
        stationId: 'st-1',
        sourcePath: '/media/CAM009',
      });
    const statusOf = async (id: string) =>
      (
        await t.zhilu.catalogue.db
          .selectFrom('imports')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status;
    const first = await open();
    // An hour later the station is back: the first import may still be under way.
    t.clock.advance(3_600_000);
    const second = await open();
    expect(await statusOf(first.importId)).toBe('running');
    // Seven hours on, nothing arrived for either: both are taken as abandoned.
    t.clock.advance(7 * 3_600_000);
    const third = await open();
    expect([await statusOf(first.importId), await statusOf(second.importId)]).toEqual(['aborted', 'aborted']);
    expect(await statusOf(third.importId)).toBe('running');
    const audit = await t.zhilu.catalogue.db
      .selectFrom('auditEvents')
      .select('targetId')
      .where('action', '=', 'import.abandon')
      .execute();
    expect(audit.map((a) => a.targetId).sort()).toEqual([first.importId, second.importId].sort());
  });
});

// ─── The same against S3 (Ceph RGW) ──────────────────────────────────────────────

const s3 = inject('s3');
(s3 ? describe : describe.skip)('local import into the S3 blob store (Ceph RGW)', () => {
  let z: Zhilu;
  let db: TestDatabase;
  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = s3!.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3!.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    db = await createTestDatabase('sqlite');
    const storage = {
      kind: 's3' as const,
      bucket: `zhilu-import-${randomUUID().slice(0, 8)}`,
      endpoint: s3!.endpoint,
      region: s3!.region,
      forcePathStyle: true,
      checksum: 'when_required' as const,
      prefix: 'import-test/',
    };
    const { S3BlobStore } = await import('../../src/storage/s3-blob-store.js');
    const admin = new S3BlobStore(storage);
    await admin.ensureBucket();
    await admin.close();
    const config: Config = {
      ...loadConfig({}, { data: db.dataDir }),
      database: db.config,
      storage,
      webDir: path.join(os.tmpdir(), 'no-web'),
    };
    z = await openZhilu(config, { clock: new TestClock(at(10)) });
  });
  afterAll(async () => {
    await z?.close();
    await db?.drop();
  });

  it('imports, re-imports as duplicates, and keeps the truncated file byte for byte', async () => {
    const { user } = await z.services.users.create(operator, {
      username: 'zhang.san',
      name: '张三',
      code: '000001',
      unitId: null,
      roles: ['officer'],
      mustChangePassword: true,
    });
    await z.services.devices.create(operator, { serial: 'CAM002', typeId: 'body_camera', holderId: user.id });
    const report = await z.services.imports.importDirectory(operator, sims.defects.dir, 'CAM002');
    expect(z.blobs.kind).toBe('s3');
    expect(report.summary).toMatchObject({ imported: 5, failed: 0 });
    const sums = await sha256sum(report.files.map((f) => path.join(sims.defects.dir, f.path)));
    for (const f of report.files) expect(f.sha256).toBe(sums.get(path.join(sims.defects.dir, f.path)));
    const truncated = report.files.find((f) => f.findings.includes('UNREADABLE'))!;
    expect(
      (await readBlob(z.blobs, truncated.sha256!)).equals(
        fs.readFileSync(path.join(sims.defects.dir, truncated.path)),
      ),
    ).toBe(true);
    const again = await z.services.imports.importDirectory(operator, sims.defects.dir, 'CAM002');
    expect(again.summary).toMatchObject({ imported: 0, duplicate: 5, failed: 0 });
  });
});
