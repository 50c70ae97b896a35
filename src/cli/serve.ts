// `zhilu serve`: open the installation (migrating it), create the first administrator
// if there is nobody yet, and listen. Any configuration problem stops start-up with one
// message and a non-zero exit.
import type { Config } from '../config.js';
import { describeConfig } from '../config.js';
import { AppError } from '../domain/errors.js';
import { buildApp } from '../http/app.js';
import { bootstrapAdmin } from '../services/bootstrap.service.js';
import { openZhilu } from '../zhilu.js';
import { startMediaWorker } from '../services/media-pipeline.service.js';

export async function serve(config: Config): Promise<void> {
  const zhilu = await openZhilu(config);
  const app = await buildApp(zhilu, {
    logger: process.env.ZHILU_LOG !== 'off' && process.env.NODE_ENV !== 'test',
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    await app.close().catch(() => {});
    await zhilu.close().catch(() => {});
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE')
      throw new AppError('PORT_IN_USE', 400, {
        zh: `端口 ${config.port} 已被占用（${config.host}）`,
        en: `Port ${config.port} is already in use on ${config.host}`,
      });
    if (err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL')
      throw new AppError('LISTEN_FAILED', 400, {
        zh: `无法在 ${config.host}:${config.port} 上监听：${err.message}`,
        en: `Cannot listen on ${config.host}:${config.port}: ${err.message}`,
      });
    throw e;
  }
  // After listen succeeds, so a start that fails (port in use) creates nobody.
  const admin = await bootstrapAdmin(
    { catalogue: zhilu.catalogue, clock: zhilu.clock },
    zhilu.services.audit,
    config.adminPassword,
  );
  if (admin) {
    const how = admin.generated ? '' : '（取自 ZHILU_ADMIN_PASSWORD）';
    process.stdout.write(
      `\n已创建初始管理员 ${admin.username}，一次性密码：${admin.password}${how}（首次登录后须修改，此密码只显示这一次）\n` +
        `Created the initial administrator "${admin.username}"; one-time password: ${admin.password} (must be changed at first login; shown only this once)\n\n`,
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  process.stdout.write(
    `执录已启动 / zhilu is running at http://${shown.includes(':') ? `[${shown}]` : shown}:${port}\n` +
      `  ${JSON.stringify(describeConfig(config))}\n`,
  );
  // Background jobs (thumbnails, proxies, speech measure, compliance recomputes) run in this
  // process too; more workers can run as `zhilu worker`.
  const mediaWorker = startMediaWorker(zhilu, {
    onError: (e, job) => app.log.warn({ err: e, job: job?.id, kind: job?.kind }, 'background job failed'),
  });
  // Verdicts that change with the passing of a deadline are looked at again periodically.
  await zhilu.services.compliance.scheduleSweep();
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await mediaWorker.stop({ abort: true });
    await app.close();
    await zhilu.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
