// The collection station and the server side of uploads (A12.1, A13.1), on SQLite and
// PostgreSQL, as real processes: `zhilu serve` on a throw-away data directory and
// `zhilu station` against it. Covers catalogue-then-clear, a declared hash that does not
// match, resume after `kill -9` of the station and after a server restart, and fault
// injection proving no device file is deleted before its hash is confirmed.
// Needs the server build: run `npm run build:server` first.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openCatalogue, type Catalogue } from '../../src/db/database.js';
import {
  createTestDatabase,
  databaseKinds,
  tempDir as makeTempDir,
  type TestDatabase,
} from '../support/databases.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = ['dist/cli/main.js', 'dist/station/station.js', 'dist/http/routes/uploads.js'];

function requireBuild(): void {
  for (const f of BUILT)
    if (!fs.existsSync(path.join(ROOT, f)))
      throw new Error(`${f} is missing: run \`npm run build:server\` before the station tests`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Temporary folders of this file, removed at the end (some hold 40 MB files). */
const temps: string[] = [];
function tempDir(prefix: string): string {
  const d = makeTempDir(prefix);
  temps.push(d);
  return d;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256Of = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else out.push(p);
    }
  };
  visit(dir);
  return out.sort();
}

interface Run {
  child: ChildProcess;
  out: () => string;
  done: Promise<number | null>;
}

function spawnZhilu(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['bin/zhilu.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, ZHILU_ADMIN_PASSWORD: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, done };
}

function cliJson<T>(args: string[], env: Record<string, string>, stdin?: string): T {
  const r = spawnSync(process.execPath, ['bin/zhilu.js', ...args, '--json'], {
    cwd: ROOT,
    input: stdin,
    encoding: 'utf8',
    env: { ...process.env, ZHILU_ADMIN_PASSWORD: '', ...env },
  });
  if (r.status !== 0)
    throw new Error(`zhilu ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

function events(out: string): Record<string, unknown>[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

// Every catalogue on the local blob store; and once with the blobs in S3 (Ceph RGW) when the
// engine runs, so the upload's hash-checked put and the confirmation are proven there too.
const s3 = inject('s3');
const setups = [
  ...databaseKinds().map((kind) => ({ label: `${kind}, local blobs`, kind, storage: 'local' as const })),
  ...(s3 ? [{ label: 'sqlite, S3 blobs', kind: 'sqlite' as const, storage: 's3' as const }] : []),
];

describe.each(setups)('collection station ($label)', ({ kind: dbKind, storage }) => {
  const kind = storage === 's3' ? `${dbKind}-s3` : dbKind;
  let db: TestDatabase;
  /** The server's and the CLI's environment: the test database, and the S3 store when asked. */
  let serverEnv: Record<string, string> = {};
  let catalogue: Catalogue;
  let port: number;
  let base: string;
  let server: Run | null = null;
  let token = '';
  const devices = ['CAM001', 'CAM002', 'CAM003', 'CAM004', 'CAM005', 'CAM006'];

  const startServer = async () => {
    const run = spawnZhilu(['serve', '--port', String(port), '--host', '127.0.0.1'], serverEnv);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (run.child.exitCode !== null) throw new Error(`zhilu serve exited:\n${run.out()}`);
      if (
        await fetch(`${base}/api/health`).then(
          (r) => r.ok,
          () => false,
        )
      ) {
        server = run;
        return;
      }
      await sleep(150);
    }
    run.child.kill('SIGKILL');
    throw new Error(`zhilu serve did not start:\n${run.out()}`);
  };
  const killServer = async () => {
    const s = server;
    server = null;
    if (!s || s.child.exitCode !== null) return;
    s.child.kill('SIGKILL');
    await s.done;
  };
  const station = (watch: string, stateDir: string, extra: string[] = [], serverUrl = base) =>
    spawnZhilu(
      [
        'station',
        '--watch',
        watch,
        '--server',
        serverUrl,
        '--state-dir',
        stateDir,
        '--station-id',
        `st-${kind}`,
        '--once',
        '--json',
        ...extra,
      ],
      { ZHILU_STATION_TOKEN: token },
    );
  const api = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(`${base}/api/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: (await r.json().catch(() => null)) as Record<string, unknown> };
  };
  const recordingBySha = (sha: string) =>
    catalogue.db.selectFrom('recordings').selectAll().where('sha256', '=', sha).executeTakeFirst();
  /** A device folder holding one large random file, named as the device names it. */
  const bigVolume = (serial: string, mb: number) => {
    const watch = tempDir('zhilu-watch-');
    const dir = path.join(watch, serial, 'VIDEO');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `DCAM_${serial}_000001_20260804_110000.mp4`);
    fs.writeFileSync(file, randomBytes(mb * 1024 * 1024));
    return { watch, file, sha: sha256Of(file) };
  };
  /** The stored upload URL of the station (its resumable state), once there is one. */
  const storedUploadUrl = (stateDir: string): string | null => {
    try {
      const all = JSON.parse(fs.readFileSync(path.join(stateDir, 'tus-uploads.json'), 'utf8')) as Record<
        string,
        { uploadUrl: string | null }
      >;
      return Object.values(all).find((u) => u.uploadUrl)?.uploadUrl ?? null;
    } catch {
      return null;
    }
  };
  const serverOffset = async (url: string): Promise<number> =>
    fetch(url, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' },
    }).then(
      (r) => (r.ok ? Number(r.headers.get('upload-offset')) : -1),
      () => -1,
    );
  /**
   * Waits until the station reports having sent `atLeast` bytes of the file. (Not by
   * asking the server: a tus HEAD during a PATCH makes the server end that PATCH.)
   */
  const waitForProgress = async (
    run: Run,
    stateDir: string,
    atLeast: number,
    timeoutMs = 30_000,
  ): Promise<void> => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const sent = events(run.out())
        .filter((e) => e.event === 'progress')
        .reduce((n, e) => Math.max(n, Number(e.fileBytes)), 0);
      if (sent >= atLeast && storedUploadUrl(stateDir)) return;
      if (run.child.exitCode !== null) throw new Error(`the station ended early:\n${run.out()}`);
      await sleep(50);
    }
    throw new Error(`the station did not send ${atLeast} bytes:\n${run.out()}`);
  };

  beforeAll(async () => {
    requireBuild();
    db = await createTestDatabase(dbKind);
    serverEnv = { ...db.env };
    if (storage === 's3') {
      const bucket = `zhilu-station-${randomBytes(4).toString('hex')}`;
      serverEnv = {
        ...serverEnv,
        STORAGE_URL: `s3://${bucket}?endpoint=${encodeURIComponent(s3!.endpoint)}&region=${s3!.region}&forcePathStyle=true`,
        AWS_ACCESS_KEY_ID: s3!.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3!.secretAccessKey,
      };
      const { S3BlobStore } = await import('../../src/storage/s3-blob-store.js');
      process.env.AWS_ACCESS_KEY_ID = s3!.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = s3!.secretAccessKey;
      const admin = new S3BlobStore({
        kind: 's3',
        bucket,
        endpoint: s3!.endpoint,
        region: s3!.region,
        forcePathStyle: true,
        checksum: 'when_required',
        prefix: '',
      });
      await admin.ensureBucket();
      await admin.close();
    }
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const pw = 'Station-Test-Passw0rd!';
    cliJson(
      [
        'user',
        'add',
        '--username',
        'keeper',
        '--name',
        '保管员',
        '--code',
        '900001',
        '--roles',
        'custodian',
        '--password-stdin',
      ],
      serverEnv,
      pw,
    );
    cliJson(
      [
        'user',
        'add',
        '--username',
        'officer1',
        '--name',
        '警员一',
        '--code',
        '000001',
        '--roles',
        'officer',
        '--password-stdin',
      ],
      serverEnv,
      pw,
    );
    for (const serial of devices)
      cliJson(
        ['device', 'add', '--serial', serial, '--type', 'body_camera', '--holder', 'officer1'],
        serverEnv,
      );
    const created = cliJson<{ secret?: string; token?: string | { secret?: string } }>(
      ['token', 'create', '--user', 'keeper', '--scope', 'station'],
      serverEnv,
    );
    token =
      created.secret ?? (typeof created.token === 'string' ? created.token : created.token?.secret) ?? '';
    expect(token).toMatch(/^zl_/);
    catalogue = await openCatalogue(db.config);
    await startServer();
  });

  afterAll(async () => {
    await killServer();
    await catalogue?.close();
    await db?.drop();
    for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('uploads a docked device, catalogues every file with its hash, and clears only confirmed files', async () => {
    const watch = tempDir('zhilu-watch-');
    const vol = path.join(watch, 'CAM001');
    cliJson(
      [
        'simulate-device',
        vol,
        '--serial',
        'CAM001',
        '--officer',
        '000001',
        '--start',
        '2026-08-04T10:00:00+08:00',
        '--minutes',
        '2',
        '--split-minutes',
        '1',
        '--photos',
        '1',
      ],
      {},
    );
    const before = new Map(filesUnder(vol).map((f) => [path.relative(vol, f), sha256Of(f)]));
    expect(before.size).toBeGreaterThan(2);
    const stateDir = tempDir('zhilu-state-');
    const run = station(watch, stateDir, ['--clear-after-upload', '--chunk-size', '262144']);
    expect(await run.done, run.out()).toBe(0);

    for (const [rel, sha] of before) {
      const rec = await recordingBySha(sha);
      expect(rec, rel).toBeDefined();
      expect(rec!.originalPath).toBe(rel);
    }
    // Every device file is gone except the device-info file, and each was confirmed first.
    expect(filesUnder(vol).map((f) => path.relative(vol, f))).toEqual(['zhilu-device.json']);
    const fileEvents = events(run.out()).filter((e) => e.event === 'file');
    expect(fileEvents).toHaveLength(before.size);
    for (const e of fileEvents) {
      expect(e.confirmed).toBe(true);
      expect(e.sha256).toBe(before.get(e.path as string));
      if (e.cleared) expect(e.confirmed).toBe(true);
    }
    const uploads = await catalogue.db.selectFrom('uploads').selectAll().execute();
    expect(uploads.filter((u) => u.status === 'catalogued').length).toBeGreaterThanOrEqual(before.size);
    const imp = await catalogue.db
      .selectFrom('imports')
      .selectAll()
      .where('source', '=', 'station')
      .execute();
    expect(imp.some((i) => i.status === 'completed' && i.stationId === `st-${kind}`)).toBe(true);
    // No temporary upload is left on the server.
    expect(fs.readdirSync(path.join(db.dataDir, 'uploads'))).toEqual([]);

    // The platform sees the station online with what it had docked.
    const stations = await api('GET', '/stations');
    expect(stations.status).toBe(200);
    const st = (
      stations.body.items as { id: string; online: boolean; docked: string[]; imports: unknown[] }[]
    ).find((s) => s.id === `st-${kind}`);
    expect(st?.online).toBe(true);
    expect(st?.docked).toEqual(['CAM001']);
    expect(st?.imports.length).toBeGreaterThan(0);
  });

  it('uploads a file whose device name is GBK bytes, keeps the raw name, and clears it once confirmed', async () => {
    const watch = tempDir('zhilu-watch-');
    const dir = Buffer.from(path.join(watch, 'CAM001', 'VIDEO'));
    fs.mkdirSync(dir, { recursive: true });
    // "执法_20260804_120000.mp4" written by a device in GBK: not valid UTF-8.
    const gbkName = Buffer.concat([
      Buffer.from([0xd6, 0xb4, 0xb7, 0xa8]),
      Buffer.from('_20260804_120000.mp4'),
    ]);
    const file = Buffer.concat([dir, Buffer.from('/'), gbkName]);
    const content = randomBytes(200_000);
    fs.writeFileSync(file, content);
    const sha = createHash('sha256').update(content).digest('hex');
    const run = station(watch, tempDir('zhilu-state-'), ['--clear-after-upload']);
    expect(await run.done, run.out()).toBe(0);
    const rec = await recordingBySha(sha);
    expect(rec?.size).toBe(200_000);
    expect(rec!.originalPathBytes).toBe(Buffer.concat([Buffer.from('VIDEO/'), gbkName]).toString('hex'));
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses unknown devices, bad tokens and bad metadata before tus stores anything', async () => {
    const unknown = await api('POST', '/imports', { deviceSerial: 'NOPE999' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('DEVICE_NOT_FOUND');
    const noAuth = await fetch(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: { 'tus-resumable': '1.0.0', 'upload-length': '5', authorization: 'Bearer zl_nonsense' },
    });
    expect(noAuth.status).toBe(401);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const badSerial = await fetch(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-length': '5',
        'upload-metadata': `deviceSerial ${b64('NOPE999')},path ${b64('a.mp4')},sha256 ${b64('0'.repeat(64))},size ${b64('5')}`,
      },
    });
    expect(badSerial.status).toBe(404);
    const noHash = await fetch(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-length': '5',
        'upload-metadata': `deviceSerial ${b64('CAM001')},path ${b64('a.mp4')},size ${b64('5')}`,
      },
    });
    expect(noHash.status).toBe(400);
    expect(fs.readdirSync(path.join(db.dataDir, 'uploads'))).toEqual([]);

    // An upload belongs to the account that created it: another cannot resume or cancel it.
    const created = await fetch(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-length': '5',
        'upload-metadata': `deviceSerial ${b64('CAM001')},path ${b64('VIDEO/own.mp4')},sha256 ${b64('a'.repeat(64))},size ${b64('5')}`,
      },
    });
    expect(created.status).toBe(201);
    const location = new URL(created.headers.get('location')!, base).toString();
    const other = cliJson<{ secret?: string; token?: string | { secret?: string } }>(
      ['token', 'create', '--user', 'officer1', '--scope', 'station'],
      serverEnv,
    );
    const otherToken =
      other.secret ?? (typeof other.token === 'string' ? other.token : other.token?.secret) ?? '';
    const head = (bearer: string) =>
      fetch(location, {
        method: 'HEAD',
        headers: { authorization: `Bearer ${bearer}`, 'tus-resumable': '1.0.0' },
      });
    expect((await head(otherToken)).status).toBe(404);
    const patched = await fetch(location, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${otherToken}`,
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
      },
      body: 'abcde',
    });
    expect(patched.status).toBe(404);
    expect((await head(token)).status).toBe(200);
    expect(Number((await head(token)).headers.get('upload-offset'))).toBe(0);
    await fetch(location, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' },
    });
  });

  it('rejects an upload whose content does not match the declared hash: nothing catalogued, file kept', async () => {
    const station = (await import(
      path.join(ROOT, 'dist/station/station.js')
    )) as typeof import('../../src/station/station.js');
    const client = new station.ServerClient(base, token);
    const dir = tempDir('zhilu-dev-');
    const file = path.join(dir, 'DCAM_CAM001_000001_20260804_120000.mp4');
    fs.writeFileSync(file, randomBytes(300_000));
    const st = fs.statSync(file);
    const actual = sha256Of(file);
    const opened = await client.request<{ importId: string }>('POST', '/imports', { deviceSerial: 'CAM001' });
    const declared = 'f'.repeat(64);
    await expect(
      station.uploadFile(
        { client, stateDir: tempDir('zhilu-state-'), stationId: null, log: () => undefined },
        { abs: Buffer.from(file), rel: Buffer.from('VIDEO/x.mp4'), size: st.size, mtimeMs: st.mtimeMs },
        { deviceSerial: 'CAM001', importId: opened.importId, declaredSha256: declared },
        () => undefined,
      ),
    ).rejects.toMatchObject({ code: 'UPLOAD_HASH_MISMATCH' });
    expect(await recordingBySha(actual)).toBeUndefined();
    expect(await recordingBySha(declared)).toBeUndefined();
    expect(fs.existsSync(file)).toBe(true);
    const rejected = await catalogue.db
      .selectFrom('uploads')
      .selectAll()
      .where('importId', '=', opened.importId)
      .execute();
    expect(rejected.map((r) => r.status)).toEqual(['rejected']);
    const audit = await catalogue.db
      .selectFrom('auditEvents')
      .select('action')
      .where('action', '=', 'upload.reject')
      .execute();
    expect(audit.length).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(db.dataDir, 'uploads'))).toEqual([]);
    const report = await client.request<{ files: unknown[] }>('POST', `/imports/${opened.importId}/finish`);
    expect(report.files).toEqual([]);
  });

  it('resumes after kill -9 of the station mid-file', async () => {
    const { watch, file, sha } = bigVolume('CAM002', 40);
    const stateDir = tempDir('zhilu-state-');
    // Default chunk size: one PATCH for the whole file, cut by the kill; the server keeps what it got.
    const args = ['--clear-after-upload', '--max-bytes-per-second', String(8 * 1024 * 1024)];
    const first = station(watch, stateDir, args);
    await waitForProgress(first, stateDir, 4 * 1024 * 1024);
    first.child.kill('SIGKILL');
    await first.done;
    expect(fs.existsSync(file)).toBe(true);
    const url = storedUploadUrl(stateDir)!;
    const offsetAtKill = await serverOffset(url);
    expect(offsetAtKill).toBeGreaterThan(0);
    expect(offsetAtKill).toBeLessThan(40 * 1024 * 1024);

    const second = station(watch, stateDir, [
      '--clear-after-upload',
      '--chunk-size',
      String(4 * 1024 * 1024),
    ]);
    expect(await second.done, second.out()).toBe(0);
    const resumed = events(second.out()).find((e) => e.event === 'resume');
    expect(resumed, second.out()).toBeDefined();
    expect(resumed!.offset).toBeGreaterThan(0);
    expect(resumed!.offset).toBeGreaterThanOrEqual(offsetAtKill);
    const rec = await recordingBySha(sha);
    expect(rec?.size).toBe(40 * 1024 * 1024);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('resumes after the server is killed mid-upload and started again on the same data directory', async () => {
    const { watch, file, sha } = bigVolume('CAM003', 40);
    const stateDir = tempDir('zhilu-state-');
    const run = station(watch, stateDir, [
      '--clear-after-upload',
      '--chunk-size',
      String(2 * 1024 * 1024),
      '--max-bytes-per-second',
      String(8 * 1024 * 1024),
    ]);
    await waitForProgress(run, stateDir, 6 * 1024 * 1024);
    const url = storedUploadUrl(stateDir)!;
    await killServer();
    await sleep(500);
    await startServer();
    // The upload continues from what the server kept, not from zero.
    expect(await serverOffset(url)).toBeGreaterThan(0);
    expect(await run.done, run.out()).toBe(0);
    const rec = await recordingBySha(sha);
    expect(rec?.size).toBe(40 * 1024 * 1024);
    expect(fs.existsSync(file)).toBe(false);
    const uploads = await catalogue.db
      .selectFrom('uploads')
      .selectAll()
      .where('declaredSha256', '=', sha)
      .execute();
    expect(uploads.map((u) => u.status)).toEqual(['catalogued']);
    expect(uploads[0]!.id).toBe(decodeURIComponent(new URL(url).pathname.split('/').at(-1)!));
  });

  it('`zhilu import DIR --server` uploads exactly as the station does, and never clears', async () => {
    const dir = path.join(tempDir('zhilu-disk-'), 'copy');
    cliJson(
      [
        'simulate-device',
        dir,
        '--serial',
        'CAM006',
        '--officer',
        '000001',
        '--start',
        '2026-08-05T09:00:00+08:00',
        '--minutes',
        '3',
        '--split-minutes',
        '1',
        '--drop-seq',
        '2',
        '--naming',
        'dcim-record',
      ],
      {},
    );
    const before = filesUnder(dir);
    const stateDir = tempDir('zhilu-state-');
    const wrong = spawnZhilu(
      ['import', dir, '--device', 'CAM001', '--server', base, '--state-dir', stateDir, '--json'],
      { ZHILU_STATION_TOKEN: token },
    );
    expect(await wrong.done).not.toBe(0);
    expect(wrong.out()).toContain('IMPORT_DEVICE_MISMATCH');

    const run = spawnZhilu(
      ['import', dir, '--device', 'CAM006', '--server', base, '--state-dir', stateDir, '--json'],
      { ZHILU_STATION_TOKEN: token },
    );
    expect(await run.done, run.out()).toBe(0);
    const report = JSON.parse(run.out()) as {
      importId: string;
      files: { path: string; sha256: string; status: string }[];
      findings: { code: string }[];
      summary: { imported: number; failed: number };
    };
    expect(report.summary.failed).toBe(0);
    expect(report.files).toHaveLength(before.length);
    for (const f of before) {
      const rel = path.relative(dir, f);
      expect(report.files.find((x) => x.path === rel)?.sha256).toBe(sha256Of(f));
    }
    // The dropped first file is a sequence gap, found over the import's uploaded files.
    expect(report.findings.map((f) => f.code)).toContain('SEQUENCE_GAP');
    expect(filesUnder(dir)).toEqual(before);
  });

  it('never clears a device file whose confirmation fails or names another hash (fault injection)', async () => {
    // A proxy between station and server: everything passes except the confirmation.
    let mode: 'unavailable' | 'forged' = 'unavailable';
    const proxy = http.createServer((req, res) => {
      if (req.method === 'GET' && /\/confirmation$/.test(req.url ?? '')) {
        if (mode === 'unavailable') {
          res
            .writeHead(503, { 'content-type': 'application/json' })
            .end('{"code":"UNAVAILABLE","message":"down"}');
          return;
        }
        const up = http.request(
          { host: '127.0.0.1', port, path: req.url, method: 'GET', headers: req.headers },
          (r) => {
            let body = '';
            r.on('data', (b: Buffer) => (body += b.toString()));
            r.on('end', () => {
              const c = JSON.parse(body) as Record<string, unknown>;
              res
                .writeHead(200, { 'content-type': 'application/json' })
                .end(JSON.stringify({ ...c, sha256: '0'.repeat(64) }));
            });
          },
        );
        up.end();
        return;
      }
      const up = http.request(
        { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    try {
      for (const [serial, m] of [
        ['CAM004', 'unavailable'],
        ['CAM005', 'forged'],
      ] as const) {
        mode = m;
        const { watch, file, sha } = bigVolume(serial, 1);
        const run = station(
          watch,
          tempDir('zhilu-state-'),
          ['--clear-after-upload', '--confirm-timeout', '2'],
          proxyUrl,
        );
        expect(await run.done, run.out()).toBe(1);
        // The server did catalogue it; the station still kept the device file.
        expect((await recordingBySha(sha))?.size).toBe(1024 * 1024);
        expect(fs.existsSync(file)).toBe(true);
        expect(events(run.out()).filter((e) => e.event === 'file' && e.cleared)).toEqual([]);
      }
    } finally {
      await new Promise((r) => proxy.close(r));
    }
  });
});
