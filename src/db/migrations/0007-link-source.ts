// Who set a recording's link (A4.1): 'auto' (the linking rule, at import or when an activity's
// times, team or devices change) or 'manual' (a custodian or the holder, with a reason). The
// rule never overrides a manual decision, so re-linking needs to know which is which.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('recordings').addColumn('link_source', 'text').execute();
  // Links made before this column: the latest link event of each recording says who made it.
  await sql`
    update recordings set link_source = case
      when (
        select a.details from audit_events a
        where a.action = 'recording.link' and a.target_id = recordings.id
        order by a.seq desc limit 1
      ) like '%"auto":false%' then 'manual'
      when activity_id is not null then 'auto'
      else null end`.execute(db);
}
