// `zhilu report compliance`: the monthly / yearly compliance report (issue 5, item 8) from
// the server's console, for the whole installation or one unit with its sub-units. The
// same checks as the API: a bad or reversed period is a usage error (exit 2).
import path from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { isAppError } from '../domain/errors.js';
import { renderCompliancePdf, renderComplianceXlsx } from '../reports/compliance-report.js';
import { parsePeriod } from '../services/compliance-report.service.js';
import { group, writeAtomically } from './device-commands.js';
import { EXIT_USAGE, printError, printJson } from './output.js';
import type { CliDeps, Common } from './shared.js';

export function registerComplianceReportCommand(program: Command, deps: CliDeps): void {
  const { common, withZhilu, operator } = deps;
  const report = group(program, 'report', '报表 / reports');
  common(
    report
      .command('compliance')
      .description('合规报表（月度、年度或任意期间）/ compliance report (monthly, yearly or any period)')
      .requiredOption('--from <date>', '起始日期 YYYY-MM-DD（含）/ first day, included')
      .requiredOption('--to <date>', '截止日期 YYYY-MM-DD（含）/ last day, included')
      .option('--unit <unit>', '单位（ID 或名称，含下级）/ unit id or name (with its sub-units)')
      .addOption(
        new Option('--format <format>', '格式 / format')
          .choices(['pdf', 'xlsx', 'json'])
          .makeOptionMandatory(),
      )
      .option('--out <file>', '输出文件 / output file (JSON goes to stdout without it)'),
  ).action(
    async (
      opts: Common & {
        from: string;
        to: string;
        unit?: string;
        format: 'pdf' | 'xlsx' | 'json';
        out?: string;
      },
    ) => {
      if (!opts.out && opts.format !== 'json') {
        process.stderr.write(`error: --out <file> is required for --format ${opts.format}\n`);
        process.exitCode = EXIT_USAGE;
        return;
      }
      // The period is checked before the installation is opened; its errors are the API's.
      try {
        parsePeriod(opts.from, opts.to, 'UTC');
      } catch (e) {
        if (!isAppError(e)) throw e;
        printError(e, Boolean(opts.json));
        process.exitCode = EXIT_USAGE;
        return;
      }
      await withZhilu(opts, async (z) => {
        const actor = operator();
        const unitId = opts.unit ? (await z.services.units.resolve(actor, opts.unit)).id : null;
        const built = await z.services.complianceReport.build(actor, {
          from: opts.from,
          to: opts.to,
          unitId,
        });
        const bytes =
          opts.format === 'pdf'
            ? await renderCompliancePdf(built)
            : opts.format === 'xlsx'
              ? await renderComplianceXlsx(built)
              : JSON.stringify(built, null, 2) + '\n';
        if (opts.out) writeAtomically(opts.out, bytes);
        else process.stdout.write(bytes);
        await z.services.complianceReport.recordExport(actor, built, opts.format);
        if (!opts.out) return;
        const size = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
        if (opts.json)
          printJson({
            file: path.resolve(opts.out),
            format: opts.format,
            bytes: size,
            period: built.period,
            unit: built.unit,
            totals: built.totals,
          });
        else
          console.log(
            `zhilu: 已生成合规报表 / wrote the compliance report ${built.period.from} – ${built.period.to}: ${path.resolve(opts.out)} (${size} bytes)`,
          );
      });
    },
  );
}
