// Exemptions from recording (A7.1) and their review (A7.2): the officer writes down the
// category, the reason and its basis; a brigade leader approves or rejects it. Pure rules.
import { AppError } from './errors.js';

export const EXEMPTION_CATEGORIES = ['secret_or_privacy', 'emergency', 'objective'] as const;
export type ExemptionCategory = (typeof EXEMPTION_CATEGORIES)[number];

/** A7.1 items (一)(二)(三). */
export const EXEMPTION_CATEGORY_NAMES: Record<ExemptionCategory, { item: string; zh: string; en: string }> = {
  secret_or_privacy: {
    item: '（一）',
    zh: '涉及国家秘密、商业秘密或者个人隐私',
    en: 'State secrets, commercial secrets or personal privacy are involved',
  },
  emergency: { item: '（二）', zh: '情况紧急', en: 'An emergency prevented recording' },
  objective: { item: '（三）', zh: '因客观原因无法记录', en: 'Objective reasons made recording impossible' },
};

export function isExemptionCategory(value: string): value is ExemptionCategory {
  return (EXEMPTION_CATEGORIES as readonly string[]).includes(value);
}

export const EXEMPTION_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export type ExemptionStatus = (typeof EXEMPTION_STATUSES)[number];

export const EXEMPTION_STATUS_NAMES: Record<ExemptionStatus, { zh: string; en: string }> = {
  pending: { zh: '待审核', en: 'Pending review' },
  approved: { zh: '已批准', en: 'Approved' },
  rejected: { zh: '已退回', en: 'Rejected' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
};

export type ExemptionAct = 'approve' | 'reject' | 'withdraw';

const TARGET: Record<ExemptionAct, ExemptionStatus> = {
  approve: 'approved',
  reject: 'rejected',
  withdraw: 'withdrawn',
};

export const MAX_REASON = 2000;
export const MAX_BASIS = 1000;
export const MAX_COMMENT = 1000;

/**
 * pending → approved | rejected (by a leader), pending → withdrawn (by its author).
 * Approved, rejected and withdrawn are final: a rejected exemption is answered by a new
 * one, never by editing the old, so the leader's decision stays on record as given.
 */
export function transition(
  status: ExemptionStatus,
  act: ExemptionAct,
  comment: string | null,
): ExemptionStatus {
  if (status !== 'pending')
    throw new AppError(
      'EXEMPTION_NOT_PENDING',
      409,
      {
        zh: `该不予记录说明已${EXEMPTION_STATUS_NAMES[status].zh}，不能再处理`,
        en: `This exemption is already ${status} and cannot be acted on`,
      },
      { status },
    );
  if (act === 'reject' && (comment === null || comment.trim() === ''))
    throw new AppError('EXEMPTION_COMMENT_REQUIRED', 400, {
      zh: '退回不予记录说明时须写明意见',
      en: 'Rejecting an exemption needs a comment',
    });
  return TARGET[act];
}

/**
 * Whether a new exemption may be written for an activity that already has these: not
 * while one awaits review, and not once one is approved (the matter is settled).
 */
export function assertCanRequest(existing: readonly { status: ExemptionStatus }[]): void {
  if (existing.some((e) => e.status === 'pending'))
    throw new AppError('EXEMPTION_PENDING_EXISTS', 409, {
      zh: '该活动已有一份待审核的不予记录说明',
      en: 'This activity already has an exemption awaiting review',
    });
  if (existing.some((e) => e.status === 'approved'))
    throw new AppError('EXEMPTION_ALREADY_APPROVED', 409, {
      zh: '该活动的不予记录说明已获批准',
      en: 'An exemption for this activity has already been approved',
    });
}

/** What an activity's exemption state means for compliance (A6.1, A7.2). */
export type ExemptionOutcome = 'none' | 'awaiting_review' | 'exempt' | 'rejected';

export interface ExemptionLike {
  id: string;
  status: ExemptionStatus;
  createdAt: number;
}

/**
 * The exemption an activity shows: the latest one still standing (pending, approved or
 * rejected); withdrawn ones only when nothing else was ever written, so the page can say so.
 */
export function shownExemption<T extends ExemptionLike>(list: readonly T[]): T | null {
  const sorted = [...list].sort(
    (a, b) => b.createdAt - a.createdAt || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0),
  );
  return sorted.find((e) => e.status !== 'withdrawn') ?? sorted[0] ?? null;
}

export function exemptionOutcome(list: readonly ExemptionLike[]): ExemptionOutcome {
  if (list.some((e) => e.status === 'approved')) return 'exempt';
  const shown = shownExemption(list);
  if (!shown || shown.status === 'withdrawn') return 'none';
  return shown.status === 'pending' ? 'awaiting_review' : 'rejected';
}
