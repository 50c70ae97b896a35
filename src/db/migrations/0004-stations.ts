// Collection stations (A12.1, A13.1): each station's latest heartbeat, and the uploads it
// sent through tus with what became of each (the station clears a device file only after
// its upload here says catalogued for that exact hash).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stations')
    .addColumn('id', 'text', (c) => c.primaryKey()) // the station's own id (its --station-id)
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('free_bytes', 'bigint')
    .addColumn('queue', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('docked', 'text', (c) => c.notNull()) // JSON array of device serials
    .addColumn('actor_id', 'text', (c) => c.references('users.id')) // the token's user
    .addColumn('client_ip', 'text')
    .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey()) // the tus upload id
    .addColumn('import_id', 'text', (c) => c.notNull().references('imports.id'))
    .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
    .addColumn('station_id', 'text')
    .addColumn('path', 'text', (c) => c.notNull()) // display form of the device path
    .addColumn('declared_sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // catalogued | rejected | failed
    .addColumn('file_status', 'text') // imported | duplicate | failed (the import's per-file result)
    .addColumn('recording_id', 'text', (c) => c.references('recordings.id'))
    .addColumn('error', 'text') // JSON { code, zh, en }
    .addColumn('actor_id', 'text', (c) => c.references('users.id'))
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('uploads_import_idx').on('uploads').column('import_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('uploads').execute();
  await db.schema.dropTable('stations').execute();
}
