import { API_BASE, buildQuery, request } from './client';

// Compliance (docs/api.md § Compliance): an activity's verdict, timeline and findings, the
// officers' interruption records (A11), acts on findings, the in-app bell, and the
// dashboard with its drill-down and report. Shapes mirror the server's
// (src/services/findings.service.ts, notifications.service.ts, compliance-report.service.ts);
// times are epoch milliseconds (UTC).

const id = encodeURIComponent;

/** Accept or reject explanations (leaders, department heads). */
export const FINDINGS_DECIDE = 'findings.decide';

export const VERDICTS = ['compliant', 'awaiting_explanation', 'non_compliant'] as const;
export type Verdict = (typeof VERDICTS)[number];
/** A verdict, or none yet (the recompute job has not run). */
export type VerdictKey = Verdict | 'not_computed';
export const VERDICT_KEYS: readonly VerdictKey[] = [...VERDICTS, 'not_computed'];

/** A11.1's reasons in the regulation's order, then "other" (which needs text). */
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

export const MARKER_KINDS = ['notification', 'violation', 'evidence', 'questioning', 'other'] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

/** Findings answered through an interruption record, not directly (A11.1–A11.3). */
export const ANSWERED_BY_INTERRUPTION: readonly string[] = [
  'GAP',
  'EARLY_STOP',
  'GAP_NO_SPEECH',
  'GAP_UNREPORTED',
];

export interface Named {
  zh: string;
  en: string;
}

export interface VerdictReason {
  code: string;
  articles: string[];
  status: string;
  effect: 'non_compliant' | 'awaiting_explanation';
  count: number;
  zh: string;
  en: string;
}

export interface LaneSegment {
  from: number;
  to: number;
  recordingIds: string[];
}

export interface Lane {
  deviceId: string;
  officerId: string | null;
  segments: LaneSegment[];
  points: { recordingId: string; kind: string; at: number }[];
  markers: { id: string; recordingId: string; kind: MarkerKind; at: number }[];
}

export interface Gap {
  from: number;
  to: number;
  resumedByRecordingId: string | null;
  speechAtResume: boolean | null;
  interruptionId: string | null;
}

export interface Interval {
  from: number;
  to: number;
}

export interface Timeline {
  window: Interval | null;
  coverage: Interval[];
  uncovered: Interval[];
  lanes: Lane[];
  gaps: Gap[];
  officersWithoutLane: string[];
}

export interface FindingHistory {
  at: number;
  act: string;
  actorName: string;
  fromStatus: string | null;
  toStatus: string;
  comment: string | null;
}

export interface Finding {
  id: string;
  code: string;
  name: Named;
  article: string;
  articles: string[];
  severity: string;
  subjectType: string;
  subjectId: string;
  status: string;
  source: string | null;
  withdrawn: boolean;
  detail: { zh?: string; en?: string } & Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  history: FindingHistory[];
}

export interface Interruption {
  id: string;
  gapFrom: number;
  gapTo: number;
  reason: InterruptionReason;
  reasonText: string | null;
  spokenConfirmed: boolean;
  stoppedForGood: boolean;
  reportedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedByName: string | null;
  writtenExplanation: string | null;
  writtenAt: number | null;
  decision: 'accepted' | 'rejected' | null;
  decidedByName: string | null;
  decidedAt: number | null;
  decisionComment: string | null;
  createdBy: string;
  createdByName: string;
  createdAt: number;
}

export interface Marker {
  id: string;
  recordingId: string;
  kind: MarkerKind;
  offsetMs: number;
  at: number | null;
  note: string | null;
  createdByName: string;
  createdAt: number;
}

export interface ActivityCompliance {
  activityId: string;
  verdict: Verdict;
  phase: string;
  coveredMs: number;
  windowMs: number;
  share: number | null;
  computedAt: number;
  reasons: VerdictReason[];
  timeline: Timeline;
  findings: Finding[];
  interruptions: Interruption[];
  markers: Marker[];
  may: { explain: boolean; decide: boolean; mark: boolean };
}

export interface InterruptionInput {
  reason: InterruptionReason;
  reasonText?: string | null;
  spokenConfirmed: boolean;
  stoppedForGood: boolean;
}

export interface Notification {
  id: string;
  kind: string;
  title: Named;
  targetType: string | null;
  targetId: string | null;
  dueAt: number | null;
  createdAt: number;
  readAt: number | null;
  acknowledgedAt: number | null;
}

export interface AwaitingFinding {
  findingId: string;
  code: string;
  name: Named;
  article: string;
  status: string;
  activityId: string;
  owed: 'explain' | 'decide';
  dueAt: number;
}

export interface Bell {
  unread: number;
  notifications: Notification[];
  awaiting: AwaitingFinding[];
}

// ─── Dashboard (src/services/compliance-report.service.ts) ───────────────────────

export interface ComplianceMetrics {
  activities: number;
  requiringRecording: number;
  recorded: number;
  shareRecorded: number | null;
  coveredMs: number;
  windowMs: number;
  coverage: number | null;
  verdicts: Record<VerdictKey, number>;
  openFindings: number;
}

export interface FindingCodeCount {
  code: string;
  zh: string;
  en: string;
  articles: string[];
  severity: string | null;
  open: number;
  explained: number;
  accepted: number;
  violation: number;
  pending: number;
}

export interface ComplianceDashboard {
  period: { from: string; to: string; kind: 'month' | 'year' | 'custom'; timeZone: string };
  scope: {
    visibility: 'all' | 'units' | 'own';
    unit: { id: string; name: string } | null;
    officer: { id: string; name: string } | null;
  };
  totals: ComplianceMetrics;
  byType: (ComplianceMetrics & { type: string; nameZh: string; nameEn: string })[];
  findings: {
    byCode: FindingCodeCount[];
    byStatus: Record<string, number>;
    lateImports: { total: number; pending: number };
    notDocked: { total: number; pending: number; devices: number };
  };
  exemptions: Record<string, number> & { total: number };
  violations: Record<string, number> & { total: number };
  byUnit: (ComplianceMetrics & { unitId: string | null; unitName: string | null })[];
  byOfficer: (ComplianceMetrics & {
    userId: string;
    name: string;
    code: string;
    unitId: string | null;
    unitName: string | null;
  })[];
}

export interface DashboardQuery {
  from: string;
  to: string;
  unit?: string;
  officer?: string;
}

export type RecordingFilter = 'required' | 'recorded' | 'missing';

/** What a clicked number stands for; the drill-down lists the activities behind it. */
export interface DrillQuery extends DashboardQuery {
  verdict?: VerdictKey;
  code?: string;
  type?: string;
  recording?: RecordingFilter;
  /** The unit alone, without the units below it (a row of the by-unit table). */
  unitOnly?: boolean;
}

export interface DrillActivity {
  id: string;
  type: string;
  typeNameZh: string;
  title: string | null;
  subjectId: string;
  subjectName: string;
  unitId: string | null;
  unitName: string | null;
  at: number;
  arrivedAt: number | null;
  endedAt: number | null;
  status: string;
  officers: { userId: string; name: string }[];
  verdict: VerdictKey;
  coveredMs: number | null;
  windowMs: number | null;
  openFindings: number;
  openCodes: string[];
}

export type ReportFormat = 'pdf' | 'xlsx' | 'json';

export const compliance = {
  forActivity: (activityId: string) =>
    request<ActivityCompliance>(`/activities/${id(activityId)}/compliance`),
  explainGap: (
    activityId: string,
    body: InterruptionInput & { gapFrom: number; gapTo: number; report?: boolean },
  ) => request<{ id: string }>(`/activities/${id(activityId)}/interruptions`, { method: 'POST', body }),
  updateInterruption: (interruptionId: string, body: InterruptionInput) =>
    request<{ id: string }>(`/interruptions/${id(interruptionId)}`, { method: 'PUT', body }),
  report: (interruptionId: string) =>
    request<{ id: string }>(`/interruptions/${id(interruptionId)}/report`, { method: 'POST' }),
  acknowledge: (interruptionId: string) =>
    request<{ id: string }>(`/interruptions/${id(interruptionId)}/acknowledge`, { method: 'POST' }),
  explainInWriting: (interruptionId: string, text: string) =>
    request<{ id: string }>(`/interruptions/${id(interruptionId)}/written`, {
      method: 'POST',
      body: { text },
    }),
  decideInterruption: (interruptionId: string, decision: 'accepted' | 'rejected', comment?: string) =>
    request<{ id: string }>(`/interruptions/${id(interruptionId)}/decision`, {
      method: 'POST',
      body: { decision, comment: comment || null },
    }),
  act: (findingId: string, act: 'explain' | 'accept' | 'reject', comment?: string) =>
    request<Finding>(`/findings/${id(findingId)}/acts`, {
      method: 'POST',
      body: { act, comment: comment || null },
    }),
  mark: (recordingId: string, body: { kind: MarkerKind; offsetMs: number; note: string | null }) =>
    request<{ id: string }>(`/recordings/${id(recordingId)}/markers`, { method: 'POST', body }),
  bell: () => request<Bell>('/notifications'),
  markRead: (notificationId: string) =>
    request<Notification>(`/notifications/${id(notificationId)}/read`, { method: 'POST', body: {} }),
  dashboard: (q: DashboardQuery) =>
    request<ComplianceDashboard>('/dashboard/compliance', { query: { ...q } }),
  drill: (q: DrillQuery & { limit?: number; offset?: number }) =>
    request<{ items: DrillActivity[]; total: number; limit: number; offset: number }>(
      '/dashboard/compliance/activities',
      { query: { ...q } },
    ),
  /** The report file, downloaded by the browser itself (the session cookie goes along). */
  reportUrl: (q: Omit<DashboardQuery, 'officer'>, format: ReportFormat) =>
    `${API_BASE}/reports/compliance${buildQuery({ from: q.from, to: q.to, unit: q.unit, format })}`,
};
