import { API_BASE, buildQuery, request } from './client';

// The violation register (docs/api.md § Violations register, A21.1, A22.1). Shapes mirror
// the server's; times are epoch milliseconds (UTC), suspension days are 'YYYY-MM-DD'.

const id = encodeURIComponent;

export const VIOLATIONS_RECORD = 'violations.record';

/** A21.1 (1)–(8), in the regulation's order (names in i18n `violationCategory.*`). */
export const VIOLATION_CATEGORIES = [
  'evidence_deleted',
  'device_lent',
  'not_recorded',
  'recordings_leaked',
  'evidence_falsified',
  'improper_use',
  'custody_loss',
  'other_serious',
] as const;
export type ViolationCategory = (typeof VIOLATION_CATEGORIES)[number];

/** A22.1 (1)–(5) (names in i18n `sanction.*`). */
export const SANCTIONS = [
  'self_examination',
  'criticism_notice',
  'suspension',
  'awards_loss',
  'administrative_sanction',
] as const;
export type Sanction = (typeof SANCTIONS)[number];

export const VIOLATION_STATUSES = ['draft', 'decided', 'closed', 'withdrawn'] as const;
export type ViolationStatus = (typeof VIOLATION_STATUSES)[number];

export const CATEGORY_ARTICLE: Record<ViolationCategory, string> = Object.fromEntries(
  VIOLATION_CATEGORIES.map((c, i) => [c, `A21.1(${i + 1})`]),
) as Record<ViolationCategory, string>;
export const SANCTION_ARTICLE: Record<Sanction, string> = Object.fromEntries(
  SANCTIONS.map((s, i) => [s, `A22.1(${i + 1})`]),
) as Record<Sanction, string>;

export interface ViolationFilters {
  officer?: string;
  unit?: string;
  category?: ViolationCategory;
  status?: ViolationStatus;
  from?: number;
  to?: number;
}

export interface ViolationItem {
  id: string;
  number: string;
  officerId: string;
  officerName: string;
  unitId: string | null;
  unitName: string | null;
  category: ViolationCategory;
  description: string;
  occurredAt: number;
  status: ViolationStatus;
  sanctions: Sanction[];
  suspensionFrom: string | null;
  suspensionTo: string | null;
  decisionText: string | null;
  decidedAt: number | null;
  findingCount: number;
  auditEventCount: number;
  createdAt: number;
}

export interface ViolationFinding {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  article: string;
  articles: string[];
  severity: string;
  status: string;
  subjectType: string;
  subjectId: string;
  withdrawn: boolean;
  createdAt: number;
  activity: {
    id: string;
    type: string;
    typeNameZh: string;
    title: string | null;
    arrivedAt: number | null;
  } | null;
}

export interface ViolationAuditEvent {
  seq: number;
  id: string;
  at: number | null;
  actorName: string | null;
  action: string | null;
  targetType: string | null;
  targetId: string | null;
}

export interface Violation extends ViolationItem {
  evidenceText: string | null;
  decidedByName: string | null;
  closedAt: number | null;
  closedByName: string | null;
  closeNote: string | null;
  withdrawnAt: number | null;
  withdrawnByName: string | null;
  withdrawReason: string | null;
  createdByName: string;
  findings: ViolationFinding[];
  auditEvents: ViolationAuditEvent[];
}

export interface CandidateFinding {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  article: string;
  status: string;
  createdAt: number;
  activityId: string | null;
  activityTitle: string | null;
  activityTypeNameZh: string | null;
  activityArrivedAt: number | null;
}

export interface ViolationInput {
  officerId: string;
  category: ViolationCategory;
  description: string;
  occurredAt?: number | null;
  findingIds?: string[];
  auditSeqs?: number[];
  evidenceText?: string | null;
}

export interface DecisionInput {
  sanctions: Sanction[];
  decisionText: string;
  suspensionFrom?: string | null;
  suspensionTo?: string | null;
}

export const violations = {
  list: (f: ViolationFilters, limit = 200, offset = 0) =>
    request<{ items: ViolationItem[]; total: number }>('/violations', { query: { ...f, limit, offset } }),
  get: (violationId: string) => request<Violation>(`/violations/${id(violationId)}`),
  candidates: (officerId: string) =>
    request<{ items: CandidateFinding[] }>('/violations/candidate-findings', { query: { officerId } }).then(
      (r) => r.items,
    ),
  record: (v: ViolationInput) => request<Violation>('/violations', { method: 'POST', body: v }),
  decide: (violationId: string, d: DecisionInput) =>
    request<Violation>(`/violations/${id(violationId)}/decide`, { method: 'POST', body: d }),
  close: (violationId: string, note: string | null) =>
    request<Violation>(`/violations/${id(violationId)}/close`, { method: 'POST', body: { note } }),
  withdraw: (violationId: string, reason: string) =>
    request<Violation>(`/violations/${id(violationId)}/withdraw`, { method: 'POST', body: { reason } }),
  /** A plain link: the browser downloads with the session cookie. */
  exportUrl: (f: ViolationFilters, format: 'csv' | 'xlsx') =>
    `${API_BASE}/violations/export${buildQuery({ ...f, format })}`,
};
