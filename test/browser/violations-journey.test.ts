// The violation register (A21.1, A22.1) in a real browser against a real server. Setup
// through the API: an inspection of Zhang and Li ends with nothing recorded, the server's
// worker raises NOT_RECORDED, and the supervisor records a violation of Zhang's from it and
// one of Li's from scratch. Then the supervisor: the register, Zhang's record with its
// evidence (the finding, named, with its article and a link to the activity), the decision
// dialog with a suspension; then Zhang sees only his own record, read-only.
// Screenshots go to test-results/browser/violations-*.png.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  cli,
  haveChromium,
  requireBuild,
  SHOTS,
  startServer,
  stopServer,
  type Server,
} from './harness.js';

const PASSWORD = 'Violations#Test-2025';
const ZHANG = { username: 'zhangsan', name: '张三', code: 'LH0001' };
const LI = { username: 'lisi', name: '李四', code: 'LH0002' };
const ZHOU = { username: 'zhouba', name: '周八', code: 'LH0300' };
const DESKTOP = { width: 1366, height: 820 };
const MIN = 60_000;

const suite = haveChromium || process.env.CI ? describe : describe.skip;
if (!haveChromium && !process.env.CI) console.info(`violations journey skipped: ${CHROMIUM} not found`);

async function apiSession(baseUrl: string, username: string) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'zhilu' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${baseUrl}/api/v1${url}`, {
      method,
      headers: {
        cookie,
        'x-requested-with': 'zhilu',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

suite('violation register in the browser', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  let dataDir: string | undefined;
  const consoleErrors: string[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser!.newContext({
      viewport: DESKTOP,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    return page;
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({
      path: path.join(SHOTS, `violations-${name}.png`),
      fullPage: true,
      animations: 'disabled',
      style: '.ant-message { display: none !important; }',
    });

  async function login(page: Page, username: string) {
    await page.goto(`${server!.baseUrl}/login`);
    await page.getByLabel('用户名', { exact: true }).fill(username);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.locator('.zl-login-card').getByRole('button', { name: '登录' }).click();
    await page.getByRole('menuitem', { name: '首页' }).waitFor();
  }

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is required in CI (apt-get install chromium)`);
    requireBuild();
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zhilu-violations-'));
    server = await startServer(dataDir);
    for (const [u, roles] of [
      [ZHANG, 'officer'],
      [LI, 'officer'],
      [ZHOU, 'supervisor'],
    ] as const)
      cli(
        dataDir,
        [
          'user',
          'add',
          '--username',
          u.username,
          '--name',
          u.name,
          '--code',
          u.code,
          '--roles',
          roles,
          '--password-stdin',
        ],
        `${PASSWORD}\n`,
      );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--lang=zh-CN'],
      env: { ...process.env, LANG: 'zh_CN.UTF-8', LANGUAGE: 'zh_CN:zh' },
    });
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    contexts = [];
    await browser?.close().catch(() => undefined);
    await stopServer(server?.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'a supervisor reads the register and a record’s evidence, opens the decision; an officer sees his own',
    { timeout: 300_000 },
    async () => {
      const srv = server!;
      try {
        const zhang = await apiSession(srv.baseUrl, ZHANG.username);
        const zhou = await apiSession(srv.baseUrl, ZHOU.username);
        const me = await zhang<{ id: string }>('GET', '/auth/me');
        const users = await zhou<
          { id: string; username: string }[] | { items: { id: string; username: string }[] }
        >('GET', '/users');
        const li = (Array.isArray(users) ? users : users.items).find((u) => u.username === LI.username)!;
        const subject = await zhang<{ id: string }>('POST', '/subjects', {
          type: 'farm',
          name: '漯河市黄河路养殖场',
          address: '漯河市源汇区黄河路 1 号',
        });
        const now = Math.floor(Date.now() / MIN) * MIN;
        const activity = await zhang<{ id: string }>('POST', '/activities', {
          type: 'routine_inspection',
          subjectId: subject.id,
          address: '漯河市源汇区黄河路 1 号',
          plannedAt: now - 3 * 60 * MIN,
          officerIds: [me.id, li.id],
          inChargeId: me.id,
        });
        await zhang('PATCH', `/activities/${activity.id}`, {
          arrivedAt: now - 2 * 60 * MIN,
          endedAt: now - 60 * MIN,
        });

        // the server's worker recomputes the activity: nothing recorded
        let findingIds: string[] = [];
        await expect
          .poll(
            async () => {
              const c = await zhou<{ items: { id: string; code: string }[] }>(
                'GET',
                `/violations/candidate-findings?officerId=${me.id}`,
              );
              findingIds = c.items.map((f) => f.id);
              return c.items.map((f) => f.code);
            },
            { timeout: 60_000, interval: 500 },
          )
          .toContain('NOT_RECORDED');
        await zhou('POST', '/violations', {
          officerId: me.id,
          category: 'not_recorded',
          description: '日常检查全程未开启执法记录仪，当事人次日到大队投诉',
          findingIds,
          evidenceText: '投诉登记表（2026）第 12 号',
        });
        const lent = await zhou<{ id: string }>('POST', '/violations', {
          officerId: li.id,
          category: 'device_lent',
          description: '将本人保管的执法记录仪借给辅助人员使用',
          occurredAt: now - 5 * 24 * 60 * MIN,
        });
        await zhou('POST', `/violations/${lent.id}/decide`, {
          sanctions: ['self_examination', 'criticism_notice'],
          decisionText: '责令书面检查，并在大队内通报批评',
        });

        // 1. The supervisor: the register
        const page = await newPage();
        await login(page, ZHOU.username);
        expect(await page.getByRole('menuitem', { name: '违规登记' }).count()).toBe(1);
        await page.goto(`${srv.baseUrl}/violations`);
        const table = page.getByTestId('violations-table');
        await table.getByText('张三').waitFor();
        await table.getByText('李四').waitFor();
        await table.getByText('大队内通报批评').waitFor();
        await page.getByTestId('create-violation').waitFor();
        await shot(page, '01-register');

        // 2. Zhang's record: the finding named with its article, linked to the activity
        await page
          .locator('.ant-table-row')
          .filter({ hasText: '张三' })
          .getByTestId('violation-number')
          .click();
        const detail = page.getByTestId('violation-detail');
        const finding = detail.getByTestId('violation-finding').filter({ hasText: '应记录而未记录' });
        await finding.waitFor();
        await finding.getByText('A6.1、A21.1(3)').waitFor();
        expect(await finding.getByRole('link').getAttribute('href')).toBe(`/activities/${activity.id}`);
        await detail.getByText('投诉登记表（2026）第 12 号').waitFor();
        await shot(page, '02-detail');

        // 3. The decision dialog: sanctions, and the suspension's days once it is chosen
        await page.getByTestId('decide-violation').click();
        const dialog = page.getByRole('dialog').filter({ hasText: '作出处理决定（第二十二条）' });
        await dialog.getByText('（3）暂停执法资格一个月').click();
        await dialog.getByText('（1）书面检查').click();
        await dialog.getByPlaceholder('暂停执法开始日期').waitFor();
        await dialog.getByLabel('处理决定').fill('责令书面检查，暂停执法资格一个月');
        await shot(page, '03-decide');
        await dialog.getByRole('button', { name: '取消' }).click();

        // 4. The officer: only his own record, no acts
        const own = await newPage();
        await login(own, ZHANG.username);
        await own.goto(`${srv.baseUrl}/violations`);
        const mine = own.getByTestId('violations-table');
        await mine.getByText('未按规定记录，引发信访、投诉或负面舆情').waitFor();
        expect(await mine.locator('.ant-table-row').count()).toBe(1);
        expect(await own.getByTestId('create-violation').count()).toBe(0);
        await own.getByText('本人的违规记录及处理决定（只读）。').waitFor();
        await own.locator('.ant-table-row').getByTestId('violation-number').click();
        await own.getByTestId('violation-finding').waitFor();
        expect(await own.getByTestId('decide-violation').count()).toBe(0);
        await shot(own, '04-officer');
        expect(consoleErrors).toEqual([]);
      } catch (e) {
        for (const c of contexts)
          for (const [i, p] of c.pages().entries()) await shot(p, `failure-${i}`).catch(() => undefined);
        console.error(
          `browser console errors:\n${consoleErrors.join('\n')}\n--- server output (tail) ---\n${srv.output().slice(-4000)}`,
        );
        throw e;
      }
    },
  );
});
