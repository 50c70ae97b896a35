#!/usr/bin/env node
// Runs the compiled CLI (npm run build:server produces dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'zhilu: 尚未构建，请先运行 npm run build / not built yet: run `npm run build` first\n',
  );
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv.slice(2));
