// Violations (A21.1) and sanctions (A22.1): the categories and sanctions of the regulation
// as data with their names, the register's statuses and how a record moves between them,
// and the checks on a decision. Pure rules, no I/O; the service, the UI and the export
// read these tables.
import { isCalendarDate } from './case.js';
import { errors } from './errors.js';
import { FINDING_CODES, isFindingCode } from './compliance-findings.js';

interface Item {
  /** The regulation's item number, e.g. 'A21.1(3)'. */
  article: string;
  zh: string;
  en: string;
}

/** A21.1 (1)–(8), in the regulation's order. */
export const VIOLATION_CATEGORIES = {
  evidence_deleted: {
    article: 'A21.1(1)',
    zh: '故意删除有效证据',
    en: 'Deliberately deleting valid evidence',
  },
  device_lent: {
    article: 'A21.1(2)',
    zh: '将音像记录设备转借他人',
    en: 'Lending a recording device to someone else',
  },
  not_recorded: {
    article: 'A21.1(3)',
    zh: '未按规定记录，引发信访、投诉或负面舆情',
    en: 'Not recording as required, leading to petitions, complaints or negative media attention',
  },
  recordings_leaked: { article: 'A21.1(4)', zh: '泄露音像记录', en: 'Leaking recordings' },
  evidence_falsified: {
    article: 'A21.1(5)',
    zh: '录制虚假证据或篡改音像记录',
    en: 'Recording false evidence or altering recordings',
  },
  improper_use: {
    article: 'A21.1(6)',
    zh: '用于非工作用途或违法使用',
    en: 'Non-work or unlawful use',
  },
  custody_loss: {
    article: 'A21.1(7)',
    zh: '保管不善致设备或音像记录丢失',
    en: 'Losing a device or recordings through poor custody',
  },
  other_serious: { article: 'A21.1(8)', zh: '其他严重违规行为', en: 'Other serious breaches' },
} as const satisfies Record<string, Item>;

export type ViolationCategory = keyof typeof VIOLATION_CATEGORIES;
export const VIOLATION_CATEGORY_LIST = Object.keys(VIOLATION_CATEGORIES) as ViolationCategory[];

export function isViolationCategory(value: string): value is ViolationCategory {
  return Object.hasOwn(VIOLATION_CATEGORIES, value);
}

/** A22.1 (1)–(5), in the regulation's order (which is also their weight). */
export const SANCTIONS = {
  self_examination: { article: 'A22.1(1)', zh: '书面检查', en: 'Written self-examination' },
  criticism_notice: {
    article: 'A22.1(2)',
    zh: '大队内通报批评',
    en: 'Brigade-wide criticism notice',
  },
  suspension: {
    article: 'A22.1(3)',
    zh: '暂停执法资格一个月',
    en: 'Suspension from enforcement for one month',
  },
  awards_loss: {
    article: 'A22.1(4)',
    zh: '取消当年评先评优资格',
    en: "Loss of that year's awards eligibility",
  },
  administrative_sanction: {
    article: 'A22.1(5)',
    zh: '情节严重的，给予行政处分',
    en: 'Administrative sanctions (serious cases)',
  },
} as const satisfies Record<string, Item>;

export type Sanction = keyof typeof SANCTIONS;
export const SANCTION_LIST = Object.keys(SANCTIONS) as Sanction[];

export function isSanction(value: string): value is Sanction {
  return Object.hasOwn(SANCTIONS, value);
}

// ─── Statuses ────────────────────────────────────────────────────────────────────

export const VIOLATION_STATUSES = ['draft', 'decided', 'closed', 'withdrawn'] as const;
export type ViolationStatus = (typeof VIOLATION_STATUSES)[number];

export const VIOLATION_STATUS_NAMES: Record<ViolationStatus, { zh: string; en: string }> = {
  draft: { zh: '待处理', en: 'Draft' },
  decided: { zh: '已作出处理决定', en: 'Decided' },
  closed: { zh: '已办结', en: 'Closed' },
  withdrawn: { zh: '已撤销', en: 'Withdrawn' },
};

export function isViolationStatus(value: string): value is ViolationStatus {
  return (VIOLATION_STATUSES as readonly string[]).includes(value);
}

export type ViolationAct = 'decide' | 'close' | 'withdraw';

/**
 * draft → decided (the sanctions are decided) → closed (carried out);
 * draft → withdrawn (recorded in error, or not pursued). A decision stands once made:
 * it is closed, never withdrawn, so what was decided stays on record as decided.
 */
export const VIOLATION_TRANSITIONS: Record<
  ViolationStatus,
  Partial<Record<ViolationAct, ViolationStatus>>
> = {
  draft: { decide: 'decided', withdraw: 'withdrawn' },
  decided: { close: 'closed' },
  closed: {},
  withdrawn: {},
};

const ACT_TARGET: Record<ViolationAct, ViolationStatus> = {
  decide: 'decided',
  close: 'closed',
  withdraw: 'withdrawn',
};

/** The status after `act`; throws VIOLATION_STATUS_INVALID when the act is not allowed now. */
export function violationStatusAfter(status: ViolationStatus, act: ViolationAct): ViolationStatus {
  const to = VIOLATION_TRANSITIONS[status][act];
  if (to !== undefined) return to;
  const target = ACT_TARGET[act];
  throw errors.violationStatusInvalid(status, target, {
    from: VIOLATION_STATUS_NAMES[status].zh,
    to: VIOLATION_STATUS_NAMES[target].zh,
  });
}

// ─── Input checks ──────────────────────────────────────────────────────────────────

export const MAX_DESCRIPTION = 4000;
export const MAX_EVIDENCE_TEXT = 4000;
export const MAX_DECISION_TEXT = 4000;
export const MAX_NOTE = 1000;
/** Evidence items of one kind on one record; a register entry, not a bulk import. */
export const MAX_EVIDENCE_ITEMS = 200;

export function validateCategory(value: string): ViolationCategory {
  if (!isViolationCategory(value)) throw errors.violationCategoryInvalid(value, VIOLATION_CATEGORY_LIST);
  return value;
}

export interface DecisionInput {
  sanctions: readonly string[];
  suspensionFrom?: string | null;
  suspensionTo?: string | null;
}

export interface Decision {
  /** Distinct, in the regulation's order. */
  sanctions: Sanction[];
  suspensionFrom: string | null;
  suspensionTo: string | null;
}

/**
 * One or more A22.1 sanctions. A suspension (A22.1(3)) needs its period — calendar days,
 * from ≤ to — and only a suspension has one.
 */
export function validateDecision(input: DecisionInput): Decision {
  if (input.sanctions.length === 0) throw errors.violationSanctionsRequired();
  for (const s of input.sanctions) if (!isSanction(s)) throw errors.sanctionInvalid(s, SANCTION_LIST);
  const sanctions = SANCTION_LIST.filter((s) => input.sanctions.includes(s));
  const from = input.suspensionFrom?.trim() || null;
  const to = input.suspensionTo?.trim() || null;
  if (!sanctions.includes('suspension')) {
    if (from !== null || to !== null) throw errors.suspensionPeriodUnexpected();
    return { sanctions, suspensionFrom: null, suspensionTo: null };
  }
  if (from === null || to === null) throw errors.suspensionPeriodRequired();
  if (!isCalendarDate(from) || !isCalendarDate(to) || from > to)
    throw errors.suspensionPeriodInvalid(from, to);
  return { sanctions, suspensionFrom: from, suspensionTo: to };
}

/**
 * The A21.1 category the findings point to, where their codes name one (SEQUENCE_GAP →
 * (1), HOLDER_MISMATCH → (2), NOT_RECORDED → (3), EDITED → (5)); the most frequent, the
 * earlier item on a tie; null when none does. A suggestion: the supervisor decides.
 */
export function suggestedCategory(findingCodes: readonly string[]): ViolationCategory | null {
  const byArticle = new Map<string, ViolationCategory>(
    VIOLATION_CATEGORY_LIST.map((c) => [VIOLATION_CATEGORIES[c].article, c]),
  );
  const counts = new Map<ViolationCategory, number>();
  for (const code of findingCodes) {
    if (!isFindingCode(code)) continue;
    const articles: readonly string[] = FINDING_CODES[code].articles;
    for (const a of articles) {
      const c = byArticle.get(a);
      if (c) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
  }
  let best: ViolationCategory | null = null;
  for (const c of VIOLATION_CATEGORY_LIST)
    if ((counts.get(c) ?? 0) > (best === null ? 0 : counts.get(best)!)) best = c;
  return best;
}

/** The register's number: the year the record was made and its order in that year. */
export function violationNumber(year: number, seq: number): string {
  return `${year}-${String(seq).padStart(3, '0')}`;
}

/** The order within its year of a number made by violationNumber, or null. */
export function violationSeq(number: string, year: number): number | null {
  const m = /^(\d{4})-(\d{3,})$/.exec(number);
  return m && Number(m[1]) === year ? Number(m[2]) : null;
}
