#!/usr/bin/env node
// Compliance benchmark (issue 5): a synthetic year of a 500-officer brigade written straight
// into a fresh catalogue (SQLite file and/or a new PostgreSQL database), then the compliance
// recompute of every activity, timed, with its peak memory and the verdict counts. Beside
// it in the same run: the pure engine alone over the same inputs already in memory (the
// database's share is the difference), the per-activity recompute the interactive acts use
// (on a sample: the path recomputeMany took before it was batched), and the monthly JSON
// compliance report for the busiest month.
//
//   node bench/compliance.mjs [--activities 100000] [--db sqlite|postgres|both] [--sample 1000]
//                             [--chunk 500] [--pg-url URL] [--dir BASE] [--seed 1] [--keep] [--json]
//
// Runs against dist/ (`npm run build:server` first). See bench/README.md.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { ROOT, machine, mkWorkDir, parseArgs, timed } from './common.mjs';

const DIST = path.join(ROOT, 'dist');
const TIME_ZONE = 'Asia/Shanghai';
const LOCAL = 8 * 3600_000; // Asia/Shanghai has no daylight saving: local = UTC + 8 h
const DAY = 86_400_000;
const MIN = 60_000;

// ─── The child: one measured phase in a process of its own (its own peak RSS) ──────────

// (dispatched at the end of the file, once every declaration is initialised)
const CHILD = process.env.ZHILU_BENCH_CHILD ? JSON.parse(process.env.ZHILU_BENCH_CHILD) : null;

const args = parseArgs(process.argv.slice(2), {
  activities: { default: 100_000, number: true },
  db: { default: 'both' },
  sample: { default: 1000, number: true },
  chunk: { default: 500, number: true },
  'pg-url': { default: process.env.ZHILU_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres' },
  dir: { default: process.env.TMPDIR || '/tmp' },
  seed: { default: 1, number: true },
  keep: { flag: true, default: false },
  json: { flag: true, default: false },
});
const log = args.json ? () => undefined : (s) => console.log(s);
let work = '';
async function main() {
  if (!['sqlite', 'postgres', 'both'].includes(args.db)) {
    process.stderr.write('bench: --db must be sqlite, postgres or both\n');
    process.exit(2);
  }
  for (const f of ['zhilu.js', 'config.js', 'domain/compliance.js']) {
    if (!fs.existsSync(path.join(DIST, f))) {
      process.stderr.write(`bench: dist/${f} is missing: run \`npm run build:server\` first\n`);
      process.exit(2);
    }
  }
  const kinds = args.db === 'both' ? ['sqlite', 'postgres'] : [args.db];
  work = mkWorkDir(args.dir, 'zhilu-bench-compliance-');
  const results = { date: new Date().toISOString(), machine: machine(work), options: { ...args }, runs: [] };
  delete results.options.json;

  try {
    for (const kind of kinds) results.runs.push(await benchOne(kind));
  } finally {
    if (!args.keep) fs.rmSync(work, { recursive: true, force: true });
  }
  if (args.json) console.log(JSON.stringify(results, null, 2));
  else printSummary(results);
}

// ─── One database ────────────────────────────────────────────────────────────────

async function benchOne(kind) {
  const data = path.join(work, kind);
  fs.mkdirSync(data, { recursive: true });
  let dbName = null;
  let databaseUrl = null;
  if (kind === 'postgres') {
    dbName = `zhilu_bench_${Date.now().toString(36)}_${process.pid}`;
    await pgAdmin(`create database ${dbName}`);
    const u = new URL(args['pg-url']);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const install = { data, databaseUrl };
  try {
    log(`\n== ${kind} ==`);
    const gen = await runChild({ phase: 'generate', install, n: args.activities, seed: args.seed });
    log(
      `generated ${gen.counts.activities} activities, ${gen.counts.recordings} recordings ` +
        `(${gen.counts.unlinked} unlinked), ${gen.counts.checkouts} check-outs, ${gen.counts.imports} imports, ` +
        `${gen.counts.importFindings} import-time findings in ${gen.seconds.toFixed(1)} s`,
    );
    // The per-activity path first, on a sample spread over the year: the first computation.
    const single = await runChild({ phase: 'single', install, sample: args.sample });
    log(
      `per-activity recompute, ${single.count} sampled: ${single.seconds.toFixed(1)} s ` +
        `(${rate(single)} activities/s)`,
    );
    const batched = await runChild({ phase: 'batched', install, chunk: args.chunk });
    log(
      `recomputeMany, all ${batched.count}: ${batched.seconds.toFixed(1)} s (${rate(batched)} activities/s), ` +
        `peak RSS ${mb(batched.maxRssBytes)}`,
    );
    log(`  verdicts ${JSON.stringify(batched.byVerdict)}`);
    // Again, nothing to change: the steady state of the periodic sweep and of re-runs.
    const again = await runChild({ phase: 'batched', install, chunk: args.chunk });
    log(`recomputeMany again (nothing changes): ${again.seconds.toFixed(1)} s (${rate(again)} activities/s)`);
    const singleAgain = await runChild({ phase: 'single', install, sample: args.sample });
    log(
      `per-activity again, ${singleAgain.count} sampled: ${singleAgain.seconds.toFixed(1)} s (${rate(singleAgain)}/s)`,
    );
    const engine = await runChild({ phase: 'engine', install, chunk: args.chunk });
    log(
      `engine alone (evaluateActivity, inputs in memory): ${engine.seconds.toFixed(2)} s ` +
        `(${rate(engine)} activities/s); gathering them took ${engine.gatherSeconds.toFixed(1)} s`,
    );
    const report = await runChild({ phase: 'report', install });
    log(
      `monthly JSON report ${report.period}: ${report.seconds.toFixed(2)} s, ${report.activities} activities, ` +
        `${report.listed} listed, ${mb(report.bytes)} of JSON, peak RSS ${mb(report.maxRssBytes)}`,
    );
    const stats = await runChild({ phase: 'stats', install });
    return { kind, generate: gen, single, batched, again, singleAgain, engine, report, stats };
  } finally {
    if (dbName && !args.keep) await pgAdmin(`drop database if exists ${dbName} with (force)`);
  }
}

function rate(r) {
  return (r.count / r.seconds).toFixed(0);
}

function mb(bytes) {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

async function pgAdmin(statement) {
  const c = new pg.Client({ connectionString: args['pg-url'] });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

function runChild(job) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [process.argv[1]], {
      env: { ...process.env, ZHILU_BENCH_CHILD: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench child ${job.phase} exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)));
    });
  });
}

function printSummary(r) {
  const m = r.machine;
  console.log(`\nMachine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.fileSystem}, Node ${m.node}`);
  console.log('| | ' + r.runs.map((x) => x.kind).join(' | ') + ' |');
  console.log('|---|' + r.runs.map(() => '---|').join(''));
  const row = (name, f) => console.log(`| ${name} | ${r.runs.map(f).join(' | ')} |`);
  row('activities / recordings', (x) => `${x.generate.counts.activities} / ${x.generate.counts.recordings}`);
  row('generation', (x) => `${x.generate.seconds.toFixed(0)} s`);
  row('recomputeMany, first (all)', (x) => `${x.batched.seconds.toFixed(1)} s, ${rate(x.batched)}/s`);
  row('recomputeMany, again (all)', (x) => `${x.again.seconds.toFixed(1)} s, ${rate(x.again)}/s`);
  row('per-activity recompute (sample), first', (x) => `${rate(x.single)}/s`);
  row(
    'per-activity recompute, first, extrapolated to all',
    (x) => `${((x.batched.count / x.single.count) * x.single.seconds).toFixed(0)} s`,
  );
  row('per-activity recompute (sample), again', (x) => `${rate(x.singleAgain)}/s`);
  row('engine alone (all)', (x) => `${x.engine.seconds.toFixed(2)} s, ${rate(x.engine)}/s`);
  row(
    'engine share of recomputeMany (first)',
    (x) => `${((100 * x.engine.seconds) / x.batched.seconds).toFixed(0)} %`,
  );
  row('peak RSS, recomputeMany', (x) => mb(x.batched.maxRssBytes));
  row('monthly JSON report', (x) => `${x.report.seconds.toFixed(2)} s (${x.report.period})`);
  row('verdicts', (x) =>
    Object.entries(x.batched.byVerdict)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  );
  row('findings (engine, standing)', (x) => String(x.stats.engineFindings));
}

// ─── Child phases ────────────────────────────────────────────────────────────────

async function child(job) {
  const { openZhilu } = await import(path.join(DIST, 'zhilu.js'));
  const { loadConfig } = await import(path.join(DIST, 'config.js'));
  const env = { ZHILU_DATA: job.install.data, ZHILU_TIMEZONE: TIME_ZONE, ZHILU_LOG: 'off' };
  if (job.install.databaseUrl) env.DATABASE_URL = job.install.databaseUrl;
  const z = await openZhilu(loadConfig(env, {}));
  try {
    const out = await PHASES[job.phase](z, job);
    out.maxRssBytes = process.resourceUsage().maxRSS * 1024;
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    await z.close();
  }
}

const PHASES = {
  generate: async (z, job) => {
    const t = await timed(() => generate(z, job.n, job.seed));
    // A bulk load leaves PostgreSQL without statistics until autovacuum gets to it (it had
    // not, minutes later, in a first run): plan with them, as a live installation would.
    const a = await timed(async () => {
      if (z.catalogue.kind === 'postgres') await sql`analyze`.execute(z.catalogue.db);
    });
    return { seconds: t.seconds, analyzeSeconds: a.seconds, counts: t.value };
  },

  // What recomputeMany did before it was batched, and what an interactive act still does:
  // one transaction and one gather per activity.
  single: async (z, job) => {
    const ids = await activityIds(z);
    const step = Math.max(1, Math.floor(ids.length / job.sample));
    const sample = ids.filter((_, i) => i % step === 0).slice(0, job.sample);
    const c = z.services.compliance;
    const tolerances = await c.loadTolerances();
    const t = await timed(async () => {
      for (const id of sample)
        await z.catalogue.db.transaction().execute((tx) => c.recompute(tx, id, null, tolerances));
    });
    return { count: sample.length, seconds: t.seconds };
  },

  batched: async (z, job) => {
    const ids = await activityIds(z);
    const c = z.services.compliance;
    const t = await timed(() =>
      c.recomputeMany.length >= 2 ? c.recomputeMany(ids, { chunkSize: job.chunk }) : c.recomputeMany(ids),
    );
    return { count: ids.length, seconds: t.seconds, byVerdict: t.value.byVerdict };
  },

  // The pure engine over inputs already in memory: the floor any storage could reach.
  engine: async (z, job) => {
    const { evaluateActivity } = await import(path.join(DIST, 'domain/compliance.js'));
    const ids = await activityIds(z);
    const c = z.services.compliance;
    const tolerances = await c.loadTolerances();
    const db = z.catalogue.db;
    let engineSeconds = 0;
    let gatherSeconds = 0;
    let evaluated = 0;
    for (let i = 0; i < ids.length; i += job.chunk) {
      const chunk = ids.slice(i, i + job.chunk);
      const g = await timed(async () =>
        c.gatherMany
          ? [...(await c.gatherMany(db, chunk)).values()]
          : (await Promise.all(chunk.map((id) => c.gather(db, id)))).filter(Boolean),
      );
      gatherSeconds += g.seconds;
      const now = Date.now();
      const e = await timed(async () => {
        for (const input of g.value) evaluateActivity(input, tolerances, now);
      });
      engineSeconds += e.seconds;
      evaluated += g.value.length;
    }
    return { count: evaluated, seconds: engineSeconds, gatherSeconds };
  },

  // The monthly compliance report as `zhilu report compliance --format json` builds it.
  report: async (z) => {
    const { cliActor } = await import(path.join(DIST, 'services/context.js'));
    const { PERMISSIONS } = await import(path.join(DIST, 'domain/roles.js'));
    const month = await busiestMonth(z);
    const svc = z.services.complianceReport;
    const t = await timed(async () => {
      const built = await svc.build(cliActor(Object.keys(PERMISSIONS)), {
        from: month.from,
        to: month.to,
        unitId: null,
      });
      return { built, json: JSON.stringify(built, null, 2) };
    });
    return {
      seconds: t.seconds,
      period: `${month.from}..${month.to}`,
      activities: t.value.built.totals.activities,
      listed: t.value.built.activities.length,
      bytes: Buffer.byteLength(t.value.json),
    };
  },

  stats: async (z) => {
    const db = z.catalogue.db;
    const one = async (q) => Number((await q.executeTakeFirst()).n);
    const { count } = db.fn;
    return {
      engineFindings: await one(
        db
          .selectFrom('findings')
          .select(count('id').as('n'))
          .where('source', '=', 'engine')
          .where('withdrawnAt', 'is', null),
      ),
      findingEvents: await one(db.selectFrom('findingEvents').select(count('id').as('n'))),
      computed: await one(db.selectFrom('activityCompliance').select(count('activityId').as('n'))),
    };
  },
};

async function activityIds(z) {
  return (await z.catalogue.db.selectFrom('activities').select('id').orderBy('id').execute()).map(
    (r) => r.id,
  );
}

async function busiestMonth(z) {
  const rows = await z.catalogue.db.selectFrom('activities').select('plannedAt').execute();
  const byMonth = new Map();
  for (const r of rows) {
    const k = new Date(Number(r.plannedAt) + LOCAL).toISOString().slice(0, 7);
    byMonth.set(k, (byMonth.get(k) ?? 0) + 1);
  }
  const [k] = [...byMonth.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  const [y, m] = k.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${k}-01`, to: `${k}-${String(last).padStart(2, '0')}` };
}

// ─── The synthetic year ──────────────────────────────────────────────────────────

/** Deterministic pseudo-random numbers (mulberry32): the same seed, the same year. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SQUADRONS = 10;
const PER_SQUADRON = 50;
const DEVICES = 1000;
const SUBJECTS = 3000;
const SPLIT_MS = 25 * MIN;

/**
 * Writes the year in transactions of one working day each, with multi-row inserts. What it
 * plants, so that every path of the engine runs: missing, failed and clock-offset pre-use
 * checks; gaps (with and without speech at resume, some with the officers' interruption
 * record); late starts and early stops (some reported as for good); activities with no
 * recording; files after the end; late and missing dockings (LATE_IMPORT, NOT_DOCKED);
 * sequence gaps; edited files; unlinked files; remote work; exemptions; notification
 * markers; cancelled, planned and never-ended activities.
 */
async function generate(z, n, seed) {
  const rand = rng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const between = (a, b) => a + Math.floor(rand() * (b - a));
  const chance = (p) => rand() < p;
  let idClock = 0;
  /** uuidv7-shaped, time-ordered by `t`, reproducible from the seed. */
  const id = (t) => {
    const hex = (v, w) => Math.floor(v).toString(16).padStart(w, '0').slice(-w);
    const ms = hex(t + (idClock++ % 1000), 12);
    const r = () => hex(rand() * 0x10000, 4);
    return `${ms.slice(0, 8)}-${ms.slice(8)}-7${r().slice(1)}-${(8 + Math.floor(rand() * 4)).toString(16)}${r().slice(1)}-${r()}${r()}${r()}`;
  };
  const db = z.catalogue.db;
  const now = Date.now();
  const todayLocal = Math.floor((now + LOCAL) / DAY) * DAY - LOCAL; // local midnight, as UTC ms
  const firstDay = todayLocal - 380 * DAY;
  const created = firstDay - 30 * DAY;
  const counts = {
    activities: 0,
    recordings: 0,
    unlinked: 0,
    checkouts: 0,
    imports: 0,
    importFindings: 0,
  };

  // Brigade, squadrons, officers, devices, subjects.
  const typeRow = await db.selectFrom('deviceTypes').select('id').orderBy('id').executeTakeFirstOrThrow();
  const brigade = {
    id: id(created),
    name: '综合执法大队',
    kind: 'brigade',
    parentId: null,
    code: 'ZD',
    createdAt: created,
    updatedAt: created,
  };
  const squadrons = Array.from({ length: SQUADRONS }, (_, i) => ({
    id: id(created),
    name: `第${i + 1}中队`,
    kind: 'squadron',
    parentId: brigade.id,
    code: `ZD${String(i + 1).padStart(2, '0')}`,
    createdAt: created,
    updatedAt: created,
  }));
  const officers = [];
  for (const [si, s] of squadrons.entries())
    for (let k = 0; k < PER_SQUADRON; k++) {
      const no = si * PER_SQUADRON + k + 1;
      officers.push({
        id: id(created),
        username: `officer${String(no).padStart(3, '0')}`,
        name: `队员${String(no).padStart(3, '0')}`,
        code: String(100000 + no),
        unitId: s.id,
        passwordHash: 'bench:not-a-login',
        mustChangePassword: 0,
        active: 1,
        failedLogins: 0,
        createdAt: created,
        updatedAt: created,
      });
    }
  const devices = Array.from({ length: DEVICES }, (_, i) => ({
    id: id(created),
    serial: `DCAM${String(i + 1).padStart(5, '0')}`,
    typeId: typeRow.id,
    unitId: squadrons[Math.floor((i % officers.length) / PER_SQUADRON)].id,
    status: i < officers.length ? 'issued' : 'in_stock',
    holderId: i < officers.length ? officers[i].id : null,
    createdAt: created,
    updatedAt: created,
  }));
  const subjects = Array.from({ length: SUBJECTS }, (_, i) => ({
    id: id(created),
    type: pick(['farm', 'slaughterhouse', 'feed_vet_business', 'individual', 'other']),
    name: `执法对象${i + 1}`,
    unitId: pick(squadrons).id,
    createdAt: created,
    updatedAt: created,
  }));
  await db.transaction().execute(async (tx) => {
    await insert(tx, 'units', [brigade, ...squadrons]);
    await insert(tx, 'users', officers);
    await insert(
      tx,
      'userRoles',
      officers.map((o) => ({ userId: o.id, role: 'officer' })),
    );
    await insert(tx, 'devices', devices);
    await insert(tx, 'enforcementSubjects', subjects);
  });

  // Working days and the activities each pair of officers does on one.
  const workdays = [];
  for (let d = firstDay; d < firstDay + 365 * DAY; d += DAY) {
    const wd = new Date(d + LOCAL).getUTCDay();
    if (wd !== 0 && wd !== 6) workdays.push(d);
  }
  const pairsPerDay = SQUADRONS * (PER_SQUADRON / 2);
  const perPair = n / (workdays.length * pairsPerDay);
  const sequence = new Map(); // device → last file number
  const TYPES = [
    ['routine_inspection', 50],
    ['complaint', 20],
    ['investigation', 10],
    ['service_of_documents', 10],
    ['coercive_measure', 5],
    ['other_onsite', 5],
  ];
  const type = () => {
    let x = rand() * 100;
    for (const [t, w] of TYPES) if ((x -= w) < 0) return t;
    return 'other_onsite';
  };
  const sha = (s) => createHash('sha256').update(s).digest('hex');

  for (const day of workdays) {
    if (counts.activities >= n) break;
    // in the order the foreign keys need
    const rows = {
      checkouts: [],
      deviceChecks: [],
      imports: [],
      activities: [],
      activityOfficers: [],
      activityDevices: [],
      recordings: [],
      findings: [],
      markers: [],
      interruptions: [],
      exemptions: [],
    };
    const local = (h, m = 0) => day + h * 3600_000 + m * MIN - LOCAL;
    for (let s = 0; s < SQUADRONS; s++) {
      const team = officers.slice(s * PER_SQUADRON, (s + 1) * PER_SQUADRON);
      for (let i = team.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [team[i], team[j]] = [team[j], team[i]];
      }
      for (let p = 0; p + 1 < team.length; p += 2) {
        let k = Math.floor(perPair) + (chance(perPair - Math.floor(perPair)) ? 1 : 0);
        k = Math.min(k, 4, n - counts.activities);
        if (k <= 0) continue;
        const pair = [team[p], team[p + 1]];
        const remote = chance(0.03);
        // The pair's activities, one after another.
        const acts = [];
        let t = local(9) + between(0, 40) * MIN;
        for (let a = 0; a < k; a++) {
          const arrived = t;
          const ended = arrived + between(25, 95) * MIN;
          acts.push({ arrived, ended });
          t = ended + between(20, 50) * MIN;
        }
        const returnedAt = remote ? acts.at(-1).ended + between(24, 60) * 3600_000 : null;

        // Each officer's day: device, check-out and pre-use check, docking at the station.
        const days = pair.map((o) => {
          const officerIndex = officers.indexOf(o);
          const device = chance(0.03) ? devices[between(officers.length, DEVICES)] : devices[officerIndex];
          const outAt = local(8, 30) + between(0, 20) * MIN;
          const inAt = remote ? returnedAt + 20 * MIN : local(17, 45) + between(0, 40) * MIN;
          const checkout = chance(0.01)
            ? null
            : {
                id: id(outAt),
                deviceId: device.id,
                officerId: o.id,
                activityId: null,
                checkedOutAt: outAt,
                dueAt: local(18),
                checkedInAt: inAt,
                checkedInBy: o.id,
                remoteWork: remote ? 1 : 0,
                returnedAt,
              };
          let check = null;
          if (checkout && !chance(0.02)) {
            const failed = chance(0.01);
            const offsetMs = chance(0.01) ? between(31, 90) * 1000 : between(-800, 800);
            const at = outAt + MIN;
            const failures = [
              ...(failed ? ['BATTERY_LOW'] : []),
              ...(Math.abs(offsetMs) > 30_000 ? ['CLOCK_OFFSET'] : []),
            ];
            check = {
              id: id(at),
              deviceId: device.id,
              officerId: o.id,
              checkoutId: checkout.id,
              checkedAt: at,
              batteryPercent: failed ? 12 : between(80, 101),
              freeStorageMb: between(8000, 60000),
              deviceTime: at + offsetMs,
              offsetMs,
              toleranceMs: 30_000,
              result: failures.length ? 'fail' : 'pass',
              failures: JSON.stringify(failures),
            };
          }
          // Docked the same evening; 1 % two days late; 0.2 % not docked at all.
          const never = chance(0.002);
          const late = !never && chance(0.01);
          const dockAt = late ? inAt + 2 * DAY : inAt + between(1, 10) * MIN;
          const imp = never
            ? null
            : {
                id: id(dockAt),
                deviceId: device.id,
                source: 'station',
                stationId: 'STATION-01',
                actorId: null,
                actorName: '采集站',
                sourcePath: null,
                startedAt: dockAt,
                finishedAt: dockAt + 3 * MIN,
                status: 'completed',
                summary: '{}',
              };
          if (checkout) rows.checkouts.push(checkout);
          if (check) rows.deviceChecks.push(check);
          if (imp) rows.imports.push(imp);
          return { officer: o, device, checkout, check, imp, late };
        });

        const file = (od, kind, from, to, activityId, speech) => {
          if (!od.imp) return null;
          const seq = (sequence.get(od.device.id) ?? 0) + 1 + (chance(0.0005) ? 2 : 0);
          if (seq !== (sequence.get(od.device.id) ?? 0) + 1) {
            // the device's counter skipped: a file missing from the card
            rows.findings.push(
              importFinding(
                id(from),
                'SEQUENCE_GAP',
                'device',
                od.device.id,
                {
                  group: 'A',
                  from: seq - 2,
                  to: seq - 1,
                  count: 2,
                  folder: null,
                  importId: od.imp.id,
                  previousHighest: seq - 3,
                },
                od.imp.startedAt,
              ),
            );
          }
          sequence.set(od.device.id, seq);
          const offset = od.check?.offsetMs ?? 0;
          const rid = id(from);
          const r = {
            id: rid,
            sha256: sha(rid),
            size: kind === 'photo' ? 2_400_000 : Math.round(((to - from) / 1000) * 1_000_000),
            kind,
            deviceId: od.device.id,
            holderId: od.officer.id,
            originalPath: `DCIM/${kind === 'photo' ? 'PHOTO' : 'VIDEO'}/${od.device.serial}_${String(seq).padStart(6, '0')}.${kind === 'photo' ? 'jpg' : 'mp4'}`,
            originalPathBytes: null,
            nameScheme: 'dcam',
            nameInfo: '{}',
            deviceLocalTime: null,
            timeSource: 'name',
            rawRecordedAt: from + offset,
            clockCheckId: od.check?.id ?? null,
            clockOffsetMs: od.check ? offset : null,
            recordedAt: from,
            durationMs: kind === 'photo' ? null : to - from,
            endedAt: kind === 'photo' ? null : to,
            sequence: seq,
            sequenceGroup: 'A',
            important: 0,
            mediaOk: 1,
            mediaInfo: null,
            importId: od.imp.id,
            importedAt: od.imp.startedAt + between(5, 170) * 1000,
            activityId,
            createdAt: od.imp.startedAt,
            speechAtStart: kind === 'photo' ? null : speech,
            speechMs: null,
            firstSpeechAtMs: null,
            mediaStatus: 'ready',
            mediaError: null,
            linkSource: activityId ? 'auto' : null,
          };
          rows.recordings.push(r);
          counts.recordings++;
          if (!activityId) {
            counts.unlinked++;
            rows.findings.push(importFinding(id(from), 'UNLINKED', 'recording', rid, {}, r.importedAt));
          }
          if (kind !== 'photo' && chance(0.001))
            rows.findings.push(importFinding(id(from), 'EDITED', 'recording', rid, {}, r.importedAt));
          if (od.late)
            rows.findings.push(importFinding(id(from), 'LATE_IMPORT', 'recording', rid, {}, r.importedAt));
          return r;
        };
        /** Video files of one device over [from, to], split every SPLIT_MS with a 1 s pause. */
        const lane = (od, from, to, activityId, firstSpeech) => {
          const out = [];
          for (let at = from, first = true; at < to - 5000; first = false) {
            const end = Math.min(at + SPLIT_MS, to);
            out.push(file(od, 'video', at, end, activityId, first ? firstSpeech : 0));
            at = end + 1000;
          }
          return out.filter(Boolean);
        };
        const firstSpeech = () => (chance(0.88) ? 1 : chance(0.67) ? 0 : null);

        // A test clip before the first activity, not part of any: unlinked.
        for (const od of days) if (chance(0.1)) file(od, 'video', local(8, 50), local(8, 51), null, null);

        for (const { arrived, ended } of acts) {
          const aid = id(arrived);
          const status = chance(0.01)
            ? 'cancelled'
            : chance(0.002)
              ? 'planned'
              : chance(0.001)
                ? 'in_progress'
                : 'completed';
          const started = status === 'completed' || status === 'in_progress';
          const notified = started && chance(0.3) ? arrived + MIN : null;
          rows.activities.push({
            id: aid,
            type: type(),
            title: null,
            subjectId: pick(subjects).id,
            caseId: null,
            unitId: pair[0].unitId,
            address: '某某镇某某村',
            latitude: null,
            longitude: null,
            plannedAt: arrived - 10 * MIN,
            arrivedAt: started ? arrived : null,
            endedAt: status === 'completed' ? ended : null,
            remoteWork: remote ? 1 : 0,
            returnedAt: status === 'completed' ? returnedAt : null,
            status,
            notifiedAt: notified,
            notifiedBy: notified ? pair[0].id : null,
            notes: null,
            createdBy: pair[0].id,
            createdAt: arrived - DAY,
            updatedAt: ended,
          });
          counts.activities++;
          pair.forEach((o, j) =>
            rows.activityOfficers.push({ activityId: aid, userId: o.id, inCharge: j === 0 ? 1 : 0 }),
          );
          for (const od of days)
            rows.activityDevices.push({
              activityId: aid,
              deviceId: od.device.id,
              checkoutId: od.checkout?.id ?? null,
              officerId: od.officer.id,
              addedAt: arrived - 10 * MIN,
            });
          if (!started) continue;
          const exempt = chance(0.005)
            ? pick(['approved', 'approved', 'approved', 'pending', 'rejected'])
            : null;
          if (exempt)
            rows.exemptions.push({
              id: id(arrived),
              activityId: aid,
              category: 'emergency',
              reason: '现场情况紧急，未能及时开启记录仪',
              basis: 'A7.1（二）',
              authorId: pair[0].id,
              createdAt: ended + 10 * MIN,
              status: exempt,
              reviewerId: exempt === 'pending' ? null : pair[1].id,
              reviewedAt: exempt === 'pending' ? null : ended + DAY,
              reviewComment: null,
            });
          const end = status === 'completed' ? ended : arrived + 40 * MIN;
          // What goes wrong in this activity.
          const x = rand();
          const none = exempt === 'approved' || x < 0.005;
          const lateStart = x >= 0.005 && x < 0.025;
          const earlyStop = x >= 0.025 && x < 0.045;
          const gap = x >= 0.045 && x < 0.085;
          const oneOnly = x >= 0.085 && x < 0.115;
          let from = arrived - between(5, 40) * 1000;
          let to = end + between(5, 30) * 1000;
          if (lateStart) from = arrived + between(4, 9) * MIN;
          if (earlyStop) to = end - between(8, 16) * MIN;
          const hole = gap
            ? {
                from: from + between(10, Math.max(11, (to - from) / MIN - 10)) * MIN,
                len: between(3, 9) * MIN,
              }
            : null;
          const resumeSpeech = chance(0.6) ? 1 : 0;
          const firsts = [];
          days.forEach((od, j) => {
            if (none || (oneOnly && j === 1)) return;
            if (hole) {
              firsts.push(...lane(od, from, hole.from, aid, firstSpeech()).slice(0, 1));
              lane(od, hole.from + hole.len, to, aid, resumeSpeech);
            } else firsts.push(...lane(od, from, to, aid, firstSpeech()).slice(0, 1));
            for (let ph = chance(0.3) ? between(1, 3) : 0; ph > 0; ph--)
              file(od, 'photo', arrived + between(1, 20) * MIN, 0, aid, null);
          });
          if (none && chance(0.3)) file(days[0], 'photo', arrived + 5 * MIN, 0, aid, null);
          if (status === 'completed' && chance(0.01))
            file(days[0], 'video', end + between(5, 30) * MIN, end + 40 * MIN, aid, 1);
          const first = firsts[0];
          if (first && chance(0.25))
            rows.markers.push({
              id: id(arrived),
              recordingId: first.id,
              kind: 'notification',
              offsetMs: between(20, 60) * 1000,
              note: null,
              createdBy: pair[0].id,
              createdAt: ended + 30 * MIN,
            });
          if (first && chance(0.05))
            rows.markers.push({
              id: id(arrived),
              recordingId: first.id,
              kind: 'evidence',
              offsetMs: between(3, 20) * MIN,
              note: '现场物证',
              createdBy: pair[0].id,
              createdAt: ended + 30 * MIN,
            });
          // Half the gaps and a third of the early stops have the officers' interruption record.
          const record = (gapFrom, gapTo, forGood) =>
            rows.interruptions.push({
              id: id(gapFrom),
              activityId: aid,
              gapFrom,
              gapTo,
              reason: pick(['device_failure', 'low_battery', 'storage_full', 'bad_weather']),
              reasonText: null,
              spokenConfirmed: chance(0.7) ? 1 : 0,
              stoppedForGood: forGood ? 1 : 0,
              reportedAt: forGood && chance(0.5) ? gapFrom + 5 * MIN : null,
              reportedTo: null,
              acknowledgedBy: null,
              acknowledgedAt: null,
              writtenExplanation: null,
              writtenAt: null,
              decision: chance(0.5) ? 'accepted' : null,
              decidedBy: null,
              decidedAt: null,
              decisionComment: null,
              createdBy: pair[0].id,
              createdAt: ended + 20 * MIN,
              updatedAt: ended + 20 * MIN,
            });
          if (hole && chance(0.5)) record(hole.from, hole.from + hole.len, false);
          if (earlyStop && chance(0.33)) record(to, end, true);
        }
      }
    }
    counts.checkouts += rows.checkouts.length;
    counts.imports += rows.imports.length;
    counts.importFindings += rows.findings.length;
    await db.transaction().execute(async (tx) => {
      for (const [table, list] of Object.entries(rows)) await insert(tx, table, list);
    });
  }
  return counts;
}

function importFinding(findingId, code, subjectType, subjectId, detail, at) {
  // as the import and linking services write them
  const ARTICLES = { SEQUENCE_GAP: 'A11.4', EDITED: 'A11.4', LATE_IMPORT: 'A13.1', UNLINKED: 'A4.1' };
  const SERIOUS = new Set(['SEQUENCE_GAP', 'EDITED']);
  return {
    id: findingId,
    code,
    article: ARTICLES[code],
    severity: SERIOUS.has(code) ? 'serious' : 'warning',
    subjectType,
    subjectId,
    detail: JSON.stringify(detail),
    status: 'open',
    createdAt: at,
    updatedAt: at,
    activityId: null,
    findingKey: null,
    source: code === 'UNLINKED' ? 'linking' : 'import',
    dueAt: null,
    withdrawnAt: null,
  };
}

/** Multi-row inserts within the parameter limits of both databases (SQLite: 32,766). */
async function insert(tx, table, rows) {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]).length;
  const per = Math.max(1, Math.floor(30_000 / columns));
  for (let i = 0; i < rows.length; i += per)
    await tx
      .insertInto(table)
      .values(rows.slice(i, i + per))
      .execute();
}

if (CHILD) await child(CHILD);
else await main();
