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

export interface Schema {
  units: UnitsTable;
  users: UsersTable;
  userRoles: UserRolesTable;
  sessions: SessionsTable;
  apiTokens: ApiTokensTable;
  auditEvents: AuditEventsTable;
  settings: SettingsTable;
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
