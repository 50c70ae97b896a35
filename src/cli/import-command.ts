// `zhilu import DIR --device SERIAL [--json]`: a device's files from a computer folder or a
// portable disk into this installation (A12.1), with the same configuration as `serve`.
// Exits 1 when any file failed (the report still says which and why).
import type { Command } from 'commander';
import type { ImportFileResult, ImportReport } from '../services/import.service.js';
import { EXIT_FAILED, printJson } from './output.js';
import type { CliDeps, Common } from './shared.js';

const STATUS = { imported: '已导入 imported', duplicate: '已存在 duplicate', failed: '失败 FAILED' } as const;

function fileLine(f: ImportFileResult, i: number, total: number): string {
  const n = `[${String(i + 1).padStart(String(total).length)}/${total}]`;
  const what =
    f.status === 'failed'
      ? `${f.error?.code ?? ''} ${f.error?.messageEn ?? ''}`.trim()
      : `${f.kind ?? ''} ${f.size ?? 0} B`;
  const findings = f.findings.length ? `  ⚑ ${f.findings.join(',')}` : '';
  return `${n} ${STATUS[f.status]}  ${f.path}  (${what})${findings}`;
}

function printSummary(r: ImportReport): void {
  const s = r.summary;
  console.log(
    `zhilu: 导入 / import ${r.importId} · 设备 / device ${r.device.serial}: ` +
      `已导入 / imported ${s.imported}, 已存在 / duplicate ${s.duplicate}, 失败 / failed ${s.failed}, ${s.bytes} 字节 / bytes`,
  );
  const counts = new Map<string, number>();
  for (const f of r.findings) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  if (counts.size)
    console.log(`zhilu: 发现问题 / findings: ${[...counts].map(([code, n]) => `${code} ×${n}`).join(', ')}`);
  if (s.failed > 0)
    console.log(
      'zhilu: 有文件导入失败，设备上的文件不得清除；排除原因后重新导入（已导入的不会重复）/ some files failed: do not clear the device; fix the cause and import again (nothing is imported twice)',
    );
}

export function registerImportCommand(program: Command, deps: CliDeps): void {
  const { common, withZhilu, operator } = deps;
  common(
    program
      .command('import')
      .description(
        '从电脑文件夹或移动硬盘导入设备文件（第十二条）/ import a device’s files from a folder or portable disk (A12.1)',
      )
      .argument('<dir>', '设备存储的根文件夹 / root folder of the device’s storage')
      .requiredOption('--device <serial>', '设备序列号（须已登记）/ serial number of the registered device'),
  ).action(async (dir: string, opts: Common & { device: string }) => {
    await withZhilu(opts, async (z) => {
      const report = await z.services.imports.importDirectory(operator(), dir, opts.device, {
        source: 'cli',
        onFile: opts.json ? undefined : (f, i, total) => console.log(fileLine(f, i, total)),
      });
      if (opts.json) printJson(report);
      else printSummary(report);
      if (report.summary.failed > 0) process.exitCode = EXIT_FAILED;
    });
  });
}
