import type { Executor } from '../database.js';
import type { UnitRow } from '../schema.js';

export const unitsRepository = {
  list: (db: Executor): Promise<UnitRow[]> =>
    db.selectFrom('units').selectAll().orderBy('createdAt').execute(),
  get: (db: Executor, id: string) =>
    db.selectFrom('units').selectAll().where('id', '=', id).executeTakeFirst(),
  findByName: (db: Executor, name: string, parentId: string | null) =>
    db
      .selectFrom('units')
      .selectAll()
      .where('name', '=', name)
      .where((eb) => (parentId === null ? eb('parentId', 'is', null) : eb('parentId', '=', parentId)))
      .executeTakeFirst(),
  insert: async (db: Executor, row: UnitRow) => {
    await db.insertInto('units').values(row).execute();
  },
  update: async (db: Executor, id: string, patch: Partial<UnitRow>) => {
    await db.updateTable('units').set(patch).where('id', '=', id).execute();
  },
};
