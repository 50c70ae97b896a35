#!/usr/bin/env node
// `npm start`: build what is missing or out of date, then `zhilu serve` with any
// arguments given after `--` (e.g. npm start -- --port 8080).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestMtime } from './freshness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
const stale = (marker, sources) =>
  !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < newestMtime(sources.map((s) => path.join(root, s)));

if (stale(path.join(root, 'dist', 'cli', 'main.js'), ['src'])) {
  console.log('zhilu: 正在构建服务端 / building the server …');
  if (run('npm', ['run', '--silent', 'build:server']).status !== 0) process.exit(1);
}
if (
  stale(path.join(root, 'web', 'dist', 'index.html'), ['web/src', 'web/index.html', 'web/vite.config.ts'])
) {
  console.log('zhilu: 正在构建网页端 / building the web app …');
  if (run('npm', ['run', '--silent', 'build:web']).status !== 0) process.exit(1);
}
const serve = run(process.execPath, [path.join(root, 'bin', 'zhilu.js'), 'serve', ...process.argv.slice(2)]);
process.exit(serve.status ?? 1);
