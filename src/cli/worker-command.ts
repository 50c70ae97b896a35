// `zhilu worker [--once]`: a separate process working the media jobs (thumbnails, proxies,
// speech measure) beside or instead of the one inside `serve` — several may run on several
// machines against the same catalogue and blob store. --once works until no job is due and
// exits (for cron and tests); without it the worker runs until SIGINT or SIGTERM, letting
// the job in hand finish. Exits 1 when a job failed for good during --once.
import type { Command } from 'commander';
import { describeError } from '../jobs/queue.js';
import type { RunOutcome } from '../jobs/worker.js';
import { EXIT_FAILED, printJson } from './output.js';
import type { CliDeps, Common } from './shared.js';

export function registerWorkerCommand(program: Command, deps: CliDeps): void {
  const { common, withZhilu } = deps;
  common(
    program
      .command('worker')
      .description(
        '处理媒体任务（缩略图、代理文件、开头语音检测）/ work the media jobs (thumbnails, proxies, speech at start)',
      )
      .option('--once', '处理完当前到期的任务后退出 / exit when no job is due'),
  ).action(async (opts: Common & { once?: boolean }) => {
    await withZhilu(opts, async (z) => {
      const counts: Record<RunOutcome, number> = { idle: 0, done: 0, retry: 0, failed: 0, lost: 0 };
      const log = (line: string) => {
        if (!opts.json) console.log(line);
      };
      const worker = z.services.media.worker({
        onError: (e, job) =>
          log(
            `zhilu: 任务出错 / job error ${job ? `${job.kind} ${job.id}` : '(queue)'}: ${describeError(e)}`,
          ),
      });
      if (opts.once) {
        for (;;) {
          const outcome = await worker.runOnce();
          if (outcome === 'idle') break;
          counts[outcome] += 1;
        }
        const { idle: _idle, ...summary } = counts;
        if (opts.json) printJson({ worker: worker.id, ...summary });
        else
          log(
            `zhilu: 完成 / done ${summary.done}, 待重试 / to retry ${summary.retry}, 失败 / failed ${summary.failed}, 租约丢失 / lost ${summary.lost}`,
          );
        if (summary.failed > 0) process.exitCode = EXIT_FAILED;
        return;
      }
      log(`zhilu: 媒体任务处理程序已启动 / media worker ${worker.id} running (Ctrl+C to stop)`);
      worker.start();
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          log('zhilu: 正在停止（等待当前任务完成）/ stopping (the job in hand finishes first)');
          void worker.stop().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
  });
}
