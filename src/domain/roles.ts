// Roles and permissions are data: this one table says who may do what, and the web
// app's "roles and permissions" page shows it as it stands here.

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

export const ROLE_NAMES: Record<Role, { zh: string; en: string }> = {
  officer: { zh: '执法人员', en: 'Officer' },
  custodian: { zh: '保管人', en: 'Custodian' },
  legal_office: { zh: '法制办公室', en: 'Legal office' },
  leader: { zh: '大队领导', en: 'Leader' },
  department_head: { zh: '部门负责人', en: 'Department head' },
  supervisor: { zh: '执法监督', en: 'Supervisor' },
  admin: { zh: '系统管理员', en: 'Administrator' },
};

export const PERMISSIONS = {
  'units.read': { zh: '查看单位', en: 'View units' },
  'units.manage': { zh: '管理单位', en: 'Manage units' },
  'users.read': { zh: '查看人员', en: 'View users' },
  'users.manage': { zh: '管理人员、角色与密码', en: 'Manage users, roles and passwords' },
  'tokens.manage': { zh: '管理所有 API 令牌（含采集站令牌）', en: 'Manage all API tokens (incl. station tokens)' },
  'tokens.own': { zh: '管理本人的 API 令牌', en: 'Manage own API tokens' },
  'audit.read': { zh: '查看与导出审计日志', en: 'View and export the audit trail' },
  'settings.manage': { zh: '修改安全设置', en: 'Change security settings' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type Permission = keyof typeof PERMISSIONS;

const EVERYONE: Permission[] = ['units.read', 'users.read', 'tokens.own'];

/** The permission table. Least privilege: a role gets only what its work needs. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  officer: EVERYONE,
  custodian: EVERYONE,
  legal_office: EVERYONE,
  leader: EVERYONE,
  department_head: EVERYONE,
  supervisor: [...EVERYONE, 'audit.read'],
  admin: [...EVERYONE, 'units.manage', 'users.manage', 'tokens.manage', 'audit.read', 'settings.manage'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function permissionsOf(roles: readonly Role[]): Permission[] {
  const set = new Set<Permission>();
  for (const role of roles) for (const p of ROLE_PERMISSIONS[role]) set.add(p);
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => set.has(p));
}

export function can(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((r) => ROLE_PERMISSIONS[r].includes(permission));
}

/** API token scopes: a station token may only upload and report health. */
export const TOKEN_SCOPES = ['station', 'api'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What a token of a scope may use, intersected with its owner's permissions. */
export const SCOPE_PERMISSIONS: Record<TokenScope, readonly Permission[] | 'owner'> = {
  station: ['units.read'],
  api: 'owner',
};
