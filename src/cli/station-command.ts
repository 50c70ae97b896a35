// `zhilu station --watch DIR --server URL --token T [--clear-after-upload] [--station-id ID]
// [--once]`: the collection station (A12.1, A13.1). See src/station/station.ts.
import os from 'node:os';
import { Option, type Command } from 'commander';
import { runStation, consoleLogger } from '../station/station.js';
import { EXIT_FAILED, EXIT_USAGE } from './output.js';

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) {
    process.stderr.write(`zhilu: ${name} 须为正整数 / must be a positive integer\n`);
    process.exit(EXIT_USAGE);
  }
  return n;
};

/** The token from --token or ZHILU_STATION_TOKEN (keeps it out of the process list). */
export function stationToken(flag: string | undefined): string {
  const token = flag ?? process.env.ZHILU_STATION_TOKEN;
  if (!token) {
    process.stderr.write(
      'zhilu: 须提供 --token 或 ZHILU_STATION_TOKEN / --token or ZHILU_STATION_TOKEN is required\n',
    );
    process.exit(EXIT_USAGE);
  }
  return token;
}

export function registerStationCommand(program: Command): void {
  program
    .command('station')
    .description(
      '采集站：监视设备接入目录并上传（第十二、十三条）/ collection station: watch docked devices and upload (A12.1, A13.1)',
    )
    .requiredOption(
      '--watch <dir>',
      '设备接入目录（每台设备一个文件夹）/ folder where docked devices appear, one folder each',
    )
    .requiredOption('--server <url>', '服务器地址 / server URL, e.g. https://zhilu.example')
    .option(
      '--token <token>',
      '采集站令牌（或 ZHILU_STATION_TOKEN）/ station API token (or ZHILU_STATION_TOKEN)',
    )
    .option(
      '--station-id <id>',
      '采集站编号 / station id',
      os
        .hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 64) || 'station',
    )
    .option(
      '--state-dir <dir>',
      '续传状态目录 / state directory for resumable uploads (default ~/.zhilu-station/ID)',
    )
    .option(
      '--clear-after-upload',
      '服务器确认后删除设备上的文件 / delete each device file once the server confirms its hash',
    )
    .option('--once', '处理当前接入的设备后退出 / process what is docked now, then exit')
    .addOption(
      new Option('--chunk-size <bytes>', 'tus 分块大小 / tus chunk size in bytes').argParser(
        positiveInt('--chunk-size'),
      ),
    )
    .addOption(
      new Option('--max-bytes-per-second <n>', '带宽上限 / bandwidth cap').argParser(
        positiveInt('--max-bytes-per-second'),
      ),
    )
    .addOption(
      new Option(
        '--confirm-timeout <seconds>',
        '等待服务器确认的时长（默认 120）/ how long to wait for the server to confirm a file (default 120)',
      ).argParser(positiveInt('--confirm-timeout')),
    )
    .option('--json', '以 JSON 行输出进度 / progress as JSON lines')
    .action(
      async (opts: {
        watch: string;
        server: string;
        token?: string;
        stationId: string;
        stateDir?: string;
        clearAfterUpload?: boolean;
        once?: boolean;
        chunkSize?: number;
        maxBytesPerSecond?: number;
        confirmTimeout?: number;
        json?: boolean;
      }) => {
        const controller = new AbortController();
        const stop = () => controller.abort();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const ok = await runStation({
          watch: opts.watch,
          server: opts.server,
          token: stationToken(opts.token),
          stationId: opts.stationId,
          stateDir: opts.stateDir,
          clearAfterUpload: opts.clearAfterUpload ?? false,
          once: opts.once ?? false,
          chunkSize: opts.chunkSize,
          maxBytesPerSecond: opts.maxBytesPerSecond,
          confirmTimeoutMs: opts.confirmTimeout === undefined ? undefined : opts.confirmTimeout * 1000,
          log: consoleLogger(opts.json ?? false),
          signal: controller.signal,
        });
        if (!ok) process.exitCode = EXIT_FAILED;
      },
    );
}
