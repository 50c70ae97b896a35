// `zhilu simulate-device DIR …`: writes a simulated recorder's storage for tests and
// demonstrations (src/media/simulate-device.ts). Needs no installation, only ffmpeg (and
// espeak-ng for --speech). Invalid options exit 2 like every other usage error.

import { Command, CommanderError, Option } from 'commander';
import { isAppError } from '../domain/errors.js';
import { ALL_SCHEMES } from '../domain/file-names.js';
import { parseGap, simulateDevice, type SimulatedGapInput } from '../media/simulate-device.js';
import { EXIT_USAGE, printJson, printTable } from './output.js';

const usage = (message: string) => new CommanderError(EXIT_USAGE, 'zhilu.usage', `error: ${message}`);

const collect = (value: string, previous: string[]) => [...previous, value];

function number(option: string, text: string | undefined, whole: boolean): number | undefined {
  if (text === undefined) return undefined;
  const ok = whole ? /^-?\d+$/.test(text.trim()) : /^-?\d+(?:\.\d+)?$/.test(text.trim());
  if (!ok) throw usage(`${option} must be ${whole ? 'a whole number' : 'a number'}, not "${text}"`);
  return Number(text);
}

const wholeList = (option: string, values: string[]) => values.map((v) => number(option, v, true)!);

interface SimulateFlags {
  serial: string;
  officer: string;
  start: string;
  minutes: string;
  splitMinutes?: string;
  gap: string[];
  dropSeq: string[];
  editSeq: string[];
  truncateSeq: string[];
  photos?: string;
  audio?: string;
  naming: string;
  speech?: boolean;
  tz?: string;
  clockOffset?: string;
  gps?: string;
  videoSize?: string;
  fps?: string;
  json?: boolean;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate-device')
    .description(
      '模拟执法记录仪存储卡（测试与演示用）/ write a simulated recording device volume (tests and demos)',
    )
    .argument('<dir>', '输出目录（须不存在或为空）/ output directory (new or empty)')
    .requiredOption('--serial <serial>', '设备序列号 / device serial')
    .requiredOption('--officer <code>', '警员编号 / officer code written into file names')
    .requiredOption('--start <iso-time>', '开始时间 ISO 8601，例如 2026-08-04T10:00:00+08:00 / start time')
    .requiredOption('--minutes <n>', '录制时长（分钟，含中断）/ session length in minutes, gaps included')
    .option('--split-minutes <n>', '分段时长（分钟，默认 10）/ file split length in minutes (default 10)')
    .option(
      '--gap <minute:seconds>',
      '在第几分钟中断多少秒，可重复 / stop at MINUTE for SECONDS (repeatable)',
      collect,
      [],
    )
    .option('--drop-seq <n>', '删除第 n 个录像文件，可重复 / delete video file n (repeatable)', collect, [])
    .option(
      '--edit-seq <n>',
      '用剪辑软件改写第 n 个录像文件，可重复 / re-encode video file n as an editor would (repeatable)',
      collect,
      [],
    )
    .option(
      '--truncate-seq <n>',
      '截断第 n 个录像文件，可重复 / truncate video file n (repeatable)',
      collect,
      [],
    )
    .option('--photos <n>', '照片数 / number of photos')
    .option('--audio <n>', '录音文件数 / number of audio recordings')
    .addOption(
      new Option('--naming <scheme>', '文件命名方案 / file naming scheme')
        .choices(ALL_SCHEMES.map((s) => s.id))
        .default('device-officer-time'),
    )
    .option('--speech', '每段开头加入普通话语音（espeak-ng）/ Mandarin speech at the start of each segment')
    .option('--tz <zone>', '设备时区（默认 ZHILU_TIMEZONE 或 Asia/Shanghai）/ device time zone')
    .option(
      '--clock-offset <seconds>',
      '设备时钟偏差（秒，正数为偏快）/ device clock minus true time, seconds',
    )
    .option('--gps <lat,lng>', '写入 GPS 位置 / write this GPS position')
    .option('--video-size <WxH>', '画面尺寸（默认 160x120）/ frame size (default 160x120)')
    .option('--fps <n>', '帧率（默认 2）/ frames per second (default 2)')
    .option('--json', '以 JSON 输出 / print JSON')
    .action(async (dir: string, opts: SimulateFlags) => {
      let gaps: SimulatedGapInput[];
      let gps: { lat: number; lng: number } | null = null;
      try {
        gaps = opts.gap.map(parseGap);
      } catch (e) {
        if (isAppError(e)) throw usage(`${e.messages.zh} / ${e.messages.en}`);
        throw e;
      }
      if (opts.gps !== undefined) {
        const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(opts.gps);
        if (!m) throw usage(`--gps must be LAT,LNG in decimal degrees, e.g. 33.58,114.02, not "${opts.gps}"`);
        gps = { lat: Number(m[1]), lng: Number(m[2]) };
      }
      try {
        const result = await simulateDevice({
          dir,
          serial: opts.serial,
          officer: opts.officer,
          start: opts.start,
          minutes: number('--minutes', opts.minutes, false)!,
          splitMinutes: number('--split-minutes', opts.splitMinutes, false),
          gaps,
          dropSeq: wholeList('--drop-seq', opts.dropSeq),
          editSeq: wholeList('--edit-seq', opts.editSeq),
          truncateSeq: wholeList('--truncate-seq', opts.truncateSeq),
          photos: number('--photos', opts.photos, true),
          audio: number('--audio', opts.audio, true),
          naming: opts.naming,
          speech: opts.speech ?? false,
          timeZone: opts.tz ?? process.env.ZHILU_TIMEZONE ?? 'Asia/Shanghai',
          clockOffsetSeconds: number('--clock-offset', opts.clockOffset, false),
          gps,
          videoSize: opts.videoSize,
          fps: number('--fps', opts.fps, true),
        });
        if (opts.json) {
          printJson(result);
          return;
        }
        printTable(
          result.files.map((f) => ({
            ...f,
            present: f.present ? '' : 'deleted',
            planted: f.planted.join(','),
            seconds: Math.round(f.durationMs / 1000),
          })),
          ['path', 'kind', 'sequence', 'deviceTime', 'seconds', 'present', 'planted'],
        );
        const written = result.files.filter((f) => f.present).length;
        console.log(
          `zhilu: 已生成模拟设备 ${result.device.serial}（${written} 个文件，${result.gaps.length} 次中断）/ simulated device ${result.device.serial}: ${written} files, ${result.gaps.length} gaps in ${result.dir} (${(result.elapsedMs / 1000).toFixed(1)} s)`,
        );
      } catch (e) {
        if (isAppError(e) && (e.code === 'SIMULATE_INVALID' || e.code === 'SIMULATE_DIR_NOT_EMPTY'))
          throw usage(`${e.messages.zh} / ${e.messages.en}`);
        throw e;
      }
    });
}
