import { describe, expect, it } from 'vitest';
import { activityWindow, chooseActivity, DEFAULT_LINK_SLACK_MS, type LinkCandidate } from './linking.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 7, 4, 2, 0, 0);
const at = (minutes: number) => T0 + minutes * MIN;

const activity = (o: Partial<LinkCandidate> & { id: string }): LinkCandidate => ({
  arrivedAt: at(0),
  endedAt: at(60),
  plannedAt: at(-30),
  officerIds: ['zhang'],
  deviceIds: [],
  status: 'completed',
  ...o,
});
const rec = (startMin: number, endMin: number | null = startMin + 5, holderId: string | null = 'zhang') => ({
  holderId,
  deviceId: 'cam1',
  recordedAt: at(startMin),
  endedAt: endMin === null ? null : at(endMin),
});

describe('chooseActivity', () => {
  it('links a recording inside the window of an activity of its holder', () => {
    expect(chooseActivity(rec(10), [activity({ id: 'a' })])).toEqual({
      activityId: 'a',
      reason: 'MATCHED',
      matches: 1,
    });
  });

  it('links by the device when the holder is unknown or not on the team', () => {
    const a = activity({ id: 'a', officerIds: ['li'], deviceIds: ['cam1'] });
    expect(chooseActivity(rec(10, 15, null), [a]).activityId).toBe('a');
    expect(chooseActivity(rec(10, 15, 'wang'), [a]).activityId).toBe('a');
    expect(chooseActivity(rec(10, 15, 'wang'), [activity({ id: 'b', officerIds: ['li'] })])).toEqual({
      activityId: null,
      reason: 'NO_ACTIVITY',
      matches: 0,
    });
  });

  it('allows the slack (default 10 minutes) before arrival and after the end, and no more', () => {
    const a = [activity({ id: 'a' })];
    expect(chooseActivity(rec(-10), a).activityId).toBe('a');
    expect(chooseActivity(rec(-10.01), a)).toMatchObject({ activityId: null, reason: 'OUTSIDE_WINDOWS' });
    expect(chooseActivity(rec(70), a).activityId).toBe('a');
    expect(chooseActivity(rec(70.01), a).activityId).toBeNull();
    expect(chooseActivity(rec(-3), a, { slackMs: 2 * MIN }).activityId).toBeNull();
    expect(chooseActivity(rec(-3), a, { slackMs: 0 }).activityId).toBeNull();
    expect(DEFAULT_LINK_SLACK_MS).toBe(10 * MIN);
  });

  it('judges by the start: a recording starting inside and running past the end still links', () => {
    expect(chooseActivity(rec(65, 120), [activity({ id: 'a' })]).activityId).toBe('a');
    expect(chooseActivity(rec(-20, 30), [activity({ id: 'a' })]).activityId).toBeNull();
  });

  it('never links to an activity without an arrival time, nor to a cancelled one', () => {
    expect(chooseActivity(rec(10), [activity({ id: 'a', arrivedAt: null, endedAt: null })])).toMatchObject({
      activityId: null,
      reason: 'OUTSIDE_WINDOWS',
    });
    expect(chooseActivity(rec(10), [activity({ id: 'a', status: 'cancelled' })]).activityId).toBeNull();
  });

  it('treats an activity in progress (no end yet) as open at its end', () => {
    const a = activity({ id: 'a', endedAt: null, status: 'in_progress' });
    expect(chooseActivity(rec(600), [a]).activityId).toBe('a');
    expect(activityWindow(a, MIN)).toEqual({ from: at(-1), to: Infinity });
  });

  it('prefers the greatest overlap among several, then the earliest arrival', () => {
    const early = activity({ id: 'early', arrivedAt: at(0), endedAt: at(30) });
    const late = activity({ id: 'late', arrivedAt: at(25), endedAt: at(90) });
    // 28–60: overlaps early (with slack) 28–40 = 12 min, late 28–60 = 32 min.
    expect(chooseActivity(rec(28, 60), [early, late])).toEqual({
      activityId: 'late',
      reason: 'BEST_OF_SEVERAL',
      matches: 2,
    });
    // A photo (no duration) overlaps both by zero: the earlier arrival wins, whatever the order.
    expect(chooseActivity(rec(28, null), [late, early]).activityId).toBe('early');
    expect(chooseActivity(rec(28, null), [early, late]).activityId).toBe('early');
  });

  it('cannot link a recording without a time', () => {
    expect(
      chooseActivity({ holderId: 'zhang', deviceId: 'cam1', recordedAt: null, endedAt: null }, [
        activity({ id: 'a' }),
      ]),
    ).toEqual({ activityId: null, reason: 'NO_TIME', matches: 0 });
  });

  it('refuses a negative slack', () => {
    expect(() => chooseActivity(rec(10), [], { slackMs: -1 })).toThrow(RangeError);
  });
});
