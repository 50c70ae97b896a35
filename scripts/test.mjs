#!/usr/bin/env node
// `npm test`: bring the build up to date (the CLI and browser tests run the built
// program), run the whole suite with vitest, and end with one plain summary line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestMtime } from './freshness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });

const built = (marker, sources) =>
  fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= newestMtime(sources.map((s) => path.join(root, s)));
if (!built(path.join(root, 'dist', 'cli', 'main.js'), ['src'])) {
  if (run('npm', ['run', '--silent', 'build:server']).status !== 0) process.exit(1);
}
if (
  !built(path.join(root, 'web', 'dist', 'index.html'), ['web/src', 'web/index.html', 'web/vite.config.ts'])
) {
  if (run('npm', ['run', '--silent', 'build:web']).status !== 0) process.exit(1);
}

const report = path.join(root, 'test-results', 'vitest.json');
fs.mkdirSync(path.dirname(report), { recursive: true });
fs.rmSync(report, { force: true });
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const result = run('npx', args);
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
}
process.exit(result.status ?? 1);
