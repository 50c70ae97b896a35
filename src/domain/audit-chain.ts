// The audit trail is a hash chain: each event's hash covers its own fields and the
// previous event's hash, so changing, removing or reordering any stored event breaks
// every hash after it. The encoding is canonical JSON (sorted keys, no whitespace)
// so the same event always hashes the same on SQLite and PostgreSQL.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'success' | 'failure' | 'denied';

export interface AuditFields {
  seq: number;
  id: string;
  at: number;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: AuditOutcome;
  clientIp: string | null;
  details: unknown;
}

export interface ChainedEvent extends AuditFields {
  prevHash: string;
  hash: string;
}

/** Canonical JSON: object keys sorted, undefined dropped, non-finite numbers refused. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value))
        return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: unsupported type ${typeof value}`);
  }
}

export function hashEvent(fields: AuditFields, prevHash: string): string {
  const body = canonicalJson({ ...fields, prevHash });
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

export type ChainBreak = {
  seq: number;
  id: string;
  reason: 'prev_hash_mismatch' | 'hash_mismatch' | 'sequence_gap';
};

/**
 * Checks a run of events in sequence order. `previous` is the last verified event
 * before the run (null at the start of the chain).
 */
export function verifyChain(
  events: Iterable<ChainedEvent>,
  previous: { seq: number; hash: string } | null,
): { checked: number; last: { seq: number; hash: string } | null; broken: ChainBreak | null } {
  let last = previous;
  let checked = 0;
  for (const e of events) {
    const expectedPrev = last ? last.hash : GENESIS_HASH;
    const expectedSeq = last ? last.seq + 1 : 1;
    if (e.seq !== expectedSeq)
      return { checked, last, broken: { seq: e.seq, id: e.id, reason: 'sequence_gap' } };
    if (e.prevHash !== expectedPrev)
      return { checked, last, broken: { seq: e.seq, id: e.id, reason: 'prev_hash_mismatch' } };
    const { prevHash: _p, hash, ...fields } = e;
    if (hashEvent(fields, e.prevHash) !== hash)
      return { checked, last, broken: { seq: e.seq, id: e.id, reason: 'hash_mismatch' } };
    last = { seq: e.seq, hash };
    checked++;
  }
  return { checked, last, broken: null };
}
