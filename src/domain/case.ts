// Cases (案件): the status chain 立案 → 调查 → 决定 → 结案 → 归档, the case number built
// from the configured pattern, and the archive retention class.

export const CASE_STATUSES = ['filed', 'investigating', 'decided', 'closed', 'archived'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_STATUS_NAMES: Record<CaseStatus, { zh: string; en: string }> = {
  filed: { zh: '立案', en: 'Filed' },
  investigating: { zh: '调查', en: 'Investigating' },
  decided: { zh: '决定', en: 'Decided' },
  closed: { zh: '结案', en: 'Closed' },
  archived: { zh: '归档', en: 'Archived' },
};

export type CaseDateField = 'filedOn' | 'decidedOn' | 'closedOn' | 'archivedOn';

/** The date each status records when the case reaches it (调查 records none). */
export const CASE_STATUS_DATE: Record<CaseStatus, CaseDateField | null> = {
  filed: 'filedOn',
  investigating: null,
  decided: 'decidedOn',
  closed: 'closedOn',
  archived: 'archivedOn',
};

export function isCaseStatus(v: string): v is CaseStatus {
  return (CASE_STATUSES as readonly string[]).includes(v);
}

export function nextCaseStatus(from: CaseStatus): CaseStatus | null {
  return CASE_STATUSES[CASE_STATUSES.indexOf(from) + 1] ?? null;
}

/**
 * A case moves forward one step at a time: each step is a procedural act with its own
 * date, so skipping one would leave a hole in the file (A14.1 "whole process traceable").
 */
export function checkCaseTransition(
  from: CaseStatus,
  to: CaseStatus,
): { ok: true } | { ok: false; reason: 'same' | 'backward' | 'skip'; next: CaseStatus | null } {
  const a = CASE_STATUSES.indexOf(from);
  const b = CASE_STATUSES.indexOf(to);
  const next = nextCaseStatus(from);
  if (b === a + 1) return { ok: true };
  return { ok: false, reason: b === a ? 'same' : b < a ? 'backward' : 'skip', next };
}

/** The case's dates must follow its procedure: filed ≤ decided ≤ closed ≤ archived ≤ today. */
export function checkCaseDates(
  dates: { filedOn: string; decidedOn: string | null; closedOn: string | null; archivedOn: string | null },
  today: string,
): { ok: true } | { ok: false; field: CaseDateField; reason: 'invalid' | 'future' | 'order' } {
  const order: CaseDateField[] = ['filedOn', 'decidedOn', 'closedOn', 'archivedOn'];
  let previous: string | null = null;
  for (const field of order) {
    const v = dates[field];
    if (v === null) continue;
    if (!isCalendarDate(v)) return { ok: false, field, reason: 'invalid' };
    if (v > today) return { ok: false, field, reason: 'future' };
    if (previous !== null && v < previous) return { ok: false, field, reason: 'order' };
    previous = v;
  }
  return { ok: true };
}

/** Retention class of the case file: 1–100 years, or null for permanent (永久). */
export function isRetentionYears(v: unknown): v is number | null {
  return v === null || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 100);
}

/** 'YYYY-MM-DD' naming a real Gregorian date. */
export function isCalendarDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return y >= 1900 && dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

/** The calendar date of an instant in a time zone, as 'YYYY-MM-DD'. */
export function localDate(epochMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(epochMs);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export interface CaseNumberParts {
  unitCode: string | null;
  year: number;
}

export const padSeq = (seq: number): string => String(seq).padStart(3, '0');

/** Does the pattern need the unit's code? */
export const patternNeedsUnitCode = (pattern: string): boolean => pattern.includes('{unitCode}');

function fill(pattern: string, parts: CaseNumberParts, seq: string): string {
  return pattern
    .replaceAll('{unitCode}', parts.unitCode ?? '')
    .replaceAll('{year}', String(parts.year))
    .replaceAll('{seq}', seq);
}

/** e.g. pattern "{unitCode}罚〔{year}〕{seq}号", unitCode "漯牧执", 2026, 7 → "漯牧执罚〔2026〕007号". */
export function formatCaseNumber(pattern: string, parts: CaseNumberParts, seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw new Error(`case sequence must be a positive integer: ${seq}`);
  return fill(pattern, parts, padSeq(seq));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * How to find the numbers already given under one pattern, unit and year: the literal
 * prefix (for a LIKE query) and a parser returning the sequence number, or null for a
 * number that does not follow the pattern.
 */
export function caseNumberMatcher(
  pattern: string,
  parts: CaseNumberParts,
): { prefix: string; seqOf(caseNumber: string): number | null } {
  const at = pattern.indexOf('{seq}');
  const prefix = at < 0 ? fill(pattern, parts, '') : fill(pattern.slice(0, at), parts, '');
  const marker = '\u0000SEQ\u0000';
  const re = new RegExp(
    `^${escapeRegExp(fill(pattern, parts, marker)).replaceAll(escapeRegExp(marker), '(\\d{1,9})')}$`,
    'u',
  );
  return {
    prefix,
    seqOf(caseNumber: string) {
      const m = re.exec(caseNumber);
      if (!m) return null;
      // Every {seq} of a pattern must carry the same number.
      const seqs = m.slice(1).map(Number);
      return seqs.every((s) => s === seqs[0]) ? (seqs[0] ?? null) : null;
    },
  };
}

/** The next sequence number after those already used under the same pattern, unit and year. */
export function nextCaseSeq(pattern: string, parts: CaseNumberParts, existing: Iterable<string>): number {
  const { seqOf } = caseNumberMatcher(pattern, parts);
  let max = 0;
  for (const n of existing) {
    const s = seqOf(n);
    if (s !== null && s > max) max = s;
  }
  return max + 1;
}
