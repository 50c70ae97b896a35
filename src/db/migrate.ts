// One migration set for SQLite and PostgreSQL, applied in order on start and by
// `zhilu migrate`. Migrations are listed here explicitly so the build needs no
// directory scanning.
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Catalogue } from './database.js';
import * as m0001 from './migrations/0001-foundation.js';
import * as m0002 from './migrations/0002-registry.js';
import * as m0003 from './migrations/0003-collection.js';
import * as m0004 from './migrations/0004-stations.js';
import * as m0005 from './migrations/0005-media.js';
import * as m0006 from './migrations/0006-recordings-read.js';
import * as m0007 from './migrations/0007-link-source.js';
import * as m0008 from './migrations/0008-compliance.js';
import * as m0009 from './migrations/0009-violations.js';
import * as m0010 from './migrations/0010-compliance-indexes.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-registry': m0002,
  '0003-collection': m0003,
  '0004-stations': m0004,
  '0005-media': m0005,
  '0006-recordings-read': m0006,
  '0007-link-source': m0007,
  '0008-compliance': m0008,
  '0009-violations': m0009,
  '0010-compliance-indexes': m0010,
};

export const MIGRATION_NAMES = Object.keys(MIGRATIONS);

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

export interface MigrationReport {
  applied: string[];
  current: string | null;
}

export async function migrateToLatest(catalogue: Catalogue): Promise<MigrationReport> {
  const migrator = new Migrator({ db: catalogue.db, provider: new StaticProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const e = new Error(
      `migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message ?? error}`,
    );
    (e as Error & { cause?: unknown }).cause = error;
    throw e;
  }
  const all = await migrator.getMigrations();
  const executed = all.filter((m) => m.executedAt);
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    current: executed.at(-1)?.name ?? null,
  };
}
