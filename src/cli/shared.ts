// What every `zhilu` subcommand shares: the common flags, opening the installation for
// the length of one command, and the console operator as the acting identity.
import type { Command } from 'commander';
import { loadConfig, type ConfigFlags } from '../config.js';
import { PERMISSIONS, type Permission } from '../domain/roles.js';
import { cliActor, type Actor } from '../services/context.js';
import { openZhilu, type Zhilu } from '../zhilu.js';

const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];
export const operator = (): Actor => cliActor(ALL_PERMISSIONS);

export interface Common {
  data?: string;
  json?: boolean;
}

export async function withZhilu<T>(opts: Common & ConfigFlags, fn: (z: Zhilu) => Promise<T>): Promise<T> {
  const zhilu = await openZhilu(loadConfig(process.env, { data: opts.data }));
  try {
    return await fn(zhilu);
  } finally {
    await zhilu.close();
  }
}

export function common(cmd: Command): Command {
  return cmd
    .option('--data <dir>', '数据目录 / data directory (default ./data or ZHILU_DATA)')
    .option('--json', '以 JSON 输出 / print JSON');
}

/** What command modules receive from main.ts (tests may pass their own). */
export interface CliDeps {
  common: typeof common;
  withZhilu: typeof withZhilu;
  operator: typeof operator;
}

export const cliDeps: CliDeps = { common, withZhilu, operator };
