// The `zhilu` command. Every subcommand takes the same configuration as `serve`
// (--data, DATABASE_URL, STORAGE_URL, …), offers --json, exits 2 on a usage error and
// 1 on any other failure, with a clear message.
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, type ConfigFlags } from '../config.js';
import { VERSION } from '../version.js';
import { registerDemoCommand } from './demo-command.js';
import { registerDeviceCommands } from './device-commands.js';
import { registerComplianceReportCommand } from './compliance-report-command.js';
import { registerImportCommand } from './import-command.js';
import { registerStationCommand } from './station-command.js';
import { EXIT_FAILED, EXIT_USAGE, printError, printJson, printTable, readStdin } from './output.js';
import { serve } from './serve.js';
import { registerSimulateCommand } from './simulate-command.js';
import { registerWorkerCommand } from './worker-command.js';
import { cliDeps, common, operator, withZhilu, type Common } from './shared.js';

export function buildProgram(): Command {
  const program = new Command('zhilu')
    .description('执录 — 执法音像记录管理系统 / audio-video enforcement records system')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('serve')
    .description('启动服务 / start the server')
    .option('--port <port>', '端口 / port (default 3000 or ZHILU_PORT)')
    .option('--host <host>', '监听地址 / address to listen on (default 127.0.0.1 or ZHILU_HOST)')
    .option('--data <dir>', '数据目录 / data directory (default ./data or ZHILU_DATA)')
    .action(async (opts: ConfigFlags) => {
      await serve(loadConfig(process.env, opts));
    });

  common(program.command('migrate').description('升级数据库结构 / apply database migrations')).action(
    async (opts: Common) => {
      await withZhilu(opts, async (z) => {
        const report = {
          database: z.catalogue.describe,
          applied: z.migrations.applied,
          current: z.migrations.current,
        };
        if (opts.json) printJson(report);
        else
          console.log(
            `zhilu: 数据库已是最新 / database up to date (${report.current}); 本次应用 / applied now: ${report.applied.join(', ') || '无 / none'}`,
          );
      });
    },
  );

  const user = program.command('user').description('人员管理 / users');
  common(
    user
      .command('add')
      .description('新建人员 / add a user')
      .requiredOption('--username <username>', '用户名 / login name')
      .requiredOption('--name <name>', '姓名 / full name')
      .requiredOption('--code <code>', '执法证号 / certificate or badge number')
      .requiredOption(
        '--roles <roles>',
        '角色，逗号分隔 / comma-separated roles: officer,custodian,legal_office,leader,department_head,supervisor,admin',
      )
      .option('--unit <unit>', '所属单位（ID 或名称）/ unit id or name')
      .option(
        '--password-stdin',
        '从标准输入读取密码（不强制首次修改）/ read the password from stdin (no forced change)',
      ),
  ).action(
    async (
      opts: Common & {
        username: string;
        name: string;
        code: string;
        roles: string;
        unit?: string;
        passwordStdin?: boolean;
      },
    ) => {
      const password = opts.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
      await withZhilu(opts, async (z) => {
        const actor = operator();
        const unitId = opts.unit ? (await z.services.units.resolve(actor, opts.unit)).id : null;
        const roles = opts.roles
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean);
        const { user: created, initialPassword } = await z.services.users.create(actor, {
          username: opts.username,
          name: opts.name,
          code: opts.code,
          unitId,
          roles,
          password,
          mustChangePassword: password === undefined,
        });
        if (opts.json) printJson(initialPassword ? { user: created, initialPassword } : { user: created });
        else {
          console.log(
            `zhilu: 已创建人员 / created user ${created.username} (${created.name}, ${created.roles.join(',')})`,
          );
          if (initialPassword)
            console.log(
              `一次性密码 / one-time password: ${initialPassword}（首次登录须修改 / must be changed at first login）`,
            );
        }
      });
    },
  );

  common(user.command('list').description('人员列表 / list users')).action(async (opts: Common) => {
    await withZhilu(opts, async (z) => {
      const users = await z.services.users.list(operator(), {});
      if (opts.json) printJson({ items: users });
      else
        printTable(
          users.map((u) => ({ ...u, active: u.active ? 'yes' : 'no' })),
          ['username', 'name', 'code', 'unitName', 'roles', 'active'],
        );
    });
  });

  const unit = program.command('unit').description('单位管理 / units');
  common(
    unit
      .command('add')
      .description('新建单位 / add a unit')
      .requiredOption('--name <name>', '单位名称 / unit name')
      .addOption(
        new Option('--kind <kind>', '类型 / kind')
          .choices(['brigade', 'squadron', 'office'])
          .makeOptionMandatory(),
      )
      .option('--parent <unit>', '上级单位（ID 或名称）/ parent unit id or name')
      .option('--code <code>', '单位代码 / unit code'),
  ).action(
    async (
      opts: Common & {
        name: string;
        kind: 'brigade' | 'squadron' | 'office';
        parent?: string;
        code?: string;
      },
    ) => {
      await withZhilu(opts, async (z) => {
        const actor = operator();
        const parentId = opts.parent ? (await z.services.units.resolve(actor, opts.parent)).id : null;
        const created = await z.services.units.create(actor, {
          name: opts.name,
          kind: opts.kind,
          parentId,
          code: opts.code ?? null,
        });
        if (opts.json) printJson({ unit: created });
        else console.log(`zhilu: 已创建单位 / created unit ${created.name} (${created.id})`);
      });
    },
  );
  common(unit.command('list').description('单位列表 / list units')).action(async (opts: Common) => {
    await withZhilu(opts, async (z) => {
      const units = await z.services.units.list(operator());
      if (opts.json) printJson({ items: units });
      else
        printTable(units as unknown as Record<string, unknown>[], ['id', 'name', 'kind', 'parentId', 'code']);
    });
  });

  const token = program.command('token').description('API 令牌 / API tokens');
  common(
    token
      .command('create')
      .description('创建令牌（密钥只显示一次）/ create a token (the secret is shown once)')
      .requiredOption('--user <username>', '令牌所属人员 / the user the token acts as')
      .addOption(
        new Option('--scope <scope>', '范围 / scope').choices(['station', 'api']).makeOptionMandatory(),
      )
      .option('--name <name>', '名称 / a name for it')
      .option('--expires-days <days>', '有效天数 / days until it expires'),
  ).action(async (opts: Common & { user: string; scope: string; name?: string; expiresDays?: string }) => {
    let expiresInDays: number | null = null;
    if (opts.expiresDays !== undefined) {
      if (!/^\d+$/.test(opts.expiresDays))
        throw new CommanderError(
          EXIT_USAGE,
          'zhilu.usage',
          'error: --expires-days must be a whole number of days',
        );
      expiresInDays = Number(opts.expiresDays);
    }
    await withZhilu(opts, async (z) => {
      const result = await z.services.tokens.create(operator(), {
        username: opts.user,
        name: opts.name ?? `${opts.scope} token for ${opts.user}`,
        scope: opts.scope,
        expiresInDays,
      });
      if (opts.json) printJson(result);
      else {
        console.log(
          `zhilu: 已创建令牌 / created token ${result.token.id} (${result.token.scope}, ${result.token.username})`,
        );
        console.log(`令牌密钥（只显示这一次）/ secret (shown only once): ${result.secret}`);
      }
    });
  });
  common(token.command('list').description('令牌列表 / list tokens')).action(async (opts: Common) => {
    await withZhilu(opts, async (z) => {
      const items = await z.services.tokens.list(operator());
      if (opts.json) printJson({ items });
      else
        printTable(
          items.map((t) => ({ ...t, revoked: t.revokedAt ? 'yes' : '' })),
          ['id', 'username', 'name', 'scope', 'prefix', 'revoked'],
        );
    });
  });
  common(
    token.command('revoke').description('吊销令牌 / revoke a token').argument('<id>', '令牌 ID / token id'),
  ).action(async (id: string, opts: Common) => {
    await withZhilu(opts, async (z) => {
      await z.services.tokens.revoke(operator(), id);
      if (opts.json) printJson({ revoked: id });
      else console.log(`zhilu: 已吊销 / revoked ${id}`);
    });
  });

  const audit = program.command('audit').description('审计日志 / audit trail');
  common(audit.command('verify').description('校验审计链 / verify the hash chain')).action(
    async (opts: Common) => {
      await withZhilu(opts, async (z) => {
        const result = await z.services.audit.verify();
        if (opts.json) printJson(result);
        else if (result.ok)
          console.log(`zhilu: 审计链完整 / audit chain intact: ${result.checked} 条事件 / events checked`);
        else {
          const b = result.firstBroken!;
          console.log(
            `zhilu: 审计链被破坏 / audit chain BROKEN at event seq=${b.seq} id=${b.id} (${b.reason}); ${result.checked} 条之前的事件完好 / earlier events intact`,
          );
        }
        if (!result.ok) process.exitCode = EXIT_FAILED;
      });
    },
  );

  registerDeviceCommands(program, cliDeps);
  registerComplianceReportCommand(program, cliDeps);
  registerImportCommand(program, cliDeps);
  registerSimulateCommand(program);
  registerStationCommand(program);
  registerWorkerCommand(program, cliDeps);
  registerDemoCommand(program);

  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are not errors
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        process.exitCode = 0;
      else {
        if (e.code === 'zhilu.usage') process.stderr.write(e.message + '\n');
        process.exitCode = EXIT_USAGE;
      }
      return;
    }
    printError(e, json);
    process.exitCode = EXIT_FAILED;
  }
}
