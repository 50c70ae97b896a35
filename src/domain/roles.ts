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
  'tokens.manage': {
    zh: '管理所有 API 令牌（含采集站令牌）',
    en: 'Manage all API tokens (incl. station tokens)',
  },
  'tokens.own': { zh: '管理本人的 API 令牌', en: 'Manage own API tokens' },
  'audit.read': { zh: '查看与导出审计日志', en: 'View and export the audit trail' },
  'settings.manage': { zh: '修改系统设置', en: 'Change system settings' },
  'devices.read': { zh: '查看音像记录设备', en: 'View recording devices' },
  'devices.manage': {
    zh: '管理设备台账（登记、维修、耗材、报废、调配）',
    en: 'Manage the device register (add, repair, consumables, retire, reassign)',
  },
  'checkouts.own': {
    zh: '领用、检查、归还本人保管的设备',
    en: 'Check out, check and return devices one holds',
  },
  'checkouts.manage': { zh: '为他人办理领用与归还', en: 'Check devices out and in for others' },
  'subjects.read': { zh: '查看执法对象与一户一档', en: 'View subjects and dossiers' },
  'subjects.manage': { zh: '登记与修改执法对象', en: 'Register and edit subjects' },
  'cases.read': { zh: '查看案件', en: 'View cases' },
  'cases.manage': { zh: '登记与办理案件', en: 'Register and handle cases' },
  'activities.read': { zh: '查看执法活动', en: 'View enforcement activities' },
  'activities.manage': { zh: '登记执法活动', en: 'Register enforcement activities' },
  'documents.read': { zh: '查看文书材料', en: 'View documents' },
  'documents.upload': { zh: '上传文书材料', en: 'Upload documents' },
  'exemptions.request': { zh: '提交不予记录说明', en: 'Submit exemption records' },
  'exemptions.review': { zh: '审核不予记录说明', en: 'Review exemption records' },
  'templates.manage': { zh: '修改告知用语模板', en: 'Edit notification templates' },
  'reports.equipment': { zh: '查看年度装备报表', en: 'View the yearly equipment report' },
  'reports.compliance': {
    zh: '查看本单位（或全部）的合规统计与报表',
    en: 'View compliance dashboards and reports of one’s units (or all)',
  },
  'recordings.import': { zh: '采集导入音像记录', en: 'Import recordings from devices' },
  'recordings.read': {
    zh: '查看全部音像记录的信息（不含内容）',
    en: "View every recording's metadata (not its content)",
  },
  'findings.decide': {
    zh: '认可或驳回合规问题的说明',
    en: 'Accept or reject explanations of compliance findings',
  },
  'violations.record': { zh: '认定违规并登记处理', en: 'Record violations and their sanctions' },
} as const satisfies Record<string, { zh: string; en: string }>;
export type Permission = keyof typeof PERMISSIONS;

const EVERYONE: Permission[] = [
  'units.read',
  'users.read',
  'tokens.own',
  'devices.read',
  'subjects.read',
  'cases.read',
  'activities.read',
  'documents.read',
];
/** What people who go out on enforcement need. */
const FIELD_WORK: Permission[] = [
  'checkouts.own',
  'recordings.import',
  'subjects.manage',
  'cases.manage',
  'activities.manage',
  'documents.upload',
  'exemptions.request',
];

/** The permission table. Least privilege: a role gets only what its work needs. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  officer: [...EVERYONE, ...FIELD_WORK],
  custodian: [
    ...EVERYONE,
    'devices.manage',
    'checkouts.own',
    'checkouts.manage',
    'documents.upload',
    'reports.equipment',
    'recordings.import',
    'recordings.read',
  ],
  legal_office: [
    ...EVERYONE,
    'subjects.manage',
    'cases.manage',
    'activities.manage',
    'documents.upload',
    'reports.compliance',
    'recordings.read',
  ],
  leader: [
    ...EVERYONE,
    ...FIELD_WORK,
    'exemptions.review',
    'templates.manage',
    'reports.equipment',
    'reports.compliance',
    'recordings.read',
    'findings.decide',
  ],
  department_head: [
    ...EVERYONE,
    ...FIELD_WORK,
    'reports.equipment',
    'reports.compliance',
    'recordings.read',
    'findings.decide',
  ],
  supervisor: [...EVERYONE, 'audit.read', 'reports.compliance', 'recordings.read', 'violations.record'],
  admin: [
    ...EVERYONE,
    'units.manage',
    'users.manage',
    'tokens.manage',
    'audit.read',
    'settings.manage',
    'devices.manage',
    'checkouts.manage',
    'subjects.manage',
    'cases.manage',
    'activities.manage',
    'documents.upload',
    'templates.manage',
    'reports.equipment',
    'recordings.import',
  ],
};

/**
 * Who sees what of the collection (metadata only; content is the access issue's). With one
 * of `all`, everything; otherwise, with `own`, only one's own: recordings one held or that
 * are linked to an activity one was on the team of; imports of devices one keeps or had
 * checked out, and imports one ran. Administrators are a technical role: no recordings.read.
 */
export const COLLECTION_VISIBILITY = {
  recordings: {
    all: ['recordings.read'],
    own: 'held by the actor, or linked to an activity the actor was on',
  },
  imports: {
    all: ['devices.manage', 'checkouts.manage', 'recordings.read'],
    own: 'recordings.import',
  },
} as const satisfies {
  recordings: { all: readonly Permission[]; own: string };
  imports: { all: readonly Permission[]; own: Permission };
};

/**
 * Whose compliance numbers (dashboards, reports) one sees. With 'reports.compliance': the
 * roles in `all` see every unit (the supervisors and the brigade's legal office), those in
 * `units` their own unit and its sub-units (plus the activities they were on themselves).
 * Everyone else, and anyone without that permission, sees only the activities they were on.
 */
export const COMPLIANCE_VISIBILITY = {
  permission: 'reports.compliance',
  all: ['supervisor', 'legal_office'],
  units: ['leader', 'department_head'],
} as const satisfies { permission: Permission; all: readonly Role[]; units: readonly Role[] };

/** API token scopes: a station token may only upload and report health. */
export const TOKEN_SCOPES = ['station', 'api'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What a token of a scope may use, intersected with its owner's permissions. */
export const SCOPE_PERMISSIONS: Record<TokenScope, readonly Permission[] | 'owner'> = {
  station: ['units.read', 'devices.read', 'recordings.import'],
  api: 'owner',
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
