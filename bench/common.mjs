// What both benchmarks share: running the built CLI, writing incompressible files,
// timing, peak memory of a child process, and printing figures.
import { spawn, spawnSync } from 'node:child_process';
import { randomFill } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ZHILU = path.join(ROOT, 'bin', 'zhilu.js');
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** Exits with a clear message when dist/ is missing (the benchmarks run the built program). */
export function requireBuild() {
  for (const f of ['dist/cli/main.js', 'dist/station/station.js']) {
    if (!fs.existsSync(path.join(ROOT, f))) {
      process.stderr.write(`bench: ${f} is missing: run \`npm run build\` first\n`);
      process.exit(2);
    }
  }
}

/** --name value / --flag; anything unknown is an error (a typo must not silently change a run). */
export function parseArgs(argv, spec) {
  const out = {};
  for (const [k, v] of Object.entries(spec)) out[k] = v.default;
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    const s = spec[name];
    if (!argv[i].startsWith('--') || !s) {
      process.stderr.write(`bench: unknown argument ${argv[i]}; known: ${Object.keys(spec).join(', ')}\n`);
      process.exit(2);
    }
    if (s.flag) out[name] = true;
    else {
      const v = argv[++i];
      if (v === undefined) {
        process.stderr.write(`bench: --${name} needs a value\n`);
        process.exit(2);
      }
      out[name] = s.number ? Number(v) : v;
      if (s.number && !(Number.isFinite(out[name]) && out[name] > 0)) {
        process.stderr.write(`bench: --${name} must be a positive number\n`);
        process.exit(2);
      }
    }
  }
  return out;
}

/**
 * Environment for a fresh installation in `data`: SQLite and a local blob directory inside
 * it, whatever the caller's shell has set.
 */
export function installEnv(data, extra = {}) {
  const env = { ...process.env, ZHILU_DATA: data, ZHILU_LOG: 'off', ...extra };
  for (const k of ['DATABASE_URL', 'STORAGE_URL', 'ZHILU_UPLOAD_MAX_BYTES', 'ZHILU_STATION_TOKEN'])
    delete env[k];
  return env;
}

/** Runs `zhilu ARGS --json` to completion and returns the parsed output. */
export function zhiluJson(args, env, input) {
  const r = spawnSync(process.execPath, [ZHILU, ...args, '--json'], {
    env,
    input,
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  if (r.status !== 0)
    throw new Error(`zhilu ${args.join(' ')} exited ${r.status}:\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  return JSON.parse(r.stdout);
}

/** Registers an officer (the device holder) and a device in a fresh installation. */
export function registerDevice(env, serial, officerCode) {
  zhiluJson(
    [
      'user',
      'add',
      '--username',
      'bench',
      '--name',
      '基准测试',
      '--code',
      officerCode,
      '--roles',
      'officer,custodian',
      '--password-stdin',
    ],
    env,
    'Zl-ingest-Pw-7319\n',
  );
  zhiluJson(['device', 'add', '--serial', serial, '--type', 'body_camera', '--holder', 'bench'], env);
}

/** Writes `size` bytes of fresh random data (incompressible, no repeated blocks). */
export async function writeRandomFile(file, size) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'wx', 0o644);
  try {
    const buf = Buffer.allocUnsafe(8 * MiB);
    for (let done = 0; done < size;) {
      const n = Math.min(buf.length, size - done);
      await new Promise((resolve, reject) => randomFill(buf, 0, n, (e) => (e ? reject(e) : resolve())));
      for (let off = 0; off < n;) off += fs.writeSync(fd, buf, off, n - off);
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Every regular file under dir (recursive). */
export function filesUnder(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(path.join(e.parentPath ?? e.path, e.name));
  return out.sort();
}

/** Reads every file once so that each measured run starts from the same warm page cache. */
export function warm(files) {
  const buf = Buffer.allocUnsafe(4 * MiB);
  for (const f of files) {
    const fd = fs.openSync(f, 'r');
    try {
      while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** Flushes dirty pages so one run's write-back does not land in the next run's time. */
export function sync() {
  const r = spawnSync('sync', [], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('sync failed');
}

/**
 * Runs a command, timing it and sampling its peak resident memory (VmHWM, which the kernel
 * keeps as a high-water mark, so sampling every 20 ms misses nothing but the last 20 ms).
 */
export function runMeasured(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    let peakKiB = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {
        // the process has ended
      }
    };
    const timer = setInterval(sample, 20);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code, stdout, stderr, seconds, peakRssBytes: peakKiB * 1024 });
    });
  });
}

/** Times an async function. */
export async function timed(fn) {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export const mbps = (bytes, seconds) => bytes / 1e6 / seconds;
export const fmtMBps = (v) => `${v.toFixed(0).padStart(5)} MB/s`;
export const fmtBytes = (n) => (n >= GiB ? `${(n / GiB).toFixed(2)} GiB` : `${(n / MiB).toFixed(1)} MiB`);

/** Machine line for the report: CPU, cores, memory, file system of the work directory. */
export function machine(dir) {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const df = spawnSync('df', ['-T', dir], { encoding: 'utf8' }).stdout.trim().split('\n').at(-1) ?? '';
  const fsType = df.split(/\s+/)[1] ?? '?';
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / GiB),
    fileSystem: `${fsType} (${df.split(/\s+/)[0] ?? '?'})`,
    node: process.version,
    kernel: os.release(),
  };
}

export function mkWorkDir(base, prefix) {
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, prefix));
}
