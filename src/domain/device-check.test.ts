import { describe, expect, it } from 'vitest';
import {
  actionAllowed,
  addYears,
  allowedActions,
  calendarDateIn,
  canTransition,
  CHECK_FAILURE_NAMES,
  CHECK_FAILURES,
  CONSUMABLE_ITEM_NAMES,
  CONSUMABLE_ITEMS,
  DEVICE_EVENT_KINDS,
  DEVICE_EVENT_NAMES,
  DEVICE_STATUS_NAMES,
  DEVICE_STATUSES,
  dueForReplacement,
  evaluateCheck,
  isCalendarDate,
  isDeviceStatus,
  isUsable,
  replacementDueOn,
  statusAfter,
  type DeviceAction,
  type DeviceStatus,
} from './device-check.js';

const LIMITS = { clockToleranceSeconds: 30, minBatteryPercent: 20, minFreeStorageMb: 1024 };
const SERVER = Date.UTC(2026, 7, 4, 2, 0, 0);
const good = { serverTime: SERVER, deviceTime: SERVER, batteryPercent: 80, freeStorageMb: 20_000 };

describe('pre-use check (A5.1): clock offset', () => {
  it('a device showing the server time passes with offset 0', () => {
    expect(evaluateCheck(good, LIMITS)).toEqual({
      offsetMs: 0,
      toleranceMs: 30_000,
      result: 'pass',
      failures: [],
    });
  });

  it('offset is device − server: positive when the device runs ahead, negative when behind', () => {
    expect(evaluateCheck({ ...good, deviceTime: SERVER + 12_345 }, LIMITS).offsetMs).toBe(12_345);
    expect(evaluateCheck({ ...good, deviceTime: SERVER - 12_345 }, LIMITS).offsetMs).toBe(-12_345);
  });

  it.each([
    [30_000, 'pass'],
    [-30_000, 'pass'],
    [29_999, 'pass'],
    [-29_999, 'pass'],
    [30_001, 'fail'],
    [-30_001, 'fail'],
    [300_000, 'fail'],
    [-300_000, 'fail'],
  ] as const)('the tolerance is inclusive: offset %i ms → %s', (offset, result) => {
    const r = evaluateCheck({ ...good, deviceTime: SERVER + offset }, LIMITS);
    expect(r.result).toBe(result);
    expect(r.failures).toEqual(result === 'pass' ? [] : ['CLOCK_OFFSET']);
    expect(r.offsetMs).toBe(offset);
  });

  it('a clock reset to 1970 (a drained device) fails with the full offset kept', () => {
    const r = evaluateCheck({ ...good, deviceTime: 0 }, LIMITS);
    expect(r).toMatchObject({ offsetMs: -SERVER, result: 'fail', failures: ['CLOCK_OFFSET'] });
  });

  it('the tolerance follows the settings', () => {
    const wide = { ...LIMITS, clockToleranceSeconds: 120 };
    expect(evaluateCheck({ ...good, deviceTime: SERVER + 120_000 }, wide)).toMatchObject({
      result: 'pass',
      toleranceMs: 120_000,
    });
    expect(evaluateCheck({ ...good, deviceTime: SERVER + 120_001 }, wide).result).toBe('fail');
    const narrow = { ...LIMITS, clockToleranceSeconds: 1 };
    expect(evaluateCheck({ ...good, deviceTime: SERVER + 1_000 }, narrow).result).toBe('pass');
    expect(evaluateCheck({ ...good, deviceTime: SERVER - 1_001 }, narrow).result).toBe('fail');
  });
});

describe('pre-use check (A5.1): battery and storage', () => {
  it.each([
    [20, 'pass'],
    [21, 'pass'],
    [100, 'pass'],
    [19, 'fail'],
    [0, 'fail'],
  ] as const)('battery %i%% with a 20%% minimum → %s', (battery, result) => {
    const r = evaluateCheck({ ...good, batteryPercent: battery }, LIMITS);
    expect(r.result).toBe(result);
    expect(r.failures).toEqual(result === 'pass' ? [] : ['BATTERY_LOW']);
  });

  it.each([
    [1024, 'pass'],
    [1025, 'pass'],
    [1023, 'fail'],
    [0, 'fail'],
  ] as const)('free storage %i MB with a 1024 MB minimum → %s', (mb, result) => {
    const r = evaluateCheck({ ...good, freeStorageMb: mb }, LIMITS);
    expect(r.result).toBe(result);
    expect(r.failures).toEqual(result === 'pass' ? [] : ['STORAGE_LOW']);
  });

  it('minimums of zero accept an empty battery and a full card', () => {
    expect(
      evaluateCheck(
        { ...good, batteryPercent: 0, freeStorageMb: 0 },
        { ...LIMITS, minBatteryPercent: 0, minFreeStorageMb: 0 },
      ).result,
    ).toBe('pass');
  });

  it('reports every failure at once, in a fixed order', () => {
    const r = evaluateCheck(
      { serverTime: SERVER, deviceTime: SERVER - 300_000, batteryPercent: 5, freeStorageMb: 10 },
      LIMITS,
    );
    expect(r).toEqual({
      offsetMs: -300_000,
      toleranceMs: 30_000,
      result: 'fail',
      failures: ['CLOCK_OFFSET', 'BATTERY_LOW', 'STORAGE_LOW'],
    });
    expect(evaluateCheck({ ...good, batteryPercent: 5, freeStorageMb: 10 }, LIMITS).failures).toEqual([
      'BATTERY_LOW',
      'STORAGE_LOW',
    ]);
    expect(
      evaluateCheck({ ...good, deviceTime: SERVER + 31_000, freeStorageMb: 10 }, LIMITS).failures,
    ).toEqual(['CLOCK_OFFSET', 'STORAGE_LOW']);
  });

  it('every failure code has a Chinese and an English message', () => {
    expect(Object.keys(CHECK_FAILURE_NAMES).sort()).toEqual([...CHECK_FAILURES].sort());
    for (const f of CHECK_FAILURES) {
      expect(CHECK_FAILURE_NAMES[f].zh).toMatch(/[\u4e00-\u9fff]/);
      expect(CHECK_FAILURE_NAMES[f].en).not.toBe('');
    }
  });
});

// The whole table, written out: any change to the rules must change this test.
const EXPECTED: Record<DeviceStatus, Partial<Record<DeviceAction, DeviceStatus>>> = {
  in_stock: {
    checkout: 'issued',
    start_maintenance: 'maintenance',
    maintenance: 'in_stock',
    consumable: 'in_stock',
    loss: 'lost',
    theft: 'lost',
    retirement: 'retired',
  },
  issued: {
    checkout: 'issued',
    checkin: 'in_stock',
    maintenance: 'issued',
    consumable: 'issued',
    loss: 'lost',
    theft: 'lost',
  },
  maintenance: {
    end_maintenance: 'in_stock',
    maintenance: 'maintenance',
    consumable: 'maintenance',
    loss: 'lost',
    theft: 'lost',
    retirement: 'retired',
  },
  lost: { found: 'in_stock', retirement: 'retired' },
  retired: {},
};
const ACTIONS: DeviceAction[] = [
  'checkout',
  'checkin',
  'start_maintenance',
  'end_maintenance',
  ...DEVICE_EVENT_KINDS,
];

describe('device status machine', () => {
  const cases = DEVICE_STATUSES.flatMap((s) => ACTIONS.map((a) => [s, a, EXPECTED[s][a] ?? null] as const));
  it.each(cases)('%s + %s → %s', (status, action, expected) => {
    expect(statusAfter(status, action)).toBe(expected);
    expect(actionAllowed(status, action)).toBe(expected !== null);
  });

  it('allowedActions lists exactly the allowed actions per status', () => {
    for (const s of DEVICE_STATUSES)
      expect(allowedActions(s).sort()).toEqual((Object.keys(EXPECTED[s]) as DeviceAction[]).sort());
  });

  it('retired is final: nothing is allowed and nothing leads out of it', () => {
    expect(allowedActions('retired')).toEqual([]);
    for (const to of DEVICE_STATUSES) expect(canTransition('retired', to)).toBe(false);
  });

  it('a lost device comes back only through "found", to in stock', () => {
    expect(canTransition('lost', 'in_stock')).toBe(true);
    expect(canTransition('lost', 'issued')).toBe(false);
    expect(canTransition('lost', 'maintenance')).toBe(false);
    expect(canTransition('lost', 'retired')).toBe(true);
    expect(statusAfter('lost', 'checkout')).toBeNull();
  });

  it('canTransition matches the table (and a status never "transitions" to itself)', () => {
    for (const from of DEVICE_STATUSES)
      for (const to of DEVICE_STATUSES) {
        const expected = from !== to && Object.values(EXPECTED[from]).includes(to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected);
      }
  });

  it('only in-stock and issued devices are usable for enforcement', () => {
    expect(DEVICE_STATUSES.filter(isUsable)).toEqual(['in_stock', 'issued']);
  });

  it('an issued device must be checked in before it is retired', () => {
    expect(statusAfter('issued', 'retirement')).toBeNull();
  });

  it('recognises statuses', () => {
    for (const s of DEVICE_STATUSES) expect(isDeviceStatus(s)).toBe(true);
    for (const s of ['', 'IN_STOCK', 'broken', 'in stock']) expect(isDeviceStatus(s)).toBe(false);
  });

  it('names every status, event kind and consumable in Chinese and English', () => {
    expect(DEVICE_STATUSES.map((s) => DEVICE_STATUS_NAMES[s].zh)).toEqual([
      '在库',
      '领用',
      '维修',
      '遗失',
      '报废',
    ]);
    for (const k of DEVICE_EVENT_KINDS) expect(DEVICE_EVENT_NAMES[k].zh).toMatch(/[\u4e00-\u9fff]/);
    for (const i of CONSUMABLE_ITEMS) expect(CONSUMABLE_ITEM_NAMES[i].zh).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('calendar dates', () => {
  it.each(['2026-01-01', '2026-12-31', '2024-02-29', '2000-02-29', '1900-01-01', '2999-12-31'])(
    '%s is a date',
    (d) => {
      expect(isCalendarDate(d)).toBe(true);
    },
  );
  it.each([
    '2026-02-29',
    '1900-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-01-00',
    '2026-1-1',
    '26-01-01',
    '2026/01/01',
    '2026-01-01T00:00',
    ' 2026-01-01',
    '1899-12-31',
    '3000-01-01',
    '',
  ])('%j is not a date', (d) => {
    expect(isCalendarDate(d)).toBe(false);
  });

  it('adds years; 29 February becomes 28 February in a common year', () => {
    expect(addYears('2021-03-15', 5)).toBe('2026-03-15');
    expect(addYears('2020-02-29', 1)).toBe('2021-02-28');
    expect(addYears('2020-02-29', 4)).toBe('2024-02-29');
    expect(addYears('2026-12-31', 0)).toBe('2026-12-31');
    expect(() => addYears('2026-02-30', 1)).toThrow(RangeError);
  });

  it('gives the calendar date in Asia/Shanghai (UTC+8), not UTC', () => {
    expect(calendarDateIn(Date.UTC(2026, 0, 1, 15, 59, 59), 'Asia/Shanghai')).toBe('2026-01-01');
    expect(calendarDateIn(Date.UTC(2026, 0, 1, 16, 0, 0), 'Asia/Shanghai')).toBe('2026-01-02');
    expect(calendarDateIn(Date.UTC(2025, 11, 31, 16, 0, 0), 'Asia/Shanghai')).toBe('2026-01-01');
    expect(calendarDateIn(Date.UTC(2025, 11, 31, 16, 0, 0), 'UTC')).toBe('2025-12-31');
  });
});

describe('replacement by age (A23.1)', () => {
  const inService = (purchaseDate: string | null, life = 5, status: DeviceStatus = 'in_stock') => ({
    purchaseDate,
    serviceLifeYears: life,
    status,
  });

  it('due when purchase date + service life is on or before 31 December of the report year', () => {
    expect(dueForReplacement(inService('2021-12-31'), 2026)).toBe(true); // due 2026-12-31: the boundary
    expect(dueForReplacement(inService('2021-01-01'), 2026)).toBe(true);
    expect(dueForReplacement(inService('2018-06-01'), 2026)).toBe(true); // long overdue still due
    expect(dueForReplacement(inService('2022-01-01'), 2026)).toBe(false); // due 2027-01-01
    expect(dueForReplacement(inService('2026-03-01'), 2026)).toBe(false);
  });

  it('uses the type service life', () => {
    expect(dueForReplacement(inService('2020-07-01', 6), 2026)).toBe(true);
    expect(dueForReplacement(inService('2021-07-01', 6), 2026)).toBe(false);
    expect(dueForReplacement(inService('2026-01-01', 0), 2026)).toBe(true);
  });

  it('29 February purchases age like any other date', () => {
    expect(replacementDueOn('2020-02-29', 5)).toBe('2025-02-28');
    expect(dueForReplacement(inService('2020-02-29'), 2025)).toBe(true);
    expect(dueForReplacement(inService('2020-02-29'), 2024)).toBe(false);
  });

  it('in-stock, issued and in-repair devices can be due; lost and retired ones cannot', () => {
    for (const s of ['in_stock', 'issued', 'maintenance'] as const)
      expect(dueForReplacement(inService('2019-01-01', 5, s), 2026), s).toBe(true);
    for (const s of ['lost', 'retired'] as const)
      expect(dueForReplacement(inService('2019-01-01', 5, s), 2026), s).toBe(false);
  });

  it('a device without a (valid) purchase date cannot be judged', () => {
    expect(replacementDueOn(null, 5)).toBeNull();
    expect(replacementDueOn('2019-02-30', 5)).toBeNull();
    expect(dueForReplacement(inService(null), 2026)).toBe(false);
  });
});
