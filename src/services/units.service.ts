// Units (大队 / 中队 / 科室) form a tree; a unit may not become its own ancestor.
import { uuidv7 } from 'uuidv7';
import { unitsRepository } from '../db/repositories/units.repository.js';
import type { UnitRow } from '../db/schema.js';
import { AppError, errors } from '../domain/errors.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';

export const UNIT_KINDS = ['brigade', 'squadron', 'office'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

export interface Unit {
  id: string;
  name: string;
  kind: UnitKind;
  parentId: string | null;
  code: string | null;
  createdAt: number;
}

export interface UnitInput {
  name: string;
  kind: UnitKind;
  parentId?: string | null;
  code?: string | null;
}

const present = (r: UnitRow): Unit => ({
  id: r.id,
  name: r.name,
  kind: r.kind as UnitKind,
  parentId: r.parentId,
  code: r.code,
  createdAt: Number(r.createdAt),
});

function checkName(name: string): string {
  const n = name.trim();
  if (!n || n.length > 100)
    throw errors.validation('单位名称须为 1–100 个字符 / unit name must be 1–100 characters');
  return n;
}

export class UnitsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  async list(actor: Actor): Promise<Unit[]> {
    assertPermission(actor, 'units.read');
    return (await unitsRepository.list(this.ctx.catalogue.db)).map(present);
  }

  async get(actor: Actor, id: string): Promise<Unit> {
    assertPermission(actor, 'units.read');
    const row = await unitsRepository.get(this.ctx.catalogue.db, id);
    if (!row) throw errors.notFound('unit', '单位', id);
    return present(row);
  }

  /** Finds a unit by id or by exact name (for the CLI's --unit). */
  async resolve(actor: Actor, idOrName: string): Promise<Unit> {
    assertPermission(actor, 'units.read');
    const all = await unitsRepository.list(this.ctx.catalogue.db);
    const hit = all.filter(
      (u) => u.id === idOrName || u.name === idOrName || (u.code !== null && u.code === idOrName),
    );
    if (hit.length === 0) throw errors.notFound('unit', '单位', idOrName);
    if (hit.length > 1)
      throw new AppError('UNIT_AMBIGUOUS', 400, {
        zh: `有多个单位名为 “${idOrName}”，请改用单位 ID`,
        en: `Several units are named "${idOrName}"; use the unit id`,
      });
    return present(hit[0]!);
  }

  async create(actor: Actor, input: UnitInput): Promise<Unit> {
    assertPermission(actor, 'units.manage');
    const name = checkName(input.name);
    const parentId = input.parentId ?? null;
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      if (parentId && !(await unitsRepository.get(tx, parentId)))
        throw errors.notFound('unit', '上级单位', parentId);
      if (await unitsRepository.findByName(tx, name, parentId))
        throw errors.conflict(
          'UNIT_NAME_TAKEN',
          `同一上级下已有名为 “${name}” 的单位`,
          `A unit named "${name}" already exists under this parent`,
        );
      const now = this.ctx.clock.now();
      const row: UnitRow = {
        id: uuidv7(),
        name,
        kind: input.kind,
        parentId,
        code: input.code?.trim() || null,
        createdAt: now,
        updatedAt: now,
      };
      await unitsRepository.insert(tx, row);
      await this.audit.record(tx, actor, {
        action: 'unit.create',
        targetType: 'unit',
        targetId: row.id,
        details: { name, kind: row.kind, parentId, code: row.code },
      });
      return present(row);
    });
  }

  async update(actor: Actor, id: string, patch: Partial<UnitInput>): Promise<Unit> {
    assertPermission(actor, 'units.manage');
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const current = await unitsRepository.get(tx, id);
      if (!current) throw errors.notFound('unit', '单位', id);
      const next: Partial<UnitRow> = {};
      if (patch.name !== undefined) next.name = checkName(patch.name);
      if (patch.kind !== undefined) next.kind = patch.kind;
      if (patch.code !== undefined) next.code = patch.code?.trim() || null;
      if (patch.parentId !== undefined) {
        const parentId = patch.parentId;
        if (parentId !== null) {
          const all = await unitsRepository.list(tx);
          const byId = new Map(all.map((u) => [u.id, u]));
          if (!byId.has(parentId)) throw errors.notFound('unit', '上级单位', parentId);
          for (let at: string | null = parentId; at; at = byId.get(at)?.parentId ?? null)
            if (at === id)
              throw new AppError('UNIT_CYCLE', 400, {
                zh: '不能把单位移到它自己的下级之下',
                en: 'A unit cannot be moved under one of its own descendants',
              });
        }
        next.parentId = parentId;
      }
      const name = next.name ?? current.name;
      const parentId = next.parentId !== undefined ? next.parentId : current.parentId;
      const clash = await unitsRepository.findByName(tx, name, parentId);
      if (clash && clash.id !== id)
        throw errors.conflict(
          'UNIT_NAME_TAKEN',
          `同一上级下已有名为 “${name}” 的单位`,
          `A unit named "${name}" already exists under this parent`,
        );
      next.updatedAt = this.ctx.clock.now();
      await unitsRepository.update(tx, id, next);
      const changed = Object.fromEntries(
        Object.entries(next).filter(
          ([k, v]) => k !== 'updatedAt' && (current as Record<string, unknown>)[k] !== v,
        ),
      );
      await this.audit.record(tx, actor, {
        action: 'unit.update',
        targetType: 'unit',
        targetId: id,
        details: { changed },
      });
      return present({ ...current, ...next });
    });
  }
}
