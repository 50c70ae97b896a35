// Opens the catalogue: SQLite (WAL, foreign keys on, IMMEDIATE transactions so a
// read-then-write never fails half-way under concurrent writers) or PostgreSQL. The
// few dialect differences live in the `dialect` helpers below, nowhere else.
import fs from 'node:fs';
import path from 'node:path';
import SqliteDb from 'better-sqlite3';
import pg from 'pg';
import {
  CamelCasePlugin,
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type Driver,
  type Transaction,
} from 'kysely';
import type { DatabaseConfig } from '../config.js';
import { ConfigError } from '../config.js';
import type { Schema } from './schema.js';

export type Db = Kysely<Schema>;
export type Tx = Transaction<Schema>;
export type Executor = Db | Tx;

export interface Catalogue {
  db: Db;
  kind: 'sqlite' | 'postgres';
  dialect: DialectHelpers;
  describe: string;
  close(): Promise<void>;
}

export interface DialectHelpers {
  /** Serialises appends to the audit chain inside the current transaction. */
  lockAuditChain(tx: Tx): Promise<void>;
  /** True when the error is a unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean;
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDb.Database;
  constructor(database: SqliteDb.Database) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}

const sqliteHelpers: DialectHelpers = {
  // BEGIN IMMEDIATE already holds SQLite's single write lock.
  lockAuditChain: async () => {},
  isUniqueViolation: (e) =>
    typeof e === 'object' &&
    e !== null &&
    'code' in e &&
    String((e as { code: unknown }).code).startsWith('SQLITE_CONSTRAINT_UNIQUE'),
};

const AUDIT_LOCK_KEY = 74_686_001; // any constant; names the audit-chain advisory lock

const postgresHelpers: DialectHelpers = {
  lockAuditChain: async (tx) => {
    await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(tx);
  },
  isUniqueViolation: (e) => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '23505',
};

export async function openCatalogue(config: DatabaseConfig): Promise<Catalogue> {
  if (config.kind === 'sqlite') return openSqlite(config.file);
  return openPostgres(config.url);
}

function openSqlite(file: string): Catalogue {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (e) {
    throw new ConfigError(
      'ZHILU_DATA',
      `无法创建数据目录 ${path.dirname(file)}：${(e as Error).message}`,
      `cannot create the data directory ${path.dirname(file)}: ${(e as Error).message}`,
    );
  }
  let database: SqliteDb.Database;
  try {
    database = new SqliteDb(file);
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 10000');
    database.pragma('synchronous = NORMAL');
  } catch (e) {
    throw new ConfigError(
      'ZHILU_DATA',
      `无法打开数据库文件 ${file}：${(e as Error).message}`,
      `cannot open the database file ${file}: ${(e as Error).message}`,
    );
  }
  const db = new Kysely<Schema>({
    dialect: new ImmediateSqliteDialect(database),
    plugins: [new CamelCasePlugin()],
  });
  return {
    db,
    kind: 'sqlite',
    dialect: sqliteHelpers,
    describe: `sqlite:${file}`,
    close: () => db.destroy(),
  };
}

// int8 (bigint) columns hold epoch milliseconds, well inside Number's exact range.
const pgTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

async function openPostgres(url: string): Promise<Catalogue> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: pgTypes,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => {}); // idle-client errors surface on the next query instead of crashing
  try {
    const client = await pool.connect();
    client.release();
  } catch (e) {
    await pool.end().catch(() => {});
    const u = new URL(url);
    throw new ConfigError(
      'DATABASE_URL',
      `无法连接 PostgreSQL ${u.host}${u.pathname}：${(e as Error).message}`,
      `cannot connect to PostgreSQL ${u.host}${u.pathname}: ${(e as Error).message}`,
    );
  }
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] });
  const u = new URL(url);
  return {
    db,
    kind: 'postgres',
    dialect: postgresHelpers,
    describe: `postgres://${u.host}${u.pathname}`,
    close: () => db.destroy(),
  };
}
