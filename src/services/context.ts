// What every service receives: the catalogue, a clock, and who is acting.
import type { Catalogue } from '../db/database.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { Permission, Role } from '../domain/roles.js';
import { errors } from '../domain/errors.js';

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export interface Actor {
  /** null for the local operator (CLI) and the system itself. */
  userId: string | null;
  name: string;
  roles: readonly Role[];
  permissions: ReadonlySet<Permission>;
  clientIp: string | null;
  via: 'session' | 'token' | 'cli' | 'system';
  tokenId?: string;
}

export interface ServiceContext {
  catalogue: Catalogue;
  clock: Clock;
  blobs: BlobStore;
  /** IANA zone for calendar days ("today", report years); times are stored in UTC. */
  timezone: string;
}

/** The operator at the server's console: may do every administrative act, audited as such. */
export function cliActor(all: readonly Permission[]): Actor {
  const osUser = process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  return {
    userId: null,
    name: `cli:${osUser}`,
    roles: [],
    permissions: new Set(all),
    clientIp: null,
    via: 'cli',
  };
}

export const systemActor: Actor = {
  userId: null,
  name: 'system',
  roles: [],
  permissions: new Set(),
  clientIp: null,
  via: 'system',
};

export function hasPermission(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

export function assertPermission(actor: Actor, permission: Permission): void {
  if (!actor.permissions.has(permission)) throw errors.forbidden(permission);
}
