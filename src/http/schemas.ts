// Shared JSON schemas (TypeBox): they validate requests and document the API.
import { Type, type Static, type TSchema } from 'typebox';
import { ROLES, TOKEN_SCOPES } from '../domain/roles.js';
import { UNIT_KINDS } from '../services/units.service.js';

/**
 * A value or null. Written as `type: [T, 'null']` (or an enum including null) rather than
 * anyOf: with type coercion on, ajv coerces inside the first anyOf branch that can take the
 * value, turning null into "" (string first) or 0 into null (null first).
 */
export function Nullable<T extends TSchema>(t: T) {
  const s = t as unknown as { type?: unknown; enum?: unknown[] };
  if (typeof s.type === 'string') return Type.Unsafe<Static<T> | null>({ ...t, type: [s.type, 'null'] });
  if (Array.isArray(s.enum)) return Type.Unsafe<Static<T> | null>({ ...t, enum: [...s.enum, null] });
  return Type.Union([t, Type.Null()]);
}
export const strictObject: typeof Type.Object = ((props: Parameters<typeof Type.Object>[0], opts?: object) =>
  Type.Object(props, { additionalProperties: false, ...opts })) as typeof Type.Object;

export const ErrorBody = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'Error' },
);

export const RoleSchema = Type.Enum([...ROLES]);
export const UnitKindSchema = Type.Enum([...UNIT_KINDS]);
export const ScopeSchema = Type.Enum([...TOKEN_SCOPES]);
export const IdParams = strictObject({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const UnitSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: UnitKindSchema,
  parentId: Nullable(Type.String()),
  code: Nullable(Type.String()),
  createdAt: Type.Number(),
});

export const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  name: Type.String(),
  code: Type.String(),
  unitId: Nullable(Type.String()),
  unitName: Nullable(Type.String()),
  roles: Type.Array(RoleSchema),
  active: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  totpEnabled: Type.Boolean(),
  lockedUntil: Nullable(Type.Number()),
  lastLoginAt: Nullable(Type.Number()),
  createdAt: Type.Number(),
});

export const MeSchema = Type.Object({
  ...UserSchema.properties,
  permissions: Type.Array(Type.String()),
  mfaRequired: Type.Boolean(),
});

export const TokenSchema = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  username: Type.String(),
  name: Type.String(),
  scope: ScopeSchema,
  prefix: Type.String(),
  createdAt: Type.Number(),
  lastUsedAt: Nullable(Type.Number()),
  expiresAt: Nullable(Type.Number()),
  revokedAt: Nullable(Type.Number()),
});

export const AuditEventSchema = Type.Object({
  seq: Type.Number(),
  id: Type.String(),
  at: Type.Number(),
  actorId: Nullable(Type.String()),
  actorName: Nullable(Type.String()),
  action: Type.String(),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  outcome: Type.String(),
  clientIp: Nullable(Type.String()),
  details: Type.Unknown(),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const SecuritySettingsSchema = strictObject({
  mfaRequiredRoles: Type.Array(RoleSchema),
  sessionIdleMinutes: Type.Integer({ minimum: 1, maximum: 480 }),
  sessionAbsoluteHours: Type.Integer({ minimum: 1, maximum: 168 }),
});
