// `zhilu import DIR --device SERIAL [--server URL --token T] [--json]`: a device's files from a computer folder or a
// portable disk into this installation (A12.1), with the same configuration as `serve`.
// Exits 1 when any file failed (the report still says which and why).
import type { Command } from 'commander';
import type { ImportFileResult, ImportReport } from '../services/import.service.js';
import {
  consoleLogger,
  defaultStateDir,
  ServerClient,
  StationError,
  uploadVolume,
} from '../station/station.js';
import { EXIT_FAILED, printJson } from './output.js';
import { stationToken } from './station-command.js';
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
      .requiredOption('--device <serial>', '设备序列号（须已登记）/ serial number of the registered device')
      .option('--server <url>', '上传到服务器（与采集站相同）/ upload to a server, exactly as a station does')
      .option(
        '--token <token>',
        '与 --server 一起：API 令牌（或 ZHILU_STATION_TOKEN）/ with --server: API token (or ZHILU_STATION_TOKEN)',
      )
      .option(
        '--state-dir <dir>',
        '与 --server 一起：续传状态目录 / with --server: state directory for resumable uploads',
      ),
  ).action(
    async (
      dir: string,
      opts: Common & { device: string; server?: string; token?: string; stateDir?: string },
    ) => {
      if (opts.server) {
        const result = await uploadVolume(
          {
            client: new ServerClient(opts.server, stationToken(opts.token)),
            stateDir: opts.stateDir ?? defaultStateDir('import'),
            stationId: null,
            log: opts.json ? () => undefined : consoleLogger(false),
            clearAfterUpload: false,
          },
          dir,
          opts.device,
        ).catch((e: unknown) => {
          // The server's refusal, with its code (unknown device, device-info mismatch, …).
          if (!(e instanceof StationError)) throw e;
          if (opts.json)
            process.stderr.write(JSON.stringify({ error: { code: e.code, message: e.message } }) + '\n');
          else process.stderr.write(`zhilu: ${e.message} [${e.code}]\n`);
          process.exitCode = EXIT_FAILED;
          return null;
        });
        if (!result) return;
        if (opts.json) printJson(result.report ?? { error: result.error ?? 'nothing uploaded' });
        else if (result.error) console.log(`zhilu: ${result.error}`);
        if (!result.ok) process.exitCode = EXIT_FAILED;
        return;
      }
      await withZhilu(opts, async (z) => {
        const report = await z.services.imports.importDirectory(operator(), dir, opts.device, {
          source: 'cli',
          onFile: opts.json ? undefined : (f, i, total) => console.log(fileLine(f, i, total)),
        });
        if (opts.json) printJson(report);
        else printSummary(report);
        if (report.summary.failed > 0) process.exitCode = EXIT_FAILED;
      });
    },
  );
}
