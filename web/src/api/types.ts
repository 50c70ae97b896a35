// Shapes from docs/api.md (HTTP API v1). Times are epoch milliseconds (UTC).

export const ROLES = [
  'officer',
  'custodian',
  'legal_office',
  'leader',
  'department_head',
  'supervisor',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const UNIT_KINDS = ['brigade', 'squadron', 'office'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface Unit {
  id: string;
  name: string;
  kind: UnitKind;
  parentId: string | null;
  code: string | null;
  createdAt: number;
}

export interface User {
  id: string;
  username: string;
  name: string;
  code: string;
  unitId: string | null;
  unitName: string | null;
  roles: Role[];
  active: boolean;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  lockedUntil: number | null;
  lastLoginAt: number | null;
  createdAt: number;
}

export interface Me extends User {
  permissions: string[];
  /** Admin policy requires TOTP for one of my roles. */
  mfaRequired: boolean;
}

export type TokenScope = 'station' | 'api';

export interface ApiToken {
  id: string;
  userId: string;
  username: string;
  name: string;
  scope: TokenScope;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
}

export type Outcome = 'success' | 'failure' | 'denied';
export const OUTCOMES: readonly Outcome[] = ['success', 'failure', 'denied'];

export interface AuditEvent {
  seq: number;
  id: string;
  at: number;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: Outcome;
  clientIp: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface SecuritySettings {
  mfaRequiredRoles: Role[];
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
}

export interface HealthComponent {
  ok: boolean;
  kind: string;
  detail?: string;
}

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  database: HealthComponent;
  storage: HealthComponent;
}

export type LoginResult = { user: Me; mfaRequired?: undefined } | { mfaRequired: true; user?: undefined };

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
  minClasses: number;
}

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
}

export interface RolesMatrix {
  roles: { role: Role; zh: string; en: string; permissions: string[] }[];
  permissions: { permission: string; zh: string; en: string }[];
}

export interface AuditFilters {
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: Outcome;
  from?: number;
  to?: number;
}

export interface AuditPage {
  items: AuditEvent[];
  nextBefore: number | null;
}

export interface AuditVerify {
  ok: boolean;
  checked: number;
  firstBroken?: { seq: number; id: string; reason: string };
}

export interface UserFilters {
  q?: string;
  unitId?: string;
  role?: Role;
  active?: boolean;
}

/** Permissions the UI checks; the server is the authority, these only decide what to show. */
export const PERM = {
  unitsRead: 'units.read',
  unitsManage: 'units.manage',
  usersRead: 'users.read',
  usersManage: 'users.manage',
  tokensManage: 'tokens.manage',
  tokensOwn: 'tokens.own',
  settingsManage: 'settings.manage',
  auditRead: 'audit.read',
  devicesRead: 'devices.read',
  devicesManage: 'devices.manage',
  checkoutsOwn: 'checkouts.own',
  checkoutsManage: 'checkouts.manage',
  subjectsRead: 'subjects.read',
  subjectsManage: 'subjects.manage',
  casesRead: 'cases.read',
  casesManage: 'cases.manage',
  activitiesRead: 'activities.read',
  activitiesManage: 'activities.manage',
  documentsRead: 'documents.read',
  documentsUpload: 'documents.upload',
  exemptionsRequest: 'exemptions.request',
  exemptionsReview: 'exemptions.review',
  templatesManage: 'templates.manage',
  reportsEquipment: 'reports.equipment',
  recordingsImport: 'recordings.import',
  recordingsRead: 'recordings.read',
} as const;

// ─── Registry (docs/api.md § Registry) ───────────────────────────────────────────────

export const DEVICE_STATUSES = ['in_stock', 'issued', 'maintenance', 'lost', 'retired'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export interface DeviceType {
  id: string;
  nameZh: string;
  nameEn: string;
  serviceLifeYears: number;
  active: boolean;
}

export interface Checkout {
  id: string;
  deviceId: string;
  deviceSerial: string;
  officerId: string;
  officerName: string;
  activityId: string | null;
  checkedOutAt: number;
  dueAt: number;
  checkedInAt: number | null;
  remoteWork: boolean;
  returnedAt: number | null;
  reassignedBy: string | null;
  notes: string | null;
  overdue: boolean;
}

export const CHECK_FAILURES = ['CLOCK_OFFSET', 'BATTERY_LOW', 'STORAGE_LOW'] as const;
export type CheckFailure = (typeof CHECK_FAILURES)[number];

export interface DeviceCheck {
  id: string;
  deviceId: string;
  officerId: string;
  officerName: string;
  checkoutId: string | null;
  checkedAt: number;
  batteryPercent: number;
  freeStorageMb: number;
  /** Epoch ms the device showed, as entered. */
  deviceTime: number;
  /** device − server. */
  offsetMs: number;
  toleranceMs: number;
  result: 'pass' | 'fail';
  failures: CheckFailure[];
}

export interface Device {
  id: string;
  serial: string;
  assetNumber: string | null;
  typeId: string;
  typeNameZh: string;
  typeNameEn: string;
  maker: string | null;
  model: string | null;
  unitId: string | null;
  unitName: string | null;
  /** YYYY-MM-DD */
  purchaseDate: string | null;
  purchaseCostCents: number | null;
  status: DeviceStatus;
  holderId: string | null;
  holderName: string | null;
  holderUsername: string | null;
  notes: string | null;
  openCheckout: Checkout | null;
  lastCheck: DeviceCheck | null;
  createdAt: number;
}

export const DEVICE_EVENT_KINDS = [
  'maintenance',
  'consumable',
  'loss',
  'theft',
  'found',
  'retirement',
] as const;
export type DeviceEventKind = (typeof DEVICE_EVENT_KINDS)[number];
export const CONSUMABLE_ITEMS = ['battery', 'memory_card', 'other'] as const;
export type ConsumableItem = (typeof CONSUMABLE_ITEMS)[number];

export interface DeviceEvent {
  id: string;
  deviceId: string | null;
  unitId: string | null;
  kind: DeviceEventKind;
  occurredOn: string;
  item: ConsumableItem | null;
  quantity: number | null;
  costCents: number | null;
  vendor: string | null;
  description: string;
  recordedBy: string;
  recordedByName: string;
  createdAt: number;
}

export interface DeviceDetail extends Device {
  events: DeviceEvent[];
  checks: DeviceCheck[];
  checkouts: Checkout[];
}

export interface DeviceFilters {
  q?: string;
  typeId?: string;
  status?: DeviceStatus;
  holderId?: string;
  unitId?: string;
}

export interface RegistrySettings {
  clockToleranceSeconds: number;
  minBatteryPercent: number;
  minFreeStorageMb: number;
  defaultCheckoutHours: number;
  caseNumberPattern: string;
}

export const SUBJECT_TYPES = ['farm', 'slaughterhouse', 'feed_vet_business', 'individual', 'other'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export interface Subject {
  id: string;
  type: SubjectType;
  name: string;
  creditCode: string | null;
  idNumber: string | null;
  legalRepresentative: string | null;
  address: string | null;
  contact: string | null;
  latitude: number | null;
  longitude: number | null;
  unitId: string | null;
  createdAt: number;
}

export const CASE_STATUSES = ['filed', 'investigating', 'decided', 'closed', 'archived'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface Case {
  id: string;
  caseNumber: string;
  title: string;
  subjectId: string;
  subjectName: string;
  unitId: string | null;
  status: CaseStatus;
  filedOn: string;
  decidedOn: string | null;
  closedOn: string | null;
  archivedOn: string | null;
  /** null = permanent. */
  retentionYears: number | null;
  summary: string | null;
  officers: { userId: string; name: string; lead: boolean }[];
  createdAt: number;
}

export const ACTIVITY_TYPES = [
  'routine_inspection',
  'complaint',
  'investigation',
  'service_of_documents',
  'coercive_measure',
  'other_onsite',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
export const ACTIVITY_STATUSES = ['planned', 'in_progress', 'completed', 'cancelled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

export const EXEMPTION_CATEGORIES = ['secret_or_privacy', 'emergency', 'objective'] as const;
export type ExemptionCategory = (typeof EXEMPTION_CATEGORIES)[number];
export const EXEMPTION_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export type ExemptionStatus = (typeof EXEMPTION_STATUSES)[number];

export interface Exemption {
  id: string;
  activityId: string;
  category: ExemptionCategory;
  reason: string;
  basis: string;
  authorId: string;
  authorName: string;
  createdAt: number;
  status: ExemptionStatus;
  reviewerId: string | null;
  reviewerName: string | null;
  reviewedAt: number | null;
  reviewComment: string | null;
}

/** GET /exemptions adds the activity it belongs to (beyond docs/api.md). */
export interface ExemptionListItem extends Exemption {
  activity?: {
    type: ActivityType;
    typeNameZh: string;
    title: string | null;
    subjectId: string;
    subjectName: string;
    plannedAt: number;
    status: string;
  };
}

export interface ActivityOfficer {
  userId: string;
  name: string;
  code: string;
  inCharge: boolean;
}

export interface ActivityDevice {
  deviceId: string;
  serial: string;
  typeId: string;
  officerId: string | null;
  checkoutId: string | null;
}

export interface Activity {
  id: string;
  type: ActivityType;
  title: string | null;
  subjectId: string;
  subjectName: string;
  caseId: string | null;
  caseNumber: string | null;
  unitId: string | null;
  address: string;
  latitude: number | null;
  longitude: number | null;
  plannedAt: number;
  arrivedAt: number | null;
  endedAt: number | null;
  remoteWork: boolean;
  returnedAt: number | null;
  status: ActivityStatus;
  notifiedAt: number | null;
  notifiedBy: string | null;
  notes: string | null;
  officers: ActivityOfficer[];
  devices: ActivityDevice[];
  /** The latest. */
  exemption: Exemption | null;
  createdAt: number;
}

export interface ActivityFilters {
  from?: number;
  to?: number;
  subjectId?: string;
  caseId?: string;
  officerId?: string;
  status?: ActivityStatus;
  mine?: boolean;
}

export interface NotificationScript {
  text: string;
  unitName: string;
  officerNames: string[];
}

export interface NotificationTemplate {
  unitId?: string;
  template: string;
  /** Beyond docs/api.md: where the template comes from. */
  source?: 'unit' | 'inherited' | 'default';
  sourceUnitId?: string | null;
  updatedAt?: number | null;
  updatedBy?: string | null;
}

export const DOCUMENT_KINDS = ['inspection_record', 'notice', 'photo', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export interface DocumentRecord {
  id: string;
  sha256: string;
  size: number;
  filename: string;
  mediaType: string;
  kind: DocumentKind;
  title: string;
  subjectId: string | null;
  caseId: string | null;
  activityId: string | null;
  uploadedBy: string;
  uploadedByName: string;
  uploadedAt: number;
}

/** What a document is attached to; at least one of the three. */
export interface DocumentOwner {
  subjectId?: string;
  caseId?: string;
  activityId?: string;
}

export type DossierKind = 'activity' | 'case' | 'document' | 'exemption' | 'recording';

export interface DossierEntry {
  at: number;
  kind: DossierKind | string;
  id: string;
  title: string;
  detail: Record<string, unknown>;
}

export interface Dossier {
  subject: Subject;
  activities: Activity[];
  cases: Case[];
  documents: DocumentRecord[];
  exemptions?: Exemption[];
  timeline: DossierEntry[];
}

export type TodoSeverity = 'info' | 'warning' | 'danger';

export interface TodoItem {
  kind: string;
  /** zh-CN. */
  title: string;
  /** Beyond docs/api.md: the English title, when the server sends one. */
  titleEn?: string;
  due: number | null;
  since?: number | null;
  /** Path in the web app. */
  link: string;
  severity: TodoSeverity;
}

type StatusCounts = Record<DeviceStatus | 'total', number>;

/** GET /reports/equipment?format=json (the shape the server sends; not spelled out in docs/api.md). */
export interface EquipmentReport {
  year: number;
  unit: { id: string; name: string } | null;
  generatedAt: number;
  fleet: {
    byType: ({
      typeId: string;
      typeNameZh: string;
      typeNameEn: string;
      serviceLifeYears: number;
    } & StatusCounts)[];
    totals: StatusCounts;
  };
  purchases: {
    count: number;
    costCents: number;
    unknownCostCount: number;
    items: {
      deviceId: string;
      serial: string;
      typeNameZh: string;
      maker: string | null;
      model: string | null;
      purchaseDate: string;
      costCents: number | null;
    }[];
  };
  maintenance: {
    count: number;
    costCents: number;
    items: {
      eventId: string;
      occurredOn: string;
      serial: string | null;
      typeNameZh: string | null;
      description: string;
      vendor: string | null;
      costCents: number | null;
    }[];
  };
  consumables: {
    count: number;
    costCents: number;
    byItem: {
      item: ConsumableItem;
      nameZh: string;
      nameEn: string;
      count: number;
      quantity: number;
      costCents: number;
    }[];
  };
  losses: {
    loss: number;
    theft: number;
    found: number;
    items: {
      eventId: string;
      occurredOn: string;
      kind: 'loss' | 'theft';
      serial: string;
      typeNameZh: string;
      holderName: string | null;
      status: DeviceStatus;
      description: string;
    }[];
  };
  retirements: {
    count: number;
    items: {
      eventId: string;
      occurredOn: string;
      serial: string;
      typeNameZh: string;
      purchaseDate: string | null;
      purchaseCostCents: number | null;
      description: string;
    }[];
  };
  dueForReplacement: {
    count: number;
    estimatedCostCents: number;
    undatedCount: number;
    items: {
      deviceId: string;
      serial: string;
      typeNameZh: string;
      purchaseDate: string;
      serviceLifeYears: number;
      dueOn: string;
      status: DeviceStatus;
      holderName: string | null;
      purchaseCostCents: number | null;
    }[];
  };
  totals: {
    devices: number;
    purchaseCostCents: number;
    maintenanceCostCents: number;
    consumablesCostCents: number;
    spendingCostCents: number;
    losses: number;
    thefts: number;
    retirements: number;
    dueForReplacement: number;
  };
}
