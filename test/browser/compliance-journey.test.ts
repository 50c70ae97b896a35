// Compliance in a real browser against a real server. Setup through the CLI and the API:
// a unit with two officers and their leader, a camera checked out (after the activity, so
// its pre-use check is missing), an inspection of ten minutes, and a simulated card that
// stops for a minute at minute five and speaks on resuming, imported with `zhilu import`;
// the server's worker measures the speech and recomputes. Then the officer: the bell, the
// activity's verdict with the gap on the timeline, the interruption dialog (reason, spoken
// confirmation beside the system's measure), and an explanation of the missing check.
// Then the leader: the dashboard, drilled down to the activity, accepts both; the verdict
// turns compliant; the PDF report downloads and pdftotext reads Chinese from it.
// Screenshots go to test-results/browser/compliance-*.png.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateDevice } from '../../src/media/simulate-device.js';
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

const PASSWORD = 'Compliance#Test-2025';
const UNIT = '漯河市农业综合行政执法支队';
const ZHANG = { username: 'zhangsan', name: '张三', code: 'LH0001' };
const LI = { username: 'lisi', name: '李四', code: 'LH0002' };
const ZHAO = { username: 'zhaoliu', name: '赵六', code: 'LH0100' };
const SERIAL = 'DSJ20250011';
const DESKTOP = { width: 1366, height: 900 };
const MIN = 60_000;

const suite = haveChromium || process.env.CI ? describe : describe.skip;
if (!haveChromium && !process.env.CI) console.info(`compliance journey skipped: ${CHROMIUM} not found`);

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

/** Wall time in Asia/Shanghai as the simulator takes it. */
const shanghaiIso = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().replace(/\.\d+Z$/, '+08:00');
/** The calendar month of an instant in Asia/Shanghai, as the dashboard's period. */
function shanghaiMonth(ms: number): { from: string; to: string } {
  const d = new Date(ms + 8 * 3600_000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mm = String(m).padStart(2, '0');
  return { from: `${y}-${mm}-01`, to: `${y}-${mm}-${last}` };
}

interface View {
  verdict: string;
  phase: string;
  timeline: { gaps: { from: number; to: number; speechAtResume: boolean | null }[] };
  findings: { code: string; status: string; withdrawn: boolean }[];
}

suite('compliance journey in the browser', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  let dataDir: string | undefined;
  let simDir: string | undefined;
  const consoleErrors: string[] = [];
  const apiErrors: string[] = [];

  async function newPage(): Promise<Page> {
    const context = await browser!.newContext({
      viewport: DESKTOP,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('response', (r) => {
      if (r.url().includes('/api/') && r.status() >= 400)
        void r.text().then(
          (body) =>
            apiErrors.push(`${r.request().method()} ${r.url()} → ${r.status()} ${body.slice(0, 300)}`),
          () => undefined,
        );
    });
    return page;
  }

  /** The whole page from the top; `fullPage: false` keeps a dialog or drawer where it is. */
  const shot = async (page: Page, name: string, fullPage = true) => {
    if (fullPage) await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({
      path: path.join(SHOTS, `compliance-${name}.png`),
      fullPage,
      animations: 'disabled',
      style: '.ant-message { display: none !important; }',
    });
  };

  async function login(page: Page, username: string) {
    await page.goto(`${server!.baseUrl}/login`);
    await page.getByLabel('用户名', { exact: true }).fill(username);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.locator('.zl-login-card').getByRole('button', { name: '登录' }).click();
    await page.getByRole('menuitem', { name: '首页' }).waitFor();
  }

  /** The open dialog, once its zoom-in has finished (a click mid-animation can be lost). */
  async function settledDialog(page: Page) {
    const modal = page.locator('.ant-modal:visible');
    await modal.waitFor();
    await expect.poll(async () => (await modal.getAttribute('class')) ?? '').not.toMatch(/-(appear|enter)\b/);
    return page.getByRole('dialog');
  }

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is required in CI (apt-get install chromium)`);
    requireBuild();
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zhilu-compliance-'));
    simDir = mkdtempSync(path.join(os.tmpdir(), 'zhilu-compliance-card-'));
    server = await startServer(dataDir);
    cli(dataDir, ['unit', 'add', '--name', UNIT, '--kind', 'brigade']);
    for (const [u, roles] of [
      [ZHANG, 'officer'],
      [LI, 'officer'],
      [ZHAO, 'leader'],
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
          '--unit',
          UNIT,
          '--password-stdin',
        ],
        `${PASSWORD}\n`,
      );
    cli(dataDir, ['device', 'add', '--serial', SERIAL, '--type', 'body_camera', '--holder', ZHANG.username]);
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
    if (simDir) rmSync(simDir, { recursive: true, force: true });
  });

  it(
    'an officer explains a gap on the timeline; the leader drills down from the dashboard, accepts, and downloads the report',
    { timeout: 300_000 },
    async () => {
      const srv = server!;
      try {
        await journey(srv);
      } catch (e) {
        for (const c of contexts)
          for (const [i, p] of c.pages().entries()) await shot(p, `failure-${i}`).catch(() => undefined);
        console.error(
          `browser console errors:\n${consoleErrors.join('\n')}\n--- refused API calls ---\n${apiErrors.join('\n')}\n--- server output (tail) ---\n${srv.output().slice(-4000)}`,
        );
        throw e;
      }
    },
  );

  async function journey(srv: Server) {
    // Setup: the inspection of 10 minutes two hours ago, the camera checked out only now
    // (so no check before its use: PRECHECK_MISSING), the notification given (A8.1).
    const zhang = await apiSession(srv.baseUrl, ZHANG.username);
    const leaderApi = await apiSession(srv.baseUrl, ZHAO.username);
    const me = await zhang<{ id: string }>('GET', '/auth/me');
    const users = await zhang<
      { id: string; username: string }[] | { items: { id: string; username: string }[] }
    >('GET', '/users');
    const li = (Array.isArray(users) ? users : users.items).find((u) => u.username === LI.username)!;
    const { items: devices } = await zhang<{ items: { id: string; serial: string }[] }>('GET', '/devices');
    const device = devices.find((d) => d.serial === SERIAL)!;
    await zhang('POST', `/devices/${device.id}/checkout`, {});
    await zhang('POST', `/devices/${device.id}/checks`, {
      batteryPercent: 95,
      freeStorageMb: 30_000,
      deviceTime: Date.now(),
    });
    const subject = await zhang<{ id: string }>('POST', '/subjects', {
      type: 'farm',
      name: '漯河市沙河路养殖场',
      address: '漯河市郾城区沙河路 8 号',
    });
    const start = Math.floor(Date.now() / MIN) * MIN - 2 * 60 * MIN;
    const activity = await zhang<{ id: string }>('POST', '/activities', {
      type: 'routine_inspection',
      title: '沙河路例行检查',
      subjectId: subject.id,
      address: '漯河市郾城区沙河路 8 号',
      plannedAt: start - 10 * MIN,
      arrivedAt: start,
      endedAt: start + 10 * MIN,
      // Remote work returned at the end: the import deadline is 24 h after the return, so the
      // journey does not turn LATE_IMPORT when two hours ago was yesterday in Shanghai.
      remoteWork: true,
      returnedAt: start + 10 * MIN,
      officerIds: [me.id, li.id],
      inChargeId: me.id,
    });
    await zhang('POST', `/activities/${activity.id}/devices`, { deviceId: device.id });
    await zhang('POST', `/activities/${activity.id}/notified`, { at: start + 30_000 });
    await simulateDevice({
      dir: simDir!,
      serial: SERIAL,
      officer: ZHANG.code,
      start: shanghaiIso(start),
      minutes: 10,
      splitMinutes: 5,
      gaps: [{ atMinute: 5, seconds: 60 }],
      speech: true,
    });
    const imported = cli<{ files: { status: string }[] }>(srv.dataDir, [
      'import',
      simDir!,
      '--device',
      SERIAL,
    ]);
    expect(imported.files.every((f) => f.status === 'imported')).toBe(true);
    // The server's worker measures the speech at the resuming file and recomputes.
    const url = `/activities/${activity.id}/compliance`;
    await expect
      .poll(async () => (await zhang<View>('GET', url)).timeline.gaps.map((g) => g.speechAtResume), {
        timeout: 120_000,
        interval: 1000,
      })
      .toEqual([true]);
    const before = await zhang<View>('GET', url);
    expect(before.phase).toBe('final');
    expect(
      before.findings
        .filter((f) => !f.withdrawn)
        .map((f) => f.code)
        .sort(),
    ).toEqual(['GAP', 'HOLDER_MISMATCH', 'HOLDER_MISMATCH', 'PRECHECK_MISSING']);
    expect(before.verdict).toBe('awaiting_explanation');

    // 1. The officer: the bell counts what he owes; a click opens the activity.
    const officer = await newPage();
    await login(officer, ZHANG.username);
    const bell = officer.getByTestId('bell');
    const owed = await zhang<{ unread: number; awaiting: unknown[] }>('GET', '/notifications');
    expect(owed.awaiting.length).toBeGreaterThanOrEqual(2);
    await expect
      .poll(async () => (await bell.getAttribute('aria-label')) ?? '')
      .toBe(`通知与待办（${owed.unread + owed.awaiting.length}）`);
    await bell.click();
    const panel = officer.getByTestId('bell-panel');
    await panel.getByText('记录中断').waitFor();
    await panel.getByText('未做使用前检查').waitFor();
    await panel.getByText('待您说明').first().waitFor();
    await shot(officer, '01-bell');
    await panel.getByTestId('bell-awaiting').filter({ hasText: '记录中断' }).click();
    await officer.waitForURL(`**/activities/${activity.id}`);

    // 2. The activity's compliance: the verdict with reasons and articles, the gap on the timeline.
    const card = officer.getByTestId('compliance-card');
    await card.getByTestId('verdict-tag').getByText('待说明').waitFor();
    const reasons = card.getByTestId('verdict-reasons');
    await reasons.getByText('记录中断').waitFor();
    await reasons.getByText('A11.1').waitFor();
    await reasons.getByText('A5.1').waitFor();
    const gap = card.getByTestId('timeline-gap');
    await expect.poll(() => gap.count()).toBe(1);
    expect(await gap.getAttribute('data-state')).toBe('unexplained');
    // No check-out covered the files: their lane has no officer, and both officers' lanes are empty.
    await card.getByText('使用人不明').waitFor();
    await expect.poll(() => card.getByText('无音像记录').count()).toBe(2);
    expect(await card.getByTestId('timeline-recording').count()).toBeGreaterThanOrEqual(2);
    await shot(officer, '02-activity');

    // 3. The gap's interruption record: reason, spoken confirmation beside the system's measure.
    await gap.click();
    let dialog = await settledDialog(officer);
    await dialog.getByTestId('speech-measure').getByText('检测到语音').waitFor();
    await dialog.getByText('电量不足', { exact: true }).click();
    await dialog.getByTestId('spoken-confirmed').click();
    await shot(officer, '03-interruption', false);
    await dialog.getByRole('button', { name: '提交说明' }).click();
    await officer.locator('.ant-modal:visible').waitFor({ state: 'hidden' });
    await expect.poll(() => gap.getAttribute('data-state')).toBe('explained');

    // 4. The camera was checked out only afterwards: no pre-use check (A5.1) and no holder
    // on record for its files (A21.1(2)). Each is explained with a comment.
    const findings = card.getByTestId('compliance-findings');
    const explainButtons = findings.getByRole('button', { name: /^说\s*明$/ });
    await expect.poll(() => explainButtons.count()).toBe(3);
    while ((await explainButtons.count()) > 0) {
      const left = await explainButtons.count();
      await explainButtons.first().click();
      dialog = await settledDialog(officer);
      await dialog.getByLabel('意见').fill('出发时忘记办理领用，设备由值班员代为检查，事后补办领用登记');
      await dialog.getByRole('button', { name: /^说\s*明$/ }).click();
      await officer.locator('.ant-modal:visible').waitFor({ state: 'hidden' });
      await expect.poll(() => explainButtons.count()).toBe(left - 1);
    }
    const rowOf = (scope: ReturnType<Page['getByTestId']>, name: string) =>
      scope.locator('.ant-table-row').filter({ hasText: name });
    await rowOf(findings, '未做使用前检查').getByText('已说明').waitFor();
    await rowOf(findings, '记录中断').getByText('已说明').waitFor();
    expect(await findings.getByText('已说明').count()).toBe(4);
    await shot(officer, '04-explained');

    // 5. The leader: the dashboard for the month, drilled down to the activity.
    const leader = await newPage();
    await login(leader, ZHAO.username);
    await leader.getByRole('menuitem', { name: '合规统计' }).click();
    await leader.getByTestId('compliance-dashboard').waitFor();
    const month = shanghaiMonth(start);
    if (!leader.url().includes(`from=${month.from}`))
      await leader.goto(`${srv.baseUrl}/compliance?period=month&from=${month.from}&to=${month.to}`);
    const awaiting = leader.getByTestId('total-awaiting_explanation');
    await awaiting.getByText('1', { exact: true }).waitFor();
    await leader.getByTestId('chart-by-type').locator('canvas').waitFor();
    await shot(leader, '05-dashboard');
    await awaiting.click();
    const drill = leader.getByTestId('drill-activities');
    const row = drill.locator('.ant-table-row').filter({ hasText: '沙河路例行检查' });
    await row.waitFor();
    await shot(leader, '06-drill-down', false);
    await row.getByText('沙河路例行检查').click();
    await leader.waitForURL(`**/activities/${activity.id}`);

    // 6. The leader accepts the interruption record and the explanation.
    const lcard = leader.getByTestId('compliance-card');
    const lgap = lcard.getByTestId('timeline-gap');
    await expect.poll(() => lgap.getAttribute('data-state')).toBe('explained');
    await lgap.click();
    dialog = await settledDialog(leader);
    await dialog.getByTestId('interruption-record').getByText('电量不足').waitFor();
    await dialog.getByTestId('speech-measure').getByText('检测到语音').waitFor();
    await dialog.getByRole('button', { name: /^认\s*可$/ }).click();
    await leader.locator('.ant-modal:visible').waitFor({ state: 'hidden' });
    await expect.poll(() => lgap.getAttribute('data-state')).toBe('accepted');
    const acceptButtons = lcard.getByTestId('compliance-findings').getByRole('button', { name: /^认\s*可$/ });
    await expect.poll(() => acceptButtons.count()).toBe(3);
    while ((await acceptButtons.count()) > 0) {
      const left = await acceptButtons.count();
      await acceptButtons.first().click();
      await expect.poll(() => acceptButtons.count()).toBe(left - 1);
    }
    await lcard.getByTestId('verdict-tag').getByText('合规').waitFor();
    await shot(leader, '07-accepted');
    expect((await leaderApi<View>('GET', url)).verdict).toBe('compliant');

    // 7. The month's report as PDF: it downloads and reads as Chinese.
    await leader.goto(`${srv.baseUrl}/compliance?period=month&from=${month.from}&to=${month.to}`);
    await leader.getByTestId('total-compliant').getByText('1', { exact: true }).waitFor();
    const [download] = await Promise.all([
      leader.waitForEvent('download'),
      leader.getByTestId('report-pdf').click(),
    ]);
    const pdf = path.join(dataDir!, 'report.pdf');
    await download.saveAs(pdf);
    const text = spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toContain('执法音像记录合规报表');
    expect(text.stdout).toContain('合规');
    expect(consoleErrors).toEqual([]);
  }
});
