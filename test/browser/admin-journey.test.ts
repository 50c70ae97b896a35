// The administrator's first day, in a real browser against a real server:
// bootstrap password → forced change → unit → user → the user's first login →
// the audit trail shows it all. Screenshots go to test-results/browser/.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'test-results', 'browser');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const ADMIN_NEW_PASSWORD = 'Zhilu#Lead-2025x';
const ADMIN_WEAK_PASSWORD = 'Zhilu#Admin-2025'; // contains the username
const OFFICER = { username: 'zhangsan', name: '张三', code: 'HN-LH-0001', newPassword: 'Officer#Lh-2025' };
const BRIGADE = '漯河市畜牧兽医执法大队';
const SQUADRON = '第一中队';

const haveChromium = existsSync(CHROMIUM);
// In CI a missing browser is a failure (beforeAll throws); locally the journey is skipped.
const suite = haveChromium || process.env.CI ? describe : describe.skip;
if (!haveChromium && !process.env.CI) console.info(`browser journey skipped: ${CHROMIUM} not found`);

/** RFC 6238 code (SHA-1, 6 digits, 30 s) for a base32 secret, as an authenticator app shows it. */
function totp(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase())
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1]! & 0xf;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

interface Server {
  child: ChildProcess;
  baseUrl: string;
  adminPassword: string;
  output: () => string;
}

/** Starts `zhilu serve` on a fresh data directory and reads the bootstrap password it prints. */
async function startServer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const env = { ...process.env };
  delete env.ZHILU_ADMIN_PASSWORD; // the server must generate and print a one-time password
  const child = spawn(
    process.execPath,
    ['bin/zhilu.js', 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', dataDir],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 30_000;
  let adminPassword: string | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`zhilu serve exited with ${child.exitCode}:\n${out}`);
    adminPassword ??= /one-time password:\s*([^\s(),，（]+)/.exec(out)?.[1];
    if (adminPassword) {
      const healthy = await fetch(`${baseUrl}/api/health`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (healthy) return { child, baseUrl, adminPassword, output: () => out };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`zhilu serve did not become ready with a printed one-time password:\n${out}`);
}

async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

suite('admin journey in the browser', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let dataDir: string | undefined;
  const consoleErrors: string[] = [];
  const consoleWarnings: string[] = [];

  const shot = async (name: string) => {
    // From the top (the sticky header would float mid-page) and with animations finished
    // (a modal caught mid-zoom says nothing about the layout).
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
  };

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is required in CI (apt-get install chromium)`);
    for (const f of ['dist/cli/main.js', 'web/dist/index.html'])
      if (!existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zhilu-browser-'));
    server = await startServer(dataDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({
      viewport: { width: 1366, height: 820 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
      if (m.type() === 'warning') consoleWarnings.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopServer(server?.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function login(username: string, password: string) {
    await expect.poll(() => new URL(page.url()).pathname).toBe('/login');
    await page.getByLabel('用户名', { exact: true }).fill(username);
    await page.getByLabel('密码', { exact: true }).fill(password);
    await loginButton(page).click();
  }

  async function forcedChange(current: string, next: string, shotName: string) {
    await page.getByText('首次登录须修改密码').waitFor();
    await page.getByTestId('password-policy').getByText('长度不少于 10 个字符').waitFor();
    await page.getByLabel('当前密码', { exact: true }).fill(current);
    await page.getByLabel('新密码', { exact: true }).fill(next);
    await page.getByLabel('确认新密码', { exact: true }).fill(next);
    await shot(shotName);
    // Not exact: antd may leave its collapsed "loading" icon label in the button's name.
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.getByTestId('health-card').waitFor();
  }

  async function logout() {
    await page.getByRole('button', { name: '退出登录' }).click();
    await loginButton(page).waitFor();
  }

  async function openMenu(...labels: string[]) {
    for (const label of labels) await page.getByRole('menuitem', { name: label }).click();
  }

  it('bootstraps, creates a unit and a user, and audits it', { timeout: 240_000 }, async () => {
    try {
      await journey(server!);
    } catch (e) {
      await shot('failure').catch(() => undefined);
      if (process.env.ZHILU_DEBUG_BUTTONS)
        console.error(
          await page.locator('button').evaluateAll((bs) => bs.map((b) => b.outerHTML).join('\n')),
        );
      console.error(
        `browser console errors:\n${consoleErrors.join('\n')}\n--- server output (tail) ---\n${server?.output().slice(-4000)}`,
      );
      throw e;
    }
  });

  async function journey(srv: Server) {
    // 1. Login page, in Chinese.
    await page.goto(srv.baseUrl);
    await loginButton(page).waitFor();
    expect(await page.title()).toBe('执录 · 执法音像记录管理系统');
    await expect.poll(() => page.locator('.zl-login-brand').innerText()).toContain('执法音像记录管理系统');
    await shot('01-login');

    // A wrong password is refused with a clear message.
    await login('admin', 'not-the-password');
    await page.getByTestId('login-error').getByText('用户名或密码错误').waitFor();
    await shot('02-login-wrong-password');

    // 2. First login with the printed one-time password → forced change.
    await page.getByLabel('密码', { exact: true }).fill(srv.adminPassword);
    await loginButton(page).click();
    // The server's PASSWORD_WEAK rule shows on the field and in the policy list.
    await page.getByText('首次登录须修改密码').waitFor();
    await page.getByLabel('当前密码', { exact: true }).fill(srv.adminPassword);
    await page.getByLabel('新密码', { exact: true }).fill(ADMIN_WEAK_PASSWORD);
    await page.getByLabel('确认新密码', { exact: true }).fill(ADMIN_WEAK_PASSWORD);
    await page.getByRole('button', { name: '修改密码' }).click();
    await page.getByText('密码不能包含用户名').waitFor();
    await shot('03-forced-change-weak');
    await forcedChange(srv.adminPassword, ADMIN_NEW_PASSWORD, '04-forced-change-admin');

    // 3. Home: greeting, roles, health.
    await page.getByRole('heading', { name: /好，系统管理员/ }).waitFor();
    await page.getByTestId('health-card').getByText('运行正常').waitFor();
    await shot('05-home-admin');

    // 4. Units: a brigade and a squadron under it.
    await openMenu('单位管理');
    await page.getByRole('button', { name: '新建单位' }).waitFor();
    if ((await page.getByRole('row', { name: new RegExp(BRIGADE) }).count()) === 0) {
      await page.getByRole('button', { name: '新建单位' }).click();
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('单位名称').fill(BRIGADE);
      await dlg.getByRole('button', { name: '保存' }).click();
      await page.getByText('单位已创建').waitFor();
      await dlg.waitFor({ state: 'hidden' });
    }
    await page
      .getByRole('row', { name: new RegExp(BRIGADE) })
      .getByRole('button', { name: '添加下级' })
      .click();
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByText(`${BRIGADE}（大队）`).waitFor(); // parent pre-selected
      await dlg.getByLabel('单位名称').fill(SQUADRON);
      await shot('06-unit-create-squadron');
      await dlg.getByRole('button', { name: '保存' }).click();
      await dlg.waitFor({ state: 'hidden' });
    }
    await page
      .getByRole('row', { name: new RegExp(SQUADRON) })
      .getByText('中队', { exact: true })
      .waitFor();
    await shot('07-units');

    // 5. Users: create an officer in the squadron; the one-time password is shown once.
    await openMenu('用户管理');
    await page.getByRole('button', { name: '新建用户' }).click();
    let officerPassword: string;
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('用户名').fill(OFFICER.username);
      await dlg.getByLabel('姓名').fill(OFFICER.name);
      await dlg.getByLabel('执法证号').fill(OFFICER.code);
      await dlg.getByLabel('所属单位').click();
      await page.locator('.ant-select-tree').getByText(`${SQUADRON}（中队）`).click();
      await dlg.getByText('执法人员').waitFor(); // default role
      await shot('08-user-create');
      await dlg.getByRole('button', { name: '保存' }).click();
      const secret = page.getByTestId('one-time-secret');
      await secret.waitFor();
      officerPassword = (await secret.innerText()).trim();
      expect(officerPassword.length).toBeGreaterThanOrEqual(10);
      await page.getByText('此密码只显示这一次').waitFor();
      await shot('09-user-one-time-password');
      await page.locator('.ant-modal-footer').getByRole('button', { name: '关闭' }).click();
    }
    const officerRow = page.getByRole('row', { name: new RegExp(OFFICER.username) });
    await officerRow.getByText('需改密').waitFor();
    await officerRow.getByText(SQUADRON).waitFor();
    await shot('10-users');

    // 6. The officer's first login: forced change, then a plain home without admin menus.
    await logout();
    await login(OFFICER.username, officerPassword);
    await forcedChange(officerPassword, OFFICER.newPassword, '11-forced-change-officer');
    await page.getByRole('heading', { name: new RegExp(`好，${OFFICER.name}`) }).waitFor();
    await page.locator('main').getByText(SQUADRON).waitFor();
    await page.locator('main').getByText('执法人员').first().waitFor();
    expect(await page.getByRole('menuitem', { name: '审计日志' }).count()).toBe(0);
    expect(await page.getByRole('menuitem', { name: '安全设置' }).count()).toBe(0);
    await shot('12-home-officer');
    await logout();

    // 7. Back as admin: the audit trail shows what happened.
    await login('admin', ADMIN_NEW_PASSWORD);
    await page.getByTestId('health-card').waitFor();
    await openMenu('审计日志');
    const table = page.locator('.ant-table-tbody');
    await table.getByText('unit.create').first().waitFor();
    await table.getByText('创建单位').first().waitFor();
    await table.getByText('user.create').first().waitFor();
    await table.getByText('创建用户').first().waitFor();
    await table.getByText('auth.login', { exact: true }).first().waitFor();
    await table.getByText('修改密码').first().waitFor();
    expect(await table.getByText('失败').count()).toBeGreaterThanOrEqual(1); // the wrong password
    await shot('13-audit');

    await page.getByRole('button', { name: '校验审计链' }).click();
    await page.getByText(/审计链完整：已校验 \d+ 条记录/).waitFor();
    await shot('14-audit-verify');
    await page.locator('.ant-modal-footer').getByRole('button', { name: '关闭' }).click();

    // Filter by action.
    await page.getByLabel('操作', { exact: true }).fill('user.create');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => table.getByText('unit.create').count()).toBe(0);
    await table.getByText('user.create').first().waitFor();
    // Details expand as JSON.
    await table.getByRole('button', { name: '展开行' }).first().click();
    await table
      .locator('pre.zl-json')
      .getByText(`"username": "${OFFICER.username}"`, { exact: false })
      .waitFor();
    await shot('15-audit-filtered-details');
    // The CSV export carries the same filter and is a UTF-8 file with a BOM for Excel.
    const href = await page.getByRole('link', { name: '导出 CSV' }).getAttribute('href');
    expect(href).toBe('/api/v1/audit/export.csv?action=user.create');
    const csv = await page.request.get(`${srv.baseUrl}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    const body = await csv.body();
    expect(body.subarray(0, 3).toString('hex')).toBe('efbbbf');
    expect(body.toString('utf8')).toContain(OFFICER.username);

    // 8. English, then back; and the phone layout.
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('button', { name: 'Verify audit chain' }).waitFor();
    await shot('16-audit-english');
    await page.getByText('中文', { exact: true }).click();
    await page.getByRole('button', { name: '校验审计链' }).waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: '展开菜单' }).click();
    await page.getByRole('menuitem', { name: '用户管理' }).waitFor();
    await shot('17-menu-phone');
    await page.getByRole('menuitem', { name: '用户管理' }).click();
    await page.locator('.ant-drawer-content').waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: '新建用户' }).waitFor();
    await shot('18-users-phone');
    if (consoleWarnings.length) console.info(`browser console warnings:\n${consoleWarnings.join('\n')}`);

    expect(consoleErrors.filter((e) => !/status of 40[0-9]/.test(e))).toEqual([]);
  }

  it(
    'shows roles, manages a station token, security settings and two-factor log-in',
    { timeout: 180_000 },
    async () => {
      try {
        await administration(server!);
      } catch (e) {
        await shot('failure-2').catch(() => undefined);
        console.error(`browser console errors:\n${consoleErrors.join('\n')}`);
        throw e;
      }
    },
  );

  async function administration(srv: Server) {
    await page.setViewportSize({ width: 1366, height: 820 });
    await page.goto(`${srv.baseUrl}/`);
    await page.getByTestId('health-card').waitFor();

    // Roles × permissions, with Chinese names.
    await openMenu('角色与权限');
    await page.getByRole('columnheader', { name: '系统管理员' }).waitFor();
    await page.getByRole('columnheader', { name: '执法人员' }).waitFor();
    await page.getByRole('row', { name: /查看单位/ }).waitFor();
    await shot('19-roles');

    // A station token for the officer: the secret once, then revoked.
    await openMenu('API 令牌');
    await page.getByRole('button', { name: '新建令牌' }).click();
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('所属用户').click();
      await page.locator('.ant-select-dropdown').getByText(`${OFFICER.name}（${OFFICER.username}）`).click();
      await dlg.getByLabel('名称').fill('第一中队采集站');
      await dlg.getByLabel('有效天数').fill('365');
      await dlg.getByRole('button', { name: '新建' }).click();
    }
    const secret = page.getByTestId('one-time-secret');
    await secret.waitFor();
    const tokenSecret = (await secret.innerText()).trim();
    expect(tokenSecret).toMatch(/^zl_/);
    await page.getByText('令牌密钥只显示这一次').waitFor();
    await shot('20-token-secret');
    await page.locator('.ant-modal-footer').getByRole('button', { name: '关闭' }).click();
    const tokenRow = page.getByRole('row', { name: /第一中队采集站/ });
    await tokenRow.getByText('采集站', { exact: true }).waitFor();
    await tokenRow.getByText('有效', { exact: true }).waitFor();
    // The token works until it is revoked.
    const useToken = () =>
      fetch(`${srv.baseUrl}/api/v1/units`, { headers: { Authorization: `Bearer ${tokenSecret}` } });
    expect((await useToken()).status).toBe(200);
    await tokenRow.getByRole('button', { name: '吊销' }).click();
    // Click only once the popconfirm's zoom-in has finished: a click mid-animation is lost.
    const pop = page.locator('.ant-popconfirm:visible');
    await pop.waitFor();
    await expect.poll(async () => (await pop.getAttribute('class')) ?? '').not.toMatch(/-(appear|enter)\b/);
    await pop.getByRole('button', { name: /确\s*定/ }).click();
    await tokenRow.getByText('已吊销').waitFor();
    expect((await useToken()).status).toBe(401);
    await shot('21-tokens');

    // Security settings load and save.
    await openMenu('安全设置');
    await expect.poll(() => page.getByLabel('空闲超时').inputValue()).toMatch(/^\d+$/);
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('安全设置已保存').waitFor();
    await shot('22-security');

    // Two-factor: set up in the profile, then log in with a code.
    await openMenu('个人中心');
    await page.getByRole('button', { name: '启用双因素认证' }).click();
    await page.getByRole('img', { name: '双因素认证二维码' }).waitFor();
    const totpSecret = (await page.locator('.ant-typography code').first().innerText()).trim();
    await shot('23-profile-totp-setup');
    await page.locator('.ant-otp input').first().click();
    await page.keyboard.type(totp(totpSecret));
    await page.getByRole('button', { name: '确认启用' }).click();
    await page.locator('.ant-message').getByText('双因素认证已启用').waitFor();
    await page.getByRole('button', { name: '停用双因素认证' }).waitFor();
    await shot('24-profile-totp-on');

    await logout();
    await login('admin', ADMIN_NEW_PASSWORD);
    await page.getByText('请输入身份验证器应用中显示的 6 位动态验证码。').waitFor();
    await page.locator('.ant-otp input').first().click();
    await page.keyboard.type(totp(totpSecret));
    await shot('25-login-mfa');
    await page.getByRole('button', { name: '验证' }).click();
    await page.getByTestId('health-card').waitFor();
    await openMenu('审计日志');
    await page.locator('.ant-table-tbody').getByText('auth.totp_enable').first().waitFor();
    await page.locator('.ant-table-tbody').getByText('token.revoke').first().waitFor();
    expect(consoleErrors.filter((e) => !/status of 40[0-9]/.test(e))).toEqual([]);
  }
});

/** Not exact: after a refused attempt antd may keep a collapsed "loading" icon label in the name. */
function loginButton(page: Page) {
  return page.locator('.zl-login-card').getByRole('button', { name: '登录' });
}
