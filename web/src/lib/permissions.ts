import type { Me } from '../api/types';

export function can(me: Me | undefined, permission: string): boolean {
  return !!me && me.permissions.includes(permission);
}
