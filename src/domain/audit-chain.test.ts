import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  GENESIS_HASH,
  hashEvent,
  verifyChain,
  type AuditFields,
  type ChainedEvent,
} from './audit-chain.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Builds a valid chain of n events, optionally continuing after `previous`. */
function buildChain(n: number, previous: { seq: number; hash: string } | null = null): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prevHash = previous?.hash ?? GENESIS_HASH;
  let seq = previous?.seq ?? 0;
  for (let i = 0; i < n; i++) {
    seq++;
    const fields: AuditFields = {
      seq,
      id: `evt-${seq}`,
      at: 1_700_000_000_000 + seq * 1000,
      actorId: seq % 3 === 0 ? null : `user-${seq % 5}`,
      actorName: seq % 3 === 0 ? null : `执法人员${seq % 5}`,
      action: seq % 2 === 0 ? 'user.update' : 'auth.login',
      targetType: seq % 2 === 0 ? 'user' : null,
      targetId: seq % 2 === 0 ? `user-${seq}` : null,
      outcome: seq % 7 === 0 ? 'denied' : seq % 4 === 0 ? 'failure' : 'success',
      clientIp: seq % 3 === 0 ? null : '10.0.0.1',
      details: { n: seq, tags: ['a', '甲'], nested: { ok: seq % 2 === 0 } },
    };
    const hash = hashEvent(fields, prevHash);
    events.push({ ...fields, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

/** Re-hashes an edited event so its own hash is right but the chain after it is not. */
function rehash(e: ChainedEvent): ChainedEvent {
  const { prevHash, hash: _h, ...fields } = e;
  return { ...e, hash: hashEvent(fields, prevHash) };
}

describe('canonicalJson', () => {
  it('encodes scalars like JSON', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson(0)).toBe('0');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(42)).toBe('42');
    expect(canonicalJson(-1.5)).toBe('-1.5');
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson('')).toBe('""');
    expect(canonicalJson('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
  });

  it('is independent of key insertion order', () => {
    const a = canonicalJson({ b: 1, a: 2, c: { y: 1, x: 2 } });
    const b = canonicalJson({ c: { x: 2, y: 1 }, a: 2, b: 1 });
    expect(a).toBe(b);
    expect(a).toBe('{"a":2,"b":1,"c":{"x":2,"y":1}}');
  });

  it('sorts keys by code unit, upper case before lower case', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, A: 4, _: 5, '1': 6 })).toBe(
      '{"1":6,"A":4,"B":2,"_":5,"a":3,"b":1}',
    );
  });

  it('keeps array order and sorts objects nested inside arrays', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson([{ z: 1, a: [{ d: 1, c: 2 }] }, [], {}])).toBe(
      '[{"a":[{"c":2,"d":1}],"z":1},[],{}]',
    );
  });

  it('emits no whitespace', () => {
    expect(canonicalJson({ a: [1, { b: 'x y' }], c: null })).toBe('{"a":[1,{"b":"x y"}],"c":null}');
  });

  it('keeps unicode and Chinese strings as they are (no \\u escapes), in keys and values', () => {
    expect(canonicalJson({ 姓名: '张三', note: '执法记录仪 📹' })).toBe(
      '{"note":"执法记录仪 📹","姓名":"张三"}',
    );
  });

  it('sorts Chinese keys deterministically', () => {
    expect(canonicalJson({ 乙: 2, 甲: 1 })).toBe(canonicalJson({ 甲: 1, 乙: 2 }));
  });

  it('drops undefined object members but writes undefined array items as null (as JSON does)', () => {
    expect(canonicalJson({ a: 1, b: undefined, c: { d: undefined } })).toBe('{"a":1,"c":{}}');
    expect(canonicalJson([1, undefined, 2])).toBe('[1,null,2]');
    expect(canonicalJson({ a: undefined })).toBe(canonicalJson({}));
  });

  it('agrees with JSON.stringify on key-sorted plain data', () => {
    const value = { a: [1, 'two', null, true, { b: 0.5 }], c: '中文', d: { e: { f: [] } } };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it.each([NaN, Infinity, -Infinity])('refuses the non-finite number %s, also nested', (n) => {
    expect(() => canonicalJson(n)).toThrow(TypeError);
    expect(() => canonicalJson({ a: { b: n } })).toThrow(TypeError);
    expect(() => canonicalJson([1, n])).toThrow(TypeError);
  });

  it('refuses functions, symbols and bigints, also nested', () => {
    expect(() => canonicalJson(() => 1)).toThrow(TypeError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson([function named() {}])).toThrow(TypeError);
    expect(() => canonicalJson(Symbol('s'))).toThrow(TypeError);
    expect(() => canonicalJson({ s: Symbol('s') })).toThrow(TypeError);
    expect(() => canonicalJson(10n)).toThrow(TypeError);
  });

  it('refuses a bare undefined', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('round-trips through JSON.parse to the same canonical text', () => {
    const value = { z: [{ y: 'ü', x: -3 }], a: { c: null, b: false } };
    const text = canonicalJson(value);
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });
});

describe('hashEvent', () => {
  const fields: AuditFields = {
    seq: 1,
    id: '0190a1b2-0000-7000-8000-000000000001',
    at: 1700000000000,
    actorId: 'u1',
    actorName: '张三',
    action: 'user.create',
    targetType: 'user',
    targetId: 'u2',
    outcome: 'success',
    clientIp: '127.0.0.1',
    details: { b: [1, 'x'], a: { z: null, y: true } },
  };

  // Written by hand: sorted keys, no whitespace, prevHash among the fields.
  const canonicalByHand =
    '{"action":"user.create","actorId":"u1","actorName":"张三","at":1700000000000,"clientIp":"127.0.0.1",' +
    '"details":{"a":{"y":true,"z":null},"b":[1,"x"]},"id":"0190a1b2-0000-7000-8000-000000000001",' +
    '"outcome":"success","prevHash":"0000000000000000000000000000000000000000000000000000000000000000",' +
    '"seq":1,"targetId":"u2","targetType":"user"}';

  it('A14.1 pins the encoding: a fixed event has a fixed, independently computed SHA-256', () => {
    // Computed once with `node -e` and node:crypto over canonicalByHand, not with the module.
    const expected = '87092486088fa83adc89f291bb3a0a4bb6bea7fd8d95e8efdc157d798599f563';
    expect(sha256(canonicalByHand)).toBe(expected);
    expect(canonicalJson({ ...fields, prevHash: GENESIS_HASH })).toBe(canonicalByHand);
    expect(hashEvent(fields, GENESIS_HASH)).toBe(expected);
  });

  it('pins the encoding of nulls and empty details too', () => {
    const f: AuditFields = {
      seq: 2,
      id: 'e2',
      at: 0,
      actorId: null,
      actorName: null,
      action: 'login',
      targetType: null,
      targetId: null,
      outcome: 'failure',
      clientIp: null,
      details: {},
    };
    expect(hashEvent(f, 'a'.repeat(64))).toBe(
      '65b203839830b3e09757a829b25e06227ec65b2ca709a0d22da743a1fbdb5c74',
    );
  });

  it('GENESIS_HASH is 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
  });

  it('is a 64-char lower-case hex string and deterministic', () => {
    const h = hashEvent(fields, GENESIS_HASH);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent({ ...fields }, GENESIS_HASH)).toBe(h);
  });

  it('does not depend on field insertion order', () => {
    const reversed = Object.fromEntries(Object.entries(fields).reverse()) as unknown as AuditFields;
    expect(hashEvent(reversed, GENESIS_HASH)).toBe(hashEvent(fields, GENESIS_HASH));
  });

  const changes: { [K in keyof AuditFields]: AuditFields[K][] } = {
    seq: [2, 0],
    id: ['0190a1b2-0000-7000-8000-000000000002', ''],
    at: [1700000000001, 0],
    actorId: ['u9', null],
    actorName: ['李四', null, '张三 '],
    action: ['user.delete', 'User.create'],
    targetType: ['unit', null],
    targetId: ['u3', null],
    outcome: ['failure', 'denied'],
    clientIp: ['127.0.0.2', null],
    details: [
      { b: [1, 'y'], a: { z: null, y: true } },
      { b: ['x', 1], a: { z: null, y: true } },
      {},
      null,
      { b: [1, 'x'], a: { z: null, y: true }, c: 1 },
    ],
  };

  it('covers every field of AuditFields in the change table', () => {
    expect(Object.keys(changes).sort()).toEqual(Object.keys(fields).sort());
  });

  for (const key of Object.keys(changes) as (keyof AuditFields)[]) {
    it(`A19.1 changes when ${key} changes`, () => {
      const base = hashEvent(fields, GENESIS_HASH);
      for (const v of changes[key]) {
        const changed = { ...fields, [key]: v } as AuditFields;
        expect(hashEvent(changed, GENESIS_HASH), `${key} = ${JSON.stringify(v)}`).not.toBe(base);
      }
    });
  }

  it('changes when prevHash changes', () => {
    expect(hashEvent(fields, 'f'.repeat(64))).not.toBe(hashEvent(fields, GENESIS_HASH));
    expect(hashEvent(fields, '0'.repeat(63) + '1')).not.toBe(hashEvent(fields, GENESIS_HASH));
  });

  it('distinguishes a number from the same digits as a string', () => {
    expect(hashEvent({ ...fields, details: { n: 1 } }, GENESIS_HASH)).not.toBe(
      hashEvent({ ...fields, details: { n: '1' } }, GENESIS_HASH),
    );
  });
});

describe('verifyChain', () => {
  it('accepts an empty run', () => {
    expect(verifyChain([], null)).toEqual({ checked: 0, last: null, broken: null });
    const prev = { seq: 5, hash: 'a'.repeat(64) };
    expect(verifyChain([], prev)).toEqual({ checked: 0, last: prev, broken: null });
  });

  it('A14.1 accepts an intact chain of N events from genesis', () => {
    for (const n of [1, 2, 10, 100]) {
      const chain = buildChain(n);
      const r = verifyChain(chain, null);
      expect(r.broken).toBeNull();
      expect(r.checked).toBe(n);
      expect(r.last).toEqual({ seq: n, hash: chain[n - 1]!.hash });
    }
  });

  it('accepts any iterable (a generator), not only arrays', () => {
    const chain = buildChain(5);
    function* gen() {
      yield* chain;
    }
    expect(verifyChain(gen(), null)).toMatchObject({ checked: 5, broken: null });
  });

  it('A19.1 tampered details → hash_mismatch at that seq', () => {
    const chain = buildChain(10);
    chain[4] = { ...chain[4]!, details: { n: 5, tags: ['a', '甲'], nested: { ok: true } } };
    const r = verifyChain(chain, null);
    expect(r.broken).toEqual({ seq: 5, id: 'evt-5', reason: 'hash_mismatch' });
    expect(r.checked).toBe(4);
    expect(r.last).toEqual({ seq: 4, hash: chain[3]!.hash });
  });

  it('A19.1 tampering with any single field → hash_mismatch at that seq', () => {
    const edits: Partial<AuditFields>[] = [
      { id: 'evt-x' },
      { at: 1 },
      { actorId: 'someone-else' },
      { actorName: '王五' },
      { action: 'user.delete' },
      { targetType: 'unit' },
      { targetId: 'other' },
      { outcome: 'denied' },
      { clientIp: '192.168.0.1' },
      { details: {} },
    ];
    for (const edit of edits) {
      const chain = buildChain(6);
      chain[2] = { ...chain[2]!, ...edit };
      expect(verifyChain(chain, null).broken, JSON.stringify(edit)).toEqual({
        seq: 3,
        id: chain[2]!.id,
        reason: 'hash_mismatch',
      });
    }
  });

  it('a tampered stored hash → hash_mismatch', () => {
    const chain = buildChain(3);
    chain[1] = { ...chain[1]!, hash: 'b'.repeat(64) };
    expect(verifyChain(chain, null).broken).toEqual({ seq: 2, id: 'evt-2', reason: 'hash_mismatch' });
  });

  it('an edited event whose own hash was recomputed breaks the next link → prev_hash_mismatch', () => {
    const chain = buildChain(5);
    chain[1] = rehash({ ...chain[1]!, details: { forged: true } });
    const r = verifyChain(chain, null);
    expect(r.broken).toEqual({ seq: 3, id: 'evt-3', reason: 'prev_hash_mismatch' });
    expect(r.checked).toBe(2);
  });

  it('A19.1 removed middle event → sequence_gap', () => {
    const chain = buildChain(10);
    const cut = [...chain.slice(0, 6), ...chain.slice(7)];
    const r = verifyChain(cut, null);
    expect(r.broken).toEqual({ seq: 8, id: 'evt-8', reason: 'sequence_gap' });
    expect(r.checked).toBe(6);
    expect(r.last).toEqual({ seq: 6, hash: chain[5]!.hash });
  });

  it('removed first event → sequence_gap at the start', () => {
    const chain = buildChain(3);
    expect(verifyChain(chain.slice(1), null).broken).toEqual({ seq: 2, id: 'evt-2', reason: 'sequence_gap' });
  });

  it('removed event with renumbered seqs (and re-hashed) → prev_hash_mismatch', () => {
    const chain = buildChain(5);
    const cut = [chain[0]!, chain[1]!, rehash({ ...chain[3]!, seq: 3 }), rehash({ ...chain[4]!, seq: 4 })];
    expect(verifyChain(cut, null).broken).toEqual({ seq: 3, id: 'evt-4', reason: 'prev_hash_mismatch' });
  });

  it('swapped events → broken at the first swapped position', () => {
    const chain = buildChain(6);
    const swapped = [...chain];
    [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
    expect(verifyChain(swapped, null).broken).toEqual({ seq: 4, id: 'evt-4', reason: 'sequence_gap' });

    // Swapped with their seqs exchanged too: the sequence looks right but the links do not.
    const renumbered = [...chain];
    renumbered[2] = { ...chain[3]!, seq: 3 };
    renumbered[3] = { ...chain[2]!, seq: 4 };
    expect(verifyChain(renumbered, null).broken).toEqual({
      seq: 3,
      id: 'evt-4',
      reason: 'prev_hash_mismatch',
    });
  });

  it('duplicated event → sequence_gap', () => {
    const chain = buildChain(4);
    const dup = [chain[0]!, chain[1]!, chain[1]!, chain[2]!];
    expect(verifyChain(dup, null).broken).toEqual({ seq: 2, id: 'evt-2', reason: 'sequence_gap' });
  });

  it('wrong prevHash → prev_hash_mismatch', () => {
    const chain = buildChain(4);
    chain[2] = rehash({ ...chain[2]!, prevHash: 'c'.repeat(64) });
    const r = verifyChain(chain, null);
    expect(r.broken).toEqual({ seq: 3, id: 'evt-3', reason: 'prev_hash_mismatch' });
    expect(r.last).toEqual({ seq: 2, hash: chain[1]!.hash });
  });

  it('first event must link to the genesis hash', () => {
    const chain = buildChain(2);
    chain[0] = rehash({ ...chain[0]!, prevHash: 'd'.repeat(64) });
    expect(verifyChain(chain, null).broken).toEqual({ seq: 1, id: 'evt-1', reason: 'prev_hash_mismatch' });
  });

  it('continues from a `previous` checkpoint across pages', () => {
    const chain = buildChain(25);
    let checkpoint: { seq: number; hash: string } | null = null;
    let total = 0;
    for (let i = 0; i < chain.length; i += 7) {
      const r = verifyChain(chain.slice(i, i + 7), checkpoint);
      expect(r.broken).toBeNull();
      total += r.checked;
      checkpoint = r.last;
    }
    expect(total).toBe(25);
    expect(checkpoint).toEqual({ seq: 25, hash: chain[24]!.hash });
  });

  it('a page that does not follow its checkpoint is broken', () => {
    const chain = buildChain(10);
    const page1 = verifyChain(chain.slice(0, 5), null);
    expect(page1.broken).toBeNull();
    // Skipping a page → sequence gap.
    expect(verifyChain(chain.slice(6), page1.last).broken).toEqual({
      seq: 7,
      id: 'evt-7',
      reason: 'sequence_gap',
    });
    // A checkpoint with the right seq but a different hash → prev_hash_mismatch.
    expect(verifyChain(chain.slice(5), { seq: 5, hash: 'e'.repeat(64) }).broken).toEqual({
      seq: 6,
      id: 'evt-6',
      reason: 'prev_hash_mismatch',
    });
  });

  it('verifies a chain started after a checkpoint built elsewhere', () => {
    const start = { seq: 1000, hash: sha256('checkpoint') };
    const chain = buildChain(5, start);
    expect(chain[0]!.seq).toBe(1001);
    expect(verifyChain(chain, start)).toEqual({
      checked: 5,
      last: { seq: 1005, hash: chain[4]!.hash },
      broken: null,
    });
    expect(verifyChain(chain, null).broken).toEqual({ seq: 1001, id: 'evt-1001', reason: 'sequence_gap' });
  });

  it('stops at the first break and reports nothing after it', () => {
    const chain = buildChain(8);
    chain[2] = { ...chain[2]!, action: 'x' };
    chain[6] = { ...chain[6]!, action: 'y' };
    const r = verifyChain(chain, null);
    expect(r.broken?.seq).toBe(3);
    expect(r.checked).toBe(2);
  });

  it('verifies events whose details went through a JSON round trip (as stored)', () => {
    const chain = buildChain(5).map((e) => ({
      ...e,
      details: JSON.parse(canonicalJson(e.details)) as unknown,
    }));
    expect(verifyChain(chain, null).broken).toBeNull();
  });
});
