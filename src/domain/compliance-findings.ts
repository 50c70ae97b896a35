// The shared vocabulary of compliance (ARCHITECTURE.md "Findings"): every finding code with
// its article, severity and names, the A11.1 interruption reasons, the finding statuses
// and their transitions, and the activity's verdict. Pure data and rules, no I/O: the
// engine (compliance.ts), the services, the UI and the reports all read these tables.
import { errors } from './errors.js';

export type Severity = 'info' | 'warning' | 'serious';

/**
 * How a finding that is still open or explained weighs on the verdict:
 * - 'explanation': the officer can answer it (a reason, a correction, a late paper record);
 *   until a leader decides, the activity is awaiting explanation (待说明).
 * - 'decision': a breach on its face (nothing recorded, a stop never reported, files
 *   missing or edited, no spoken reason on resuming); the activity is non-compliant (不合规)
 *   until a leader accepts the explanation — e.g. the speech detector missed the words.
 * - 'none': noted only, never weighs on the verdict.
 */
export type Cure = 'explanation' | 'decision' | 'none';

export interface FindingCodeInfo {
  /** The article stored with the finding (the one it primarily serves). */
  article: string;
  /** Every article it touches, the primary first (reports list these). */
  articles: readonly string[];
  severity: Severity;
  cure: Cure;
  zh: string;
  en: string;
}

/** One table for every code, in the order reports list them. */
export const FINDING_CODES = {
  PRECHECK_MISSING: {
    article: 'A5.1',
    articles: ['A5.1'],
    severity: 'warning',
    cure: 'explanation',
    zh: '未做使用前检查',
    en: 'No pre-use check',
  },
  CLOCK_OFFSET: {
    article: 'A5.1',
    articles: ['A5.1'],
    severity: 'warning',
    cure: 'explanation',
    zh: '设备时钟误差超限',
    en: 'Device clock off',
  },
  NOT_RECORDED: {
    article: 'A6.1',
    articles: ['A6.1', 'A21.1(3)'],
    severity: 'serious',
    cure: 'decision',
    zh: '应记录而未记录',
    en: 'Not recorded',
  },
  EXEMPTION_PENDING: {
    article: 'A7.2',
    articles: ['A7.2'],
    severity: 'info',
    cure: 'explanation',
    zh: '不予记录说明待审核',
    en: 'Exemption awaiting review',
  },
  NOTIFICATION_MISSING: {
    article: 'A8.1',
    articles: ['A8.1'],
    severity: 'warning',
    cure: 'explanation',
    zh: '未告知录音录像',
    en: 'No notification of recording',
  },
  LATE_START: {
    article: 'A9.1',
    articles: ['A9.1'],
    severity: 'warning',
    cure: 'explanation',
    zh: '到达现场后未及时开始记录',
    en: 'Recording started late',
  },
  EARLY_STOP: {
    article: 'A9.1',
    articles: ['A9.1'],
    severity: 'warning',
    cure: 'explanation',
    zh: '执法结束前停止记录',
    en: 'Recording stopped early',
  },
  GAP: {
    article: 'A11.1',
    articles: ['A11.1', 'A9.1'],
    severity: 'warning',
    cure: 'explanation',
    zh: '记录中断',
    en: 'Interruption',
  },
  GAP_NO_SPEECH: {
    article: 'A11.2',
    articles: ['A11.2'],
    severity: 'warning',
    cure: 'decision',
    zh: '恢复记录时未语音说明中断原因',
    en: 'No spoken reason on resuming',
  },
  GAP_UNREPORTED: {
    article: 'A11.3',
    articles: ['A11.3'],
    severity: 'serious',
    cure: 'decision',
    zh: '无法继续记录而未报告',
    en: 'Stop not reported',
  },
  SEQUENCE_GAP: {
    article: 'A11.4',
    articles: ['A11.4', 'A21.1(1)'],
    severity: 'serious',
    cure: 'decision',
    zh: '设备文件编号缺失',
    en: 'Missing device file numbers',
  },
  EDITED: {
    article: 'A11.4',
    articles: ['A11.4', 'A21.1(5)'],
    severity: 'serious',
    cure: 'decision',
    zh: '文件疑似经过剪辑',
    en: 'Signs of editing',
  },
  AFTER_ACTIVITY: {
    article: 'A11.4',
    articles: ['A11.4'],
    severity: 'warning',
    cure: 'explanation',
    zh: '执法结束后形成的记录',
    en: 'Recorded after the activity',
  },
  UNREADABLE: {
    article: 'A19.1',
    articles: ['A19.1'],
    severity: 'warning',
    cure: 'explanation',
    zh: '文件无法读取',
    en: 'Unreadable file',
  },
  UNLINKED: {
    article: 'A4.1',
    articles: ['A4.1'],
    severity: 'warning',
    cure: 'explanation',
    zh: '未关联执法活动',
    en: 'Not linked to an activity',
  },
  LATE_IMPORT: {
    article: 'A13.1',
    articles: ['A13.1'],
    severity: 'warning',
    cure: 'explanation',
    zh: '逾期导入',
    en: 'Imported late',
  },
  NOT_DOCKED: {
    article: 'A13.1',
    articles: ['A13.1'],
    severity: 'warning',
    cure: 'explanation',
    zh: '设备未按时导入',
    en: 'Device not imported in time',
  },
  HOLDER_MISMATCH: {
    article: 'A21.1(2)',
    articles: ['A21.1(2)'],
    severity: 'warning',
    cure: 'explanation',
    zh: '非保管使用人使用设备',
    en: 'Used by someone other than its holder',
  },
  FIXITY_FAILED: {
    article: 'A19.1',
    articles: ['A19.1'],
    severity: 'serious',
    cure: 'decision',
    zh: '完整性校验失败',
    en: 'Fixity check failed',
  },
  DUPLICATE: {
    article: '—',
    articles: [],
    severity: 'info',
    cure: 'none',
    zh: '重复导入',
    en: 'Imported again',
  },
} as const satisfies Record<string, FindingCodeInfo>;

export type FindingCode = keyof typeof FINDING_CODES;

export const FINDING_CODE_LIST = Object.keys(FINDING_CODES) as FindingCode[];

export function isFindingCode(value: string): value is FindingCode {
  return Object.hasOwn(FINDING_CODES, value);
}

/** Import-time codes the engine carries into an activity's verdict (it does not recompute them). */
export const CARRIED_CODES = [
  'HOLDER_MISMATCH',
  'SEQUENCE_GAP',
  'EDITED',
  'UNREADABLE',
  'CLOCK_OFFSET',
] as const;
export type CarriedCode = (typeof CARRIED_CODES)[number];

// ─── Interruption reasons (A11.1) ─────────────────────────────────────────────────

export const INTERRUPTION_REASONS = [
  'device_failure',
  'device_damage',
  'bad_weather',
  'low_battery',
  'storage_full',
  'venue_change',
  'other',
] as const;
export type InterruptionReason = (typeof INTERRUPTION_REASONS)[number];

/** A11.1's technical reasons in the regulation's order, then "other" (which needs text). */
export const INTERRUPTION_REASON_NAMES: Record<InterruptionReason, { zh: string; en: string }> = {
  device_failure: { zh: '设备故障', en: 'Device failure' },
  device_damage: { zh: '设备损坏', en: 'Device damaged' },
  bad_weather: { zh: '天气恶劣', en: 'Bad weather' },
  low_battery: { zh: '电量不足', en: 'Low battery' },
  storage_full: { zh: '存储空间不足', en: 'Storage full' },
  venue_change: { zh: '检查场所变化', en: 'Change of venue' },
  other: { zh: '其他', en: 'Other' },
};

export const MAX_REASON_TEXT = 1000;

export function isInterruptionReason(value: string): value is InterruptionReason {
  return (INTERRUPTION_REASONS as readonly string[]).includes(value);
}

/**
 * An interruption's reason as the officer gives it: one of the list, with optional text
 * for a listed reason and mandatory text for "other". Returns the text trimmed (null when
 * blank).
 */
export function validateInterruptionReason(
  reason: string,
  text: string | null | undefined,
): { reason: InterruptionReason; text: string | null } {
  if (!isInterruptionReason(reason)) throw errors.interruptionReasonInvalid(reason, INTERRUPTION_REASONS);
  const trimmed = text?.trim() ? text.trim() : null;
  if (reason === 'other' && trimmed === null) throw errors.interruptionReasonTextRequired();
  if (trimmed !== null && trimmed.length > MAX_REASON_TEXT)
    throw errors.interruptionReasonTextTooLong(MAX_REASON_TEXT);
  return { reason, text: trimmed };
}

// ─── Finding statuses ─────────────────────────────────────────────────────────────

export const FINDING_STATUSES = ['open', 'explained', 'accepted', 'violation'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export const FINDING_STATUS_NAMES: Record<FindingStatus, { zh: string; en: string }> = {
  open: { zh: '未说明', en: 'Open' },
  explained: { zh: '已说明', en: 'Explained' },
  accepted: { zh: '已认可', en: 'Accepted' },
  violation: { zh: '认定违规', en: 'Violation' },
};

/** The acts on a finding; who may do each is the service's business. */
export type FindingAct = 'explain' | 'accept' | 'reject' | 'record_violation';

/**
 * open → explained (an explanation is given) → accepted (a leader accepts it);
 * explained → open (a leader rejects it: explain again or face a violation);
 * open or explained → violation (a supervisor records it in the violation register).
 * Accepted and violation are final.
 */
export const FINDING_TRANSITIONS: Record<FindingStatus, Partial<Record<FindingAct, FindingStatus>>> = {
  open: { explain: 'explained', record_violation: 'violation' },
  explained: { accept: 'accepted', reject: 'open', record_violation: 'violation' },
  accepted: {},
  violation: {},
};

export function isFindingStatus(value: string): value is FindingStatus {
  return (FINDING_STATUSES as readonly string[]).includes(value);
}

/** The status after `act`; throws FINDING_STATUS_INVALID when the act is not allowed now. */
export function findingStatusAfter(status: FindingStatus, act: FindingAct): FindingStatus {
  const to = FINDING_TRANSITIONS[status][act];
  if (to !== undefined) return to;
  const target: Record<FindingAct, FindingStatus> = {
    explain: 'explained',
    accept: 'accepted',
    reject: 'open',
    record_violation: 'violation',
  };
  throw errors.findingStatusInvalid(status, target[act], {
    from: FINDING_STATUS_NAMES[status].zh,
    to: FINDING_STATUS_NAMES[target[act]].zh,
  });
}

/** Whether one act leads from `from` to `to`. */
export function canChangeFinding(from: FindingStatus, to: FindingStatus): boolean {
  return Object.values(FINDING_TRANSITIONS[from]).includes(to);
}

// ─── Verdict ─────────────────────────────────────────────────────────────────────

export const VERDICTS = ['compliant', 'awaiting_explanation', 'non_compliant'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const VERDICT_NAMES: Record<Verdict, { zh: string; en: string }> = {
  compliant: { zh: '合规', en: 'Compliant' },
  awaiting_explanation: { zh: '待说明', en: 'Awaiting explanation' },
  non_compliant: { zh: '不合规', en: 'Non-compliant' },
};

export interface FindingWithStatus {
  code: string;
  status: FindingStatus;
}

export interface VerdictReason {
  code: string;
  /** The primary article, then the others the code touches. */
  articles: readonly string[];
  status: FindingStatus;
  /** What this group of findings does to the verdict. */
  effect: Exclude<Verdict, 'compliant'>;
  count: number;
  zh: string;
  en: string;
}

export interface VerdictResult {
  verdict: Verdict;
  /** Non-compliant reasons first, then by the code table's order, then by status. */
  reasons: VerdictReason[];
}

/**
 * The activity's verdict from all its findings (the engine's and the carried import-time
 * ones) with their stored statuses:
 * - accepted findings no longer count; 'none' codes (DUPLICATE) never do;
 * - a violation makes the activity non-compliant, whatever the code;
 * - an open or explained finding makes it non-compliant when its code is cured only by a
 *   decision, and awaiting explanation when its code can be explained;
 * - an unknown code is treated as awaiting explanation (never silently compliant).
 */
export function verdict(findings: readonly FindingWithStatus[]): VerdictResult {
  const groups = new Map<string, VerdictReason>();
  for (const f of findings) {
    if (f.status === 'accepted') continue;
    const info: FindingCodeInfo | undefined = isFindingCode(f.code) ? FINDING_CODES[f.code] : undefined;
    if (info?.cure === 'none') continue;
    const effect =
      f.status === 'violation' || info?.cure === 'decision' ? 'non_compliant' : 'awaiting_explanation';
    const id = `${f.code}|${f.status}`;
    const seen = groups.get(id);
    if (seen) seen.count++;
    else
      groups.set(id, {
        code: f.code,
        articles: info?.articles ?? [],
        status: f.status,
        effect,
        count: 1,
        zh: info?.zh ?? f.code,
        en: info?.en ?? f.code,
      });
  }
  const order = (code: string) => {
    const i = FINDING_CODE_LIST.indexOf(code as FindingCode);
    return i < 0 ? FINDING_CODE_LIST.length : i;
  };
  const reasons = [...groups.values()].sort(
    (a, b) =>
      (a.effect === b.effect ? 0 : a.effect === 'non_compliant' ? -1 : 1) ||
      order(a.code) - order(b.code) ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
      FINDING_STATUSES.indexOf(a.status) - FINDING_STATUSES.indexOf(b.status),
  );
  const result: Verdict = reasons.some((r) => r.effect === 'non_compliant')
    ? 'non_compliant'
    : reasons.length
      ? 'awaiting_explanation'
      : 'compliant';
  return { verdict: result, reasons };
}
