import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  assertCanRequest,
  EXEMPTION_CATEGORIES,
  EXEMPTION_CATEGORY_NAMES,
  EXEMPTION_STATUSES,
  exemptionOutcome,
  isExemptionCategory,
  shownExemption,
  transition,
  type ExemptionAct,
  type ExemptionStatus,
} from './exemption.js';

function codeOf(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return (e as AppError).code;
  }
}

describe('exemption categories (A7.1)', () => {
  it('are the three of the regulation, numbered (一)(二)(三)', () => {
    expect(EXEMPTION_CATEGORIES).toEqual(['secret_or_privacy', 'emergency', 'objective']);
    expect(EXEMPTION_CATEGORIES.map((c) => EXEMPTION_CATEGORY_NAMES[c].item)).toEqual([
      '（一）',
      '（二）',
      '（三）',
    ]);
    expect(EXEMPTION_CATEGORY_NAMES.secret_or_privacy.zh).toBe('涉及国家秘密、商业秘密或者个人隐私');
    expect(EXEMPTION_CATEGORY_NAMES.emergency.zh).toBe('情况紧急');
    expect(EXEMPTION_CATEGORY_NAMES.objective.zh).toBe('因客观原因无法记录');
    expect(isExemptionCategory('emergency')).toBe(true);
    expect(isExemptionCategory('convenience')).toBe(false);
  });
});

describe('exemption state machine (A7.2)', () => {
  it('moves a pending exemption to approved, rejected or withdrawn', () => {
    expect(transition('pending', 'approve', null)).toBe('approved');
    expect(transition('pending', 'approve', '同意')).toBe('approved');
    expect(transition('pending', 'reject', '理由不充分')).toBe('rejected');
    expect(transition('pending', 'withdraw', null)).toBe('withdrawn');
  });

  it('needs a comment to reject', () => {
    expect(codeOf(() => transition('pending', 'reject', null))).toBe('EXEMPTION_COMMENT_REQUIRED');
    expect(codeOf(() => transition('pending', 'reject', '  '))).toBe('EXEMPTION_COMMENT_REQUIRED');
  });

  it('allows nothing from a final state', () => {
    const acts: ExemptionAct[] = ['approve', 'reject', 'withdraw'];
    for (const status of EXEMPTION_STATUSES.filter((s) => s !== 'pending'))
      for (const act of acts)
        expect(
          codeOf(() => transition(status, act, 'x')),
          `${status} ${act}`,
        ).toBe('EXEMPTION_NOT_PENDING');
  });

  it('allows one pending exemption per activity, and none after an approval', () => {
    const of = (...s: ExemptionStatus[]) => s.map((status) => ({ status }));
    expect(codeOf(() => assertCanRequest(of()))).toBeNull();
    expect(codeOf(() => assertCanRequest(of('rejected', 'withdrawn')))).toBeNull();
    expect(codeOf(() => assertCanRequest(of('rejected', 'pending')))).toBe('EXEMPTION_PENDING_EXISTS');
    expect(codeOf(() => assertCanRequest(of('approved')))).toBe('EXEMPTION_ALREADY_APPROVED');
  });
});

describe('what the activity shows', () => {
  const e = (id: string, status: ExemptionStatus, createdAt: number) => ({ id, status, createdAt });

  it('shows the latest exemption still standing', () => {
    expect(shownExemption([])).toBeNull();
    expect(shownExemption([e('a', 'rejected', 1), e('b', 'pending', 2)])?.id).toBe('b');
    expect(shownExemption([e('a', 'rejected', 1), e('b', 'withdrawn', 2)])?.id).toBe('a');
    expect(shownExemption([e('a', 'withdrawn', 1), e('b', 'withdrawn', 2)])?.id).toBe('b');
    // same instant: the later id (UUIDv7 orders by time) wins
    expect(shownExemption([e('01a', 'rejected', 5), e('01b', 'pending', 5)])?.id).toBe('01b');
  });

  it('gives the compliance outcome', () => {
    expect(exemptionOutcome([])).toBe('none');
    expect(exemptionOutcome([e('a', 'withdrawn', 1)])).toBe('none');
    expect(exemptionOutcome([e('a', 'pending', 1)])).toBe('awaiting_review');
    expect(exemptionOutcome([e('a', 'rejected', 1)])).toBe('rejected');
    expect(exemptionOutcome([e('a', 'rejected', 1), e('b', 'approved', 2)])).toBe('exempt');
    expect(exemptionOutcome([e('a', 'rejected', 1), e('b', 'pending', 2)])).toBe('awaiting_review');
  });
});
