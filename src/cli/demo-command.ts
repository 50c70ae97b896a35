// `zhilu demo seed [--days 14] [--password P] [--json]`: fills an empty installation (same
// configuration as `serve`) with the demonstration brigade of src/demo/seed.ts and prints
// the logins — each password only this once — the counts and the verdicts. Refuses, exit 1,
// an installation that already has users (besides the first administrator) or activities.
import { Command, CommanderError } from 'commander';
import { loadConfig } from '../config.js';
import { FINDING_CODES, isFindingCode, VERDICT_NAMES, VERDICTS } from '../domain/compliance-findings.js';
import { ROLE_NAMES } from '../domain/roles.js';
import {
  DEMO_DEFAULT_DAYS,
  DEMO_MAX_DAYS,
  DEMO_MIN_DAYS,
  seedDemo,
  SettableClock,
  type SeedResult,
} from '../demo/seed.js';
import { openZhilu } from '../zhilu.js';
import { EXIT_USAGE, printJson, printTable } from './output.js';

function printSummary(r: SeedResult): void {
  const c = r.counts;
  console.log(
    `\nzhilu: 演示数据已生成 / demo data seeded: ${r.unit}, ${r.period.from} – ${r.period.to} (${r.period.days} 天 / days, ${(r.elapsedMs / 1000).toFixed(0)} s)\n`,
  );
  console.log('登录账号（密码只显示这一次）/ logins (passwords are shown only this once):');
  printTable(
    r.users.map((u) => ({
      ...u,
      roles: u.roles.map((role) => `${ROLE_NAMES[role].zh} ${role}`).join(', '),
      password: u.mustChangePassword ? `${u.password}（首次登录须修改 / change at first login）` : u.password,
    })),
    ['username', 'name', 'roles', 'unit', 'password'],
  );
  console.log(
    `\n数量 / counts: 单位 units ${c.units}, 人员 users ${c.users}, 设备 devices ${c.devices}, 执法对象 subjects ${c.subjects}, ` +
      `案件 cases ${c.cases}, 执法活动 activities ${c.activities}, 音像记录 recordings ${c.recordings}, 导入 imports ${c.imports}`,
  );
  console.log(
    `结论 / verdicts: ${VERDICTS.map((v) => `${VERDICT_NAMES[v].zh} ${v} ${r.verdicts[v]}`).join(', ')}`,
  );
  const findings = Object.entries(r.findings).map(
    ([code, n]) => `${isFindingCode(code) ? FINDING_CODES[code].zh : code} ${code} ×${n}`,
  );
  if (findings.length) console.log(`核查发现 / findings: ${findings.join(', ')}`);
  for (const m of r.mismatches)
    console.log(
      `zhilu: 注意 / note: ${m.title}（${m.scenario}）结论为 ${m.actual.verdict ?? '无'} [${m.actual.codes.join(',')}]，预期 ${m.expected.verdict} [${m.expected.codes.join(',')}]`,
    );
  console.log(
    '\n启动 / start: npm start（或 / or npx zhilu serve），然后打开 / then open http://127.0.0.1:3000',
  );
}

export function registerDemoCommand(program: Command): void {
  const demo = program.command('demo').description('演示数据 / demonstration data');
  demo
    .command('seed')
    .description(
      '在空的安装中生成演示大队（单位、人员、设备、执法对象、案件、执法活动及模拟音像记录）/ fill an empty installation with a demonstration brigade',
    )
    .option(
      '--days <n>',
      `执法活动的天数（${DEMO_MIN_DAYS}–${DEMO_MAX_DAYS}，默认 ${DEMO_DEFAULT_DAYS}，到昨天为止）/ days of activities, ending yesterday`,
    )
    .option(
      '--password <password>',
      '所有演示人员使用同一个密码（默认各自随机生成）/ one fixed password for every demo user (default: generated)',
    )
    .option('--data <dir>', '数据目录 / data directory (default ./data or ZHILU_DATA)')
    .option('--json', '以 JSON 输出 / print JSON')
    .action(async (opts: { days?: string; password?: string; data?: string; json?: boolean }) => {
      let days = DEMO_DEFAULT_DAYS;
      if (opts.days !== undefined) {
        days = /^\d+$/.test(opts.days.trim()) ? Number(opts.days) : NaN;
        if (!(days >= DEMO_MIN_DAYS && days <= DEMO_MAX_DAYS))
          throw new CommanderError(
            EXIT_USAGE,
            'zhilu.usage',
            `error: --days must be a whole number from ${DEMO_MIN_DAYS} to ${DEMO_MAX_DAYS}, not "${opts.days}"`,
          );
      }
      const config = loadConfig(process.env, { data: opts.data });
      // The seed moves this clock through the simulated days (see src/demo/seed.ts).
      const clock = new SettableClock(Date.now());
      const zhilu = await openZhilu(config, { clock });
      try {
        const result = await seedDemo(zhilu, clock, {
          days,
          password: opts.password ?? null,
          adminPassword: config.adminPassword,
          log: opts.json ? undefined : (line) => console.log(line),
        });
        if (opts.json) printJson(result);
        else printSummary(result);
      } finally {
        await zhilu.close();
      }
    });
}
