// Media pipeline (issue 4, item 6): derivatives made from an original (thumbnail, proxy),
// each a new content-addressed blob — the original is never rewritten — and on each
// recording the speech-at-start measure and where its media processing stands.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('derivatives')
    .addColumn('recording_id', 'text', (c) => c.notNull().references('recordings.id'))
    .addColumn('kind', 'text', (c) => c.notNull()) // thumbnail | proxy
    .addColumn('sha256', 'text', (c) => c.notNull()) // the derivative's blob
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull()) // image/jpeg | video/mp4 | audio/mp4
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('derivatives_pk', ['recording_id', 'kind'])
    .execute();
  // SQLite adds one column per ALTER statement; so does this on both.
  const columns: [string, 'integer' | 'bigint' | 'text'][] = [
    ['speech_at_start', 'integer'], // 0/1; null: not measured (yet)
    ['speech_ms', 'bigint'],
    ['first_speech_at_ms', 'bigint'],
    ['media_status', 'text'], // pending | ready | failed; null: nothing to process
    ['media_error', 'text'],
  ];
  for (const [name, type] of columns)
    await db.schema.alterTable('recordings').addColumn(name, type).execute();
  await db.schema
    .createIndex('recordings_media_status_idx')
    .on('recordings')
    .column('media_status')
    .execute();
}
