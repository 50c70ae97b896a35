import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clip,
  covers,
  holes,
  intersect,
  length,
  mergeWithin,
  normalize,
  subtract,
  totalLength,
  union,
  type Interval,
} from './intervals.js';

// A small integer line so every property can be checked against a plain bitmap: the
// instant t is covered by [from, to) exactly when from <= t < to.
const SPAN = 120;
const anInterval = fc
  .tuple(fc.integer({ min: -5, max: SPAN + 5 }), fc.integer({ min: -5, max: SPAN + 5 }))
  .map(([from, to]): Interval => ({ from, to }));
const aList = fc.array(anInterval, { maxLength: 12 });
const aWindow = fc
  .tuple(fc.integer({ min: 0, max: SPAN }), fc.integer({ min: 0, max: SPAN }))
  .map(([a, b]): Interval => ({ from: Math.min(a, b), to: Math.max(a, b) }));

const POINTS = Array.from({ length: SPAN + 21 }, (_, k) => k - 10);
const bitmap = (list: readonly Interval[]) => POINTS.map((t) => list.some((i) => i.from <= t && t < i.to));

function isNormal(list: readonly Interval[]): boolean {
  return list.every((i, k) => i.to > i.from && (k === 0 || i.from > list[k - 1]!.to));
}

describe('normalize', () => {
  it('examples', () => {
    expect(normalize([])).toEqual([]);
    expect(
      normalize([
        { from: 5, to: 8 },
        { from: 0, to: 2 },
        { from: 2, to: 3 },
        { from: 7, to: 10 },
        { from: 4, to: 4 },
        { from: 9, to: 1 },
      ]),
    ).toEqual([
      { from: 0, to: 3 },
      { from: 5, to: 10 },
    ]);
  });

  it('drops non-finite intervals (unknown durations cover nothing)', () => {
    expect(
      normalize([
        { from: 0, to: NaN },
        { from: -Infinity, to: 3 },
        { from: 1, to: 2 },
      ]),
    ).toEqual([{ from: 1, to: 2 }]);
  });

  it('never changes its input', () => {
    const input = [
      { from: 3, to: 4 },
      { from: 1, to: 3 },
    ];
    normalize(input);
    mergeWithin(input, 10);
    expect(input).toEqual([
      { from: 3, to: 4 },
      { from: 1, to: 3 },
    ]);
  });

  it('property: the result is normal and covers exactly what the input covers', () => {
    fc.assert(
      fc.property(aList, (list) => {
        const n = normalize(list);
        expect(isNormal(n)).toBe(true);
        expect(bitmap(n)).toEqual(bitmap(list));
      }),
    );
  });
});

describe('union', () => {
  it('property: idempotent, commutative, associative', () => {
    fc.assert(
      fc.property(aList, aList, aList, (a, b, c) => {
        expect(union(a, a)).toEqual(normalize(a));
        expect(union(a, b)).toEqual(union(b, a));
        expect(union(union(a, b), c)).toEqual(union(a, union(b, c)));
      }),
    );
  });

  it('property: covers what either covers', () => {
    fc.assert(
      fc.property(aList, aList, (a, b) => {
        const ba = bitmap(a);
        const bb = bitmap(b);
        expect(bitmap(union(a, b))).toEqual(ba.map((v, k) => v || bb[k]));
      }),
    );
  });
});

describe('intersect, clip, subtract', () => {
  it('examples', () => {
    const a = [
      { from: 0, to: 10 },
      { from: 20, to: 30 },
    ];
    expect(intersect(a, [{ from: 5, to: 25 }])).toEqual([
      { from: 5, to: 10 },
      { from: 20, to: 25 },
    ]);
    expect(clip(a, { from: 10, to: 20 })).toEqual([]);
    expect(
      subtract(a, [
        { from: 2, to: 4 },
        { from: 8, to: 22 },
      ]),
    ).toEqual([
      { from: 0, to: 2 },
      { from: 4, to: 8 },
      { from: 22, to: 30 },
    ]);
  });

  it('property: intersect is both; subtract is one and not the other', () => {
    fc.assert(
      fc.property(aList, aList, (a, b) => {
        const ba = bitmap(a);
        const bb = bitmap(b);
        const i = intersect(a, b);
        const s = subtract(a, b);
        expect(isNormal(i)).toBe(true);
        expect(isNormal(s)).toBe(true);
        expect(bitmap(i)).toEqual(ba.map((v, k) => v && bb[k]));
        expect(bitmap(s)).toEqual(ba.map((v, k) => v && !bb[k]));
        expect(intersect(a, b)).toEqual(intersect(b, a));
      }),
    );
  });

  it('property: clipped coverage never exceeds the window', () => {
    fc.assert(
      fc.property(aList, aWindow, (list, w) => {
        const c = clip(list, w);
        expect(totalLength(c)).toBeLessThanOrEqual(length(w));
        expect(c.every((i) => i.from >= w.from && i.to <= w.to)).toBe(true);
      }),
    );
  });
});

describe('holes', () => {
  it('examples: leading, inner and trailing holes; none in an empty window', () => {
    const w = { from: 0, to: 100 };
    expect(
      holes(
        [
          { from: 10, to: 20 },
          { from: 50, to: 90 },
        ],
        w,
      ),
    ).toEqual([
      { from: 0, to: 10 },
      { from: 20, to: 50 },
      { from: 90, to: 100 },
    ]);
    expect(holes([], w)).toEqual([w]);
    expect(holes([{ from: -5, to: 200 }], w)).toEqual([]);
    expect(holes([], { from: 5, to: 5 })).toEqual([]);
  });

  it('property: holes and coverage partition the window', () => {
    fc.assert(
      fc.property(aList, aWindow, (list, w) => {
        const h = holes(list, w);
        const c = clip(list, w);
        expect(intersect(h, c)).toEqual([]);
        expect(union(h, c)).toEqual(normalize([w]));
        expect(totalLength(h) + totalLength(c)).toBe(length(w));
      }),
    );
  });
});

describe('mergeWithin (split tolerance)', () => {
  it('joins files at most the tolerance apart, and only those', () => {
    const files = [
      { from: 0, to: 10 },
      { from: 13, to: 20 },
      { from: 24, to: 30 },
    ];
    expect(mergeWithin(files, 3)).toEqual([
      { from: 0, to: 20 },
      { from: 24, to: 30 },
    ]);
    expect(mergeWithin(files, 2)).toEqual(files);
    expect(mergeWithin(files, 4)).toEqual([{ from: 0, to: 30 }]);
  });

  it('refuses a negative tolerance', () => {
    expect(() => mergeWithin([], -1)).toThrow(RangeError);
    expect(() => mergeWithin([], NaN)).toThrow(RangeError);
  });

  it('property: never reduces coverage; grows with the tolerance; leaves no hole within it', () => {
    fc.assert(
      fc.property(aList, fc.nat(10), fc.nat(10), (list, t1, t2) => {
        const [lo, hi] = t1 <= t2 ? [t1, t2] : [t2, t1];
        const m = mergeWithin(list, lo);
        expect(isNormal(m)).toBe(true);
        expect(subtract(normalize(list), m)).toEqual([]);
        expect(subtract(m, mergeWithin(list, hi))).toEqual([]);
        for (let k = 1; k < m.length; k++) expect(m[k]!.from - m[k - 1]!.to).toBeGreaterThan(lo);
        // what it adds are whole holes no longer than the tolerance
        for (const added of subtract(m, list)) expect(length(added)).toBeLessThanOrEqual(lo);
      }),
    );
  });
});

describe('totalLength and covers', () => {
  it('property: the length is the number of covered instants', () => {
    fc.assert(
      fc.property(aList, (list) => {
        expect(totalLength(list)).toBe(bitmap(list).filter(Boolean).length);
      }),
    );
  });

  it('half-open: the end instant is not covered', () => {
    expect(covers([{ from: 0, to: 10 }], 0)).toBe(true);
    expect(covers([{ from: 0, to: 10 }], 9)).toBe(true);
    expect(covers([{ from: 0, to: 10 }], 10)).toBe(false);
  });
});
