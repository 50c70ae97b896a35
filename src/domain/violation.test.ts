import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  SANCTION_LIST,
  SANCTIONS,
  suggestedCategory,
  validateCategory,
  validateDecision,
  VIOLATION_CATEGORIES,
  VIOLATION_CATEGORY_LIST,
  VIOLATION_STATUS_NAMES,
  VIOLATION_STATUSES,
  VIOLATION_TRANSITIONS,
  violationNumber,
  violationSeq,
  violationStatusAfter,
  type ViolationAct,
} from './violation.js';

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).code;
  }
}

describe('violation categories (A21.1) and sanctions (A22.1)', () => {
  it('are the regulation’s items (1)–(8) and (1)–(5), in order, named in both languages', () => {
    expect(VIOLATION_CATEGORY_LIST.map((c) => VIOLATION_CATEGORIES[c].article)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `A21.1(${n})`),
    );
    expect(SANCTION_LIST.map((s) => SANCTIONS[s].article)).toEqual([1, 2, 3, 4, 5].map((n) => `A22.1(${n})`));
    for (const item of [...Object.values(VIOLATION_CATEGORIES), ...Object.values(SANCTIONS)]) {
      expect(item.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(item.en).toMatch(/^[A-Z][\x20-\x7e]+$/);
    }
    expect(VIOLATION_CATEGORIES.device_lent.zh).toBe('将音像记录设备转借他人');
    expect(SANCTIONS.suspension.zh).toBe('暂停执法资格一个月');
  });

  it('accepts a listed category and refuses another with VIOLATION_CATEGORY_INVALID', () => {
    expect(validateCategory('recordings_leaked')).toBe('recordings_leaked');
    expect(codeOf(() => validateCategory('speeding'))).toBe('VIOLATION_CATEGORY_INVALID');
    expect(codeOf(() => validateCategory('toString'))).toBe('VIOLATION_CATEGORY_INVALID');
  });
});

describe('violation statuses', () => {
  it('go draft → decided → closed, or draft → withdrawn; closed and withdrawn are final', () => {
    expect(violationStatusAfter('draft', 'decide')).toBe('decided');
    expect(violationStatusAfter('draft', 'withdraw')).toBe('withdrawn');
    expect(violationStatusAfter('decided', 'close')).toBe('closed');
    const acts: ViolationAct[] = ['decide', 'close', 'withdraw'];
    const allowed = new Set(['draft:decide', 'draft:withdraw', 'decided:close']);
    for (const s of VIOLATION_STATUSES)
      for (const a of acts) {
        const key = `${s}:${a}`;
        if (allowed.has(key)) expect(violationStatusAfter(s, a)).toBe(VIOLATION_TRANSITIONS[s][a]);
        else
          expect(
            codeOf(() => violationStatusAfter(s, a)),
            key,
          ).toBe('VIOLATION_STATUS_INVALID');
      }
  });

  it('says in Chinese which change was refused', () => {
    try {
      violationStatusAfter('decided', 'withdraw');
      expect.unreachable();
    } catch (e) {
      const err = e as AppError;
      expect(err.status).toBe(409);
      expect(err.messageFor('zh-CN')).toContain(VIOLATION_STATUS_NAMES.decided.zh);
      expect(err.messageFor('zh-CN')).toContain(VIOLATION_STATUS_NAMES.withdrawn.zh);
      expect(err.details).toEqual({ from: 'decided', to: 'withdrawn' });
    }
  });
});

describe('a decision', () => {
  it('needs one or more listed sanctions, kept once each in the regulation’s order', () => {
    expect(validateDecision({ sanctions: ['awards_loss', 'self_examination', 'awards_loss'] })).toEqual({
      sanctions: ['self_examination', 'awards_loss'],
      suspensionFrom: null,
      suspensionTo: null,
    });
    expect(codeOf(() => validateDecision({ sanctions: [] }))).toBe('VIOLATION_SANCTIONS_REQUIRED');
    expect(codeOf(() => validateDecision({ sanctions: ['self_examination', 'fine'] }))).toBe(
      'SANCTION_INVALID',
    );
  });

  it('gives a suspension its period, and nothing else one', () => {
    expect(
      validateDecision({
        sanctions: ['suspension'],
        suspensionFrom: '2026-09-01',
        suspensionTo: '2026-09-30',
      }),
    ).toEqual({ sanctions: ['suspension'], suspensionFrom: '2026-09-01', suspensionTo: '2026-09-30' });
    expect(
      validateDecision({
        sanctions: ['suspension'],
        suspensionFrom: '2026-09-01',
        suspensionTo: '2026-09-01',
      }).suspensionTo,
    ).toBe('2026-09-01');
    expect(codeOf(() => validateDecision({ sanctions: ['suspension'] }))).toBe('SUSPENSION_PERIOD_REQUIRED');
    expect(
      codeOf(() =>
        validateDecision({ sanctions: ['suspension'], suspensionFrom: '2026-09-01', suspensionTo: ' ' }),
      ),
    ).toBe('SUSPENSION_PERIOD_REQUIRED');
    expect(
      codeOf(() =>
        validateDecision({
          sanctions: ['suspension'],
          suspensionFrom: '2026-09-30',
          suspensionTo: '2026-09-01',
        }),
      ),
    ).toBe('SUSPENSION_PERIOD_INVALID');
    expect(
      codeOf(() =>
        validateDecision({
          sanctions: ['suspension'],
          suspensionFrom: '2026-02-30',
          suspensionTo: '2026-03-30',
        }),
      ),
    ).toBe('SUSPENSION_PERIOD_INVALID');
    expect(
      codeOf(() =>
        validateDecision({
          sanctions: ['criticism_notice'],
          suspensionFrom: '2026-09-01',
          suspensionTo: '2026-09-30',
        }),
      ),
    ).toBe('SUSPENSION_PERIOD_UNEXPECTED');
  });
});

describe('the category findings suggest', () => {
  it('follows the A21.1 item the finding codes name, the most frequent first', () => {
    expect(suggestedCategory(['NOT_RECORDED'])).toBe('not_recorded');
    expect(suggestedCategory(['HOLDER_MISMATCH', 'GAP'])).toBe('device_lent');
    expect(suggestedCategory(['EDITED', 'SEQUENCE_GAP', 'EDITED'])).toBe('evidence_falsified');
    // a tie goes to the earlier item
    expect(suggestedCategory(['EDITED', 'SEQUENCE_GAP'])).toBe('evidence_deleted');
    expect(suggestedCategory(['GAP', 'LATE_IMPORT', 'NO_SUCH_CODE'])).toBeNull();
    expect(suggestedCategory([])).toBeNull();
  });
});

describe('register numbers', () => {
  it('are the year and a three-digit order that grows past 999', () => {
    expect(violationNumber(2026, 7)).toBe('2026-007');
    expect(violationNumber(2026, 1234)).toBe('2026-1234');
    expect(violationSeq('2026-007', 2026)).toBe(7);
    expect(violationSeq('2026-1234', 2026)).toBe(1234);
    expect(violationSeq('2025-007', 2026)).toBeNull();
    expect(violationSeq('x-007', 2026)).toBeNull();
  });
});
