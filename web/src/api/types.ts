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
} as const;
