// The pre-use checks of a check-out: every compliance gather looks them up by checkout_id,
// which without this index scanned the whole table (measured in bench/compliance.mjs).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('device_checks_checkout_idx')
    .on('device_checks')
    .column('checkout_id')
    .execute();
}
