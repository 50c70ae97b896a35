// The registry in a real browser against a real server: an officer checks out a device
// whose clock is off (the pre-use check fails with the offset, then passes once the clock
// is right), registers a subject (a wrong credit code is refused naming the character),
// runs an activity with a colleague — arrival, notification read aloud, device, document,
// an exemption — and a leader approves the exemption; the subject's dossier shows it all.
// Field screens are driven at phone width (390 px). Screenshots go to
// test-results/browser/registry-*.png.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  cli,
  creditCode,
  haveChromium,
  requireBuild,
  SHOTS,
  shanghaiInput,
  startServer,
  stopServer,
  type Server,
  chooseOption,
} from './harness.js';

const PASSWORD = 'Registry#Test-2025';
const BRIGADE = '漯河市畜牧兽医执法大队';
const OFFICER = { username: 'zhangsan', name: '张三', code: 'HN-LH-0001' };
const COLLEAGUE = { username: 'lisi', name: '李四', code: 'HN-LH-0002' };
const LEADER = { username: 'wangwu', name: '王五', code: 'HN-LH-0100' };
const CUSTODIAN = { username: 'zhaoliu', name: '赵六', code: 'HN-LH-0200' };
const ADMIN = { username: 'sysadmin', name: '系统管理员', code: 'HN-LH-0900' };
const SERIAL = 'DSJ-2025-0001';
const SUBJECT = { name: '漯河市源汇区宏发养殖场', address: '漯河市源汇区问十乡宏发村 8 号' };
const GOOD_CODE = creditCode('91411102MA44ABCD1');
// The same code with a wrong check character (position 18).
const BAD_CODE = GOOD_CODE.slice(0, 17) + (GOOD_CODE[17] === '0' ? '1' : '0');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 820 };
const MINUTE = 60_000;

// In CI a missing browser is a failure (beforeAll throws); locally the journey is skipped.
const suite = haveChromium || process.env.CI ? describe : describe.skip;
if (!haveChromium && !process.env.CI) console.info(`registry journey skipped: ${CHROMIUM} not found`);

/** A small, real PDF (the server decides the type from the bytes). */
function tinyPdf(): Buffer {
  return Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
      '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
    'latin1',
  );
}

suite('registry journey in the browser', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let dataDir: string | undefined;
  const consoleErrors: string[] = [];
  const apiErrors: string[] = [];

  const shot = async (name: string) => {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({
      path: path.join(SHOTS, `registry-${name}.png`),
      fullPage: true,
      animations: 'disabled',
      // Success toasts pile up at test speed and hide the page; people see one at a time.
      style: '.ant-message { display: none !important; }',
    });
  };

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is required in CI (apt-get install chromium)`);
    requireBuild();
    mkdirSync(SHOTS, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'zhilu-registry-'));
    server = await startServer(dataDir);
    // Seeded through the CLI, as an installer would: a brigade, three people, one device.
    cli(dataDir, ['unit', 'add', '--name', BRIGADE, '--kind', 'brigade', '--code', 'LHXM']);
    for (const [u, roles] of [
      [OFFICER, 'officer'],
      [COLLEAGUE, 'officer'],
      [LEADER, 'leader'],
      [CUSTODIAN, 'custodian'],
      [ADMIN, 'admin'],
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
          BRIGADE,
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
      '--model',
      'DSJ-V9',
      '--maker',
      '海康威视',
    ]);

    // A Chinese browser, so native date-time pickers show dates as officers' phones do.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--lang=zh-CN'],
      env: { ...process.env, LANG: 'zh_CN.UTF-8', LANGUAGE: 'zh_CN:zh' },
    });
    context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    // Refused API calls, with their answer, for the failure report.
    page.on('response', (r) => {
      if (r.url().includes('/api/') && r.status() >= 400)
        void r.text().then(
          (body) =>
            apiErrors.push(`${r.request().method()} ${r.url()} → ${r.status()} ${body.slice(0, 300)}`),
          () => undefined,
        );
    });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await stopServer(server?.child);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const loginButton = () => page.locator('.zl-login-card').getByRole('button', { name: '登录' });

  async function login(username: string) {
    await page.goto(`${server!.baseUrl}/login`);
    await page.getByLabel('用户名', { exact: true }).fill(username);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await loginButton().click();
    await page.getByTestId('todo-card').waitFor();
  }

  async function logout() {
    await page.getByRole('button', { name: '退出登录' }).click();
    await loginButton().waitFor();
  }

  /** Opens a menu entry; on a phone the menu lives in a drawer. */
  async function openMenu(label: string) {
    const phone = (page.viewportSize()?.width ?? 1366) < 992;
    if (phone) await page.getByRole('button', { name: '展开菜单' }).click();
    await page.getByRole('menuitem', { name: label }).click();
    if (phone) await page.locator('.ant-drawer-content').waitFor({ state: 'hidden' });
  }

  /** Picks an option of an antd select, typing to search first. */
  async function pick(field: ReturnType<Page['getByLabel']>, search: string, option: string | RegExp) {
    await field.click();
    await field.pressSequentially(search);
    await chooseOption(page, field, option);
  }

  /** The open dialog, once its zoom-in has finished (a click mid-animation can be lost). */
  async function settledDialog() {
    const modal = page.locator('.ant-modal:visible');
    await modal.waitFor();
    await expect.poll(async () => (await modal.getAttribute('class')) ?? '').not.toMatch(/-(appear|enter)\b/);
    return page.getByRole('dialog');
  }

  /** Confirms the open popconfirm once its zoom-in has finished (a click mid-animation is lost). */
  async function confirmPopup() {
    const pop = page.locator('.ant-popconfirm:visible');
    await pop.waitFor();
    await expect.poll(async () => (await pop.getAttribute('class')) ?? '').not.toMatch(/-(appear|enter)\b/);
    await pop.getByRole('button', { name: /确\s*定/ }).click();
    await pop.waitFor({ state: 'hidden' });
  }

  it(
    'officer checks, records an activity and asks for an exemption; a leader approves it',
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
    // 1. The officer's home: the to-do list and the new menu groups.
    await login(OFFICER.username);
    await page.getByRole('menuitem', { name: '执法活动' }).waitFor();
    await page.getByRole('menuitem', { name: '我的设备' }).waitFor();
    expect(await page.getByRole('menuitem', { name: '待审说明' }).count()).toBe(0);
    expect(await page.getByRole('menuitem', { name: '年度装备报表' }).count()).toBe(0);
    await shot('01-officer-home');

    // 2. A subject: a wrong check character is refused and named on the field.
    await openMenu('执法对象');
    await page.getByRole('button', { name: '登记执法对象' }).click();
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('名称').fill(SUBJECT.name);
      await dlg.getByLabel('统一社会信用代码').fill(BAD_CODE);
      await dlg.getByLabel('法定代表人').fill('刘宏发');
      await dlg.getByLabel('地址').fill(SUBJECT.address);
      await dlg.getByLabel('联系方式').fill('13903950000');
      await dlg.getByRole('button', { name: '保存' }).click();
      await dlg.getByText(`第18位校验码应为 ${GOOD_CODE[17]}，实为 ${BAD_CODE[17]}`).waitFor();
      await dlg.getByTestId('code-mark').locator('mark').getByText(BAD_CODE[17]!, { exact: true }).waitFor();
      await shot('02-subject-credit-code-invalid');
      await dlg.getByLabel('统一社会信用代码').fill(GOOD_CODE);
      await dlg.getByRole('button', { name: '保存' }).click();
      await dlg.waitFor({ state: 'hidden' });
    }
    await page.getByRole('heading', { name: SUBJECT.name }).waitFor();
    await page.getByText('一户一档').first().waitFor();
    await page.getByText('尚无执法活动、案件或文书').waitFor();
    const subjectPath = new URL(page.url()).pathname;
    expect(subjectPath).toMatch(/^\/subjects\/[\w-]+$/);

    // 3. On the phone: check the device out, then the pre-use check with the clock 5 minutes fast.
    await page.setViewportSize(PHONE);
    await openMenu('我的设备');
    const card = page.getByTestId(`my-device-${SERIAL}`);
    await card.getByText('在库').waitFor();
    await shot('03-phone-my-devices');
    await card.getByRole('button', { name: '领用' }).click();
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByText(`领用设备 ${SERIAL}`).waitFor();
      await shot('04-phone-checkout');
      await dlg.getByRole('button', { name: '领用' }).click();
    }
    await page.getByRole('heading', { name: '使用前检查' }).waitFor();
    await page.getByLabel('电量').fill('85');
    await page.getByRole('spinbutton', { name: '剩余存储空间' }).fill('28.5');
    await page.getByTestId('device-clock').fill(shanghaiInput(Date.now() + 5 * MINUTE));
    await page.getByText('允许偏差 ±30 秒').waitFor();
    await shot('05-phone-check-form');
    await page.getByRole('button', { name: '提交检查' }).click();
    const failed = page.getByTestId('check-failed');
    await failed.getByText('检查未通过').waitFor();
    await failed
      .getByText(
        /设备时间偏差 \+(4 分 5\d 秒|5 分( [0-9] 秒)?)，超出允许范围 ±30 秒，请校准设备时钟后重新检查/,
      )
      .waitFor();
    await expect
      .poll(() => page.getByTestId('check-offset').innerText())
      .toMatch(/^\+(4 分 5\d 秒|5 分.*)（允许 ±30 秒）$/);
    await shot('06-phone-check-clock-off');

    // The officer sets the device clock right and checks again.
    await page.getByRole('button', { name: '重新检查' }).click();
    await page.getByTestId('device-clock').fill(shanghaiInput(Date.now()));
    await page.getByRole('button', { name: '提交检查' }).click();
    await page.getByText('检查通过').waitFor();
    await expect
      .poll(() => page.getByTestId('check-offset').innerText())
      .toMatch(/^(\+|−)?(\d 秒|0 秒)（允许 ±30 秒）$/);
    await page.getByText('本次领用的检查记录').waitFor();
    await shot('07-phone-check-passed');
    await page.getByRole('button', { name: '完成' }).click();
    await card.getByText('领用', { exact: true }).waitFor();
    await card.getByText('通过', { exact: true }).waitFor();

    // 4. A new activity on the phone: the subject, a colleague, the officer in charge.
    await openMenu('执法活动');
    await page.getByRole('button', { name: '新建执法活动' }).click();
    await page.getByRole('heading', { name: '新建执法活动' }).waitFor();
    await pick(page.getByLabel('执法对象'), '宏发', SUBJECT.name);
    await expect.poll(() => page.getByLabel('执法地点').inputValue()).toBe(SUBJECT.address);
    await page.getByLabel('事由').fill('春季动物防疫检查');
    // One officer is not enough.
    await page.getByRole('button', { name: '登记执法活动' }).click();
    await page.getByText('至少需要 2 名执法人员').waitFor();
    await pick(page.getByLabel('执法人员'), COLLEAGUE.name, `${COLLEAGUE.name}（${COLLEAGUE.code}）`);
    await page.keyboard.press('Escape');
    await page.getByRole('radio', { name: OFFICER.name }).check();
    await page.getByLabel('偏远乡镇 / 连续作业').check();
    await shot('08-phone-activity-form');
    await page.getByRole('button', { name: '登记执法活动' }).click();
    await page.getByRole('heading', { name: '日常执法检查' }).waitFor();
    const activityPath = new URL(page.url()).pathname;
    expect(activityPath).toMatch(/^\/activities\/[\w-]+$/);
    await page.getByText('计划', { exact: true }).first().waitFor();

    // Arrival, the device used, the notification read aloud.
    await page.getByRole('button', { name: '到达现场' }).click();
    await page.getByText('进行中', { exact: true }).first().waitFor();
    await page
      .getByTestId('time-arrivedAt')
      .getByText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)
      .waitFor();
    await page.getByRole('combobox', { name: '从我领用中的设备选择' }).click();
    await page.locator('.ant-select-dropdown:visible').getByText(SERIAL).click();
    await page.getByRole('button', { name: '添加' }).click();
    await page.getByText('设备已登记').waitFor();
    const script = page.getByTestId('notification-script');
    await expect.poll(() => script.innerText()).toContain(`您好，我们是${BRIGADE}执法人员`);
    expect(await script.innerText()).toMatch(/张三、李四|李四、张三/);
    expect(await script.innerText()).toContain('本次执法全程录音录像');
    await shot('09-phone-activity-on-site');
    await page.getByRole('button', { name: '已告知' }).click();
    await confirmPopup();
    await page
      .getByTestId('notified')
      .getByText(new RegExp(`已于 .* 告知（${OFFICER.name}）`))
      .waitFor();

    // A document (现场检查笔录) on the activity.
    await page.getByRole('button', { name: '上传文书' }).click();
    {
      const dlg = page.getByRole('dialog');
      await dlg
        .locator('input[type=file]')
        .setInputFiles({ name: '现场检查笔录.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
      await expect.poll(() => dlg.getByLabel('标题').inputValue()).toBe('现场检查笔录');
      await dlg.getByRole('button', { name: '上传文书' }).click();
      await dlg.waitFor({ state: 'hidden' });
    }
    await page.getByTestId('document-row').getByText('现场检查笔录', { exact: true }).waitFor();

    // Part could not be recorded: the exemption (A7.1 (三)).
    await page.getByRole('button', { name: '填写不予记录说明' }).click();
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByText('（三）因其他客观原因无法录音录像').click();
      await dlg
        .getByLabel('理由')
        .fill('进入封闭养殖舍后执法记录仪无法对焦且信号中断约 10 分钟，已口头说明并补拍现场照片。');
      await dlg.getByLabel('依据').fill('《执法音像记录管理制度》第七条第（三）项');
      await shot('10-phone-exemption-form');
      await dlg.getByRole('button', { name: '提交审核' }).click();
      await dlg.waitFor({ state: 'hidden' });
    }
    await page.getByTestId('exemption-card').getByText('待审核').waitFor();
    await page.getByRole('button', { name: '执法结束' }).click();
    await page.getByText('已结束', { exact: true }).first().waitFor();
    await page.getByRole('button', { name: '返回单位' }).click();
    await page
      .getByTestId('time-returnedAt')
      .getByText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)
      .waitFor();
    await shot('11-phone-activity-done');
    await logout();

    // 5. The leader: the exemption is on the to-do list and is approved from the review page.
    await page.setViewportSize(DESKTOP);
    await login(LEADER.username);
    await page
      .getByTestId('todo-card')
      .getByText(/审核不予记录说明：漯河市源汇区宏发养殖场/)
      .waitFor();
    await shot('12-leader-home-todo');
    await openMenu('待审说明');
    const item = page.getByTestId('exemption-item');
    await item.getByText('日常执法检查 · 漯河市源汇区宏发养殖场').waitFor();
    await item.getByText('（三）因其他客观原因无法录音录像').waitFor();
    await shot('13-leader-review');
    await item.getByRole('button', { name: '批准' }).click();
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('审核意见').fill('情况属实，同意。');
      await dlg.getByRole('button', { name: '批准' }).click();
      await dlg.waitFor({ state: 'hidden' });
    }
    await page.getByText('没有待审核的说明').waitFor();

    // 6. The dossier: the activity, the exemption's outcome and the document on one timeline.
    await page.goto(`${srv.baseUrl}${subjectPath}`);
    const timeline = page.getByTestId('dossier-timeline');
    await timeline
      .getByTestId('dossier-entry-activity')
      .getByText('日常执法检查：春季动物防疫检查')
      .waitFor();
    await timeline.getByTestId('dossier-entry-activity').getByText('已批准').waitFor();
    await timeline
      .getByTestId('dossier-entry-exemption')
      .getByText(/不予记录说明.*已批准/)
      .first()
      .waitFor();
    await timeline.getByTestId('dossier-entry-document').getByText('现场检查笔录', { exact: true }).waitFor();
    await shot('14-dossier');
    // The document downloads with its bytes intact.
    const href = await timeline.getByTestId('dossier-entry-document').getByRole('link').getAttribute('href');
    const doc = await page.request.get(`${srv.baseUrl}${href}`);
    expect(doc.status()).toBe(200);
    expect((await doc.body()).equals(tinyPdf())).toBe(true);

    // The activity shows the outcome; the script prints on its own.
    await timeline.getByTestId('dossier-entry-activity').getByRole('link').click();
    await page.getByTestId('exemption-card').getByText('已批准').waitFor();
    await page.getByTestId('exemption-card').getByText('情况属实，同意。').waitFor();
    await shot('15-leader-activity');
    await page.emulateMedia({ media: 'print' });
    await shot('16-notification-print');
    await page.emulateMedia({ media: 'screen' });

    // The device's history keeps both checks, the failed one with its offset.
    await openMenu('设备台账');
    await page.getByRole('link', { name: SERIAL }).click();
    await page.getByRole('cell', { name: '未通过' }).waitFor();
    await page.getByRole('cell', { name: /^通过/ }).waitFor();
    await page
      .getByText(/^\+(4 分 5\d 秒|5 分( \d 秒)?)$/)
      .first()
      .waitFor();
    await shot('17-device-detail');

    // The yearly equipment report: preview and a Chinese PDF.
    await openMenu('年度装备报表');
    await page.getByText('设备分布（按类型与状态）').waitFor();
    await page.getByRole('cell', { name: '执法记录仪' }).first().waitFor();
    await shot('18-equipment-report');
    const pdfHref = await page.getByRole('link', { name: /下载 PDF/ }).getAttribute('href');
    const pdf = await page.request.get(`${srv.baseUrl}${pdfHref}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
  }

  it('custodian, case, check-in, settings and English screens', { timeout: 300_000 }, async () => {
    try {
      await pages(server!);
    } catch (e) {
      await shot('failure-2').catch(() => undefined);
      console.error(
        `browser console errors:\n${consoleErrors.join('\n')}\n--- refused API calls ---\n${apiErrors.join('\n')}`,
      );
      throw e;
    }
  });

  async function pages(srv: Server) {
    await page.setViewportSize(DESKTOP);
    if (new URL(page.url()).pathname !== '/login') await logout();

    // 1. The custodian registers a device (cost in 元, kept in 分), its maintenance and stock consumables.
    await login(CUSTODIAN.username);
    await openMenu('设备台账');
    await page.getByRole('button', { name: '登记设备' }).click();
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('序列号').fill('DSJ-2025-0002');
      await dlg.getByText('执法记录仪').waitFor(); // the default type, from /device-types
      await dlg.getByLabel('生产厂家').fill('海康威视');
      await dlg.getByLabel('型号').fill('DSJ-V9');
      await dlg.getByLabel('购置日期').fill('2019-03-15');
      await dlg.getByLabel('购置日期').press('Enter');
      await dlg.getByLabel('购置金额').fill('3280.5');
      await pick(dlg.getByLabel('保管使用人'), COLLEAGUE.name, `${COLLEAGUE.name}（${COLLEAGUE.code}）`);
      await shot('20-custodian-device-form');
      await dlg.getByRole('button', { name: '保存' }).click();
      await dlg.waitFor({ state: 'hidden' });
    }
    const row = page.getByRole('row', { name: /DSJ-2025-0002/ });
    await row.getByText(COLLEAGUE.name).waitFor();
    await row.getByText('在库').waitFor();
    await shot('21-devices');
    await row.getByRole('link', { name: 'DSJ-2025-0002' }).click();
    await page.getByText('¥3,280.50').waitFor();
    await page.getByRole('button', { name: '登记资产记录' }).click();
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('金额').fill('150');
      await dlg.getByLabel('供应商 / 维修单位').fill('漯河市海康售后服务站');
      await dlg.getByLabel('说明').fill('更换电池仓卡扣');
      await dlg.getByRole('button', { name: '保存' }).click();
      await dlg.waitFor({ state: 'hidden' });
    }
    await page.getByRole('cell', { name: '更换电池仓卡扣' }).waitFor();
    await page.getByRole('cell', { name: '¥150.00' }).waitFor();
    await shot('22-custodian-device-detail');
    await openMenu('设备台账');
    await page.getByRole('button', { name: '采购库存耗材' }).click();
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('数量').fill('10');
      await dlg.getByLabel('金额').fill('890');
      await dlg.getByLabel('说明').fill('执法记录仪备用电池');
      await dlg.getByRole('button', { name: '保存' }).click();
      await dlg.waitFor({ state: 'hidden' });
    }
    await openMenu('年度装备报表');
    // 150 + 890 this year; the device bought in 2019 is due for replacement (service life).
    await page.getByText('¥1,040.00').first().waitFor();
    await page.getByRole('cell', { name: '电池', exact: true }).waitFor();
    await shot('23-equipment-report-spending');
    await logout();

    // 2. The officer registers a case (number generated from the pattern) and moves it on.
    await login(OFFICER.username);
    await openMenu('案件');
    await page.getByRole('button', { name: '登记案件' }).click();
    {
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('案由').fill('涉嫌经营未经检疫的生猪产品案');
      await pick(dlg.getByLabel('当事人（执法对象）'), '宏发', SUBJECT.name);
      await pick(dlg.getByLabel('承办人员'), COLLEAGUE.name, `${COLLEAGUE.name}（${COLLEAGUE.code}）`);
      await page.keyboard.press('Escape');
      await dlg.getByText('永久').click();
      await shot('24-case-form');
      await dlg.getByRole('button', { name: '保存' }).click();
      await dlg.waitFor({ state: 'hidden' });
    }
    await page.getByRole('heading', { name: /^LHXM罚〔\d{4}〕\d+号$/ }).waitFor();
    await page.getByRole('button', { name: '推进到“调查”' }).click();
    await confirmPopup();
    await page.locator('.ant-steps').getByText('调查').waitFor();
    await page.getByText('调查', { exact: true }).first().waitFor();
    await page.getByRole('button', { name: '推进到“决定”' }).waitFor();
    await shot('25-case-detail');
    await openMenu('案件');
    await page
      .getByRole('row', { name: /涉嫌经营未经检疫的生猪产品案/ })
      .getByText('调查')
      .waitFor();
    await shot('26-cases');

    // 3. Back at the unit: check the device in, with the return time of remote work (phone).
    await page.setViewportSize(PHONE);
    await openMenu('我的设备');
    await page.getByTestId(`my-device-${SERIAL}`).getByRole('button', { name: '归还' }).click();
    {
      const dlg = await settledDialog();
      const remote = dlg.getByLabel('偏远乡镇 / 连续工作，返回单位时间');
      await expect
        .poll(async () => {
          if (!(await remote.isChecked())) await remote.click();
          return remote.isChecked();
        })
        .toBe(true);
      await dlg.getByText('返回单位时间', { exact: true }).waitFor();
      await shot('27-phone-checkin');
      await dlg.getByRole('button', { name: '归还' }).click();
      await dlg.waitFor({ state: 'hidden' });
    }
    await page.getByTestId(`my-device-${SERIAL}`).getByText('在库').waitFor();

    // 4. English: the same screens in the other language.
    await page.setViewportSize(DESKTOP);
    await page.getByText('English', { exact: true }).click();
    await openMenu('Activities');
    await page
      .getByRole('link', { name: /\d{4}-\d\d-\d\d/ })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Routine inspection' }).waitFor();
    await page.getByText('Approved', { exact: true }).first().waitFor();
    await shot('28-activity-english');
    await page.getByText('中文', { exact: true }).click();
    await logout();

    // 5. The administrator: register settings and the notification wording with its preview.
    await login(ADMIN.username);
    await openMenu('登记设置');
    await expect.poll(() => page.getByLabel('时钟允许偏差').inputValue()).toBe('30');
    await expect
      .poll(() => page.getByLabel('案件编号规则').inputValue())
      .toBe('{unitCode}罚〔{year}〕{seq}号');
    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('登记设置已保存').waitFor();
    await shot('29-registry-settings');
    await openMenu('告知用语模板');
    await expect
      .poll(() => page.getByTestId('template-preview').innerText())
      .toContain(`${BRIGADE}执法人员张三、李四`);
    await shot('30-notification-template');

    expect(consoleErrors.filter((e) => !/status of 4\d\d/.test(e))).toEqual([]);
    void srv;
  }
});
