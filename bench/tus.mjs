#!/usr/bin/env node
// Station upload benchmark (issue 4): the station's tus upload of one ≥ 1 GiB file to
// `zhilu serve` (fresh installation, station-scope token) over loopback, beside a plain
// HTTP PUT of the same bytes to a minimal sink that only writes the body to disk, in the
// same run. Prints MB/s (10^6 bytes per second) and the ratio tus / PUT.
//
//   node bench/tus.mjs [--dir BASE] [--mib 1024] [--runs 3] [--chunks-mib 1024,64] [--keep] [--json]
//
// The tus side drives the station's own code (dist/station/station.js, uploadFile): it
// hashes the file, uploads it with tus-js-client using the station's options, the server
// verifies the declared SHA-256, stores the original and catalogues it, and the station
// waits for the confirmation — the whole of what a station does per file except clearing.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  MiB,
  ROOT,
  ZHILU,
  fmtBytes,
  fmtMBps,
  installEnv,
  machine,
  mbps,
  mkWorkDir,
  parseArgs,
  registerDevice,
  requireBuild,
  sync,
  timed,
  warm,
  writeRandomFile,
  zhiluJson,
} from './common.mjs';

const args = parseArgs(process.argv.slice(2), {
  dir: { default: process.env.TMPDIR || '/tmp' },
  mib: { default: 1024, number: true },
  runs: { default: 3, number: true },
  'chunks-mib': { default: '1024,64' },
  keep: { flag: true, default: false },
  json: { flag: true, default: false },
});
requireBuild();
const log = args.json ? () => undefined : (s) => console.log(s);
const station = await import(path.join(ROOT, 'dist/station/station.js'));

const SERIAL = 'BENCH001';
const OFFICER = '000001';
const TARGET_RATIO = 0.5;
const size = Math.round(args.mib * MiB);
const chunkSizes = String(args['chunks-mib'])
  .split(',')
  .map((s) => Math.round(Number(s) * MiB));
if (chunkSizes.some((c) => !(c > 0))) {
  process.stderr.write('bench: --chunks-mib must list positive sizes in MiB, e.g. 1024,64\n');
  process.exit(2);
}

const work = mkWorkDir(args.dir, 'zhilu-bench-tus-');
const data = path.join(work, 'data');
const src = path.join(work, SERIAL, 'VIDEO');
const sinkDir = path.join(work, 'sink');
const env = installEnv(data);
const children = [];

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Starts a child and waits until `ready()` resolves true. */
async function startChild(cmd, argv, childEnv, ready) {
  const child = spawn(cmd, argv, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${path.basename(argv[0])} exited:\n${out}`);
    if (await ready().catch(() => false)) return child;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${argv.join(' ')} did not start:\n${out}`);
}

// The sink: one PUT → one file, nothing else (no hashing, no fsync).
const SINK = `
const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
const { pipeline } = require('node:stream/promises');
let n = 0;
http.createServer(async (req, res) => {
  if (req.method !== 'PUT') { res.writeHead(req.method === 'GET' ? 200 : 405).end(); return; }
  const file = path.join(process.argv[1], 'put-' + (++n));
  try { await pipeline(req, fs.createWriteStream(file)); res.writeHead(201).end(); }
  catch (e) { res.writeHead(500).end(String(e)); }
}).listen(Number(process.argv[2]), '127.0.0.1');
`;

/** PUT with Node's http client, the body streamed from disk. */
function nodePut(port, file) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path: '/x',
        headers: { 'content-length': fs.statSync(file).size, 'content-type': 'application/octet-stream' },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 201 ? resolve() : reject(new Error(`sink ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    pipeline(fs.createReadStream(file, { highWaterMark: MiB }), req).catch(reject);
  });
}

function curlPut(port, file) {
  const r = spawnSync(
    'curl',
    ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-T', file, `http://127.0.0.1:${port}/x`],
    { encoding: 'utf8' },
  );
  if (r.status !== 0 || r.stdout !== '201') throw new Error(`curl PUT failed: ${r.stderr}${r.stdout}`);
}

const hasCurl = spawnSync('curl', ['--version']).status === 0;

try {
  log(`bench: work directory ${work}`);
  // Fresh installation: the device, its holder and a station-scope token.
  registerDevice(env, SERIAL, OFFICER);
  const created = zhiluJson(['token', 'create', '--user', 'bench', '--scope', 'station'], env);
  const token = created.secret;
  if (!/^zl_/.test(token ?? '')) throw new Error(`no token secret in ${JSON.stringify(created)}`);

  // One fresh file per tus upload (a repeated file would be a duplicate); PUTs reuse the first.
  const uploads = [];
  for (let r = 0; r < args.runs; r++)
    for (const chunk of chunkSizes) {
      const i = uploads.length;
      const name = `DCAM_${SERIAL}_${OFFICER}_20260804_${String(10 + Math.floor(i / 6)).padStart(2, '0')}${String((i % 6) * 10).padStart(2, '0')}00.mp4`;
      const abs = path.join(src, name);
      await writeRandomFile(abs, size);
      uploads.push({ run: r, chunk, abs, rel: `VIDEO/${name}` });
    }
  log(`bench: ${uploads.length} files of ${fmtBytes(size)} (random bytes)`);

  const serverPort = await freePort();
  const base = `http://127.0.0.1:${serverPort}`;
  await startChild(
    process.execPath,
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    [
      ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ZHILU,
      'serve',
      '--port',
      String(serverPort),
      '--host',
      '127.0.0.1',
    ],
    env,
    async () => (await fetch(`${base}/api/health`)).ok,
  );
  const sinkPort = await freePort();
  fs.mkdirSync(sinkDir);
  await startChild(
    process.execPath,
    ['-e', SINK, sinkDir, String(sinkPort)],
    process.env,
    async () => (await fetch(`http://127.0.0.1:${sinkPort}/`)).ok,
  );

  const client = new station.ServerClient(base, token);
  const stateDir = path.join(work, 'station-state');
  const opened = await client.request('POST', '/imports', { deviceSerial: SERIAL, stationId: 'bench' });

  const rounds = [];
  for (let r = 0; r < args.runs; r++) {
    const round = { put: [], tus: [] };
    // Baseline: plain PUT of the first file (Node http client; curl too when installed).
    for (const [how, put] of [['node', nodePut], ...(hasCurl ? [['curl', curlPut]] : [])]) {
      sync();
      warm([uploads[0].abs]);
      const t = await timed(() => put(sinkPort, uploads[0].abs));
      round.put.push({ client: how, seconds: t.seconds, MBps: mbps(size, t.seconds) });
      fs.rmSync(sinkDir, { recursive: true, force: true });
      fs.mkdirSync(sinkDir);
    }
    // The station's tus upload, one file per chunk size.
    for (const u of uploads.filter((x) => x.run === r)) {
      sync();
      warm([u.abs]);
      const st = fs.statSync(u.abs);
      // Progress is reported as bytes enter the request (throttled to one per 100 ms), and
      // once more with the whole size when the server has answered the last PATCH.
      let firstByteAt = null;
      let lastPartialAt = null;
      const started = process.hrtime.bigint();
      const secondsSince = () => Number(process.hrtime.bigint() - started) / 1e9;
      const { confirmation } = await station.uploadFile(
        { client, stateDir, stationId: 'bench', chunkSize: u.chunk, log: () => undefined },
        { abs: Buffer.from(u.abs), rel: Buffer.from(u.rel), size: st.size, mtimeMs: st.mtimeMs },
        { deviceSerial: SERIAL, importId: opened.importId },
        (sent) => {
          if (sent > 0 && firstByteAt === null) firstByteAt = secondsSince();
          if (sent < size) lastPartialAt = secondsSince();
        },
      );
      const seconds = secondsSince();
      if (!confirmation.confirmed) throw new Error(`not confirmed: ${JSON.stringify(confirmation)}`);
      round.tus.push({
        chunkMiB: u.chunk / MiB,
        seconds,
        MBps: mbps(size, seconds),
        // station hash + tus create; bytes on the wire; after the last byte: the server's
        // verify/store/catalogue and the confirmation (± 0.1 s, the progress throttle)
        phases: {
          hashAndCreate: firstByteAt,
          transfer: lastPartialAt - firstByteAt,
          serverComplete: seconds - lastPartialAt,
        },
        sha256: confirmation.sha256,
      });
    }
    rounds.push(round);
  }
  await client.request('POST', `/imports/${opened.importId}/finish`);

  // Every upload is stored as a read-only original; no tus temporary is left behind.
  for (const t of rounds.flatMap((r) => r.tus)) {
    const blob = path.join(data, 'blobs', 'blobs', t.sha256.slice(0, 2), t.sha256.slice(2, 4), t.sha256);
    const st = fs.statSync(blob);
    if (st.size !== size || (st.mode & 0o777) !== 0o444) throw new Error(`unexpected original ${blob}`);
  }
  const left = fs.readdirSync(path.join(data, 'uploads')).filter((n) => !n.endsWith('.json'));
  if (left.length) throw new Error(`tus temporaries left behind: ${left.join(', ')}`);

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const putClients = [...new Set(rounds.flatMap((r) => r.put.map((p) => p.client)))];
  const putMedian = Object.fromEntries(
    putClients.map((c) => [
      c,
      median(rounds.flatMap((r) => r.put.filter((p) => p.client === c).map((p) => p.MBps))),
    ]),
  );
  // The faster PUT client is the baseline: the stricter comparison.
  const baseline = Math.max(...Object.values(putMedian));
  const tusMedian = chunkSizes.map((c) => {
    const runs = rounds.flatMap((r) => r.tus.filter((t) => t.chunkMiB === c / MiB));
    const MBps = median(runs.map((t) => t.MBps));
    const phase = (k) => median(runs.map((t) => t.phases[k]));
    return {
      chunkMiB: c / MiB,
      MBps,
      ratio: MBps / baseline,
      phases: {
        hashAndCreate: phase('hashAndCreate'),
        transfer: phase('transfer'),
        serverComplete: phase('serverComplete'),
      },
    };
  });
  // The target is for the station as configured: its default chunk size when measured.
  const primary = tusMedian.find((t) => t.chunkMiB * MiB === station.DEFAULT_CHUNK_SIZE) ?? tusMedian[0];
  const result = {
    date: new Date().toISOString(),
    machine: machine(work),
    loadAverage: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    fileBytes: size,
    runs: args.runs,
    putMedianMBps: putMedian,
    baselineMBps: baseline,
    tus: tusMedian,
    target: TARGET_RATIO,
    met: primary.ratio >= TARGET_RATIO,
    rounds,
  };
  if (args.json) console.log(JSON.stringify(result, null, 2));
  else {
    const m = result.machine;
    log('');
    log(`tus benchmark · ${result.date} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.fileSystem}`);
    log(
      `  ${fmtBytes(size)} per upload over loopback, page cache warm, median of ${args.runs} runs (load average now ${result.loadAverage})`,
    );
    for (const [c, v] of Object.entries(putMedian))
      log(`  plain PUT (${c.padEnd(4)}) to a sink   ${fmtMBps(v)}`);
    for (const t of tusMedian) {
      const what = t.chunkMiB * MiB >= size ? 'one PATCH' : `${t.chunkMiB} MiB chunks`;
      log(
        `  station tus (${what.padEnd(14)})   ${fmtMBps(t.MBps)}   ${t.ratio.toFixed(2)}× PUT   ` +
          `[hash+create ${t.phases.hashAndCreate.toFixed(2)} s · transfer ${t.phases.transfer.toFixed(2)} s · server verify+store+catalogue ${t.phases.serverComplete.toFixed(2)} s]`,
      );
    }
    log(
      `  target tus ≥ ${TARGET_RATIO}× PUT at ${primary.chunkMiB} MiB chunks (the station's default when measured): ${result.met ? 'met' : 'NOT met'}`,
    );
  }
  process.exitCode = result.met ? 0 : 1;
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
  );
  if (args.keep) log(`bench: kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
