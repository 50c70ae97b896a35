// How the CLI speaks: results on stdout (JSON with --json), errors on stderr with a
// stable code in Chinese and English, and exit statuses scripts can rely on.
import { isAppError } from '../domain/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printError(e: unknown, json: boolean): void {
  if (isAppError(e)) {
    if (json)
      process.stderr.write(
        JSON.stringify({
          error: { code: e.code, message: e.messages.zh, messageEn: e.messages.en, details: e.details },
        }) + '\n',
      );
    else process.stderr.write(`zhilu: ${e.messages.zh}\nzhilu: ${e.messages.en} [${e.code}]\n`);
    return;
  }
  const message = e instanceof Error ? e.message : String(e);
  if (json) process.stderr.write(JSON.stringify({ error: { code: 'INTERNAL_ERROR', message } }) + '\n');
  else process.stderr.write(`zhilu: 出错 / error: ${message}\n`);
}

/** A simple aligned table for human output. */
export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  const cell = (v: unknown) =>
    v === null || v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v);
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
  const widths = columns.map((c) => Math.max(width(c), ...rows.map((r) => width(cell(r[c])))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v + ' '.repeat(widths[i]! - width(v)))
      .join('  ')
      .trimEnd();
  process.stdout.write(line(columns) + '\n');
  for (const r of rows) process.stdout.write(line(columns.map((c) => cell(r[c]))) + '\n');
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
