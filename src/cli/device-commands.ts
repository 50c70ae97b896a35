// `zhilu device add|list` and `zhilu report equipment`: the device register and the
// yearly equipment report (A2.1, A23.1) from the server's console.
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { DEVICE_STATUSES } from '../domain/device-check.js';
import { renderEquipmentPdf, renderEquipmentXlsx } from '../reports/equipment-report.js';
import { EXIT_USAGE, printJson, printTable } from './output.js';
import type { CliDeps, Common } from './shared.js';

const usage = (message: string) => new CommanderError(EXIT_USAGE, 'zhilu.usage', `error: ${message}`);

/** "3200", "3200.5" or "3200.50" yuan → cents, exactly (no floating point). */
export function yuanToCents(text: string): number | null {
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Where a command group lives: an existing `report` group is reused, not duplicated. */
export function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

/** Writes beside the target, then renames: a reader never sees half a report. */
export function writeAtomically(file: string, bytes: Buffer | string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

export function registerDeviceCommands(program: Command, deps: CliDeps): void {
  const { common, withZhilu, operator } = deps;
  const device = group(program, 'device', '音像记录设备 / recording devices');

  common(
    device
      .command('add')
      .description('登记设备 / register a device')
      .requiredOption('--serial <serial>', '序列号 / serial number')
      .requiredOption(
        '--type <type>',
        '设备类型代码 / device type id: body_camera, camera, video_camera, voice_recorder, other, …',
      )
      .requiredOption('--holder <username>', '保管使用人用户名 / username of the holder')
      .option('--model <model>', '型号 / model')
      .option('--maker <maker>', '生产厂家 / maker')
      .option('--asset <number>', '资产编号 / asset number')
      .option('--unit <unit>', '所属单位（ID 或名称）/ unit id or name')
      .option('--purchase-date <date>', '购置日期 YYYY-MM-DD / purchase date')
      .option('--cost <yuan>', '购置金额（元）/ purchase cost in yuan, e.g. 3200.00')
      .option('--notes <text>', '备注 / notes'),
  ).action(
    async (
      opts: Common & {
        serial: string;
        type: string;
        holder: string;
        model?: string;
        maker?: string;
        asset?: string;
        unit?: string;
        purchaseDate?: string;
        cost?: string;
        notes?: string;
      },
    ) => {
      let purchaseCostCents: number | null = null;
      if (opts.cost !== undefined) {
        purchaseCostCents = yuanToCents(opts.cost);
        if (purchaseCostCents === null)
          throw usage('--cost must be an amount in yuan with at most two decimals, e.g. 3200 or 3200.50');
      }
      if (opts.purchaseDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.purchaseDate))
        throw usage('--purchase-date must be YYYY-MM-DD');
      await withZhilu(opts, async (z) => {
        const actor = operator();
        const holder = await z.services.users.byUsername(actor, opts.holder.trim().toLowerCase());
        const unitId = opts.unit ? (await z.services.units.resolve(actor, opts.unit)).id : null;
        const created = await z.services.devices.create(actor, {
          serial: opts.serial,
          typeId: opts.type,
          holderId: holder.id,
          model: opts.model ?? null,
          maker: opts.maker ?? null,
          assetNumber: opts.asset ?? null,
          unitId,
          purchaseDate: opts.purchaseDate ?? null,
          purchaseCostCents,
          notes: opts.notes ?? null,
        });
        if (opts.json) printJson({ device: created });
        else
          console.log(
            `zhilu: 已登记设备 / registered device ${created.serial} (${created.typeNameZh}, ${created.holderName ?? '—'}) ${created.id}`,
          );
      });
    },
  );

  common(
    device
      .command('list')
      .description('设备台账 / list devices')
      .addOption(new Option('--status <status>', '状态 / status').choices([...DEVICE_STATUSES]))
      .option('--type <type>', '设备类型代码 / device type id')
      .option('--holder <username>', '保管使用人用户名 / holder username'),
  ).action(async (opts: Common & { status?: string; type?: string; holder?: string }) => {
    await withZhilu(opts, async (z) => {
      const actor = operator();
      const holderId = opts.holder
        ? (await z.services.users.byUsername(actor, opts.holder.trim().toLowerCase())).id
        : undefined;
      const items = await z.services.devices.list(actor, {
        status: opts.status,
        typeId: opts.type,
        holderId,
      });
      if (opts.json) printJson({ items });
      else
        printTable(
          items.map((d) => ({ ...d, out: d.openCheckout ? d.openCheckout.officerName : '' })),
          ['serial', 'typeNameZh', 'status', 'holderName', 'out', 'unitName', 'model', 'purchaseDate'],
        );
    });
  });

  const report = group(program, 'report', '报表 / reports');
  common(
    report
      .command('equipment')
      .description('年度装备报表（第二十三条）/ yearly equipment report (A23.1)')
      .requiredOption('--year <year>', '年度 / year, e.g. 2026')
      .option('--unit <unit>', '单位（ID 或名称，含下级）/ unit id or name (with its sub-units)')
      .addOption(
        new Option('--format <format>', '格式 / format')
          .choices(['pdf', 'xlsx', 'json'])
          .makeOptionMandatory(),
      )
      .option('--out <file>', '输出文件 / output file (JSON goes to stdout without it)'),
  ).action(
    async (opts: Common & { year: string; unit?: string; format: 'pdf' | 'xlsx' | 'json'; out?: string }) => {
      if (!/^\d{4}$/.test(opts.year)) throw usage('--year must be a four-digit year');
      if (!opts.out && opts.format !== 'json')
        throw usage(`--out <file> is required for --format ${opts.format}`);
      await withZhilu(opts, async (z) => {
        const actor = operator();
        const unitId = opts.unit ? (await z.services.units.resolve(actor, opts.unit)).id : null;
        const built = await z.services.equipmentReport.build(actor, Number(opts.year), unitId);
        const bytes =
          opts.format === 'pdf'
            ? await renderEquipmentPdf(built)
            : opts.format === 'xlsx'
              ? await renderEquipmentXlsx(built)
              : JSON.stringify(built, null, 2) + '\n';
        if (opts.out) writeAtomically(opts.out, bytes);
        else process.stdout.write(bytes);
        await z.services.equipmentReport.recordExport(actor, built, opts.format);
        if (!opts.out) return;
        const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
        if (opts.json)
          printJson({
            file: path.resolve(opts.out),
            format: opts.format,
            bytes: size,
            year: built.year,
            unit: built.unit,
            totals: built.totals,
          });
        else
          console.log(
            `zhilu: 已生成 ${built.year} 年度装备报表 / wrote the ${built.year} equipment report: ${path.resolve(opts.out)} (${size} bytes)`,
          );
      });
    },
  );
}
