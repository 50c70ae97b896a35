import i18n from '../i18n';
import { API_BASE, ApiError, buildQuery, request } from './client';
import type {
  ApiToken,
  AuditFilters,
  AuditPage,
  AuditVerify,
  Health,
  LoginResult,
  Me,
  PasswordPolicy,
  Role,
  RolesMatrix,
  SecuritySettings,
  TokenScope,
  TotpSetup,
  Unit,
  UnitKind,
  User,
  UserFilters,
} from './types';

// One function per endpoint of docs/api.md; components never build URLs themselves.

export const auth = {
  me: () => request<Me>('/auth/me'),
  login: (username: string, password: string) =>
    request<LoginResult>('/auth/login', {
      method: 'POST',
      body: { username, password },
      credentialCheck: true,
    }),
  mfa: (code: string) =>
    request<{ user: Me }>('/auth/mfa', { method: 'POST', body: { code }, credentialCheck: true }),
  logout: () => request<void>('/auth/logout', { method: 'POST' }),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>('/auth/password', {
      method: 'POST',
      body: { currentPassword, newPassword },
      credentialCheck: true,
    }),
  passwordPolicy: () => request<PasswordPolicy>('/auth/password-policy'),
  totpSetup: () => request<TotpSetup>('/auth/totp/setup', { method: 'POST' }),
  totpEnable: (code: string) =>
    request<void>('/auth/totp/enable', { method: 'POST', body: { code }, credentialCheck: true }),
  totpDisable: (password: string) =>
    request<void>('/auth/totp/disable', { method: 'POST', body: { password }, credentialCheck: true }),
};

/** The health check answers 503 with the same body when degraded; that is data, not an error. */
export async function health(): Promise<Health> {
  let res: Response;
  try {
    res = await fetch('/api/health', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', i18n.t('errors.network'));
  }
  if (res.ok || res.status === 503) return (await res.json()) as Health;
  throw new ApiError(res.status, `HTTP_${res.status}`, i18n.t('errors.http', { status: String(res.status) }));
}

export const roles = {
  matrix: () => request<RolesMatrix>('/roles'),
};

export interface UnitInput {
  name: string;
  kind: UnitKind;
  parentId?: string | null;
  code?: string | null;
}

export const units = {
  list: () => request<{ items: Unit[] }>('/units').then((r) => r.items),
  create: (input: UnitInput) => request<Unit>('/units', { method: 'POST', body: input }),
  update: (id: string, input: Partial<UnitInput>) =>
    request<Unit>(`/units/${encodeURIComponent(id)}`, { method: 'PATCH', body: input }),
};

export interface UserCreateInput {
  username: string;
  name: string;
  code: string;
  unitId?: string;
  roles: Role[];
}

export interface UserUpdateInput {
  name?: string;
  code?: string;
  unitId?: string | null;
  roles?: Role[];
  active?: boolean;
}

export const users = {
  list: (f: UserFilters) =>
    request<{ items: User[] }>('/users', {
      query: { q: f.q, unitId: f.unitId, role: f.role, active: f.active },
    }).then((r) => r.items),
  get: (id: string) => request<User>(`/users/${encodeURIComponent(id)}`),
  create: (input: UserCreateInput) =>
    request<{ user: User; initialPassword?: string }>('/users', { method: 'POST', body: input }),
  update: (id: string, input: UserUpdateInput) =>
    request<User>(`/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: input }),
  resetPassword: (id: string) =>
    request<{ initialPassword: string }>(`/users/${encodeURIComponent(id)}/reset-password`, {
      method: 'POST',
    }),
  unlock: (id: string) => request<void>(`/users/${encodeURIComponent(id)}/unlock`, { method: 'POST' }),
  resetMfa: (id: string) => request<void>(`/users/${encodeURIComponent(id)}/reset-mfa`, { method: 'POST' }),
};

export interface TokenCreateInput {
  userId?: string;
  name: string;
  scope: TokenScope;
  expiresInDays?: number;
}

export const tokens = {
  list: () => request<{ items: ApiToken[] }>('/tokens').then((r) => r.items),
  create: (input: TokenCreateInput) =>
    request<{ token: ApiToken; secret: string }>('/tokens', { method: 'POST', body: input }),
  revoke: (id: string) => request<void>(`/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
};

function auditQuery(f: AuditFilters) {
  return {
    actor: f.actor,
    action: f.action,
    targetType: f.targetType,
    targetId: f.targetId,
    outcome: f.outcome,
    from: f.from,
    to: f.to,
  };
}

export const audit = {
  list: (f: AuditFilters, before?: number, limit = 50) =>
    request<AuditPage>('/audit', { query: { ...auditQuery(f), limit, before } }),
  /** A plain link: the browser downloads the CSV with the session cookie. */
  exportUrl: (f: AuditFilters) => `${API_BASE}/audit/export.csv${buildQuery(auditQuery(f))}`,
  verify: () => request<AuditVerify>('/audit/verify'),
};

export const settings = {
  getSecurity: () => request<SecuritySettings>('/settings/security'),
  putSecurity: (s: SecuritySettings) =>
    request<SecuritySettings>('/settings/security', { method: 'PUT', body: s }),
};
