import { describe, expect, it } from 'vitest';
import {
  CASE_STATUS_DATE,
  CASE_STATUSES,
  caseNumberMatcher,
  checkCaseDates,
  checkCaseTransition,
  formatCaseNumber,
  isCalendarDate,
  isRetentionYears,
  localDate,
  nextCaseSeq,
  nextCaseStatus,
} from './case.js';

const PATTERN = '{unitCode}罚〔{year}〕{seq}号';

describe('case status chain', () => {
  it('moves forward one step at a time: 立案 → 调查 → 决定 → 结案 → 归档', () => {
    expect(CASE_STATUSES).toEqual(['filed', 'investigating', 'decided', 'closed', 'archived']);
    for (let i = 0; i + 1 < CASE_STATUSES.length; i++)
      expect(checkCaseTransition(CASE_STATUSES[i]!, CASE_STATUSES[i + 1]!)).toEqual({ ok: true });
    expect(nextCaseStatus('archived')).toBeNull();
  });

  it('refuses going back, staying and skipping, and says what comes next', () => {
    expect(checkCaseTransition('decided', 'investigating')).toEqual({
      ok: false,
      reason: 'backward',
      next: 'closed',
    });
    expect(checkCaseTransition('filed', 'filed')).toEqual({
      ok: false,
      reason: 'same',
      next: 'investigating',
    });
    expect(checkCaseTransition('filed', 'closed')).toEqual({
      ok: false,
      reason: 'skip',
      next: 'investigating',
    });
    expect(checkCaseTransition('archived', 'filed')).toEqual({ ok: false, reason: 'backward', next: null });
  });

  it('names the date each status sets', () => {
    expect(CASE_STATUS_DATE).toEqual({
      filed: 'filedOn',
      investigating: null,
      decided: 'decidedOn',
      closed: 'closedOn',
      archived: 'archivedOn',
    });
  });

  it('keeps the dates in procedural order and not in the future', () => {
    const base = { filedOn: '2026-03-01', decidedOn: null, closedOn: null, archivedOn: null };
    expect(checkCaseDates(base, '2026-08-04')).toEqual({ ok: true });
    expect(
      checkCaseDates({ ...base, decidedOn: '2026-04-01', closedOn: '2026-04-01' }, '2026-08-04'),
    ).toEqual({ ok: true });
    expect(checkCaseDates({ ...base, decidedOn: '2026-02-28' }, '2026-08-04')).toEqual({
      ok: false,
      field: 'decidedOn',
      reason: 'order',
    });
    expect(checkCaseDates({ ...base, closedOn: '2026-02-01' }, '2026-08-04')).toEqual({
      ok: false,
      field: 'closedOn',
      reason: 'order',
    });
    expect(checkCaseDates({ ...base, filedOn: '2026-08-05' }, '2026-08-04')).toEqual({
      ok: false,
      field: 'filedOn',
      reason: 'future',
    });
    expect(checkCaseDates({ ...base, filedOn: '2026-02-30' }, '2026-08-04')).toEqual({
      ok: false,
      field: 'filedOn',
      reason: 'invalid',
    });
  });
});

describe('case numbers', () => {
  it('fills the pattern with the unit code, the year and a three-digit sequence', () => {
    expect(formatCaseNumber(PATTERN, { unitCode: '漯牧执', year: 2026 }, 7)).toBe('漯牧执罚〔2026〕007号');
    expect(formatCaseNumber(PATTERN, { unitCode: '漯牧执', year: 2026 }, 1234)).toBe(
      '漯牧执罚〔2026〕1234号',
    );
    expect(formatCaseNumber('ZF-{year}-{seq}', { unitCode: null, year: 2025 }, 12)).toBe('ZF-2025-012');
    expect(() => formatCaseNumber(PATTERN, { unitCode: 'X', year: 2026 }, 0)).toThrow();
  });

  it('continues after the highest number of the same unit and year, ignoring others', () => {
    const parts = { unitCode: '漯牧执', year: 2026 };
    const existing = [
      '漯牧执罚〔2026〕001号',
      '漯牧执罚〔2026〕009号',
      '漯牧执罚〔2025〕120号',
      '郾牧执罚〔2026〕300号',
      '漯牧执罚〔2026〕12号',
      '漯牧执罚〔2026〕abc号',
    ];
    expect(nextCaseSeq(PATTERN, parts, existing)).toBe(13);
    expect(nextCaseSeq(PATTERN, parts, [])).toBe(1);
    expect(nextCaseSeq(PATTERN, { ...parts, year: 2025 }, existing)).toBe(121);
  });

  it('treats regular-expression characters in the pattern and the unit code literally', () => {
    const pattern = '({unitCode}).[{year}]+{seq}';
    const parts = { unitCode: 'A.B', year: 2026 };
    expect(nextCaseSeq(pattern, parts, ['(A.B).[2026]+004', '(AxB).[2026]+009', 'A.B.[2026]+010'])).toBe(5);
    expect(caseNumberMatcher(pattern, parts).prefix).toBe('(A.B).[2026]+');
  });

  it('gives the literal prefix before the sequence for a database search', () => {
    expect(caseNumberMatcher(PATTERN, { unitCode: '漯牧执', year: 2026 }).prefix).toBe('漯牧执罚〔2026〕');
    expect(caseNumberMatcher('{seq}/{year}', { unitCode: null, year: 2026 }).prefix).toBe('');
  });
});

describe('retention class and dates', () => {
  it('accepts 1–100 whole years or null for permanent', () => {
    for (const ok of [1, 10, 30, 100, null]) expect(isRetentionYears(ok)).toBe(true);
    for (const bad of [0, 101, 2.5, -1, '10', undefined, Number.NaN])
      expect(isRetentionYears(bad)).toBe(false);
  });

  it('checks calendar dates and converts instants to the local date', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2026-8-4')).toBe(false);
    // 2026-08-04 17:30 UTC is already the 5th in Shanghai.
    expect(localDate(Date.UTC(2026, 7, 4, 17, 30), 'Asia/Shanghai')).toBe('2026-08-05');
    expect(localDate(Date.UTC(2026, 7, 4, 17, 30), 'UTC')).toBe('2026-08-04');
  });
});
