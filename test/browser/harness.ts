// Starting `zhilu serve` on a throw-away data directory and a headless Chromium, for the
// browser journeys. Same rules as the admin journey: without /usr/bin/chromium the suite
// fails under CI and is skipped (with one line) otherwise.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = path.join(ROOT, 'test-results', 'browser');
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
export const haveChromium = existsSync(CHROMIUM);

/** Throws when the build the journey runs against is missing. */
export function requireBuild(): void {
  for (const f of ['dist/cli/main.js', 'web/dist/index.html'])
    if (!existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
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

export interface Server {
  child: ChildProcess;
  baseUrl: string;
  dataDir: string;
  output: () => string;
}

/** `zhilu serve` on a fresh data directory, once /api/health answers 200. */
export async function startServer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const env = { ...process.env };
  delete env.ZHILU_ADMIN_PASSWORD;
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
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`zhilu serve exited with ${child.exitCode}:\n${out}`);
    const healthy = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (healthy) return { child, baseUrl, dataDir, output: () => out };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`zhilu serve did not become ready:\n${out}`);
}

export async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Runs the CLI against the server's data directory and returns its --json answer. */
export function cli<T = unknown>(dataDir: string, args: string[], stdin?: string): T {
  const r = spawnSync(process.execPath, ['bin/zhilu.js', ...args, '--data', dataDir, '--json'], {
    cwd: ROOT,
    input: stdin,
    encoding: 'utf8',
    env: { ...process.env, ZHILU_ADMIN_PASSWORD: undefined },
  });
  if (r.status !== 0)
    throw new Error(`zhilu ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A wall-clock date-time in Asia/Shanghai as a datetime-local input takes it (to the second). */
export function shanghaiInput(ms: number): string {
  const p = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(ms);
  const v = (k: string) => p.find((x) => x.type === k)!.value;
  return `${v('year')}-${v('month')}-${v('day')}T${v('hour')}:${v('minute')}:${v('second')}`;
}

/** A valid unified social credit code (GB 32100) from its first 17 characters. */
export function creditCode(base17: string): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...base17].reduce((s, c, i) => s + alphabet.indexOf(c) * weights[i]!, 0);
  return base17 + alphabet[(31 - (sum % 31)) % 31];
}

/**
 * Picks an option in the open dropdown of the antd Select whose input is `field`, once the
 * dropdown has finished sliding in; a click mid-animation can still be lost on a loaded
 * machine, so it clicks again until the select shows the option as its value (or tag).
 */
export async function chooseOption(
  page: Page,
  field: Locator,
  option: string | RegExp,
  exact = false,
): Promise<void> {
  const dropdown = page.locator('.ant-select-dropdown:visible').first();
  const item = dropdown.getByText(option, { exact }).first();
  await item.waitFor();
  await expect
    .poll(async () => (await dropdown.getAttribute('class')) ?? '')
    .not.toMatch(/-(appear|enter)\b/);
  const root = field.locator(
    'xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]',
  );
  const chosen = async () => {
    const shown = await root.innerText();
    return typeof option === 'string' ? shown.includes(option) : option.test(shown);
  };
  for (let attempt = 0; attempt < 3 && !(await chosen()); attempt++) {
    if (await item.isVisible()) await item.click();
    await expect
      .poll(chosen, { timeout: 3000 })
      .toBe(true)
      .catch(() => undefined);
  }
  expect(await chosen()).toBe(true);
}
