// The A8.1 notification: a template per unit (inherited down the unit tree, defaulting
// to the regulation's wording) and the script an activity's officers read aloud.
import type { Executor } from '../db/database.js';
import { AppError, errors } from '../domain/errors.js';
import {
  announcingUnit,
  DEFAULT_TEMPLATE,
  renderTemplate,
  templateOwner,
  validateTemplate,
  type UnitNode,
} from '../domain/notification.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';

export interface NotificationTemplate {
  unitId: string;
  template: string;
  /** unit: set on this unit; inherited: from `sourceUnitId` above it; default: A8.1's wording. */
  source: 'unit' | 'inherited' | 'default';
  sourceUnitId: string | null;
  updatedAt: number | null;
  updatedBy: string | null;
}

export interface NotificationScript {
  text: string;
  unitName: string;
  officerNames: string[];
}

async function unitTree(db: Executor): Promise<Map<string, UnitNode>> {
  const rows = await db.selectFrom('units').select(['id', 'name', 'kind', 'parentId']).execute();
  return new Map(rows.map((u) => [u.id, u]));
}

export class NotificationTemplatesService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  private async effective(
    db: Executor,
    unitId: string,
    units: Map<string, UnitNode>,
  ): Promise<NotificationTemplate> {
    const rows = await db.selectFrom('notificationTemplates').selectAll().execute();
    const byUnit = new Map(rows.map((r) => [r.unitId, r]));
    const owner = templateOwner(unitId, units, (id) => byUnit.has(id));
    const row = owner ? byUnit.get(owner)! : null;
    return {
      unitId,
      template: row?.template ?? DEFAULT_TEMPLATE,
      source: !row ? 'default' : owner === unitId ? 'unit' : 'inherited',
      sourceUnitId: owner,
      updatedAt: row ? Number(row.updatedAt) : null,
      updatedBy: row?.updatedBy ?? null,
    };
  }

  async get(actor: Actor, unitId: string): Promise<NotificationTemplate> {
    assertPermission(actor, 'activities.read');
    const db = this.ctx.catalogue.db;
    const units = await unitTree(db);
    if (!units.has(unitId)) throw errors.notFound('unit', '单位', unitId);
    return this.effective(db, unitId, units);
  }

  async put(actor: Actor, unitId: string, raw: string): Promise<NotificationTemplate> {
    assertPermission(actor, 'templates.manage');
    const template = validateTemplate(raw);
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const units = await unitTree(tx);
      if (!units.has(unitId)) throw errors.notFound('unit', '单位', unitId);
      const before = await this.effective(tx, unitId, units);
      const now = this.ctx.clock.now();
      const exists = await tx
        .selectFrom('notificationTemplates')
        .select('unitId')
        .where('unitId', '=', unitId)
        .executeTakeFirst();
      if (exists)
        await tx
          .updateTable('notificationTemplates')
          .set({ template, updatedBy: actor.userId, updatedAt: now })
          .where('unitId', '=', unitId)
          .execute();
      else
        await tx
          .insertInto('notificationTemplates')
          .values({ unitId, template, updatedBy: actor.userId, updatedAt: now })
          .execute();
      await this.audit.record(tx, actor, {
        action: 'notification_template.update',
        targetType: 'unit',
        targetId: unitId,
        details: { before: { template: before.template, source: before.source }, after: template },
      });
      return this.effective(tx, unitId, units);
    });
  }

  /** Drops the unit's own template: it inherits from above again (or the default). */
  async reset(actor: Actor, unitId: string): Promise<NotificationTemplate> {
    assertPermission(actor, 'templates.manage');
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const units = await unitTree(tx);
      if (!units.has(unitId)) throw errors.notFound('unit', '单位', unitId);
      const own = await tx
        .selectFrom('notificationTemplates')
        .select('template')
        .where('unitId', '=', unitId)
        .executeTakeFirst();
      if (own) {
        await tx.deleteFrom('notificationTemplates').where('unitId', '=', unitId).execute();
        await this.audit.record(tx, actor, {
          action: 'notification_template.reset',
          targetType: 'unit',
          targetId: unitId,
          details: { before: own.template },
        });
      }
      return this.effective(tx, unitId, units);
    });
  }

  /** The words the officers read aloud on arrival, filled for this activity. */
  async script(actor: Actor, activityId: string): Promise<NotificationScript> {
    assertPermission(actor, 'activities.read');
    const db = this.ctx.catalogue.db;
    const activity = await db
      .selectFrom('activities')
      .select(['id', 'unitId'])
      .where('id', '=', activityId)
      .executeTakeFirst();
    if (!activity) throw errors.notFound('activity', '执法活动', activityId);
    const officers = await db
      .selectFrom('activityOfficers as ao')
      .innerJoin('users as u', 'u.id', 'ao.userId')
      .select(['u.name', 'u.unitId', 'ao.inCharge'])
      .where('ao.activityId', '=', activityId)
      .execute();
    // the officer in charge speaks first and names themself first
    officers.sort((a, b) => b.inCharge - a.inCharge || a.name.localeCompare(b.name, 'zh-CN'));
    const units = await unitTree(db);
    const unitId = activity.unitId ?? officers.find((o) => o.unitId !== null)?.unitId ?? null;
    const speaker = unitId ? announcingUnit(unitId, units) : null;
    if (!unitId || !speaker)
      throw new AppError('ACTIVITY_UNIT_MISSING', 409, {
        zh: '该执法活动及其执法人员都未归属任何单位，无法生成告知用语；请先为活动或人员设置单位',
        en: 'Neither the activity nor its officers belong to a unit, so the notification cannot name one; set a unit first',
      });
    const { template } = await this.effective(db, unitId, units);
    const officerNames = officers.map((o) => o.name);
    return {
      text: renderTemplate(template, { unitName: speaker.name, officerNames }),
      unitName: speaker.name,
      officerNames,
    };
  }
}
