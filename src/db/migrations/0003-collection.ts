// Collection (A11.4, A12.1, A13.1, A19.1): imports and their per-file results, the
// recordings catalogue (one row per distinct content: sha256 is unique, a second copy is a
// DUPLICATE result, not a second row), findings, and the database-backed job queue.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One run of `zhilu import` or one docking at a station.
  await db.schema
    .createTable('imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('source', 'text', (c) => c.notNull()) // cli | station
    .addColumn('station_id', 'text')
    .addColumn('actor_id', 'text', (c) => c.references('users.id')) // null: the console operator
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('source_path', 'text') // the folder imported, sanitised for display
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull()) // running | completed | partial | aborted
    .addColumn('summary', 'text', (c) => c.notNull()) // JSON { files, imported, duplicate, failed, bytes, findings }
    .execute();
  await db.schema
    .createIndex('imports_device_idx')
    .on('imports')
    .columns(['device_id', 'started_at'])
    .execute();
  await db.schema.createIndex('imports_started_idx').on('imports').column('started_at').execute();

  await db.schema
    .createTable('recordings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sha256', 'text', (c) => c.notNull().unique())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // video | photo | audio | other
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('holder_id', 'text', (c) => c.references('users.id')) // from the check-out covering recorded_at
    // The path on the device, sanitised for display; metadata only, never a storage path.
    .addColumn('original_path', 'text', (c) => c.notNull())
    // Hex of the raw path bytes when the display form is not exact (invalid UTF-8, GBK,
    // control characters, cut for length); null when original_path is the exact name.
    .addColumn('original_path_bytes', 'text')
    .addColumn('name_scheme', 'text', (c) => c.notNull())
    .addColumn('name_info', 'text', (c) => c.notNull()) // JSON: codes, group, issues, encoding from the name
    .addColumn('device_local_time', 'text') // the wall time as the device wrote it
    .addColumn('time_source', 'text', (c) => c.notNull()) // name | container | exif | file | none
    .addColumn('raw_recorded_at', 'bigint') // device clock, uncorrected
    .addColumn('clock_check_id', 'text', (c) => c.references('device_checks.id'))
    .addColumn('clock_offset_ms', 'bigint') // device − server, from that pre-use check
    .addColumn('recorded_at', 'bigint') // raw − offset
    .addColumn('duration_ms', 'bigint')
    .addColumn('ended_at', 'bigint') // corrected
    .addColumn('sequence', 'bigint')
    .addColumn('sequence_group', 'text')
    .addColumn('important', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('media_ok', 'integer', (c) => c.notNull())
    .addColumn('media_info', 'text') // JSON MediaInfo from the probe
    .addColumn('import_id', 'text', (c) => c.notNull().references('imports.id'))
    .addColumn('imported_at', 'bigint', (c) => c.notNull())
    .addColumn('activity_id', 'text', (c) => c.references('activities.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('recordings_device_idx')
    .on('recordings')
    .columns(['device_id', 'recorded_at'])
    .execute();
  await db.schema
    .createIndex('recordings_holder_idx')
    .on('recordings')
    .columns(['holder_id', 'recorded_at'])
    .execute();
  await db.schema.createIndex('recordings_recorded_idx').on('recordings').column('recorded_at').execute();
  await db.schema.createIndex('recordings_import_idx').on('recordings').column('import_id').execute();
  await db.schema.createIndex('recordings_activity_idx').on('recordings').column('activity_id').execute();
  await db.schema
    .createIndex('recordings_sequence_idx')
    .on('recordings')
    .columns(['device_id', 'sequence_group', 'sequence'])
    .execute();

  // What happened to each file of an import, duplicates and failures included.
  await db.schema
    .createTable('import_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('import_id', 'text', (c) => c.notNull().references('imports.id'))
    .addColumn('path', 'text', (c) => c.notNull()) // sanitised, as original_path
    .addColumn('path_bytes', 'text') // as original_path_bytes
    .addColumn('sha256', 'text') // null when the file could not be read to its end
    .addColumn('size', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull()) // imported | duplicate | failed
    .addColumn('recording_id', 'text', (c) => c.references('recordings.id'))
    .addColumn('error', 'text') // JSON { code, zh, en } when failed
    .addColumn('findings', 'text', (c) => c.notNull()) // JSON array of finding codes
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('import_files_import_idx').on('import_files').column('import_id').execute();
  await db.schema
    .createIndex('import_files_recording_idx')
    .on('import_files')
    .column('recording_id')
    .execute();
  await db.schema.createIndex('import_files_sha_idx').on('import_files').column('sha256').execute();

  // The shared vocabulary of compliance (docs: ARCHITECTURE.md "Findings").
  await db.schema
    .createTable('findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('article', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull()) // info | warning | serious
    .addColumn('subject_type', 'text', (c) => c.notNull()) // recording | import | device | activity
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull()) // JSON
    .addColumn('status', 'text', (c) => c.notNull()) // open | explained | accepted | violation
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('findings_subject_idx')
    .on('findings')
    .columns(['subject_type', 'subject_id'])
    .execute();
  await db.schema.createIndex('findings_code_idx').on('findings').columns(['code', 'status']).execute();
  await db.schema
    .createIndex('findings_status_idx')
    .on('findings')
    .columns(['status', 'created_at'])
    .execute();

  // Database-backed queue (src/jobs/queue.ts): no Redis; several servers may share it.
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull()) // JSON
    .addColumn('status', 'text', (c) => c.notNull()) // queued | running | done | failed
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_after', 'bigint', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // claim() looks for due queued jobs and expired running ones.
  await db.schema.createIndex('jobs_due_idx').on('jobs').columns(['status', 'run_after']).execute();
  await db.schema.createIndex('jobs_lease_idx').on('jobs').columns(['status', 'locked_until']).execute();
  await db.schema.createIndex('jobs_kind_idx').on('jobs').columns(['kind', 'status']).execute();
}
