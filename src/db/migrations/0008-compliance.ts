// Compliance (issue 5): findings gain the activity they weigh on, a stable key (so a
// recompute finds the finding it raised before), a due date and a withdrawal mark (the
// inputs changed and the engine no longer finds it — kept, with its history, never deleted);
// every change of a finding is a finding_events row. Interruptions (A11) are the officers'
// accounts of gaps; markers (A8.1, A10.1) are moments marked on a recording, kept beside
// it, never in it; activity_compliance holds the latest verdict and timeline of each
// activity; notifications are the in-app bell.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const findingColumns: [string, 'text' | 'bigint'][] = [
    ['activity_id', 'text'],
    ['finding_key', 'text'],
    ['source', 'text'], // import | linking | engine | manual
    ['due_at', 'bigint'],
    ['withdrawn_at', 'bigint'],
  ];
  for (const [name, type] of findingColumns)
    await db.schema.alterTable('findings').addColumn(name, type).execute();
  await db.schema
    .createIndex('findings_activity_idx')
    .on('findings')
    .columns(['activity_id', 'finding_key'])
    .execute();

  await db.schema
    .createTable('finding_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('finding_id', 'text', (c) => c.notNull().references('findings.id'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    // raised | explain | accept | reject | record_violation | withdrawn | reopened
    .addColumn('act', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .execute();
  await db.schema
    .createIndex('finding_events_finding_idx')
    .on('finding_events')
    .columns(['finding_id', 'at'])
    .execute();

  await db.schema
    .createTable('interruptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('activity_id', 'text', (c) => c.notNull().references('activities.id'))
    .addColumn('gap_from', 'bigint', (c) => c.notNull())
    .addColumn('gap_to', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reason_text', 'text')
    .addColumn('spoken_confirmed', 'integer', (c) => c.notNull())
    .addColumn('stopped_for_good', 'integer', (c) => c.notNull())
    .addColumn('reported_at', 'bigint')
    .addColumn('reported_to', 'text')
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('written_explanation', 'text')
    .addColumn('written_at', 'bigint')
    .addColumn('decision', 'text') // accepted | rejected
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('decision_comment', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('interruptions_activity_idx')
    .on('interruptions')
    .column('activity_id')
    .execute();

  await db.schema
    .createTable('markers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('recording_id', 'text', (c) => c.notNull().references('recordings.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('offset_ms', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('markers_recording_idx').on('markers').column('recording_id').execute();

  await db.schema
    .createTable('activity_compliance')
    .addColumn('activity_id', 'text', (c) => c.primaryKey().references('activities.id'))
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('covered_ms', 'bigint', (c) => c.notNull())
    .addColumn('window_ms', 'bigint', (c) => c.notNull())
    .addColumn('open_findings', 'integer', (c) => c.notNull())
    .addColumn('reasons', 'text', (c) => c.notNull()) // JSON VerdictReason[]
    .addColumn('timeline', 'text', (c) => c.notNull()) // JSON: window, coverage, lanes, gaps
    .addColumn('computed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('activity_compliance_verdict_idx')
    .on('activity_compliance')
    .column('verdict')
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title_zh', 'text', (c) => c.notNull())
    .addColumn('title_en', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('due_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('read_at', 'bigint')
    .addColumn('acknowledged_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('notifications_user_idx')
    .on('notifications')
    .columns(['user_id', 'read_at'])
    .execute();
}
