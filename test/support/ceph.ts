// Starts and stops the throwaway Ceph S3 engine (scripts/ceph-s3.sh) from tests.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../scripts/ceph-s3.sh', import.meta.url));

export interface S3Connection {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface CephS3 extends S3Connection {
  dir: string;
  stop(): Promise<void>;
}

export async function startCeph(): Promise<CephS3> {
  // Short path: the daemons' admin sockets live in it (UNIX socket paths ≤ 107 bytes).
  const dir = await mkdtemp(path.join(os.tmpdir(), 'zc-'));
  const stop = async () => {
    await run('bash', [SCRIPT, 'stop', dir], { timeout: 60_000 });
  };
  try {
    await run('bash', [SCRIPT, 'start', dir], { timeout: 180_000 });
    const env = parseEnv(await readFile(path.join(dir, 'env'), 'utf8'));
    const get = (name: string) => {
      const value = env.get(name);
      if (!value) throw new Error(`ceph-s3: ${name} missing from ${dir}/env`);
      return value;
    };
    return {
      dir,
      endpoint: get('S3_ENDPOINT'),
      accessKeyId: get('AWS_ACCESS_KEY_ID'),
      secretAccessKey: get('AWS_SECRET_ACCESS_KEY'),
      region: get('AWS_REGION'),
      stop,
    };
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr;
    await stop().catch(() => undefined);
    throw new Error(`Could not start Ceph S3 for the tests${stderr ? `:\n${stderr}` : `: ${String(e)}`}`, {
      cause: e,
    });
  }
}

function parseEnv(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return env;
}
