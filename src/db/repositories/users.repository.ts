import type { Executor } from '../database.js';
import type { NewUser, UserRow, UserUpdate } from '../schema.js';

export interface UserFilter {
  q?: string;
  unitId?: string;
  role?: string;
  active?: boolean;
}

export const usersRepository = {
  get: (db: Executor, id: string) =>
    db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
  byUsername: (db: Executor, username: string) =>
    db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst(),
  count: async (db: Executor) => {
    const r = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },
  insert: async (db: Executor, row: NewUser) => {
    await db.insertInto('users').values(row).execute();
  },
  update: async (db: Executor, id: string, patch: UserUpdate) => {
    await db.updateTable('users').set(patch).where('id', '=', id).execute();
  },
  list: (db: Executor, f: UserFilter): Promise<UserRow[]> => {
    let q = db.selectFrom('users').selectAll();
    if (f.q) {
      const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['username']), 'like', like),
          eb(eb.fn('lower', ['name']), 'like', like),
          eb(eb.fn('lower', ['code']), 'like', like),
        ]),
      );
    }
    if (f.unitId) q = q.where('unitId', '=', f.unitId);
    if (f.active !== undefined) q = q.where('active', '=', f.active ? 1 : 0);
    if (f.role)
      q = q.where('id', 'in', (eb) =>
        eb.selectFrom('userRoles').select('userId').where('role', '=', f.role!),
      );
    return q.orderBy('username').execute();
  },
  roles: async (db: Executor, userIds: string[]): Promise<Map<string, string[]>> => {
    const map = new Map<string, string[]>();
    if (userIds.length === 0) return map;
    // chunked: SQLite limits the number of bound parameters
    for (let i = 0; i < userIds.length; i += 500) {
      const rows = await db
        .selectFrom('userRoles')
        .selectAll()
        .where('userId', 'in', userIds.slice(i, i + 500))
        .execute();
      for (const r of rows) map.set(r.userId, [...(map.get(r.userId) ?? []), r.role]);
    }
    return map;
  },
  setRoles: async (db: Executor, userId: string, roles: readonly string[]) => {
    await db.deleteFrom('userRoles').where('userId', '=', userId).execute();
    if (roles.length)
      await db
        .insertInto('userRoles')
        .values(roles.map((role) => ({ userId, role })))
        .execute();
  },
};
