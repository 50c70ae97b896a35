#!/usr/bin/env node
// Ingest benchmark (issue 4): `zhilu import` of ≥ 2 GiB of device files into a fresh local
// installation, beside two baselines on the same files in the same run: `cp -r` of the
// folder (then `sync`) and `openssl dgst -sha256` of every file. Prints MB/s (10^6 bytes
// per second), the ratios, and the import's peak resident memory.
//
//   node bench/ingest.mjs [--dir BASE] [--gib 2] [--big-mib 1024] [--runs 1] [--keep] [--json]
//
// See bench/README.md for what is measured and why.
import fs from 'node:fs';
import path from 'node:path';
import {
  GiB,
  MiB,
  ZHILU,
  filesUnder,
  fmtBytes,
  fmtMBps,
  installEnv,
  machine,
  mbps,
  mkWorkDir,
  parseArgs,
  registerDevice,
  requireBuild,
  runMeasured,
  sync,
  timed,
  warm,
  writeRandomFile,
  zhiluJson,
} from './common.mjs';

const args = parseArgs(process.argv.slice(2), {
  dir: { default: process.env.TMPDIR || '/tmp' },
  gib: { default: 2, number: true },
  'big-mib': { default: 1024, number: true },
  runs: { default: 1, number: true },
  keep: { flag: true, default: false },
  json: { flag: true, default: false },
});
requireBuild();
const log = args.json ? () => undefined : (s) => console.log(s);

const SERIAL = 'BENCH001';
const OFFICER = '000001';
const TARGET_RATIO_CP = 0.7;
const TARGET_RSS = 300 * 1e6;

// Source folder and data directory share one work directory, so one file system.
const work = mkWorkDir(args.dir, 'zhilu-bench-ingest-');
const src = path.join(work, SERIAL);
const copy = path.join(work, 'cp-copy');
// Only for the simulator, which touches no installation.
const env = installEnv(path.join(work, 'data-sim'));

try {
  // 1. Device files: real clips, photos and audio from the simulator, then large files
  //    of random bytes named as this device names its videos.
  log(`bench: work directory ${work}`);
  zhiluJson(
    [
      'simulate-device',
      src,
      '--serial',
      SERIAL,
      '--officer',
      OFFICER,
      '--start',
      '2026-08-04T09:00:00+08:00',
      '--minutes',
      '10',
      '--split-minutes',
      '2',
      '--photos',
      '3',
      '--audio',
      '1',
    ],
    env,
  );
  const simulatedBytes = filesUnder(src).reduce((n, f) => n + fs.statSync(f).size, 0);
  const target = args.gib * GiB;
  const big = Math.min(args['big-mib'] * MiB, target);
  const sizes = [big];
  for (let rest = target - big; rest > 0; rest -= 256 * MiB) sizes.push(Math.min(256 * MiB, rest));
  for (const [i, size] of sizes.entries()) {
    // Ten minutes after the last simulated clip, one file every ten minutes.
    const t = new Date(Date.UTC(2026, 7, 4, 2, 40 + 10 * i)); // 10:40 +08:00 onwards
    const hhmmss = `${String(t.getUTCHours() + 8).padStart(2, '0')}${String(t.getUTCMinutes()).padStart(2, '0')}00`;
    await writeRandomFile(path.join(src, 'VIDEO', `DCAM_${SERIAL}_${OFFICER}_20260804_${hhmmss}.mp4`), size);
  }
  const files = filesUnder(src);
  const totalBytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  const mix = {
    files: files.length,
    totalBytes,
    simulated: { files: files.length - sizes.length, bytes: simulatedBytes },
    random: { files: sizes.length, sizesMiB: sizes.map((s) => s / MiB) },
  };
  log(
    `bench: ${files.length} files, ${fmtBytes(totalBytes)}: ${mix.simulated.files} simulated (clips, photos, audio, device info; ${fmtBytes(simulatedBytes)}) + ${sizes.length} random-byte videos (${mix.random.sizesMiB.join(', ')} MiB)`,
  );

  const rounds = [];
  let report = null;
  let opensslHashes = null;
  for (let r = 0; r < args.runs; r++) {
    // 2. A fresh installation with the device registered (SQLite + local blobs in DATA).
    const data = path.join(work, `data-${r + 1}`);
    const env = installEnv(data);
    registerDevice(env, SERIAL, OFFICER);

    // 3. Baseline A: cp -r, then sync so the copy is on disk as the import's fsynced blobs are.
    sync();
    warm(files);
    const cpRun = await runMeasured('cp', ['-r', src, copy]);
    if (cpRun.code !== 0) throw new Error(`cp -r failed: ${cpRun.stderr}`);
    cpRun.seconds += (await timed(sync)).seconds;
    fs.rmSync(copy, { recursive: true, force: true });
    sync();

    // 4. Baseline B: openssl dgst -sha256 over every file, in one process.
    warm(files);
    const sslRun = await runMeasured('openssl', ['dgst', '-sha256', ...files]);
    if (sslRun.code !== 0) throw new Error(`openssl failed: ${sslRun.stderr}`);
    opensslHashes = new Map(
      sslRun.stdout
        .trim()
        .split('\n')
        .map((l) => /^SHA2?-?256\((.*)\)= ([0-9a-f]{64})$/.exec(l))
        .filter(Boolean)
        .map((m) => [m[1], m[2]]),
    );

    // The fixed cost of any zhilu command here: start, open the installation, close.
    const startRun = await runMeasured(process.execPath, [ZHILU, 'device', 'list', '--json'], { env });
    if (startRun.code !== 0) throw new Error(`zhilu device list failed: ${startRun.stderr}`);

    // 5. zhilu import (the media jobs it queues run in a worker, not here), then sync.
    sync();
    warm(files);
    const importRun = await runMeasured(
      process.execPath,
      [ZHILU, 'import', src, '--device', SERIAL, '--json'],
      {
        env,
      },
    );
    if (importRun.code !== 0) throw new Error(`zhilu import exited ${importRun.code}:\n${importRun.stderr}`);
    importRun.seconds += (await timed(sync)).seconds;
    report = JSON.parse(importRun.stdout);

    // The import stored every file, each under the hash openssl computed.
    const byPath = new Map(report.files.map((f) => [f.path, f]));
    const problems = [];
    for (const f of files) {
      const rel = path.relative(src, f);
      if (rel === 'zhilu-device.json') continue;
      const got = byPath.get(rel);
      if (!got || got.status !== 'imported')
        problems.push(`${rel}: ${got ? got.status : 'missing from the report'}`);
      else if (got.sha256 !== opensslHashes.get(f)) problems.push(`${rel}: hash differs from openssl`);
    }
    if (problems.length) throw new Error(`the import did not store every file:\n${problems.join('\n')}`);
    const round = {
      cpMBps: mbps(totalBytes, cpRun.seconds),
      opensslMBps: mbps(totalBytes, sslRun.seconds),
      importMBps: mbps(totalBytes, importRun.seconds),
      importSeconds: importRun.seconds,
      cliStartSeconds: startRun.seconds,
      peakRssBytes: importRun.peakRssBytes,
    };
    rounds.push(round);
    log(
      `  run ${r + 1}: cp -r ${round.cpMBps.toFixed(0)} MB/s · openssl ${round.opensslMBps.toFixed(0)} MB/s · import ${round.importMBps.toFixed(0)} MB/s (${round.importSeconds.toFixed(2)} s, CLI start ${round.cliStartSeconds.toFixed(2)} s, peak RSS ${(round.peakRssBytes / 1e6).toFixed(0)} MB)`,
    );
    fs.rmSync(data, { recursive: true, force: true });
  }

  const median = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const cp = median(rounds.map((r) => r.cpMBps));
  const ssl = median(rounds.map((r) => r.opensslMBps));
  const imp = median(rounds.map((r) => r.importMBps));
  const rss = Math.max(...rounds.map((r) => r.peakRssBytes));
  const importSeconds = median(rounds.map((r) => r.importSeconds));
  const cliStart = median(rounds.map((r) => r.cliStartSeconds));
  const afterStart = mbps(totalBytes, importSeconds - cliStart);
  const result = {
    date: new Date().toISOString(),
    machine: machine(work),
    mix,
    warm: true,
    loadAverage: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    runs: args.runs,
    cp: { MBps: cp },
    openssl: { MBps: ssl },
    import: {
      seconds: importSeconds,
      MBps: imp,
      peakRssBytes: rss,
      cliStartSeconds: cliStart,
      MBpsAfterCliStart: afterStart,
      imported: report.summary.imported,
      findings: countFindings(report),
    },
    ratios: { importToCp: imp / cp, importToOpenssl: imp / ssl },
    rounds,
    targets: {
      importToCp: TARGET_RATIO_CP,
      peakRssBytes: TARGET_RSS,
      met: imp / cp >= TARGET_RATIO_CP && rss < TARGET_RSS,
    },
  };
  if (args.json) console.log(JSON.stringify(result, null, 2));
  else {
    const m = result.machine;
    log('');
    log(
      `ingest benchmark · ${result.date} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.fileSystem}`,
    );
    log(
      `  same ${fmtBytes(totalBytes)} in ${files.length} files, page cache warm before each run, median of ${args.runs} run(s), load average now ${result.loadAverage}`,
    );
    log(`  cp -r + sync            ${fmtMBps(cp)}`);
    log(`  openssl dgst -sha256    ${fmtMBps(ssl)}`);
    log(
      `  zhilu import + sync     ${fmtMBps(imp)}   ${importSeconds.toFixed(2)} s   peak RSS ${(rss / 1e6).toFixed(0)} MB (highest of all runs)`,
    );
    log(
      `    of which CLI start (zhilu device list): ${cliStart.toFixed(2)} s; the rest: ${fmtMBps(afterStart).trim()} (${(afterStart / cp).toFixed(2)}× cp)`,
    );
    log(
      `  import / cp      ${result.ratios.importToCp.toFixed(2)}×   (target ≥ ${TARGET_RATIO_CP}×: ${result.ratios.importToCp >= TARGET_RATIO_CP ? 'met' : 'NOT met'})`,
    );
    log(`  import / openssl ${result.ratios.importToOpenssl.toFixed(2)}×`);
    log(`  peak RSS < 300 MB: ${rss < TARGET_RSS ? 'met' : 'NOT met'}`);
  }
  process.exitCode = result.targets.met ? 0 : 1;
} finally {
  if (args.keep) log(`bench: kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}

function countFindings(report) {
  const counts = {};
  for (const f of report.findings) counts[f.code] = (counts[f.code] ?? 0) + 1;
  return counts;
}
