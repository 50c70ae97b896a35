// Reading the collection (issue 4, item 8): indexes only, for the recordings and imports
// lists and the recording detail. No tables or columns change here.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Recordings list filtered by kind, newest first.
  await db.schema
    .createIndex('recordings_kind_recorded_idx')
    .on('recordings')
    .columns(['kind', 'recorded_at'])
    .execute();
  // "Recordings with an open EDITED finding": from the code to the recordings it names.
  await db.schema
    .createIndex('findings_code_subject_idx')
    .on('findings')
    .columns(['code', 'status', 'subject_type', 'subject_id'])
    .execute();
  // A station's recent imports; imports by status.
  await db.schema
    .createIndex('imports_station_idx')
    .on('imports')
    .columns(['station_id', 'started_at'])
    .execute();
  await db.schema.createIndex('imports_status_idx').on('imports').columns(['status', 'started_at']).execute();
  // A recording's media jobs are queued in its cataloguing transaction, so they share its
  // created_at: the detail finds them by that time instead of scanning every payload.
  await db.schema.createIndex('jobs_created_idx').on('jobs').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of [
    'jobs_created_idx',
    'imports_status_idx',
    'imports_station_idx',
    'findings_code_subject_idx',
    'recordings_kind_recorded_idx',
  ])
    await db.schema.dropIndex(name).execute();
}
