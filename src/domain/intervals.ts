// Interval arithmetic on the time line (A9.1 coverage, A11 gaps). Every interval is
// half-open, [from, to) in epoch ms, so two files that meet end to start leave no hole and
// no overlap. A list is "normal" when it is sorted, every interval is non-empty and no two
// touch or overlap; every function here returns normal lists and accepts any list.

export interface Interval {
  from: number;
  to: number;
}

/** Length of one interval (0 for an empty or reversed one). */
export function length(i: Interval): number {
  return i.to > i.from ? i.to - i.from : 0;
}

/**
 * Sorted, non-empty, disjoint and non-touching. Empty, reversed and non-finite intervals
 * are dropped: a file with an unknown or zero duration covers nothing.
 */
export function normalize(list: readonly Interval[]): Interval[] {
  return mergeWithin(list, 0);
}

/**
 * Normalises, then joins neighbours separated by at most `toleranceMs`: the hole between
 * them counts as covered (a device's split files of one continuous recording).
 */
export function mergeWithin(list: readonly Interval[], toleranceMs: number): Interval[] {
  if (!(toleranceMs >= 0)) throw new RangeError('toleranceMs must be a non-negative number');
  const valid = list
    .filter((i) => Number.isFinite(i.from) && Number.isFinite(i.to) && i.to > i.from)
    .map((i) => ({ from: i.from, to: i.to }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const out: Interval[] = [];
  for (const i of valid) {
    const last = out[out.length - 1];
    if (last && i.from - last.to <= toleranceMs) last.to = Math.max(last.to, i.to);
    else out.push(i);
  }
  return out;
}

/** Everything any of the lists covers. */
export function union(...lists: readonly (readonly Interval[])[]): Interval[] {
  return normalize(lists.flat());
}

/** What both lists cover. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const x = normalize(a);
  const y = normalize(b);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const from = Math.max(x[i]!.from, y[j]!.from);
    const to = Math.min(x[i]!.to, y[j]!.to);
    if (to > from) out.push({ from, to });
    // the one that ends first cannot meet anything further along the other list
    if (x[i]!.to < y[j]!.to) i++;
    else j++;
  }
  return out;
}

/** The part of `list` inside `window`. */
export function clip(list: readonly Interval[], window: Interval): Interval[] {
  return intersect(list, [window]);
}

/** What `a` covers and `b` does not. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const cut = normalize(b);
  const out: Interval[] = [];
  let j = 0;
  for (const i of normalize(a)) {
    let from = i.from;
    // cuts ending before this interval cannot touch it or any later one
    while (j < cut.length && cut[j]!.to <= from) j++;
    let k = j;
    while (k < cut.length && cut[k]!.from < i.to) {
      if (cut[k]!.from > from) out.push({ from, to: cut[k]!.from });
      from = Math.max(from, cut[k]!.to);
      k++;
    }
    if (from < i.to) out.push({ from, to: i.to });
  }
  return out;
}

/** The holes: the parts of `window` that `list` leaves uncovered. */
export function holes(list: readonly Interval[], window: Interval): Interval[] {
  return subtract([window], list);
}

/** Total covered length of a list (overlaps counted once). */
export function totalLength(list: readonly Interval[]): number {
  return normalize(list).reduce((sum, i) => sum + (i.to - i.from), 0);
}

/** Whether the instant `t` is covered. */
export function covers(list: readonly Interval[], t: number): boolean {
  return list.some((i) => i.from <= t && t < i.to);
}
