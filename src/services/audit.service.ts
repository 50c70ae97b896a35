// The audit trail: every act is written in the same transaction as the act itself,
// chained by hash. Nothing here updates or deletes an event.
import { uuidv7 } from 'uuidv7';
import type { Catalogue, Executor, Tx } from '../db/database.js';
import { auditRepository, toChained, type AuditFilter } from '../db/repositories/audit.repository.js';
import {
  canonicalJson,
  GENESIS_HASH,
  hashEvent,
  verifyChain,
  type AuditOutcome,
  type ChainBreak,
  type ChainedEvent,
} from '../domain/audit-chain.js';
import type { Actor, Clock } from './context.js';
import { assertPermission } from './context.js';

export interface AuditInput {
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
}

export class AuditService {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly clock: Clock,
  ) {}

  /** Appends one event inside the caller's transaction. */
  async record(tx: Tx, actor: Actor, input: AuditInput): Promise<ChainedEvent> {
    await this.catalogue.dialect.lockAuditChain(tx);
    const last = await auditRepository.last(tx);
    const detailsJson = canonicalJson(input.details ?? {});
    const fields = {
      seq: (last?.seq ?? 0) + 1,
      id: uuidv7(),
      at: this.clock.now(),
      actorId: actor.userId,
      actorName: actor.name,
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      outcome: input.outcome ?? 'success',
      clientIp: actor.clientIp,
      details: JSON.parse(detailsJson) as unknown,
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const event: ChainedEvent = { ...fields, prevHash, hash: hashEvent(fields, prevHash) };
    await auditRepository.insert(tx, event, detailsJson);
    return event;
  }

  /** Records an event in a transaction of its own (failed logins, refusals). */
  async recordAlone(actor: Actor, input: AuditInput): Promise<ChainedEvent> {
    return this.catalogue.db.transaction().execute((tx) => this.record(tx, actor, input));
  }

  async list(
    actor: Actor,
    filter: AuditFilter,
    limit = 100,
  ): Promise<{ items: ChainedEvent[]; nextBefore: number | null }> {
    assertPermission(actor, 'audit.read');
    const rows = await auditRepository.list(this.catalogue.db, filter, Math.min(Math.max(limit, 1), 1000));
    const items = rows.map(toChained);
    return { items, nextBefore: items.length === limit ? items[items.length - 1]!.seq : null };
  }

  /** Streams every matching event, newest first, page by page. */
  async *iterate(actor: Actor, filter: AuditFilter): AsyncGenerator<ChainedEvent> {
    assertPermission(actor, 'audit.read');
    let before = filter.before;
    for (;;) {
      const rows = await auditRepository.list(this.catalogue.db, { ...filter, before }, 1000);
      for (const r of rows) yield toChained(r);
      if (rows.length < 1000) return;
      before = Number(rows[rows.length - 1]!.seq);
    }
  }

  async verify(
    db: Executor = this.catalogue.db,
  ): Promise<{ ok: boolean; checked: number; firstBroken: ChainBreak | null }> {
    let last: { seq: number; hash: string } | null = null;
    let checked = 0;
    for await (const page of auditRepository.scan(db)) {
      const result = verifyChain(page.map(toChained), last);
      checked += result.checked;
      if (result.broken) return { ok: false, checked, firstBroken: result.broken };
      last = result.last;
    }
    return { ok: true, checked, firstBroken: null };
  }
}
