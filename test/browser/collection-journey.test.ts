// The collection in a real browser against a real server: a device and its officer are
// registered through the CLI, the officer checks it out and runs an activity (API), a
// simulated card with a deleted and an edited file is imported with `zhilu import`, and the
// server's worker makes thumbnails. Then the custodian: Imports → the import's per-file
// results with EDITED; Recordings filtered by EDITED with its thumbnail; the detail with
// hash and findings; an unlinked recording linked to the activity by hand with a reason.
// Screenshots go to test-results/browser/collection-*.png.
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
  chooseOption,
} from './harness.js';

const PASSWORD = 'Collection#Test-2025';
const OFFICER = { username: 'zhangsan', name: '张三', code: 'LH0001' };
const COLLEAGUE = { username: 'lisi', name: '李四', code: 'LH0002' };
const CUSTODIAN = { username: 'zhaoliu', name: '赵六', code: 'LH0200' };
const SERIAL = 'DSJ20250007';
const DESKTOP = { width: 1366, height: 820 };
const MIN = 60_000;

const suite = haveChromium || process.env.CI ? describe : describe.skip;
if (!haveChromium && !process.env.CI) console.info(`collection journey skipped: ${CHROMIUM} not found`);

/** An API client with its own session (setup the UI is not under test for). */
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
function shanghaiIso(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().replace(/\.\d+Z$/, '+08:00');
}

suite('collection journey in the browser', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let dataDir: string | undefined;
  let simDir: string | undefined;
  const consoleErrors: string[] = [];
  const apiErrors: string[] = [];

  const shot = async (name: string) => {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({
      path: path.join(SHOTS, `collection-${name}.png`),
      fullPage: true,
      animations: 'disabled',
      style: '.ant-message { display: none !important; }',
    });
  };

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is required in CI (apt-get install chromium)`);
    requireBuild();
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zhilu-collection-'));
    simDir = mkdtempSync(path.join(os.tmpdir(), 'zhilu-collection-card-'));
    server = await startServer(dataDir);
    for (const [u, roles] of [
      [OFFICER, 'officer'],
      [COLLEAGUE, 'officer'],
      [CUSTODIAN, 'custodian'],
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
    cli(dataDir, [
      'device',
      'add',
      '--serial',
      SERIAL,
      '--type',
      'body_camera',
      '--holder',
      OFFICER.username,
    ]);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--lang=zh-CN'],
      env: { ...process.env, LANG: 'zh_CN.UTF-8', LANGUAGE: 'zh_CN:zh' },
    });
    context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
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
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopServer(server?.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (simDir) rmSync(simDir, { recursive: true, force: true });
  });

  it(
    'custodian reviews an import, finds the edited file by its finding, and links a recording by hand',
    { timeout: 300_000 },
    async () => {
      try {
        await journey(server!);
      } catch (e) {
        await shot('failure').catch(() => undefined);
        console.error(
          `browser console errors:\n${consoleErrors.join('\n')}\n--- refused API calls ---\n${apiErrors.join('\n')}\n--- server output (tail) ---\n${server?.output().slice(-4000)}`,
        );
        throw e;
      }
    },
  );

  async function journey(srv: Server) {
    // Setup through the API: the officer checks the device out, checks it, and an activity
    // that ended a quarter of an hour before the recording began (so the file is UNLINKED).
    const officer = await apiSession(srv.baseUrl, OFFICER.username);
    const me = await officer<{ id: string }>('GET', '/auth/me');
    const users = await officer<
      { id: string; username: string }[] | { items: { id: string; username: string }[] }
    >('GET', '/users');
    const colleague = (Array.isArray(users) ? users : users.items).find(
      (u) => u.username === COLLEAGUE.username,
    )!;
    const { items: devices } = await officer<{ items: { id: string; serial: string }[] }>('GET', '/devices');
    const device = devices.find((d) => d.serial === SERIAL)!;
    const now = Math.floor(Date.now() / MIN) * MIN;
    const start = now - 2 * 60 * MIN; // the recording began two hours ago
    await officer('POST', `/devices/${device.id}/checkout`, {});
    await officer('POST', `/devices/${device.id}/checks`, {
      batteryPercent: 95,
      freeStorageMb: 30_000,
      deviceTime: Date.now(),
    });
    const subject = await officer<{ id: string }>('POST', '/subjects', {
      type: 'farm',
      name: '漯河市黄河路养殖场',
      address: '漯河市源汇区黄河路 1 号',
    });
    const activity = await officer<{ id: string }>('POST', '/activities', {
      type: 'routine_inspection',
      title: '黄河路例行检查',
      subjectId: subject.id,
      address: '漯河市源汇区黄河路 1 号',
      plannedAt: start - 90 * MIN,
      arrivedAt: start - 60 * MIN,
      endedAt: start - 15 * MIN,
      officerIds: [me.id, colleague.id],
      inChargeId: me.id,
    });

    // The card: three one-minute files, no. 2 deleted on the device, no. 3 edited; imported
    // with the CLI into the running server's installation.
    await simulateDevice({
      dir: simDir!,
      serial: SERIAL,
      officer: OFFICER.code,
      start: shanghaiIso(start),
      minutes: 3,
      splitMinutes: 1,
      naming: 'dcim-record',
      dropSeq: [2],
      editSeq: [3],
    });
    const report = cli<{
      importId: string;
      files: { path: string; status: string; findings: string[]; recordingId: string | null }[];
    }>(srv.dataDir, ['import', simDir!, '--device', SERIAL]);
    const edited = report.files.find((f) => f.findings.includes('EDITED'))!;
    const plain = report.files.find((f) => /RECORD\/00000001_/.test(f.path))!;
    expect(edited, JSON.stringify(report.files)).toBeDefined();
    expect(plain, JSON.stringify(report.files)).toBeDefined();
    // The server's own worker makes the thumbnails; wait until the edited file has one.
    const custodianApi = await apiSession(srv.baseUrl, CUSTODIAN.username);
    await expect
      .poll(
        async () =>
          (await custodianApi<{ hasThumbnail: boolean }>('GET', `/recordings/${edited.recordingId}`))
            .hasThumbnail,
        { timeout: 90_000, interval: 500 },
      )
      .toBe(true);

    // 1. The custodian logs in; the collection menu is there.
    await page.goto(`${srv.baseUrl}/login`);
    await page.getByLabel('用户名', { exact: true }).fill(CUSTODIAN.username);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.locator('.zl-login-card').getByRole('button', { name: '登录' }).click();
    await page.getByRole('menuitem', { name: '采集记录' }).waitFor();

    // 2. Imports → the import: per-file results, EDITED among them, the sequence gap.
    await page.getByRole('menuitem', { name: '采集记录' }).click();
    const row = page.locator('.ant-table-row').filter({ hasText: SERIAL });
    await row.first().waitFor();
    await row.getByText('已完成').waitFor();
    await shot('01-imports');
    await row.getByRole('link').first().click();
    await page.getByRole('heading', { name: `导入批次 · ${SERIAL}` }).waitFor();
    const files = page.getByTestId('import-files');
    await files.getByText(edited.path).waitFor();
    await files
      .locator('.ant-table-row')
      .filter({ hasText: edited.path })
      .getByText('文件疑似经过剪辑')
      .waitFor();
    await files.locator('.ant-table-row').filter({ hasText: edited.path }).getByText('已导入').waitFor();
    await page.getByTestId('import-findings').getByText('文件编号缺失').waitFor();
    await shot('02-import-detail');

    // 3. Recordings filtered by EDITED: just that file, with its thumbnail.
    await page.getByRole('menuitem', { name: '音像记录' }).click();
    await page.locator('.ant-table-row').first().waitFor();
    await page.getByLabel('核查发现').click();
    await chooseOption(page, page.getByLabel('核查发现'), '文件疑似经过剪辑', true);
    await expect.poll(() => new URL(page.url()).searchParams.get('finding')).toBe('EDITED');
    await expect.poll(() => page.locator('.ant-table-row').count()).toBe(1);
    const thumb = page.locator('.ant-table-row img.zl-thumb');
    await thumb.waitFor();
    await expect
      .poll(() =>
        thumb.evaluate(
          (img) =>
            (img as unknown as { complete: boolean; naturalWidth: number }).complete &&
            (img as unknown as { naturalWidth: number }).naturalWidth > 0,
        ),
      )
      .toBe(true);
    await shot('03-recordings-edited');
    // The filter survives a reload (it lives in the URL).
    await page.reload();
    await expect.poll(() => page.locator('.ant-table-row').count()).toBe(1);

    // 4. The detail: hash, findings with their article.
    await page.locator('.ant-table-row').first().getByRole('link').nth(1).click();
    const sha = await custodianApi<{ sha256: string }>('GET', `/recordings/${edited.recordingId}`);
    await page.getByTestId('recording-sha256').getByText(sha.sha256).waitFor();
    const findings = page.getByTestId('recording-findings');
    await findings.getByText('文件疑似经过剪辑').waitFor();
    await findings.getByText('A11.4').first().waitFor();
    await findings.getByText('未关联执法活动').waitFor();
    await page.getByText('此处不提供播放').waitFor();
    await shot('04-recording-detail');

    // 5. The first file, unlinked: link it to the activity by hand, with a reason.
    await page.goto(`${srv.baseUrl}/recordings/${plain.recordingId}`);
    await page.getByText('未关联执法活动').first().waitFor();
    await page.getByTestId('link-open').click();
    const modal = page.locator('.ant-modal:visible');
    await modal.waitFor();
    await expect.poll(async () => (await modal.getAttribute('class')) ?? '').not.toMatch(/-(appear|enter)\b/);
    const dlg = page.getByRole('dialog');
    // Without a reason: refused in the form.
    await dlg.getByLabel('执法活动').click();
    await chooseOption(page, dlg.getByLabel('执法活动'), '黄河路例行检查');
    await dlg.getByRole('button', { name: /确\s*定/ }).click();
    await dlg.getByText('请填写此项').waitFor();
    await dlg.getByLabel('理由').fill('结束后在现场补拍，记录仪仍属本次检查');
    await shot('05-link-dialog');
    await dlg.getByRole('button', { name: /确\s*定/ }).click();
    await modal.waitFor({ state: 'hidden' });
    await page.getByTestId('recording-activity').getByText('黄河路例行检查').waitFor();
    const history = page.getByTestId('link-history');
    await history.getByText('人工关联').waitFor();
    await history.getByText('无 → 黄河路例行检查 · 结束后在现场补拍', { exact: false }).waitFor();
    await shot('06-recording-linked');

    const after = await custodianApi<{ activityId: string; linkHistory: { reason: string | null }[] }>(
      'GET',
      `/recordings/${plain.recordingId}`,
    );
    expect(after.activityId).toBe(activity.id);
    expect(after.linkHistory.at(-1)?.reason).toBe('结束后在现场补拍，记录仪仍属本次检查');

    // 6. Stations page with the failed-jobs tab (empty here), at desktop width.
    await page.getByRole('menuitem', { name: '采集站' }).click();
    await page.getByText('尚无采集站上报心跳').waitFor();
    await page.getByRole('tab', { name: '处理失败的任务' }).click();
    await page.getByText('没有失败的任务').waitFor();
    await shot('07-stations-jobs');
    expect(consoleErrors).toEqual([]);
  }
});
