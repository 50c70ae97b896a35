// The compliance engine's configuration, input and output (compliance.ts evaluates).
// Kept apart so services, routes and the web client can import the shapes alone.
import type { ActivityStatus, ActivityType } from './activity.js';
import type { CarriedCode, FindingCode, InterruptionReason, Severity } from './compliance-findings.js';
import type { Interval } from './intervals.js';

// ─── Tolerances ──────────────────────────────────────────────────────────────────

export interface ComplianceTolerances {
  /** Split files of one device this close count as one continuous recording. */
  splitToleranceMs: number;
  /** How long after the arrival the team's recording may begin. */
  lateStartMs: number;
  /** How long before the end the team's recording may stop. */
  earlyStopMs: number;
  /** Holes in the team's coverage up to this long are not interruptions. */
  minGapMs: number;
  /** The "first minutes" in which the notification (A8.1) must be given. */
  notificationWindowMs: number;
  /** A pre-use check's clock offset beyond this is CLOCK_OFFSET. */
  clockOffsetMs: number;
  /** A recording starting this long after the end is AFTER_ACTIVITY. */
  afterActivityMs: number;
}

export const DEFAULT_TOLERANCES: Readonly<ComplianceTolerances> = {
  // The figure: recorders close one file and open the next within a second or two.
  splitToleranceMs: 3_000,
  // Arrival and end are typed by hand to the minute on a phone whose clock is not the
  // device's; two minutes absorbs that rounding and the moment of switching the camera on.
  lateStartMs: 120_000,
  earlyStopMs: 120_000,
  // Longer than any split pause and the residual clock error between two corrected devices
  // (checks are read to the second), shorter than any deliberate stop.
  minGapMs: 10_000,
  // A8.1 says "beforehand": the words come first; three minutes lets the officers find the
  // party responsible before saying them.
  notificationWindowMs: 180_000,
  // The pre-use check's default tolerance (settings: clockToleranceSeconds); the service
  // passes the installation's value.
  clockOffsetMs: 30_000,
  // Same hand-typed-minute slack as the end itself: stopping the camera just after the
  // typed end is normal, starting one well after it is not.
  afterActivityMs: 120_000,
};

// ─── Input ───────────────────────────────────────────────────────────────────────

export type RecordingKind = 'video' | 'audio' | 'photo' | 'other';
export const MARKER_KINDS = ['notification', 'violation', 'evidence', 'questioning', 'other'] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

export interface ComplianceActivity {
  id: string;
  type: ActivityType;
  status: ActivityStatus;
  plannedAt: number;
  arrivedAt: number | null;
  endedAt: number | null;
  remoteWork: boolean;
  returnedAt: number | null;
  officers: readonly { userId: string; inCharge: boolean }[];
  /** Devices attached to the activity. */
  deviceIds: readonly string[];
  /** When an officer recorded that the A8.1 notification was given (counts like a marker). */
  notifiedAt: number | null;
  /** The exemption that stands (exemption.ts exemptionOutcome / shownExemption), if any. */
  exemption: null | { id: string; status: 'pending' | 'approved' | 'rejected' };
}

export interface ComplianceRecording {
  id: string;
  deviceId: string;
  holderId: string | null;
  kind: RecordingKind;
  /** Corrected start, epoch ms; null when unknown. */
  start: number | null;
  /** Corrected end; null (or the start) for photos and unknown durations. */
  end: number | null;
  /** Speech at the start of the file: null while not (yet) measured. */
  speechAtStart: boolean | null;
  sequence: number | null;
  sequenceGroup: string | null;
  importedAt: number;
  /** The import-time findings stored on this recording. */
  importFindings: readonly { id: string; code: string }[];
}

export interface PreUseCheck {
  id: string;
  at: number;
  passed: boolean;
  /** device − server, ms. */
  clockOffsetMs: number;
  failures: readonly string[];
}

/** A check-out of a device overlapping the activity, with the checks made during it. */
export interface DeviceUse {
  deviceId: string;
  checkoutId: string | null;
  officerId: string | null;
  from: number;
  to: number | null;
  checks: readonly PreUseCheck[];
}

export interface DeviceDocking {
  deviceId: string;
  /** Start of the device's first import at or after the activity's end; null: none yet. */
  firstImportAfterEndAt: number | null;
}

/** A stored SEQUENCE_GAP finding of a device (its subject is the device, not a file). */
export interface DeviceSequenceGap {
  findingId: string;
  deviceId: string;
  group: string | null;
  from: number;
  to: number;
}

export interface Marker {
  id: string;
  recordingId: string;
  kind: MarkerKind;
  /** Absolute time, epoch ms (the file's corrected start plus the offset). */
  at: number;
}

export interface Interruption {
  id: string;
  gapFrom: number;
  gapTo: number;
  reason: InterruptionReason;
  reasonText: string | null;
  /** The officer confirms the reason was stated aloud on resuming (A11.2). */
  spokenConfirmed: boolean;
  /** Recording could not continue (A11.3). */
  stoppedForGood: boolean;
  /** When the department head was told (A11.3); null: not reported. */
  reportedAt: number | null;
  writtenExplanationAt: number | null;
  decision: 'accepted' | 'rejected' | null;
}

export interface ComplianceInput {
  /** The unit's time zone: "the day" of A13.1 and the times in the sentences. */
  timeZone: string;
  activity: ComplianceActivity;
  recordings?: readonly ComplianceRecording[];
  deviceUses?: readonly DeviceUse[];
  dockings?: readonly DeviceDocking[];
  sequenceGaps?: readonly DeviceSequenceGap[];
  markers?: readonly Marker[];
  interruptions?: readonly Interruption[];
}

// ─── Output ──────────────────────────────────────────────────────────────────────

export type CompliancePhase = 'not_started' | 'under_way' | 'awaiting_import' | 'final' | 'cancelled';

export interface LaneSegment {
  from: number;
  to: number;
  recordingIds: string[];
}

/** One timeline lane per device and officer. */
export interface Lane {
  deviceId: string;
  officerId: string | null;
  /** Video and audio, split files within the tolerance joined; not clipped to the window. */
  segments: LaneSegment[];
  /** Photos and files without a duration. */
  points: { recordingId: string; kind: RecordingKind; at: number }[];
  markers: { id: string; recordingId: string; kind: MarkerKind; at: number }[];
}

export interface Gap {
  from: number;
  to: number;
  /** The recording with which coverage resumes. */
  resumedByRecordingId: string | null;
  speechAtResume: boolean | null;
  /** The officers' interruption record overlapping it most. */
  interruptionId: string | null;
}

export type DetailValue = string | number | boolean | null | readonly string[];
export type FindingDetail = { zh: string; en: string } & { [key: string]: DetailValue };

export interface ComplianceFinding {
  code: FindingCode;
  article: string;
  severity: Severity;
  subjectType: 'activity' | 'recording' | 'device';
  subjectId: string;
  /** Stable identity within the activity across recomputes. */
  key: string;
  detail: FindingDetail;
}

/** An import-time finding counted in this activity's verdict (already stored; not recomputed). */
export interface CarriedFinding {
  findingId: string;
  code: CarriedCode;
  article: string;
  severity: Severity;
  subjectType: 'recording' | 'device';
  subjectId: string;
}

export interface ComplianceResult {
  activityId: string;
  phase: CompliancePhase;
  /** [arrival, end], or [arrival, now] while under way; null when it has no arrival. */
  window: Interval | null;
  coverage: Interval[];
  coveredMs: number;
  windowMs: number;
  /** coveredMs / windowMs; null for an empty or missing window. */
  share: number | null;
  /** Every uncovered part of the window (late start, gaps, early stop, short holes). */
  uncovered: Interval[];
  lanes: Lane[];
  /** Officers of the team with no lane: nothing of theirs was recorded (the timeline shows them empty). */
  officersWithoutLane: string[];
  /** Interruptions: uncovered stretches longer than minGapMs with coverage on both sides. */
  gaps: Gap[];
  findings: ComplianceFinding[];
  carried: CarriedFinding[];
}
