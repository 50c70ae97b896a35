// Table types for Kysely. Columns are snake_case in the database and camelCase here
// (CamelCasePlugin). Times are UTC epoch milliseconds; flags are 0/1 integers so the
// same values work on SQLite and PostgreSQL.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface UnitsTable {
  id: string;
  name: string;
  kind: string;
  parentId: string | null;
  code: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface UsersTable {
  id: string;
  username: string;
  name: string;
  code: string;
  unitId: string | null;
  passwordHash: string;
  mustChangePassword: number;
  active: number;
  totpSecret: string | null;
  totpPendingSecret: string | null;
  failedLogins: number;
  lockedUntil: number | null;
  lastLoginAt: number | null;
  passwordChangedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface UserRolesTable {
  userId: string;
  role: string;
}

export interface SessionsTable {
  /** SHA-256 of the cookie value: a stolen database does not yield live sessions. */
  id: string;
  userId: string;
  kind: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  clientIp: string | null;
  userAgent: string | null;
  revokedAt: number | null;
}

export interface ApiTokensTable {
  id: string;
  userId: string;
  name: string;
  scope: string;
  tokenHash: string;
  prefix: string;
  createdAt: number;
  createdBy: string | null;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

export interface AuditEventsTable {
  seq: number;
  id: string;
  at: number;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  clientIp: string | null;
  details: string;
  prevHash: string;
  hash: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updatedAt: number;
  updatedBy: string | null;
}

export interface DeviceTypesTable {
  id: string;
  nameZh: string;
  nameEn: string;
  serviceLifeYears: number;
  active: number;
  createdAt: number;
}

export interface DevicesTable {
  id: string;
  serial: string;
  assetNumber: string | null;
  typeId: string;
  maker: string | null;
  model: string | null;
  unitId: string | null;
  /** YYYY-MM-DD */
  purchaseDate: string | null;
  purchaseCostCents: number | null;
  status: string;
  holderId: string | null;
  notes: string | null;
  retiredAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface DeviceEventsTable {
  id: string;
  deviceId: string | null;
  unitId: string | null;
  kind: string;
  /** YYYY-MM-DD */
  occurredOn: string;
  item: string | null;
  quantity: number | null;
  costCents: number | null;
  vendor: string | null;
  description: string;
  recordedBy: string;
  createdAt: number;
}

export interface EnforcementSubjectsTable {
  id: string;
  type: string;
  name: string;
  creditCode: string | null;
  idNumber: string | null;
  legalRepresentative: string | null;
  address: string | null;
  contact: string | null;
  latitude: number | null;
  longitude: number | null;
  unitId: string | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface CasesTable {
  id: string;
  caseNumber: string;
  title: string;
  subjectId: string;
  unitId: string | null;
  status: string;
  filedOn: string;
  decidedOn: string | null;
  closedOn: string | null;
  archivedOn: string | null;
  /** null: kept permanently */
  retentionYears: number | null;
  summary: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface CaseOfficersTable {
  caseId: string;
  userId: string;
  lead: number;
}

export interface ActivitiesTable {
  id: string;
  type: string;
  title: string | null;
  subjectId: string;
  caseId: string | null;
  unitId: string | null;
  address: string;
  latitude: number | null;
  longitude: number | null;
  plannedAt: number;
  arrivedAt: number | null;
  endedAt: number | null;
  remoteWork: number;
  returnedAt: number | null;
  status: string;
  notifiedAt: number | null;
  notifiedBy: string | null;
  notes: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface ActivityOfficersTable {
  activityId: string;
  userId: string;
  inCharge: number;
}

export interface CheckoutsTable {
  id: string;
  deviceId: string;
  officerId: string;
  activityId: string | null;
  checkedOutAt: number;
  dueAt: number;
  checkedInAt: number | null;
  checkedInBy: string | null;
  remoteWork: number;
  returnedAt: number | null;
  reassignedBy: string | null;
  notes: string | null;
}

export interface DeviceChecksTable {
  id: string;
  deviceId: string;
  officerId: string;
  checkoutId: string | null;
  checkedAt: number;
  batteryPercent: number;
  freeStorageMb: number;
  deviceTime: number;
  offsetMs: number;
  toleranceMs: number;
  result: string;
  /** JSON array of rule codes */
  failures: string;
}

export interface ActivityDevicesTable {
  activityId: string;
  deviceId: string;
  checkoutId: string | null;
  officerId: string | null;
  addedAt: number;
}

export interface ExemptionsTable {
  id: string;
  activityId: string;
  category: string;
  reason: string;
  basis: string;
  authorId: string;
  createdAt: number;
  status: string;
  reviewerId: string | null;
  reviewedAt: number | null;
  reviewComment: string | null;
}

export interface NotificationTemplatesTable {
  unitId: string;
  template: string;
  updatedBy: string | null;
  updatedAt: number;
}

export interface DocumentsTable {
  id: string;
  sha256: string;
  size: number;
  filename: string;
  mediaType: string;
  kind: string;
  title: string;
  subjectId: string | null;
  caseId: string | null;
  activityId: string | null;
  uploadedBy: string;
  uploadedAt: number;
}

export interface Schema {
  units: UnitsTable;
  users: UsersTable;
  userRoles: UserRolesTable;
  sessions: SessionsTable;
  apiTokens: ApiTokensTable;
  auditEvents: AuditEventsTable;
  settings: SettingsTable;
  deviceTypes: DeviceTypesTable;
  devices: DevicesTable;
  deviceEvents: DeviceEventsTable;
  enforcementSubjects: EnforcementSubjectsTable;
  cases: CasesTable;
  caseOfficers: CaseOfficersTable;
  activities: ActivitiesTable;
  activityOfficers: ActivityOfficersTable;
  checkouts: CheckoutsTable;
  deviceChecks: DeviceChecksTable;
  activityDevices: ActivityDevicesTable;
  exemptions: ExemptionsTable;
  notificationTemplates: NotificationTemplatesTable;
  documents: DocumentsTable;
}

export type UnitRow = Selectable<UnitsTable>;
export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
// Generated is re-exported for later tables with database defaults.
export type { Generated };

// ─── Collection (0003): imports, recordings, findings, jobs ──────────────────────────

export interface ImportsTable {
  id: string;
  deviceId: string;
  /** cli | station */
  source: string;
  stationId: string | null;
  /** null: the console operator (actorName says who) */
  actorId: string | null;
  actorName: string;
  sourcePath: string | null;
  startedAt: number;
  finishedAt: number | null;
  /** running | completed | partial | aborted */
  status: string;
  /** JSON */
  summary: string;
}

export interface RecordingsTable {
  id: string;
  sha256: string;
  size: number;
  /** video | photo | audio | other */
  kind: string;
  deviceId: string;
  holderId: string | null;
  /** Sanitised for display; metadata only, never part of a storage path. */
  originalPath: string;
  /** Hex of the raw path bytes when originalPath is not exact. */
  originalPathBytes: string | null;
  nameScheme: string;
  /** JSON */
  nameInfo: string;
  deviceLocalTime: string | null;
  /** name | container | exif | file | none */
  timeSource: string;
  rawRecordedAt: number | null;
  clockCheckId: string | null;
  clockOffsetMs: number | null;
  recordedAt: number | null;
  durationMs: number | null;
  endedAt: number | null;
  sequence: number | null;
  sequenceGroup: string | null;
  important: number;
  mediaOk: number;
  /** JSON MediaInfo */
  mediaInfo: string | null;
  importId: string;
  importedAt: number;
  activityId: string | null;
  createdAt: number;
}

export interface ImportFilesTable {
  id: string;
  importId: string;
  path: string;
  pathBytes: string | null;
  sha256: string | null;
  size: number | null;
  /** imported | duplicate | failed */
  status: string;
  recordingId: string | null;
  /** JSON { code, zh, en } */
  error: string | null;
  /** JSON array of finding codes */
  findings: string;
  createdAt: number;
}

export interface FindingsTable {
  id: string;
  code: string;
  article: string;
  /** info | warning | serious */
  severity: string;
  /** recording | import | device | activity */
  subjectType: string;
  subjectId: string;
  /** JSON */
  detail: string;
  /** open | explained | accepted | violation */
  status: string;
  createdAt: number;
  updatedAt: number;
}

export interface JobsTable {
  id: string;
  kind: string;
  /** JSON */
  payload: string;
  /** queued | running | done | failed */
  status: string;
  attempts: number;
  maxAttempts: number;
  runAfter: number;
  lockedBy: string | null;
  lockedUntil: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

// Declaration merging keeps later tables in their own appended block.
export interface Schema {
  imports: ImportsTable;
  recordings: RecordingsTable;
  importFiles: ImportFilesTable;
  findings: FindingsTable;
  jobs: JobsTable;
}

export type RecordingRow = Selectable<RecordingsTable>;
export type JobRow = Selectable<JobsTable>;

// ─── Media pipeline (0005): derivatives, speech at start, media status ───────────────

export interface DerivativesTable {
  recordingId: string;
  /** thumbnail | proxy */
  kind: string;
  sha256: string;
  size: number;
  /** image/jpeg | video/mp4 | audio/mp4 */
  mediaType: string;
  createdAt: number;
}

// Columns 0005 adds to recordings (declaration merging with RecordingsTable above). Optional
// so rows written before the pipeline existed (and code that does not know it) still type.
export interface RecordingsTable {
  /** 0/1; null: not measured (yet). */
  speechAtStart?: number | null;
  speechMs?: number | null;
  firstSpeechAtMs?: number | null;
  /** pending | ready | failed; null: nothing to process. */
  mediaStatus?: string | null;
  mediaError?: string | null;
}

export interface Schema {
  derivatives: DerivativesTable;
}

export type DerivativeRow = Selectable<DerivativesTable>;

// ─── Stations (0004): heartbeats and tus uploads ──────────────────────────────────────

export interface StationsTable {
  id: string;
  version: string;
  freeBytes: number | null;
  queue: number;
  lastError: string | null;
  /** JSON array of device serials */
  docked: string;
  actorId: string | null;
  clientIp: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
}

export interface UploadsTable {
  id: string;
  importId: string;
  deviceId: string;
  stationId: string | null;
  path: string;
  declaredSha256: string;
  size: number;
  /** catalogued | rejected | failed */
  status: string;
  /** imported | duplicate | failed */
  fileStatus: string | null;
  recordingId: string | null;
  /** JSON { code, zh, en } */
  error: string | null;
  actorId: string | null;
  finishedAt: number;
}

export interface Schema {
  stations: StationsTable;
  uploads: UploadsTable;
}

// ─── Link source (0007): who set recordings.activity_id ──────────────────────────────

export interface RecordingsTable {
  /** auto | manual; null: never linked (or unlinked by the rule). */
  linkSource?: string | null;
}

// ─── Compliance (0008): finding history, interruptions, markers, verdicts, bell ──────

// Columns 0008 adds to findings (optional: rows and code from before still type).
export interface FindingsTable {
  /** The activity whose verdict the finding weighs on; null for recording-only findings. */
  activityId?: string | null;
  /** The engine's stable key within the activity (null for import-time findings). */
  findingKey?: string | null;
  /** import | linking | engine | manual */
  source?: string | null;
  dueAt?: number | null;
  /** Set when the engine no longer finds it (inputs changed); cleared if it returns. */
  withdrawnAt?: number | null;
}

export interface FindingEventsTable {
  id: string;
  findingId: string;
  at: number;
  actorId: string | null;
  actorName: string;
  /** raised | explain | accept | reject | record_violation | withdrawn | reopened */
  act: string;
  fromStatus: string | null;
  toStatus: string;
  comment: string | null;
}

export interface InterruptionsTable {
  id: string;
  activityId: string;
  gapFrom: number;
  gapTo: number;
  reason: string;
  reasonText: string | null;
  spokenConfirmed: number;
  stoppedForGood: number;
  reportedAt: number | null;
  reportedTo: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  writtenExplanation: string | null;
  writtenAt: number | null;
  /** accepted | rejected */
  decision: string | null;
  decidedBy: string | null;
  decidedAt: number | null;
  decisionComment: string | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface MarkersTable {
  id: string;
  recordingId: string;
  /** notification | violation | evidence | questioning | other */
  kind: string;
  offsetMs: number;
  note: string | null;
  createdBy: string;
  createdAt: number;
}

export interface ActivityComplianceTable {
  activityId: string;
  verdict: string;
  phase: string;
  coveredMs: number;
  windowMs: number;
  openFindings: number;
  /** JSON VerdictReason[] */
  reasons: string;
  /** JSON { window, coverage, uncovered, lanes, gaps, officersWithoutLane } */
  timeline: string;
  computedAt: number;
}

export interface NotificationsTable {
  id: string;
  userId: string;
  kind: string;
  titleZh: string;
  titleEn: string;
  targetType: string | null;
  targetId: string | null;
  dueAt: number | null;
  createdAt: number;
  readAt: number | null;
  acknowledgedAt: number | null;
}

export interface Schema {
  findingEvents: FindingEventsTable;
  interruptions: InterruptionsTable;
  markers: MarkersTable;
  activityCompliance: ActivityComplianceTable;
  notifications: NotificationsTable;
}

// ─── Violations (0009): the A21.1 / A22.1 register ──────────────────────────────────

export interface ViolationsTable {
  id: string;
  /** The register's number, e.g. 2026-007. */
  number: string;
  officerId: string;
  unitId: string | null;
  /** A21.1 category (domain/violation.ts) */
  category: string;
  description: string;
  occurredAt: number;
  evidenceText: string | null;
  /** draft | decided | closed | withdrawn */
  status: string;
  /** JSON Sanction[] */
  sanctions: string | null;
  decisionText: string | null;
  suspensionFrom: string | null;
  suspensionTo: string | null;
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: number | null;
  closedBy: string | null;
  closedByName: string | null;
  closedAt: number | null;
  closeNote: string | null;
  withdrawnBy: string | null;
  withdrawnByName: string | null;
  withdrawnAt: number | null;
  withdrawReason: string | null;
  createdBy: string | null;
  createdByName: string;
  createdAt: number;
  updatedAt: number;
}

export interface ViolationFindingsTable {
  violationId: string;
  findingId: string;
}

export interface ViolationAuditEventsTable {
  violationId: string;
  auditSeq: number;
  auditId: string;
}

export interface Schema {
  violations: ViolationsTable;
  violationFindings: ViolationFindingsTable;
  violationAuditEvents: ViolationAuditEventsTable;
}
