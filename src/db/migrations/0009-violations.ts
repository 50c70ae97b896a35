// The violation register (A21.1, A22.1): one row per violation record with its decision;
// the evidence it rests on is linked, not copied — findings by id, audit events by their
// place in the chain (seq, with the event id to check it is the same event).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('violations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('officer_id', 'text', (c) => c.notNull().references('users.id'))
    // the officer's unit when the record was made: the register keeps it if they move
    .addColumn('unit_id', 'text', (c) => c.references('units.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'bigint', (c) => c.notNull())
    .addColumn('evidence_text', 'text')
    .addColumn('status', 'text', (c) => c.notNull()) // draft | decided | closed | withdrawn
    .addColumn('sanctions', 'text') // JSON Sanction[], set by the decision
    .addColumn('decision_text', 'text')
    .addColumn('suspension_from', 'text') // calendar dates, YYYY-MM-DD
    .addColumn('suspension_to', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_by_name', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('closed_by', 'text')
    .addColumn('closed_by_name', 'text')
    .addColumn('closed_at', 'bigint')
    .addColumn('close_note', 'text')
    .addColumn('withdrawn_by', 'text')
    .addColumn('withdrawn_by_name', 'text')
    .addColumn('withdrawn_at', 'bigint')
    .addColumn('withdraw_reason', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('violations_officer_idx').on('violations').column('officer_id').execute();
  await db.schema.createIndex('violations_unit_idx').on('violations').column('unit_id').execute();
  await db.schema.createIndex('violations_occurred_idx').on('violations').column('occurred_at').execute();

  await db.schema
    .createTable('violation_findings')
    .addColumn('violation_id', 'text', (c) => c.notNull().references('violations.id'))
    .addColumn('finding_id', 'text', (c) => c.notNull().references('findings.id'))
    .addPrimaryKeyConstraint('violation_findings_pk', ['violation_id', 'finding_id'])
    .execute();
  await db.schema
    .createIndex('violation_findings_finding_idx')
    .on('violation_findings')
    .column('finding_id')
    .execute();

  // No foreign key to audit_events, as everywhere: the trail stands apart.
  await db.schema
    .createTable('violation_audit_events')
    .addColumn('violation_id', 'text', (c) => c.notNull().references('violations.id'))
    .addColumn('audit_seq', 'bigint', (c) => c.notNull())
    .addColumn('audit_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('violation_audit_events_pk', ['violation_id', 'audit_seq'])
    .execute();
}
