import { describe, expect, it } from 'vitest';
import {
  can,
  COLLECTION_VISIBILITY,
  COMPLIANCE_VISIBILITY,
  isRole,
  PERMISSIONS,
  permissionsOf,
  ROLE_NAMES,
  ROLE_PERMISSIONS,
  ROLES,
  SCOPE_PERMISSIONS,
  TOKEN_SCOPES,
  type Permission,
  type Role,
} from './roles.js';

// The permission table, written out literally. Any change to roles.ts's table must be
// made here too, on purpose: least privilege is reviewed, not drifted into.
const EXPECTED_TABLE: Record<Role, Permission[]> = {
  officer: [
    'units.read',
    'users.read',
    'tokens.own',
    'devices.read',
    'subjects.read',
    'cases.read',
    'activities.read',
    'documents.read',
    'checkouts.own',
    'recordings.import',
    'subjects.manage',
    'cases.manage',
    'activities.manage',
    'documents.upload',
    'exemptions.request',
  ],
  custodian: [
    'units.read',
    'users.read',
    'tokens.own',
    'devices.read',
    'subjects.read',
    'cases.read',
    'activities.read',
    'documents.read',
    'devices.manage',
    'checkouts.own',
    'checkouts.manage',
    'documents.upload',
    'reports.equipment',
    'recordings.import',
    'recordings.read',
  ],
  legal_office: [
    'units.read',
    'users.read',
    'tokens.own',
    'devices.read',
    'subjects.read',
    'cases.read',
    'activities.read',
    'documents.read',
    'subjects.manage',
    'cases.manage',
    'activities.manage',
    'documents.upload',
    'reports.compliance',
    'recordings.read',
  ],
  leader: [
    'units.read',
    'users.read',
    'tokens.own',
    'devices.read',
    'subjects.read',
    'cases.read',
    'activities.read',
    'documents.read',
    'checkouts.own',
    'recordings.import',
    'subjects.manage',
    'cases.manage',
    'activities.manage',
    'documents.upload',
    'exemptions.request',
    'exemptions.review',
    'templates.manage',
    'reports.equipment',
    'reports.compliance',
    'recordings.read',
    'findings.decide',
  ],
  department_head: [
    'units.read',
    'users.read',
    'tokens.own',
    'devices.read',
    'subjects.read',
    'cases.read',
    'activities.read',
    'documents.read',
    'checkouts.own',
    'recordings.import',
    'subjects.manage',
    'cases.manage',
    'activities.manage',
    'documents.upload',
    'exemptions.request',
    'reports.equipment',
    'reports.compliance',
    'recordings.read',
    'findings.decide',
  ],
  supervisor: [
    'units.read',
    'users.read',
    'tokens.own',
    'devices.read',
    'subjects.read',
    'cases.read',
    'activities.read',
    'documents.read',
    'audit.read',
    'reports.compliance',
    'recordings.read',
    'violations.record',
  ],
  admin: [
    'units.read',
    'users.read',
    'tokens.own',
    'devices.read',
    'subjects.read',
    'cases.read',
    'activities.read',
    'documents.read',
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

const EXPECTED_PERMISSION_KEYS: Permission[] = [
  'units.read',
  'units.manage',
  'users.read',
  'users.manage',
  'tokens.manage',
  'tokens.own',
  'audit.read',
  'settings.manage',
  'devices.read',
  'devices.manage',
  'checkouts.own',
  'checkouts.manage',
  'subjects.read',
  'subjects.manage',
  'cases.read',
  'cases.manage',
  'activities.read',
  'activities.manage',
  'documents.read',
  'documents.upload',
  'exemptions.request',
  'exemptions.review',
  'templates.manage',
  'reports.equipment',
  'reports.compliance',
  'recordings.import',
  'recordings.read',
  'findings.decide',
  'violations.record',
];

const EXPECTED_ROLES: Role[] = [
  'officer',
  'custodian',
  'legal_office',
  'leader',
  'department_head',
  'supervisor',
  'admin',
];

const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];
const ADMIN_ONLY: Permission[] = ['users.manage', 'units.manage', 'tokens.manage', 'settings.manage'];

describe('roles: the role list', () => {
  it('has exactly the seven roles of the regulation, in order', () => {
    expect([...ROLES]).toEqual(EXPECTED_ROLES);
  });

  it('every role has a non-empty zh and en display name', () => {
    expect(Object.keys(ROLE_NAMES).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) {
      expect(ROLE_NAMES[role].zh.trim(), role).not.toBe('');
      expect(ROLE_NAMES[role].en.trim(), role).not.toBe('');
      // The Chinese name really is Chinese.
      expect(ROLE_NAMES[role].zh, role).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('role display names are distinct', () => {
    const zh = ROLES.map((r) => ROLE_NAMES[r].zh);
    const en = ROLES.map((r) => ROLE_NAMES[r].en);
    expect(new Set(zh).size).toBe(ROLES.length);
    expect(new Set(en).size).toBe(ROLES.length);
  });
});

describe('roles: the permission catalogue', () => {
  it('has exactly the expected permissions', () => {
    expect(ALL_PERMISSIONS).toEqual(EXPECTED_PERMISSION_KEYS);
  });

  it('every permission has a non-empty zh and en name', () => {
    for (const p of ALL_PERMISSIONS) {
      expect(PERMISSIONS[p].zh.trim(), p).not.toBe('');
      expect(PERMISSIONS[p].en.trim(), p).not.toBe('');
      expect(PERMISSIONS[p].zh, p).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('every permission is granted to at least one role (no dead permissions)', () => {
    for (const p of ALL_PERMISSIONS)
      expect(
        ROLES.some((r) => ROLE_PERMISSIONS[r].includes(p)),
        p,
      ).toBe(true);
  });
});

describe('roles: the permission table (least privilege)', () => {
  it('matches the expected table exactly (a change must be deliberate)', () => {
    expect(Object.keys(ROLE_PERMISSIONS).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) expect([...ROLE_PERMISSIONS[role]], role).toEqual(EXPECTED_TABLE[role]);
  });

  it('every role has at least one permission', () => {
    for (const role of ROLES) expect(ROLE_PERMISSIONS[role].length, role).toBeGreaterThan(0);
  });

  it('every permission in the table exists in PERMISSIONS with zh and en names', () => {
    for (const role of ROLES)
      for (const p of ROLE_PERMISSIONS[role]) {
        expect(Object.hasOwn(PERMISSIONS, p), `${role}: ${p}`).toBe(true);
        expect(PERMISSIONS[p].zh, `${role}: ${p}`).toBeTruthy();
        expect(PERMISSIONS[p].en, `${role}: ${p}`).toBeTruthy();
      }
  });

  it('no role lists a permission twice', () => {
    for (const role of ROLES)
      expect(new Set(ROLE_PERMISSIONS[role]).size, role).toBe(ROLE_PERMISSIONS[role].length);
  });

  it.each(ADMIN_ONLY)('only admin has %s', (p) => {
    const holders = ROLES.filter((r) => ROLE_PERMISSIONS[r].includes(p));
    expect(holders).toEqual(['admin']);
  });

  it('A14.1 traceability: supervisor and admin read the audit trail, nobody else does', () => {
    const holders = ROLES.filter((r) => ROLE_PERMISSIONS[r].includes('audit.read'));
    expect(holders.sort()).toEqual(['admin', 'supervisor']);
  });

  it('supervisor can read but cannot manage anything', () => {
    for (const p of ADMIN_ONLY) expect(can(['supervisor'], p), p).toBe(false);
  });

  it('admin holds every permission except acts of field work and leadership, and reading recordings', () => {
    const notAdmin: Permission[] = [
      'checkouts.own',
      'exemptions.request',
      'exemptions.review',
      'reports.compliance',
      'recordings.read',
      'findings.decide',
      'violations.record',
    ];
    expect(permissionsOf(['admin'])).toEqual(ALL_PERMISSIONS.filter((p) => !notAdmin.includes(p)));
  });

  it('A7.2: only leaders review exemptions; officers request them', () => {
    expect(ROLES.filter((r) => can([r], 'exemptions.review'))).toEqual(['leader']);
    expect(can(['officer'], 'exemptions.request')).toBe(true);
    expect(can(['supervisor'], 'exemptions.request')).toBe(false);
  });

  it('A21.1(2): only custodians and admins check devices out for others', () => {
    expect(ROLES.filter((r) => can([r], 'checkouts.manage'))).toEqual(['custodian', 'admin']);
  });

  it('every role can read units and users and manage its own tokens', () => {
    for (const role of ROLES)
      for (const p of ['units.read', 'users.read', 'tokens.own'] as const)
        expect(can([role], p), `${role}: ${p}`).toBe(true);
  });
});

describe('roles: isRole', () => {
  it.each(EXPECTED_ROLES)('accepts %s', (r) => {
    expect(isRole(r)).toBe(true);
  });

  it.each([
    '',
    'Admin',
    'ADMIN',
    ' admin',
    'admin ',
    'root',
    'superuser',
    'legal-office',
    'toString',
    '__proto__',
    'constructor',
    'officer,admin',
  ])('rejects %j', (s) => {
    expect(isRole(s)).toBe(false);
  });
});

describe('roles: permissionsOf', () => {
  it('no roles → no permissions', () => {
    expect(permissionsOf([])).toEqual([]);
  });

  it('a single role gives its permissions in catalogue order', () => {
    expect(permissionsOf(['supervisor'])).toEqual([
      'units.read',
      'users.read',
      'tokens.own',
      'audit.read',
      'devices.read',
      'subjects.read',
      'cases.read',
      'activities.read',
      'documents.read',
      'reports.compliance',
      'recordings.read',
      'violations.record',
    ]);
  });

  it('admin permissions come back in catalogue order, not table order', () => {
    const got = permissionsOf(['admin']);
    expect(got).toEqual(ALL_PERMISSIONS.filter((p) => got.includes(p)));
    expect(got.slice(0, 4)).toEqual(['units.read', 'units.manage', 'users.read', 'users.manage']);
  });

  it('several roles give the union without duplicates', () => {
    const both = permissionsOf(['custodian', 'supervisor']);
    expect(both).toEqual(
      ALL_PERMISSIONS.filter(
        (p) => EXPECTED_TABLE.custodian.includes(p) || EXPECTED_TABLE.supervisor.includes(p),
      ),
    );
    expect(both).toContain('audit.read');
    expect(both).toContain('devices.manage');
    expect(new Set(both).size).toBe(both.length);
  });

  it('the result does not depend on role order or repetition', () => {
    for (const a of ROLES)
      for (const b of ROLES) {
        expect(permissionsOf([a, b])).toEqual(permissionsOf([b, a]));
        expect(permissionsOf([a, b, a])).toEqual(permissionsOf([a, b]));
      }
  });

  it('the union is exactly the set of permissions held by some role', () => {
    for (const a of ROLES)
      for (const b of ROLES) {
        const expected = ALL_PERMISSIONS.filter(
          (p) => EXPECTED_TABLE[a].includes(p) || EXPECTED_TABLE[b].includes(p),
        );
        expect(permissionsOf([a, b]), `${a}+${b}`).toEqual(expected);
      }
  });

  it('returns a fresh array (callers may not mutate the table through it)', () => {
    const p = permissionsOf(['officer']);
    p.push('settings.manage');
    expect(permissionsOf(['officer'])).not.toContain('settings.manage');
  });
});

describe('roles: can', () => {
  it('no roles → never allowed', () => {
    for (const p of ALL_PERMISSIONS) expect(can([], p), p).toBe(false);
  });

  it('agrees with the expected table for every role and permission', () => {
    for (const role of ROLES)
      for (const p of ALL_PERMISSIONS)
        expect(can([role], p), `${role}: ${p}`).toBe(EXPECTED_TABLE[role].includes(p));
  });

  it('agrees with permissionsOf for every pair of roles', () => {
    for (const a of ROLES)
      for (const b of ROLES)
        for (const p of ALL_PERMISSIONS) expect(can([a, b], p)).toBe(permissionsOf([a, b]).includes(p));
  });

  it('any one role holding the permission is enough', () => {
    expect(can(['officer', 'admin'], 'settings.manage')).toBe(true);
    expect(can(['officer', 'custodian'], 'settings.manage')).toBe(false);
    expect(can(['leader', 'supervisor'], 'audit.read')).toBe(true);
  });
});

describe('roles: token scopes', () => {
  it('has exactly the station and api scopes', () => {
    expect([...TOKEN_SCOPES]).toEqual(['station', 'api']);
    expect(Object.keys(SCOPE_PERMISSIONS).sort()).toEqual(['api', 'station']);
  });

  it('a station token may use only what SCOPE_PERMISSIONS says (units.read, devices.read, recordings.import), nothing that manages or reads the audit trail', () => {
    const station = SCOPE_PERMISSIONS.station;
    expect(station).not.toBe('owner');
    const expected = ['units.read', 'devices.read', 'recordings.import'];
    expect([...(station as readonly Permission[])]).toEqual(expected);
    for (const p of ALL_PERMISSIONS) {
      const allowed = (station as readonly Permission[]).includes(p);
      expect(allowed, p).toBe(expected.includes(p));
    }
    for (const p of [...ADMIN_ONLY, 'audit.read', 'users.read', 'tokens.own'] as Permission[])
      expect((station as readonly Permission[]).includes(p), p).toBe(false);
  });

  it('station scope permissions all exist and are held by the roles a station account has (officer, custodian)', () => {
    for (const p of SCOPE_PERMISSIONS.station as readonly Permission[]) {
      expect(Object.hasOwn(PERMISSIONS, p)).toBe(true);
      for (const role of ['officer', 'custodian'] as Role[])
        expect(can([role], p), `${role}: ${p}`).toBe(true);
    }
  });

  it('A12.1: only roles that dock devices import recordings', () => {
    expect(ROLES.filter((r) => can([r], 'recordings.import'))).toEqual([
      'officer',
      'custodian',
      'leader',
      'department_head',
      'admin',
    ]);
  });

  it("recordings.read (every recording's metadata) is for oversight roles and custodians, not officers or administrators", () => {
    expect(ROLES.filter((r) => can([r], 'recordings.read'))).toEqual([
      'custodian',
      'legal_office',
      'leader',
      'department_head',
      'supervisor',
    ]);
    for (const p of COLLECTION_VISIBILITY.recordings.all) expect(Object.hasOwn(PERMISSIONS, p)).toBe(true);
    for (const p of COLLECTION_VISIBILITY.imports.all) expect(Object.hasOwn(PERMISSIONS, p)).toBe(true);
  });

  it('compliance numbers beyond one’s own activities: supervisors and the legal office all units, leaders and department heads their own', () => {
    expect(ROLES.filter((r) => can([r], 'reports.compliance'))).toEqual([
      'legal_office',
      'leader',
      'department_head',
      'supervisor',
    ]);
    expect([...COMPLIANCE_VISIBILITY.all]).toEqual(['supervisor', 'legal_office']);
    expect([...COMPLIANCE_VISIBILITY.units]).toEqual(['leader', 'department_head']);
    // every role with a wider view holds the permission that grants it
    for (const r of [...COMPLIANCE_VISIBILITY.all, ...COMPLIANCE_VISIBILITY.units])
      expect(can([r], COMPLIANCE_VISIBILITY.permission), r).toBe(true);
  });

  it('an api token has its owner’s permissions', () => {
    expect(SCOPE_PERMISSIONS.api).toBe('owner');
  });
});
