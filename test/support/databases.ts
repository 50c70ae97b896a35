// Every catalogue test runs on SQLite (always) and PostgreSQL (when ZHILU_TEST_PG_URL
// points at a server; CI sets it and then PostgreSQL must not be skipped). Each test
// gets a database of its own: a new SQLite file, or a new PostgreSQL database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { DatabaseConfig } from '../../src/config.js';

export type DbKind = 'sqlite' | 'postgres';

const PG_URL = process.env.ZHILU_TEST_PG_URL;
let told = false;

/** The databases to run on; says once, in one line, why PostgreSQL is skipped. */
export function databaseKinds(): DbKind[] {
  if (PG_URL) return ['sqlite', 'postgres'];
  if (process.env.CI) throw new Error('CI must run the PostgreSQL tests: set ZHILU_TEST_PG_URL');
  if (!told) {
    told = true;
    console.info(
      'PostgreSQL tests skipped: set ZHILU_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres to run them',
    );
  }
  return ['sqlite'];
}

export interface TestDatabase {
  kind: DbKind;
  config: DatabaseConfig;
  /** Environment for a child `zhilu` process using this database. */
  env: Record<string, string>;
  dataDir: string;
  drop(): Promise<void>;
}

export function tempDir(prefix = 'zhilu-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const dataDir = tempDir();
  if (kind === 'sqlite') {
    const file = path.join(dataDir, 'zhilu.db');
    return {
      kind,
      config: { kind: 'sqlite', file },
      env: { ZHILU_DATA: dataDir },
      dataDir,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `zhilu_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL!);
  url.pathname = `/${name}`;
  return {
    kind,
    config: { kind: 'postgres', url: url.toString() },
    env: { ZHILU_DATA: dataDir, DATABASE_URL: url.toString() },
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
