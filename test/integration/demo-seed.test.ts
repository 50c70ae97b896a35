// `zhilu demo seed` on SQLite and PostgreSQL: three days of the demonstration brigade go
// into an empty installation through the real services, imports and media jobs; every role
// logs in with the printed password; the activities carry verdicts of all three kinds and
// the planted findings; a second seed is refused, and so is a seed from the command line
// into an installation that already has people in it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VERDICTS } from '../../src/domain/compliance-findings.js';
import { ROLES } from '../../src/domain/roles.js';
import { operator } from '../../src/cli/shared.js';
import { seedDemo, type SeedClock } from '../../src/demo/seed.js';
import { runCli } from '../support/cli.js';
import { databaseKinds } from '../support/databases.js';
import { createInstall, Session, type TestInstall } from '../support/zhilu.js';

const PLANTED_CODES = [
  'GAP',
  'GAP_NO_SPEECH',
  'LATE_IMPORT',
  'EDITED',
  'SEQUENCE_GAP',
  'UNLINKED',
  'EXEMPTION_PENDING',
];

describe.each(databaseKinds())('zhilu demo seed on %s', (kind) => {
  let t: TestInstall;
  beforeEach(async () => {
    t = await createInstall(kind);
  });
  afterEach(async () => {
    await t.close();
  });

  it('seeds an empty installation, every role logs in, all verdicts and planted findings show; a second seed is refused', async () => {
    const clock: SeedClock = { now: () => t.clock.now(), set: (at) => void (t.clock.t = at) };
    const startedAt = t.clock.now();
    const result = await seedDemo(t.zhilu, clock, { days: 3 });
    const db = t.zhilu.catalogue.db;

    // Nothing was dated after the moment the seed began, and the clock is back there.
    expect(t.clock.now()).toBe(startedAt);
    const latest = await db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.max('at').as('at'))
      .executeTakeFirstOrThrow();
    expect(Number(latest.at)).toBeLessThanOrEqual(startedAt);
    expect((await t.zhilu.services.audit.verify()).ok).toBe(true);

    // A user for every role (the bootstrap admin existed already, so it is not among them).
    expect(new Set(result.users.flatMap((u) => u.roles))).toEqual(new Set(ROLES));
    expect(result.users.map((u) => u.username)).not.toContain('admin');
    for (const u of result.users) {
      const s = new Session(t.app);
      const r = await s.login(u.username, u.password);
      expect(r.statusCode, `${u.username}: ${r.body}`).toBe(200);
      expect(r.json().user).toMatchObject({ username: u.username, name: u.name });
      expect([...r.json().user.roles].sort()).toEqual([...u.roles].sort());
      expect((await s.get('/api/v1/auth/me')).statusCode).toBe(200);
    }

    // Activities with verdicts of every kind, as the summary says and as stored.
    const activities = await db.selectFrom('activities').select('id').execute();
    expect(activities.length).toBe(result.counts.activities);
    expect(activities.length).toBeGreaterThanOrEqual(12);
    const verdicts = await db
      .selectFrom('activityCompliance')
      .select(['activityId', 'verdict', 'phase'])
      .execute();
    expect(verdicts).toHaveLength(activities.length);
    for (const v of VERDICTS) {
      expect(result.verdicts[v], v).toBeGreaterThan(0);
      expect(verdicts.filter((x) => x.verdict === v)).toHaveLength(result.verdicts[v]);
    }
    expect(verdicts.every((v) => v.phase === 'final')).toBe(true);

    // The planted findings stand (not withdrawn), and each planted activity came out as planned.
    const standing = await db
      .selectFrom('findings')
      .select(['code', 'subjectType', 'subjectId', 'activityId'])
      .where('withdrawnAt', 'is', null)
      .execute();
    for (const code of PLANTED_CODES)
      expect(
        standing.filter((f) => f.code === code),
        code,
      ).not.toHaveLength(0);
    expect(result.mismatches).toEqual([]);
    const scenarios = new Set(result.planted.map((p) => p.scenario));
    for (const s of ['gap_spoken', 'gap_silent', 'late_import', 'edited', 'sequence_gap', 'unlinked'])
      expect(scenarios, s).toContain(s);
    const byScenario = (s: string) => result.planted.find((p) => p.scenario === s)!;
    expect(byScenario('gap_silent').actual).toEqual({
      verdict: 'non_compliant',
      codes: ['GAP', 'GAP_NO_SPEECH'],
    });
    expect(byScenario('gap_spoken').actual).toEqual({ verdict: 'awaiting_explanation', codes: ['GAP'] });
    expect(byScenario('exemption_approved').actual).toEqual({ verdict: 'compliant', codes: [] });

    // The speech measure decided those two: silent on resuming in one, spoken in the other.
    const noSpeech = standing.find((f) => f.code === 'GAP_NO_SPEECH')!;
    expect(noSpeech.activityId).toBe(byScenario('gap_silent').activityId);
    const resumed = await db
      .selectFrom('recordings')
      .select(['speechAtStart', 'activityId'])
      .where('id', '=', noSpeech.subjectId)
      .executeTakeFirstOrThrow();
    expect(Number(resumed.speechAtStart)).toBe(0);
    const spokenGap = await db
      .selectFrom('findings')
      .select('detail')
      .where('code', '=', 'GAP')
      .where('activityId', '=', byScenario('gap_spoken').activityId)
      .executeTakeFirstOrThrow();
    const gap = JSON.parse(spokenGap.detail) as { speechAtResume: boolean; resumedByRecordingId: string };
    expect(gap.speechAtResume).toBe(true);
    const resumedAloud = await db
      .selectFrom('recordings')
      .select('speechAtStart')
      .where('id', '=', gap.resumedByRecordingId)
      .executeTakeFirstOrThrow();
    expect(Number(resumedAloud.speechAtStart)).toBe(1);

    // The unlinked recording belongs to no activity; every video went through the media jobs.
    const unlinked = standing.find((f) => f.code === 'UNLINKED')!;
    expect(byScenario('unlinked').unlinkedRecordingIds).toContain(unlinked.subjectId);
    const stray = await db
      .selectFrom('recordings')
      .select('activityId')
      .where('id', '=', unlinked.subjectId)
      .executeTakeFirstOrThrow();
    expect(stray.activityId).toBeNull();
    const media = await db
      .selectFrom('recordings')
      .select(['kind', 'mediaStatus', 'speechAtStart'])
      .where('kind', 'in', ['video', 'photo'])
      .execute();
    expect(media.length).toBeGreaterThan(0);
    expect(media.every((r) => r.mediaStatus === 'ready')).toBe(true);
    expect(media.filter((r) => r.kind === 'video').every((r) => r.speechAtStart !== null)).toBe(true);
    const thumbnails = await db
      .selectFrom('derivatives')
      .select('recordingId')
      .where('kind', '=', 'thumbnail')
      .execute();
    expect(thumbnails).toHaveLength(media.length);

    // Not twice.
    await expect(seedDemo(t.zhilu, clock, { days: 3 })).rejects.toMatchObject({
      code: 'DEMO_NOT_EMPTY',
    });
    expect(await db.selectFrom('activities').select('id').execute()).toHaveLength(activities.length);
  }, 900_000);

  it('from the command line: refuses an installation with people in it (exit 1) and a bad --days (exit 2)', async () => {
    await t.zhilu.services.units.create(operator(), { name: '已有单位', kind: 'brigade' });
    const refused = await runCli(['demo', 'seed', '--days', '3', '--json'], t.db.env);
    expect(refused.code, refused.stderr).toBe(1);
    const error = JSON.parse(refused.stderr).error;
    expect(error.code).toBe('DEMO_NOT_EMPTY');
    expect(error.message).toContain('单位 1 个');
    const human = await runCli(['demo', 'seed'], t.db.env);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('演示数据只能写入空的安装');
    const bad = await runCli(['demo', 'seed', '--days', '1'], t.db.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--days must be a whole number from 3 to 60');
    expect(await t.zhilu.catalogue.db.selectFrom('users').select('username').execute()).toEqual([
      { username: 'admin' },
    ]);
  }, 120_000);
});
