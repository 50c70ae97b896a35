// The `zhilu` command as an operator uses it: real process, real database files.
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalogue } from '../../src/db/database.js';
import { MIGRATION_NAMES } from '../../src/db/migrate.js';
import { createTestDatabase, databaseKinds, tempDir, type TestDatabase } from '../support/databases.js';
import { runCli } from '../support/cli.js';

describe.each(databaseKinds())('zhilu CLI on %s', (kind) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
  });
  afterEach(async () => {
    await db.drop();
  });

  it('adds a unit and users with --json, lists them, and refuses duplicates with a clear message', async () => {
    const unit = await runCli(['unit', 'add', '--name', '第一中队', '--kind', 'squadron', '--json'], db.env);
    expect(unit.code, unit.stderr).toBe(0);
    const added = await runCli(
      [
        'user',
        'add',
        '--username',
        'wang.wu',
        '--name',
        '王五',
        '--code',
        '41110003',
        '--roles',
        'officer,custodian',
        '--unit',
        '第一中队',
        '--json',
      ],
      db.env,
    );
    expect(added.code, added.stderr).toBe(0);
    const out = JSON.parse(added.stdout);
    expect(out.user).toMatchObject({
      username: 'wang.wu',
      name: '王五',
      code: '41110003',
      roles: ['custodian', 'officer'],
      unitName: '第一中队',
      mustChangePassword: true,
    });
    expect(out.initialPassword).toMatch(/^\S{4}-\S{4}-\S{4}-\S{4}$/);

    const viaStdin = await runCli(
      [
        'user',
        'add',
        '--username',
        'station.a',
        '--name',
        '采集站A',
        '--code',
        'ST-A',
        '--roles',
        'officer',
        '--password-stdin',
        '--json',
      ],
      db.env,
      'Station-Pass-2026\n',
    );
    expect(viaStdin.code, viaStdin.stderr).toBe(0);
    expect(JSON.parse(viaStdin.stdout).initialPassword).toBeUndefined();

    const list = JSON.parse((await runCli(['user', 'list', '--json'], db.env)).stdout);
    expect(list.items.map((u: { username: string }) => u.username).sort()).toEqual(['station.a', 'wang.wu']);

    const dup = await runCli(
      ['user', 'add', '--username', 'wang.wu', '--name', '王五', '--code', 'x', '--roles', 'officer'],
      db.env,
    );
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('USERNAME_TAKEN');
    expect(dup.stderr).toContain('已被使用');

    const dupJson = await runCli(
      [
        'user',
        'add',
        '--username',
        'wang.wu',
        '--name',
        '王五',
        '--code',
        'x',
        '--roles',
        'officer',
        '--json',
      ],
      db.env,
    );
    expect(JSON.parse(dupJson.stderr).error.code).toBe('USERNAME_TAKEN');

    const badRole = await runCli(
      ['user', 'add', '--username', 'zz', '--name', 'z', '--code', 'x', '--roles', 'officer,boss'],
      db.env,
    );
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('ROLE_UNKNOWN');

    const weak = await runCli(
      [
        'user',
        'add',
        '--username',
        'weak.one',
        '--name',
        'w',
        '--code',
        'x',
        '--roles',
        'officer',
        '--password-stdin',
      ],
      db.env,
      'abc',
    );
    expect(weak.stderr).toContain('PASSWORD_WEAK');

    const token = await runCli(
      ['token', 'create', '--user', 'station.a', '--scope', 'station', '--json'],
      db.env,
    );
    expect(token.code, token.stderr).toBe(0);
    expect(JSON.parse(token.stdout)).toMatchObject({
      token: { scope: 'station', username: 'station.a' },
      secret: expect.stringMatching(/^zl_/),
    });
  });

  it('detects a tampered audit event and names it (A14.1, A19.1)', async () => {
    for (const n of [1, 2, 3]) {
      const r = await runCli(
        [
          'user',
          'add',
          '--username',
          `user${n}`,
          '--name',
          `用户${n}`,
          '--code',
          `C${n}`,
          '--roles',
          'officer',
          '--json',
        ],
        db.env,
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const ok = await runCli(['audit', 'verify', '--json'], db.env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, checked: 3, firstBroken: null });

    const catalogue = await openCatalogue(db.config);
    try {
      const row = await catalogue.db
        .selectFrom('auditEvents')
        .select(['seq', 'id'])
        .where('seq', '=', 2)
        .executeTakeFirstOrThrow();
      // The database refuses a plain UPDATE; a tamperer with owner rights removes the guard first.
      await expect(
        sql`update audit_events set actor_name = 'someone-else' where seq = 2`.execute(catalogue.db),
      ).rejects.toThrow(/append-only/);
      if (kind === 'postgres')
        await sql`alter table audit_events disable trigger audit_events_no_update`.execute(catalogue.db);
      else await sql`drop trigger audit_events_no_update`.execute(catalogue.db);
      await sql`update audit_events set details = ${'{"username":"user9"}'} where seq = 2`.execute(
        catalogue.db,
      );

      const broken = await runCli(['audit', 'verify', '--json'], db.env);
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.stdout)).toEqual({
        ok: false,
        checked: 1,
        firstBroken: { seq: 2, id: row.id, reason: 'hash_mismatch' },
      });
      const human = await runCli(['audit', 'verify'], db.env);
      expect(human.stdout).toContain(`seq=2 id=${row.id}`);
    } finally {
      await catalogue.close();
    }
  });

  it('applies migrations from empty and again as a no-op', async () => {
    const first = await runCli(['migrate', '--json'], db.env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).applied).toEqual(MIGRATION_NAMES);
    const second = JSON.parse((await runCli(['migrate', '--json'], db.env)).stdout);
    expect(second).toMatchObject({ applied: [], current: MIGRATION_NAMES.at(-1) });
  });
});

describe('zhilu CLI usage and start-up errors', () => {
  it('answers unknown flags and commands with usage and exit status 2', async () => {
    const dir = tempDir();
    const r = await runCli(['user', 'list', '--colour'], { ZHILU_DATA: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--colour'/);
    expect(r.stderr).toMatch(/Usage: zhilu user list/);
    const missing = await runCli(['user', 'add', '--username', 'x'], { ZHILU_DATA: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option/);
    expect((await runCli(['frobnicate'], { ZHILU_DATA: dir })).code).toBe(2);
    expect((await runCli(['--help'], { ZHILU_DATA: dir })).code).toBe(0);
  });

  it('stops start-up with one clear message on bad configuration', async () => {
    const dir = tempDir();
    const badUrl = await runCli(['serve', '--port', '0'], { ZHILU_DATA: dir, DATABASE_URL: 'mysql://x/y' });
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toContain('DATABASE_URL');
    expect(badUrl.stderr).toContain('CONFIG_INVALID');

    const unreachable = await runCli(['serve', '--port', '0'], {
      ZHILU_DATA: dir,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/zhilu',
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/无法连接 PostgreSQL/);

    const badStorage = await runCli(['serve'], { ZHILU_DATA: dir, STORAGE_URL: 's3://Bad_Bucket' });
    expect(badStorage.code).toBe(1);
    expect(badStorage.stderr).toContain('STORAGE_URL');

    const badPort = await runCli(['serve', '--port', 'eighty'], { ZHILU_DATA: dir });
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain('--port');

    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'not a directory');
    const unwritable = await runCli(['serve', '--port', '0', '--data', path.join(file, 'sub')], {});
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/数据目录|data directory/);

    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const inUse = await runCli(['serve', '--port', String(port)], {
        ZHILU_DATA: dir,
        ZHILU_ADMIN_PASSWORD: 'Setup-Pass-2026',
      });
      expect(inUse.code).toBe(1);
      expect(inUse.stderr).toContain('PORT_IN_USE');
      expect(inUse.stderr.trim().split('\n')).toHaveLength(2); // one message, in Chinese and English
    } finally {
      blocker.close();
    }
  });
});
