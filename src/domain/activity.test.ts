import { describe, expect, it } from 'vitest';
import {
  ACTIVITY_STATUSES,
  ACTIVITY_TYPE_NAMES,
  ACTIVITY_TYPES,
  canTransition,
  dayBounds,
  FUTURE_TOLERANCE_MS,
  isActivityType,
  nextStatus,
  reachable,
  recordingRequired,
  validateCoordinates,
  validatePlannedAt,
  validateTeam,
  validateTimes,
  type ActivityStatus,
  type ActivityTimes,
} from './activity.js';
import { AppError } from './errors.js';

const NOW = Date.UTC(2026, 7, 4, 2, 0, 0);
const H = 3600_000;

function codeOf(fn: () => unknown): { code: string; details?: Record<string, unknown> } | null {
  try {
    fn();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return { code: (e as AppError).code, details: (e as AppError).details };
  }
}

describe('activity types (A6.1)', () => {
  it('are the six of the regulation, in its order, with Chinese and English names', () => {
    expect(ACTIVITY_TYPES).toEqual([
      'routine_inspection',
      'complaint',
      'investigation',
      'service_of_documents',
      'coercive_measure',
      'other_onsite',
    ]);
    expect(ACTIVITY_TYPES.map((t) => ACTIVITY_TYPE_NAMES[t].zh)).toEqual([
      '日常执法检查',
      '投诉举报处置',
      '调查取证/先行登记保存',
      '证据及执法文书送达',
      '行政强制措施',
      '其他现场执法',
    ]);
    expect(ACTIVITY_TYPES.map((t) => ACTIVITY_TYPE_NAMES[t].item)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const t of ACTIVITY_TYPES) expect(ACTIVITY_TYPE_NAMES[t].en.length).toBeGreaterThan(3);
  });

  it('every type must be recorded, "other on-site enforcement" included', () => {
    for (const t of ACTIVITY_TYPES) expect(recordingRequired(t)).toBe(true);
  });

  it('recognises only known types', () => {
    expect(isActivityType('complaint')).toBe(true);
    expect(isActivityType('meeting')).toBe(false);
    expect(isActivityType('')).toBe(false);
  });
});

describe('activity status machine', () => {
  it('goes planned → in_progress → completed, and may be cancelled before completion', () => {
    const allowed: [ActivityStatus, ActivityStatus][] = [
      ['planned', 'in_progress'],
      ['planned', 'cancelled'],
      ['in_progress', 'completed'],
      ['in_progress', 'cancelled'],
    ];
    for (const from of ACTIVITY_STATUSES)
      for (const to of ACTIVITY_STATUSES)
        expect(canTransition(from, to), `${from}→${to}`).toBe(
          allowed.some(([a, b]) => a === from && b === to),
        );
    expect(reachable('planned', 'completed')).toBe(true);
    expect(reachable('completed', 'in_progress')).toBe(false);
    expect(reachable('cancelled', 'planned')).toBe(false);
    expect(reachable('completed', 'completed')).toBe(true);
  });

  it('derives the status from the times', () => {
    const none = { arrivedAt: null, endedAt: null };
    const arrived = { arrivedAt: NOW - H, endedAt: null };
    const ended = { arrivedAt: NOW - 2 * H, endedAt: NOW - H };
    expect(nextStatus('planned', undefined, none)).toBe('planned');
    expect(nextStatus('planned', undefined, arrived)).toBe('in_progress');
    expect(nextStatus('planned', undefined, ended)).toBe('completed');
    expect(nextStatus('in_progress', 'completed', ended)).toBe('completed');
    expect(nextStatus('planned', 'in_progress', arrived)).toBe('in_progress');
    expect(nextStatus('completed', undefined, ended)).toBe('completed');
  });

  it('refuses a requested status the times do not support, and never goes back', () => {
    const none = { arrivedAt: null, endedAt: null };
    const arrived = { arrivedAt: NOW - H, endedAt: null };
    const ended = { arrivedAt: NOW - 2 * H, endedAt: NOW - H };
    expect(codeOf(() => nextStatus('planned', 'completed', none))).toMatchObject({
      code: 'ACTIVITY_TIMES_INVALID',
      details: { rule: 'end_required' },
    });
    expect(codeOf(() => nextStatus('in_progress', 'completed', arrived))).toMatchObject({
      details: { rule: 'end_required', field: 'endedAt' },
    });
    expect(codeOf(() => nextStatus('planned', 'in_progress', none))).toMatchObject({
      details: { rule: 'arrival_required' },
    });
    expect(codeOf(() => nextStatus('in_progress', 'planned', arrived))?.code).toBe('ACTIVITY_STATUS_INVALID');
    expect(codeOf(() => nextStatus('in_progress', 'in_progress', ended))?.code).toBe(
      'ACTIVITY_STATUS_INVALID',
    );
    // clearing the end of a completed activity would take it back to in progress
    expect(codeOf(() => nextStatus('completed', undefined, arrived))).toMatchObject({
      code: 'ACTIVITY_STATUS_INVALID',
      details: { from: 'completed', to: 'in_progress' },
    });
  });

  it('cancels only what has not been completed, and cancelled is final', () => {
    const arrived = { arrivedAt: NOW - H, endedAt: null };
    const ended = { arrivedAt: NOW - 2 * H, endedAt: NOW - H };
    expect(nextStatus('planned', 'cancelled', { arrivedAt: null, endedAt: null })).toBe('cancelled');
    expect(nextStatus('in_progress', 'cancelled', arrived)).toBe('cancelled');
    expect(codeOf(() => nextStatus('completed', 'cancelled', ended))?.code).toBe('ACTIVITY_STATUS_INVALID');
    expect(codeOf(() => nextStatus('cancelled', 'planned', arrived))?.code).toBe('ACTIVITY_STATUS_INVALID');
    expect(nextStatus('cancelled', undefined, ended)).toBe('cancelled');
  });
});

describe('activity team', () => {
  it('needs at least two distinct officers', () => {
    expect(codeOf(() => validateTeam(['a'], 'a'))).toMatchObject({
      code: 'ACTIVITY_TOO_FEW_OFFICERS',
      details: { given: 1, minimum: 2 },
    });
    expect(codeOf(() => validateTeam(['a', 'a', ' a '], 'a'))).toMatchObject({
      code: 'ACTIVITY_TOO_FEW_OFFICERS',
      details: { given: 1 },
    });
    expect(codeOf(() => validateTeam([], 'a'))?.code).toBe('ACTIVITY_TOO_FEW_OFFICERS');
    expect(validateTeam(['a', 'b', 'a'], 'b')).toEqual({ officerIds: ['a', 'b'], inChargeId: 'b' });
  });

  it('needs the officer in charge among them', () => {
    expect(codeOf(() => validateTeam(['a', 'b'], 'c'))).toMatchObject({
      code: 'ACTIVITY_IN_CHARGE_INVALID',
      details: { inChargeId: 'c' },
    });
  });

  it('caps the team size', () => {
    const many = Array.from({ length: 31 }, (_, i) => `u${i}`);
    expect(codeOf(() => validateTeam(many, 'u0'))?.code).toBe('ACTIVITY_TOO_MANY_OFFICERS');
    expect(validateTeam(many.slice(0, 30), 'u0').officerIds).toHaveLength(30);
  });
});

describe('activity times (A9.1, A13.1)', () => {
  const base: ActivityTimes = { arrivedAt: null, endedAt: null, remoteWork: false, returnedAt: null };
  const rule = (t: Partial<ActivityTimes>) =>
    codeOf(() => validateTimes({ ...base, ...t }, NOW))?.details?.rule ?? null;

  it('accepts sensible times', () => {
    expect(rule({})).toBeNull();
    expect(rule({ arrivedAt: NOW - 2 * H })).toBeNull();
    expect(rule({ arrivedAt: NOW - 2 * H, endedAt: NOW - H })).toBeNull();
    expect(rule({ arrivedAt: NOW - H, endedAt: NOW - H })).toBeNull(); // a zero-length visit
    expect(
      rule({ arrivedAt: NOW - 3 * H, endedAt: NOW - 2 * H, remoteWork: true, returnedAt: NOW - H }),
    ).toBeNull();
    expect(rule({ arrivedAt: NOW - 3 * H, endedAt: NOW - 2 * H, remoteWork: true })).toBeNull(); // not back yet
  });

  it('refuses arrival after end, and an end without an arrival', () => {
    expect(
      codeOf(() => validateTimes({ ...base, arrivedAt: NOW - H, endedAt: NOW - 2 * H }, NOW)),
    ).toMatchObject({
      code: 'ACTIVITY_TIMES_INVALID',
      details: { rule: 'arrival_after_end', field: 'arrivedAt' },
    });
    expect(rule({ endedAt: NOW - H })).toBe('end_without_arrival');
  });

  it('refuses times in the future beyond a small tolerance', () => {
    expect(rule({ arrivedAt: NOW - H, endedAt: NOW + FUTURE_TOLERANCE_MS })).toBeNull();
    expect(rule({ arrivedAt: NOW - H, endedAt: NOW + FUTURE_TOLERANCE_MS + 1 })).toBe('in_future');
    expect(rule({ arrivedAt: NOW + H })).toBe('in_future');
  });

  it('refuses values that are not instants', () => {
    expect(rule({ arrivedAt: 12 })).toBe('not_a_time');
    expect(rule({ arrivedAt: NOW - 0.5 })).toBe('not_a_time');
    expect(rule({ arrivedAt: Number.NaN })).toBe('not_a_time');
  });

  it('a return time belongs to remote or continuous work and follows the end', () => {
    expect(rule({ arrivedAt: NOW - 3 * H, endedAt: NOW - 2 * H, returnedAt: NOW - H })).toBe(
      'return_without_remote_work',
    );
    expect(rule({ arrivedAt: NOW - 3 * H, remoteWork: true, returnedAt: NOW - H })).toBe(
      'return_without_end',
    );
    expect(
      rule({ arrivedAt: NOW - 3 * H, endedAt: NOW - 2 * H, remoteWork: true, returnedAt: NOW - 2 * H - 1 }),
    ).toBe('return_before_end');
    expect(
      rule({ arrivedAt: NOW - 3 * H, endedAt: NOW - 2 * H, remoteWork: true, returnedAt: NOW + H }),
    ).toBe('in_future');
  });

  it('bounds the planned time', () => {
    expect(codeOf(() => validatePlannedAt(NOW + 30 * 24 * H, NOW))).toBeNull();
    expect(codeOf(() => validatePlannedAt(NOW - 365 * 24 * H, NOW))).toBeNull();
    expect(codeOf(() => validatePlannedAt(NOW + 3 * 366 * 24 * H, NOW))?.code).toBe(
      'ACTIVITY_PLANNED_TIME_INVALID',
    );
    expect(codeOf(() => validatePlannedAt(0, NOW))?.code).toBe('ACTIVITY_PLANNED_TIME_INVALID');
  });
});

describe('activity place', () => {
  it('accepts both coordinates within range, or neither', () => {
    expect(codeOf(() => validateCoordinates(null, null))).toBeNull();
    expect(codeOf(() => validateCoordinates(33.58, 114.02))).toBeNull();
    expect(codeOf(() => validateCoordinates(-90, 180))).toBeNull();
  });

  it('refuses one without the other and values out of range', () => {
    expect(codeOf(() => validateCoordinates(33.5, null))).toMatchObject({
      code: 'ACTIVITY_COORDINATES_INVALID',
      details: { field: 'longitude' },
    });
    expect(codeOf(() => validateCoordinates(null, 114))).toMatchObject({ details: { field: 'latitude' } });
    expect(codeOf(() => validateCoordinates(90.01, 114))).toMatchObject({ details: { field: 'latitude' } });
    expect(codeOf(() => validateCoordinates(33, -180.5))).toMatchObject({ details: { field: 'longitude' } });
    expect(codeOf(() => validateCoordinates(Number.NaN, 114))?.code).toBe('ACTIVITY_COORDINATES_INVALID');
  });
});

describe('calendar day', () => {
  it('is the Asia/Shanghai day by default (UTC+8, no daylight saving)', () => {
    // 2026-08-04 02:00 UTC is 10:00 in Shanghai
    expect(dayBounds(NOW)).toEqual({
      start: Date.UTC(2026, 7, 3, 16),
      end: Date.UTC(2026, 7, 4, 16),
      date: '2026-08-04',
    });
    // 17:00 UTC is already the next day in Shanghai
    expect(dayBounds(Date.UTC(2026, 7, 4, 17)).date).toBe('2026-08-05');
    // exactly midnight belongs to the day it starts
    expect(dayBounds(Date.UTC(2026, 7, 3, 16)).date).toBe('2026-08-04');
    expect(dayBounds(Date.UTC(2026, 7, 3, 16) - 1).date).toBe('2026-08-03');
  });

  it('works across month and year ends and in other zones', () => {
    expect(dayBounds(Date.UTC(2026, 11, 31, 17)).date).toBe('2027-01-01');
    expect(dayBounds(Date.UTC(2026, 5, 1, 12), 'UTC')).toEqual({
      start: Date.UTC(2026, 5, 1),
      end: Date.UTC(2026, 5, 2),
      date: '2026-06-01',
    });
    // a 23-hour day: Berlin springs forward on 2026-03-29
    const b = dayBounds(Date.UTC(2026, 2, 29, 12), 'Europe/Berlin');
    expect(b.date).toBe('2026-03-29');
    expect(b.end - b.start).toBe(23 * H);
    expect(b.start).toBe(Date.UTC(2026, 2, 28, 23));
  });
});
