// The yearly equipment report for the budget (A23.1): the fleet by type and status,
// purchases, maintenance and consumables spending, losses and thefts, retirements, and
// the devices due for replacement by age. One unit (with its sub-units) or all of them.
import type { Executor } from '../db/database.js';
import type { DevicesTable } from '../db/schema.js';
import {
  calendarDateIn,
  CONSUMABLE_ITEM_NAMES,
  CONSUMABLE_ITEMS,
  DEVICE_STATUSES,
  dueForReplacement,
  replacementDueOn,
  type ConsumableItem,
  type DeviceStatus,
} from '../domain/device-check.js';
import { AppError, errors } from '../domain/errors.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';
import { sortTypes, userNames } from './devices.service.js';

export type StatusCounts = Record<DeviceStatus, number> & { total: number };

export interface EquipmentReport {
  year: number;
  unit: { id: string; name: string } | null;
  generatedAt: number;
  timeZone: string;
  currency: 'CNY';
  /** Devices acquired by the end of the year and not retired before it; statuses as at generation. */
  fleet: {
    byType: ({
      typeId: string;
      typeNameZh: string;
      typeNameEn: string;
      serviceLifeYears: number;
    } & StatusCounts)[];
    totals: StatusCounts;
  };
  purchases: {
    count: number;
    costCents: number;
    /** Purchases in the year whose cost is not recorded. */
    unknownCostCount: number;
    byType: { typeId: string; typeNameZh: string; count: number; costCents: number }[];
    items: {
      deviceId: string;
      serial: string;
      typeId: string;
      typeNameZh: string;
      maker: string | null;
      model: string | null;
      purchaseDate: string;
      costCents: number | null;
    }[];
  };
  maintenance: {
    count: number;
    costCents: number;
    items: {
      eventId: string;
      occurredOn: string;
      deviceId: string | null;
      serial: string | null;
      typeNameZh: string | null;
      description: string;
      vendor: string | null;
      costCents: number | null;
    }[];
  };
  consumables: {
    count: number;
    costCents: number;
    byItem: {
      item: ConsumableItem;
      nameZh: string;
      nameEn: string;
      count: number;
      quantity: number;
      costCents: number;
    }[];
    items: {
      eventId: string;
      occurredOn: string;
      item: ConsumableItem;
      quantity: number;
      costCents: number;
      deviceId: string | null;
      serial: string | null;
      description: string;
      vendor: string | null;
    }[];
  };
  losses: {
    loss: number;
    theft: number;
    found: number;
    items: {
      eventId: string;
      occurredOn: string;
      kind: 'loss' | 'theft';
      deviceId: string;
      serial: string;
      typeNameZh: string;
      holderName: string | null;
      status: DeviceStatus;
      description: string;
    }[];
  };
  retirements: {
    count: number;
    items: {
      eventId: string;
      occurredOn: string;
      deviceId: string;
      serial: string;
      typeNameZh: string;
      purchaseDate: string | null;
      purchaseCostCents: number | null;
      description: string;
    }[];
  };
  dueForReplacement: {
    count: number;
    /** At original purchase cost, where known: a floor for the replacement budget. */
    estimatedCostCents: number;
    /** Devices in service whose age cannot be judged (no purchase date). */
    undatedCount: number;
    items: {
      deviceId: string;
      serial: string;
      typeNameZh: string;
      purchaseDate: string;
      serviceLifeYears: number;
      dueOn: string;
      status: DeviceStatus;
      holderName: string | null;
      purchaseCostCents: number | null;
    }[];
  };
  totals: {
    devices: number;
    purchaseCostCents: number;
    maintenanceCostCents: number;
    consumablesCostCents: number;
    /** Purchases + maintenance + consumables. */
    spendingCostCents: number;
    losses: number;
    thefts: number;
    retirements: number;
    dueForReplacement: number;
  };
}

const zeroCounts = (): StatusCounts => ({
  in_stock: 0,
  issued: 0,
  maintenance: 0,
  lost: 0,
  retired: 0,
  total: 0,
});

export class EquipmentReportService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  /** Checks the year: 2000 up to next year (next year's report plans replacements ahead). */
  yearRange(): { min: number; max: number } {
    return {
      min: 2000,
      max: Number(calendarDateIn(this.ctx.clock.now(), this.ctx.timezone).slice(0, 4)) + 1,
    };
  }

  async build(actor: Actor, year: number, unitId: string | null = null): Promise<EquipmentReport> {
    assertPermission(actor, 'reports.equipment');
    const { min, max } = this.yearRange();
    if (!Number.isInteger(year) || year < min || year > max)
      throw new AppError(
        'REPORT_YEAR_INVALID',
        400,
        { zh: `年度须在 ${min}–${max} 之间`, en: `The year must be from ${min} to ${max}` },
        { year },
      );
    const db = this.ctx.catalogue.db;
    const units = await db.selectFrom('units').select(['id', 'name', 'parentId']).execute();
    let unit: { id: string; name: string } | null = null;
    let scope: Set<string> | null = null;
    if (unitId) {
      const u = units.find((x) => x.id === unitId);
      if (!u) throw errors.notFound('unit', '单位', unitId);
      unit = { id: u.id, name: u.name };
      scope = descendants(units, u.id);
    }
    const report = await this.compute(db, year, scope);
    return {
      ...report,
      year,
      unit,
      generatedAt: this.ctx.clock.now(),
      timeZone: this.ctx.timezone,
      currency: 'CNY',
    };
  }

  /** Audits that a report left the system, with its parameters (it names people and devices). */
  async recordExport(actor: Actor, report: EquipmentReport, format: 'json' | 'pdf' | 'xlsx'): Promise<void> {
    await this.audit.recordAlone(actor, {
      action: 'report.equipment',
      targetType: 'report',
      targetId: `equipment:${report.year}${report.unit ? `:${report.unit.id}` : ''}`,
      details: { year: report.year, unitId: report.unit?.id ?? null, format },
    });
  }

  private async compute(db: Executor, year: number, scope: Set<string> | null) {
    const start = `${year}-01-01`;
    const end = `${year}-12-31`;
    const inScope = (unitId: string | null) => scope === null || (unitId !== null && scope.has(unitId));

    const types = new Map(
      sortTypes(
        await db.selectFrom('deviceTypes').selectAll().orderBy('createdAt').orderBy('id').execute(),
      ).map((t) => [t.id, t]),
    );
    const allDevices = (await db.selectFrom('devices').selectAll().orderBy('serial').execute()).filter((d) =>
      inScope(d.unitId),
    );
    const byId = new Map(allDevices.map((d) => [d.id, d]));
    const events = await db
      .selectFrom('deviceEvents')
      .selectAll()
      .where('occurredOn', '<=', end)
      .orderBy('occurredOn')
      .orderBy('createdAt')
      .execute();
    // An event belongs to the scope through its device (now), or its own unit for stock purchases.
    const scoped = events.filter((e) => (e.deviceId ? byId.has(e.deviceId) : inScope(e.unitId)));
    const holders = await userNames(
      db,
      allDevices.map((d) => d.holderId),
    );
    const typeZh = (d: DevicesTable) => types.get(d.typeId)?.nameZh ?? d.typeId;
    const holderName = (d: DevicesTable) => (d.holderId ? (holders.get(d.holderId)?.name ?? null) : null);
    const cost = (v: number | null) => (v === null ? null : Number(v));

    // Fleet: acquired by the end of the year, not retired before it began.
    const retiredOn = new Map<string, string>();
    for (const e of scoped)
      if (e.kind === 'retirement' && e.deviceId) retiredOn.set(e.deviceId, e.occurredOn);
    const acquiredOn = (d: DevicesTable) =>
      d.purchaseDate ?? calendarDateIn(Number(d.createdAt), this.ctx.timezone);
    const fleet = allDevices.filter((d) => {
      if (acquiredOn(d) > end) return false;
      const retired = retiredOn.get(d.id);
      return !(d.status === 'retired' && retired !== undefined && retired < start);
    });
    const byType = new Map<string, StatusCounts>();
    const totals = zeroCounts();
    for (const d of fleet) {
      const counts = byType.get(d.typeId) ?? zeroCounts();
      const status = (DEVICE_STATUSES as readonly string[]).includes(d.status)
        ? (d.status as DeviceStatus)
        : 'in_stock';
      counts[status]++;
      counts.total++;
      totals[status]++;
      totals.total++;
      byType.set(d.typeId, counts);
    }
    const fleetByType = [...types.values()]
      .filter((t) => byType.has(t.id))
      .map((t) => ({
        typeId: t.id,
        typeNameZh: t.nameZh,
        typeNameEn: t.nameEn,
        serviceLifeYears: Number(t.serviceLifeYears),
        ...byType.get(t.id)!,
      }));

    // Purchases dated in the year.
    const bought = allDevices.filter(
      (d) => d.purchaseDate !== null && d.purchaseDate >= start && d.purchaseDate <= end,
    );
    const purchaseItems = bought
      .map((d) => ({
        deviceId: d.id,
        serial: d.serial,
        typeId: d.typeId,
        typeNameZh: typeZh(d),
        maker: d.maker,
        model: d.model,
        purchaseDate: d.purchaseDate!,
        costCents: cost(d.purchaseCostCents),
      }))
      .sort((a, b) => a.purchaseDate.localeCompare(b.purchaseDate) || a.serial.localeCompare(b.serial));
    const purchaseByType = new Map<
      string,
      { typeId: string; typeNameZh: string; count: number; costCents: number }
    >();
    for (const p of purchaseItems) {
      const t = purchaseByType.get(p.typeId) ?? {
        typeId: p.typeId,
        typeNameZh: p.typeNameZh,
        count: 0,
        costCents: 0,
      };
      t.count++;
      t.costCents += p.costCents ?? 0;
      purchaseByType.set(p.typeId, t);
    }
    const purchaseCost = purchaseItems.reduce((s, p) => s + (p.costCents ?? 0), 0);

    const inYear = scoped.filter((e) => e.occurredOn >= start);
    const deviceOf = (id: string | null) => (id ? byId.get(id) : undefined);

    const maintenanceItems = inYear
      .filter((e) => e.kind === 'maintenance')
      .map((e) => {
        const d = deviceOf(e.deviceId);
        return {
          eventId: e.id,
          occurredOn: e.occurredOn,
          deviceId: e.deviceId,
          serial: d?.serial ?? null,
          typeNameZh: d ? typeZh(d) : null,
          description: e.description,
          vendor: e.vendor,
          costCents: cost(e.costCents),
        };
      });
    const maintenanceCost = maintenanceItems.reduce((s, m) => s + (m.costCents ?? 0), 0);

    const consumableItems = inYear
      .filter((e) => e.kind === 'consumable')
      .map((e) => ({
        eventId: e.id,
        occurredOn: e.occurredOn,
        item: (e.item ?? 'other') as ConsumableItem,
        quantity: Number(e.quantity ?? 0),
        costCents: Number(e.costCents ?? 0),
        deviceId: e.deviceId,
        serial: deviceOf(e.deviceId)?.serial ?? null,
        description: e.description,
        vendor: e.vendor,
      }));
    const byItem = CONSUMABLE_ITEMS.map((item) => {
      const rows = consumableItems.filter((c) => c.item === item);
      return {
        item,
        nameZh: CONSUMABLE_ITEM_NAMES[item].zh,
        nameEn: CONSUMABLE_ITEM_NAMES[item].en,
        count: rows.length,
        quantity: rows.reduce((s, c) => s + c.quantity, 0),
        costCents: rows.reduce((s, c) => s + c.costCents, 0),
      };
    }).filter((r) => r.count > 0);
    const consumablesCost = consumableItems.reduce((s, c) => s + c.costCents, 0);

    const lossItems = inYear
      .filter(
        (e): e is typeof e & { deviceId: string } =>
          (e.kind === 'loss' || e.kind === 'theft') && e.deviceId !== null,
      )
      .map((e) => {
        const d = deviceOf(e.deviceId)!;
        return {
          eventId: e.id,
          occurredOn: e.occurredOn,
          kind: e.kind as 'loss' | 'theft',
          deviceId: d.id,
          serial: d.serial,
          typeNameZh: typeZh(d),
          holderName: holderName(d),
          status: d.status as DeviceStatus,
          description: e.description,
        };
      });

    const retirementItems = inYear
      .filter((e): e is typeof e & { deviceId: string } => e.kind === 'retirement' && e.deviceId !== null)
      .map((e) => {
        const d = deviceOf(e.deviceId)!;
        return {
          eventId: e.id,
          occurredOn: e.occurredOn,
          deviceId: d.id,
          serial: d.serial,
          typeNameZh: typeZh(d),
          purchaseDate: d.purchaseDate,
          purchaseCostCents: cost(d.purchaseCostCents),
          description: e.description,
        };
      });

    const inService = allDevices.filter((d) => d.status !== 'retired' && d.status !== 'lost');
    const due = inService
      .filter((d) =>
        dueForReplacement(
          {
            purchaseDate: d.purchaseDate,
            serviceLifeYears: Number(types.get(d.typeId)?.serviceLifeYears ?? 0),
            status: d.status as DeviceStatus,
          },
          year,
        ),
      )
      .map((d) => {
        const life = Number(types.get(d.typeId)?.serviceLifeYears ?? 0);
        return {
          deviceId: d.id,
          serial: d.serial,
          typeNameZh: typeZh(d),
          purchaseDate: d.purchaseDate!,
          serviceLifeYears: life,
          dueOn: replacementDueOn(d.purchaseDate, life)!,
          status: d.status as DeviceStatus,
          holderName: holderName(d),
          purchaseCostCents: cost(d.purchaseCostCents),
        };
      })
      .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.serial.localeCompare(b.serial));

    const losses = lossItems.filter((l) => l.kind === 'loss').length;
    const thefts = lossItems.length - losses;
    return {
      fleet: { byType: fleetByType, totals },
      purchases: {
        count: purchaseItems.length,
        costCents: purchaseCost,
        unknownCostCount: purchaseItems.filter((p) => p.costCents === null).length,
        byType: [...purchaseByType.values()],
        items: purchaseItems,
      },
      maintenance: { count: maintenanceItems.length, costCents: maintenanceCost, items: maintenanceItems },
      consumables: {
        count: consumableItems.length,
        costCents: consumablesCost,
        byItem,
        items: consumableItems,
      },
      losses: {
        loss: losses,
        theft: thefts,
        found: inYear.filter((e) => e.kind === 'found').length,
        items: lossItems,
      },
      retirements: { count: retirementItems.length, items: retirementItems },
      dueForReplacement: {
        count: due.length,
        estimatedCostCents: due.reduce((s, d) => s + (d.purchaseCostCents ?? 0), 0),
        undatedCount: inService.filter((d) => d.purchaseDate === null && acquiredOn(d) <= end).length,
        items: due,
      },
      totals: {
        devices: totals.total,
        purchaseCostCents: purchaseCost,
        maintenanceCostCents: maintenanceCost,
        consumablesCostCents: consumablesCost,
        spendingCostCents: purchaseCost + maintenanceCost + consumablesCost,
        losses,
        thefts,
        retirements: retirementItems.length,
        dueForReplacement: due.length,
      },
    };
  }
}

function descendants(units: { id: string; parentId: string | null }[], root: string): Set<string> {
  const out = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const u of units)
      if (u.parentId !== null && out.has(u.parentId) && !out.has(u.id)) {
        out.add(u.id);
        grew = true;
      }
  }
  return out;
}
