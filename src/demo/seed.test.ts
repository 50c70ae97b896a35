// The demonstration plan for every allowed number of days: each planted scenario once, all
// of it before today, nobody in two places at once, no camera recording twice at once.
import { describe, expect, it } from 'vitest';
import { wallTimeToEpoch } from '../domain/file-names.js';
import {
  DEMO_MAX_DAYS,
  DEMO_MIN_DAYS,
  DEVICES,
  PLANTED,
  planDemo,
  type ActivityPlan,
  type SessionPlan,
} from './seed.js';

const TZ = 'Asia/Shanghai';
const TODAY = '2026-08-04';
const MIN = 60_000;

const overlaps = (a: { from: number; to: number }, b: { from: number; to: number }) =>
  a.from < b.to && b.from < a.to;

describe('planDemo', () => {
  const counts = Array.from({ length: DEMO_MAX_DAYS - DEMO_MIN_DAYS + 1 }, (_, i) => DEMO_MIN_DAYS + i);

  it.each(counts)('plans %i days consistently', (days) => {
    const plans = planDemo(days, TODAY, TZ);
    const todayStart = wallTimeToEpoch(`${TODAY}T00:00:00.000`, TZ)!;
    const firstDay = todayStart - days * 24 * 60 * MIN;

    // Every planted scenario exactly once; the rest are ordinary activities.
    for (const s of PLANTED)
      expect(
        plans.filter((p) => p.scenario === s),
        s,
      ).toHaveLength(1);
    expect(plans.filter((p) => p.scenario === 'normal').length).toBeGreaterThanOrEqual(2);
    const perDay = new Map<string, number>();
    for (const p of plans) perDay.set(p.date, (perDay.get(p.date) ?? 0) + 1);
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(5);

    const sessions: SessionPlan[] = plans.flatMap((p) => [...p.sessions, ...p.stray]);
    for (const p of plans) {
      expect(p.plannedAt).toBeGreaterThanOrEqual(firstDay);
      expect(p.plannedAt).toBeLessThan(p.arrivedAt);
      expect(p.arrivedAt).toBeLessThan(p.endedAt);
      expect(p.endedAt).toBeLessThan(todayStart);
      // Recordings of the activity lie inside its window.
      for (const s of p.sessions) {
        expect(s.start).toBeGreaterThanOrEqual(p.arrivedAt);
        expect(s.start + s.seconds * 1000).toBeLessThanOrEqual(p.endedAt);
      }
    }
    // Every card is docked before today, the late one the next morning.
    for (const s of sessions) expect(s.importAt).toBeLessThan(todayStart);
    const late = plans.find((p) => p.scenario === 'late_import')!;
    expect(late.sessions[0]!.importAt - late.endedAt).toBeGreaterThan(12 * 60 * MIN);

    // Nobody is on two activities at once (from creating it to closing it).
    const busy = (p: ActivityPlan) => ({ from: p.plannedAt - 40 * MIN, to: p.endedAt + 3 * MIN });
    for (const [i, a] of plans.entries())
      for (const b of plans.slice(i + 1))
        if (a.team.some((u) => b.team.includes(u))) expect(overlaps(busy(a), busy(b))).toBe(false);
    // No camera records twice at once; stray recordings lie outside every activity's reach.
    const span = (s: SessionPlan) => ({ from: s.start, to: s.start + s.seconds * 1000 });
    for (const [i, a] of sessions.entries())
      for (const b of sessions.slice(i + 1))
        if (a.serial === b.serial) expect(overlaps(span(a), span(b))).toBe(false);
    for (const s of plans.flatMap((p) => p.stray))
      for (const p of plans)
        expect(overlaps(span(s), { from: p.arrivedAt - 10 * MIN, to: p.endedAt + 10 * MIN })).toBe(false);

    // Planted defects sit where they show: the missing number on the recorder with a counter,
    // the edit on a camera whose names carry the time.
    const naming = (s: SessionPlan) => DEVICES.find((d) => d.serial === s.serial)!.naming;
    const gap = plans.find((p) => p.scenario === 'sequence_gap')!;
    expect(naming(gap.sessions[0]!)).toBe('dcim-record');
    expect(gap.sessions[0]!.dropSeq).toEqual([2]);
    const edited = plans.find((p) => p.scenario === 'edited')!;
    expect(naming(edited.sessions[0]!)).toBe('device-officer-time');
    expect(edited.sessions[0]!.editSeq).toHaveLength(1);
    for (const s of ['exemption_pending', 'exemption_approved'])
      expect(plans.find((p) => p.scenario === s)!.sessions).toEqual([]);
  });

  it('is deterministic', () => {
    expect(planDemo(14, TODAY, TZ)).toEqual(planDemo(14, TODAY, TZ));
  });
});
