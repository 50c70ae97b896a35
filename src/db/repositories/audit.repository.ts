import { sql } from 'kysely';
import type { Executor } from '../database.js';
import type { AuditEventRow } from '../schema.js';
import type { ChainedEvent } from '../../domain/audit-chain.js';

export interface AuditFilter {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: string;
  from?: number;
  to?: number;
  before?: number;
}

export function toChained(row: AuditEventRow): ChainedEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    at: Number(row.at),
    actorId: row.actorId,
    actorName: row.actorName,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    outcome: row.outcome as ChainedEvent['outcome'],
    clientIp: row.clientIp,
    details: JSON.parse(row.details) as unknown,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

export const auditRepository = {
  async last(db: Executor): Promise<{ seq: number; hash: string } | null> {
    const row = await db
      .selectFrom('auditEvents')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { seq: Number(row.seq), hash: row.hash } : null;
  },

  async insert(db: Executor, e: ChainedEvent, detailsJson: string): Promise<void> {
    await db
      .insertInto('auditEvents')
      .values({
        seq: e.seq,
        id: e.id,
        at: e.at,
        actorId: e.actorId,
        actorName: e.actorName,
        action: e.action,
        targetType: e.targetType,
        targetId: e.targetId,
        outcome: e.outcome,
        clientIp: e.clientIp,
        details: detailsJson,
        prevHash: e.prevHash,
        hash: e.hash,
      })
      .execute();
  },

  async list(db: Executor, f: AuditFilter, limit: number): Promise<AuditEventRow[]> {
    let q = db.selectFrom('auditEvents').selectAll();
    if (f.actor) {
      const like = `%${f.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or([
          eb('actorId', '=', f.actor!),
          eb(sql`lower(actor_name)`, 'like', sql`lower(${like}) escape '\\'`),
        ]),
      );
    }
    if (f.action)
      q = f.action.endsWith('.')
        ? q.where('action', 'like', `${f.action}%`)
        : q.where('action', '=', f.action);
    if (f.targetType) q = q.where('targetType', '=', f.targetType);
    if (f.targetId) q = q.where('targetId', '=', f.targetId);
    if (f.outcome) q = q.where('outcome', '=', f.outcome);
    if (f.from !== undefined) q = q.where('at', '>=', f.from);
    if (f.to !== undefined) q = q.where('at', '<=', f.to);
    if (f.before !== undefined) q = q.where('seq', '<', f.before);
    return q.orderBy('seq', 'desc').limit(limit).execute();
  },

  /** Events in chain order, in pages, so verifying a long chain keeps memory flat. */
  async *scan(db: Executor, pageSize = 2000): AsyncGenerator<AuditEventRow[]> {
    let after = 0;
    for (;;) {
      const rows = await db
        .selectFrom('auditEvents')
        .selectAll()
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(pageSize)
        .execute();
      if (rows.length === 0) return;
      yield rows;
      after = Number(rows[rows.length - 1]!.seq);
    }
  },
};
