// The register everything is later checked against (A2, A5, A6–A10, A14, A21, A23):
// device types and devices with their asset history, check-outs and pre-use checks,
// enforcement subjects, cases, activities, exemptions, notification templates and
// documents.
import { sql, type Kysely } from 'kysely';

const DEVICE_TYPES: [string, string, string, number][] = [
  ['body_camera', '执法记录仪', 'Body-worn recorder', 5],
  ['camera', '照相机', 'Camera', 6],
  ['video_camera', '录像机', 'Video recorder', 6],
  ['voice_recorder', '录音笔', 'Voice recorder', 5],
  ['other', '其他设备', 'Other device', 5],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('device_types')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name_zh', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('service_life_years', 'integer', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  const now = Date.now();
  for (const [id, zh, en, life] of DEVICE_TYPES)
    await sql`insert into device_types (id, name_zh, name_en, service_life_years, active, created_at) values (${id}, ${zh}, ${en}, ${life}, 1, ${now})`.execute(
      db,
    );

  await db.schema
    .createTable('devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('serial', 'text', (c) => c.notNull().unique())
    .addColumn('asset_number', 'text')
    .addColumn('type_id', 'text', (c) => c.notNull().references('device_types.id'))
    .addColumn('maker', 'text')
    .addColumn('model', 'text')
    .addColumn('unit_id', 'text', (c) => c.references('units.id'))
    .addColumn('purchase_date', 'text') // YYYY-MM-DD, a calendar date, not an instant
    .addColumn('purchase_cost_cents', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('holder_id', 'text', (c) => c.references('users.id'))
    .addColumn('notes', 'text')
    .addColumn('retired_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('devices_holder_idx').on('devices').column('holder_id').execute();
  await db.schema.createIndex('devices_unit_idx').on('devices').column('unit_id').execute();

  // Maintenance, consumables, loss/theft and retirement: the device's asset history (A23.1, A21.1(7)).
  await db.schema
    .createTable('device_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.references('devices.id'))
    .addColumn('unit_id', 'text', (c) => c.references('units.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // maintenance | consumable | loss | theft | retirement | found
    .addColumn('occurred_on', 'text', (c) => c.notNull()) // YYYY-MM-DD
    .addColumn('item', 'text') // consumables: battery | memory_card | other
    .addColumn('quantity', 'integer')
    .addColumn('cost_cents', 'bigint')
    .addColumn('vendor', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('device_events_device_idx')
    .on('device_events')
    .columns(['device_id', 'occurred_on'])
    .execute();
  await db.schema
    .createIndex('device_events_date_idx')
    .on('device_events')
    .columns(['occurred_on'])
    .execute();

  await db.schema
    .createTable('enforcement_subjects')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('credit_code', 'text', (c) => c.unique())
    .addColumn('id_number', 'text', (c) => c.unique())
    .addColumn('legal_representative', 'text')
    .addColumn('address', 'text')
    .addColumn('contact', 'text')
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('unit_id', 'text', (c) => c.references('units.id'))
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subjects_name_idx').on('enforcement_subjects').column('name').execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_number', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull().references('enforcement_subjects.id'))
    .addColumn('unit_id', 'text', (c) => c.references('units.id'))
    .addColumn('status', 'text', (c) => c.notNull()) // filed | investigating | decided | closed | archived
    .addColumn('filed_on', 'text', (c) => c.notNull())
    .addColumn('decided_on', 'text')
    .addColumn('closed_on', 'text')
    .addColumn('archived_on', 'text')
    .addColumn('retention_years', 'integer') // null = permanent
    .addColumn('summary', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('cases_subject_idx').on('cases').column('subject_id').execute();
  await db.schema
    .createTable('case_officers')
    .addColumn('case_id', 'text', (c) => c.notNull().references('cases.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('lead', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('case_officers_pk', ['case_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('activities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('subject_id', 'text', (c) => c.notNull().references('enforcement_subjects.id'))
    .addColumn('case_id', 'text', (c) => c.references('cases.id'))
    .addColumn('unit_id', 'text', (c) => c.references('units.id'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('latitude', 'double precision')
    .addColumn('longitude', 'double precision')
    .addColumn('planned_at', 'bigint', (c) => c.notNull())
    .addColumn('arrived_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('remote_work', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('returned_at', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull()) // planned | in_progress | completed | cancelled
    .addColumn('notified_at', 'bigint')
    .addColumn('notified_by', 'text', (c) => c.references('users.id'))
    .addColumn('notes', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('activities_subject_idx')
    .on('activities')
    .columns(['subject_id', 'planned_at'])
    .execute();
  await db.schema.createIndex('activities_case_idx').on('activities').column('case_id').execute();
  await db.schema.createIndex('activities_planned_idx').on('activities').column('planned_at').execute();
  await db.schema
    .createTable('activity_officers')
    .addColumn('activity_id', 'text', (c) => c.notNull().references('activities.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('in_charge', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('activity_officers_pk', ['activity_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('activity_officers_user_idx')
    .on('activity_officers')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('checkouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('activity_id', 'text', (c) => c.references('activities.id'))
    .addColumn('checked_out_at', 'bigint', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('checked_in_at', 'bigint')
    .addColumn('checked_in_by', 'text', (c) => c.references('users.id'))
    .addColumn('remote_work', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('returned_at', 'bigint') // back at the unit, for A13.1's 24-hour rule
    .addColumn('reassigned_by', 'text', (c) => c.references('users.id'))
    .addColumn('notes', 'text')
    .execute();
  await db.schema
    .createIndex('checkouts_device_idx')
    .on('checkouts')
    .columns(['device_id', 'checked_out_at'])
    .execute();
  await db.schema
    .createIndex('checkouts_officer_idx')
    .on('checkouts')
    .columns(['officer_id', 'checked_out_at'])
    .execute();

  await db.schema
    .createTable('device_checks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('officer_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('checkout_id', 'text', (c) => c.references('checkouts.id'))
    .addColumn('checked_at', 'bigint', (c) => c.notNull()) // server time of the check
    .addColumn('battery_percent', 'integer', (c) => c.notNull())
    .addColumn('free_storage_mb', 'bigint', (c) => c.notNull())
    .addColumn('device_time', 'bigint', (c) => c.notNull()) // what the device showed, as entered
    .addColumn('offset_ms', 'bigint', (c) => c.notNull()) // device − server
    .addColumn('tolerance_ms', 'bigint', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull()) // pass | fail
    .addColumn('failures', 'text', (c) => c.notNull()) // JSON array of rule codes
    .execute();
  await db.schema
    .createIndex('device_checks_device_idx')
    .on('device_checks')
    .columns(['device_id', 'checked_at'])
    .execute();

  await db.schema
    .createTable('activity_devices')
    .addColumn('activity_id', 'text', (c) => c.notNull().references('activities.id'))
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('checkout_id', 'text', (c) => c.references('checkouts.id'))
    .addColumn('officer_id', 'text', (c) => c.references('users.id'))
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('activity_devices_pk', ['activity_id', 'device_id'])
    .execute();

  await db.schema
    .createTable('exemptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('activity_id', 'text', (c) => c.notNull().references('activities.id'))
    .addColumn('category', 'text', (c) => c.notNull()) // secret_or_privacy | emergency | objective
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('basis', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // pending | approved | rejected | withdrawn
    .addColumn('reviewer_id', 'text', (c) => c.references('users.id'))
    .addColumn('reviewed_at', 'bigint')
    .addColumn('review_comment', 'text')
    .execute();
  await db.schema.createIndex('exemptions_activity_idx').on('exemptions').column('activity_id').execute();
  await db.schema.createIndex('exemptions_status_idx').on('exemptions').column('status').execute();

  await db.schema
    .createTable('notification_templates')
    .addColumn('unit_id', 'text', (c) => c.primaryKey().references('units.id'))
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.references('users.id'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // Documents go into the blob store like recordings; the row is the catalogue entry.
  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // inspection_record | notice | photo | other
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.references('enforcement_subjects.id'))
    .addColumn('case_id', 'text', (c) => c.references('cases.id'))
    .addColumn('activity_id', 'text', (c) => c.references('activities.id'))
    .addColumn('uploaded_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('uploaded_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('documents_subject_idx').on('documents').column('subject_id').execute();
  await db.schema.createIndex('documents_case_idx').on('documents').column('case_id').execute();
  await db.schema.createIndex('documents_activity_idx').on('documents').column('activity_id').execute();
}
