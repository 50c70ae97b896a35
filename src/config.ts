// Configuration: command-line flags over environment variables over defaults. Every
// value is validated here, once, with a message that says what to fix; the defaults
// give a working single-machine installation (SQLite + local blob directory in ./data).
import path from 'node:path';
import { AppError } from './domain/errors.js';
import type { StorageConfig } from './storage/blob-store.js';

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  database: DatabaseConfig;
  storage: StorageConfig;
  adminPassword: string | null;
  timezone: string;
  /** Trust X-Forwarded-For from a reverse proxy in front of zhilu. */
  trustProxy: boolean;
  bodyLimitBytes: number;
  loginRateLimitPerMinute: number;
  webDir: string | null;
}

export interface ConfigFlags {
  data?: string;
  host?: string;
  port?: string | number;
}

export class ConfigError extends AppError {
  constructor(variable: string, zh: string, en: string) {
    super(
      'CONFIG_INVALID',
      400,
      { zh: `配置错误（${variable}）：${zh}`, en: `Configuration error (${variable}): ${en}` },
      {
        variable,
      },
    );
  }
}

function parsePort(raw: string | number, variable: string): number {
  const n = typeof raw === 'number' ? raw : /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(
      variable,
      `端口须为 0–65535 的整数，收到 “${raw}”`,
      `port must be an integer 0–65535, got "${raw}"`,
    );
  return n;
}

function parsePositiveInt(raw: string | undefined, fallback: number, variable: string): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) <= 0)
    throw new ConfigError(variable, `须为正整数，收到 “${raw}”`, `must be a positive integer, got "${raw}"`);
  return Number(raw);
}

function parseBool(raw: string | undefined, variable: string): boolean {
  if (raw === undefined || raw === '') return false;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(variable, `须为 true 或 false，收到 “${raw}”`, `must be true or false, got "${raw}"`);
}

export function parseDatabaseUrl(raw: string | undefined, dataDir: string): DatabaseConfig {
  if (raw === undefined || raw.trim() === '') return { kind: 'sqlite', file: path.join(dataDir, 'zhilu.db') };
  const value = raw.trim();
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!file)
      throw new ConfigError('DATABASE_URL', 'sqlite: 之后须给出文件路径', 'a file path must follow sqlite:');
    return { kind: 'sqlite', file: path.resolve(file) };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      'DATABASE_URL',
      `不是合法的地址：“${maskSecrets(value)}”`,
      `not a valid URL: "${maskSecrets(value)}"`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new ConfigError(
      'DATABASE_URL',
      `仅支持 postgres:// 或 sqlite:，收到 “${url.protocol}”`,
      `only postgres:// or sqlite: is supported, got "${url.protocol}"`,
    );
  if (!url.hostname && !url.searchParams.get('host'))
    throw new ConfigError('DATABASE_URL', '缺少主机名', 'the host name is missing');
  return { kind: 'postgres', url: value };
}

export function parseStorageUrl(
  raw: string | undefined,
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): StorageConfig {
  if (raw === undefined || raw.trim() === '') return { kind: 'local', dir: path.join(dataDir, 'blobs') };
  const value = raw.trim();
  if (value.startsWith('file:')) {
    const dir = value.slice('file:'.length).replace(/^\/\//, '');
    if (!dir) throw new ConfigError('STORAGE_URL', 'file: 之后须给出目录', 'a directory must follow file:');
    return { kind: 'local', dir: path.resolve(dir) };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      'STORAGE_URL',
      `不是合法的地址：“${maskSecrets(value)}”`,
      `not a valid URL: "${maskSecrets(value)}"`,
    );
  }
  if (url.protocol !== 's3:')
    throw new ConfigError(
      'STORAGE_URL',
      `仅支持 s3://桶名?endpoint=… 或 file:目录，收到 “${url.protocol}”`,
      `only s3://bucket?endpoint=… or file:DIR is supported, got "${url.protocol}"`,
    );
  const bucket = url.hostname;
  if (
    !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) ||
    bucket.includes('..') ||
    /^\d+\.\d+\.\d+\.\d+$/.test(bucket)
  )
    throw new ConfigError('STORAGE_URL', `桶名不合法：“${bucket}”`, `invalid bucket name: "${bucket}"`);
  const q = url.searchParams;
  const known = new Set(['endpoint', 'region', 'forcePathStyle', 'checksum', 'prefix', 'partSizeMiB']);
  for (const key of q.keys())
    if (!known.has(key))
      throw new ConfigError('STORAGE_URL', `未知参数 “${key}”`, `unknown parameter "${key}"`);
  if (url.username || url.password)
    throw new ConfigError(
      'STORAGE_URL',
      '凭据不能写在地址中，请使用 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
      'credentials do not belong in the URL; use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY',
    );
  const endpoint = q.get('endpoint') ?? undefined;
  if (endpoint !== undefined) {
    try {
      const e = new URL(endpoint);
      if (e.protocol !== 'http:' && e.protocol !== 'https:') throw new Error('protocol');
      if (e.username || e.password) throw new Error('credentials');
    } catch {
      throw new ConfigError(
        'STORAGE_URL',
        `endpoint 须为 http(s) 地址：“${endpoint}”`,
        `endpoint must be an http(s) URL: "${endpoint}"`,
      );
    }
  }
  const checksum = q.get('checksum') ?? 'when_required';
  if (checksum !== 'when_required' && checksum !== 'when_supported')
    throw new ConfigError(
      'STORAGE_URL',
      `checksum 须为 when_required 或 when_supported`,
      `checksum must be when_required or when_supported`,
    );
  const prefix = q.get('prefix') ?? '';
  if (prefix && !/^[A-Za-z0-9._/-]+\/$/.test(prefix))
    throw new ConfigError(
      'STORAGE_URL',
      'prefix 须以 / 结尾且只含字母数字和 ._-/',
      'prefix must end with / and use only letters, digits and ._-/',
    );
  const partSizeMiB = parsePositiveInt(q.get('partSizeMiB') ?? undefined, 8, 'STORAGE_URL partSizeMiB');
  if (partSizeMiB < 5)
    throw new ConfigError('STORAGE_URL', 'partSizeMiB 不能小于 5', 'partSizeMiB must be at least 5');
  return {
    kind: 's3',
    bucket,
    endpoint,
    region: q.get('region') ?? env.AWS_REGION ?? 'us-east-1',
    forcePathStyle: parseBool(q.get('forcePathStyle') ?? 'true', 'STORAGE_URL forcePathStyle'),
    checksum,
    prefix,
    partSizeBytes: partSizeMiB * 1024 * 1024,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}): Config {
  const dataDir = path.resolve(flags.data || env.ZHILU_DATA || './data');
  const port = parsePort(
    flags.port ?? (env.ZHILU_PORT || 3000),
    flags.port !== undefined ? '--port' : 'ZHILU_PORT',
  );
  const host = (flags.host ?? (env.ZHILU_HOST || '127.0.0.1')).trim();
  if (!host)
    throw new ConfigError(
      flags.host !== undefined ? '--host' : 'ZHILU_HOST',
      '主机地址不能为空',
      'host must not be empty',
    );
  const adminPassword = env.ZHILU_ADMIN_PASSWORD ? env.ZHILU_ADMIN_PASSWORD : null;
  const timezone = env.ZHILU_TIMEZONE ?? 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ConfigError('ZHILU_TIMEZONE', `未知时区 “${timezone}”`, `unknown time zone "${timezone}"`);
  }
  return {
    dataDir,
    host,
    port,
    database: parseDatabaseUrl(env.DATABASE_URL, dataDir),
    storage: parseStorageUrl(env.STORAGE_URL, dataDir, env),
    adminPassword,
    timezone,
    trustProxy: parseBool(env.ZHILU_TRUST_PROXY, 'ZHILU_TRUST_PROXY'),
    bodyLimitBytes: parsePositiveInt(env.ZHILU_BODY_LIMIT_BYTES, 1024 * 1024, 'ZHILU_BODY_LIMIT_BYTES'),
    loginRateLimitPerMinute: parsePositiveInt(env.ZHILU_LOGIN_RATE_LIMIT, 20, 'ZHILU_LOGIN_RATE_LIMIT'),
    webDir: env.ZHILU_WEB_DIR ?? null,
  };
}

/** The configuration with secrets removed, for logs and the audit trail. */
export function describeConfig(c: Config): Record<string, unknown> {
  const db = c.database.kind === 'sqlite' ? `sqlite:${c.database.file}` : redactUrl(c.database.url);
  const st =
    c.storage.kind === 'local'
      ? `local:${c.storage.dir}`
      : `s3://${c.storage.bucket}${c.storage.endpoint ? `@${c.storage.endpoint}` : ''}`;
  return { dataDir: c.dataDir, host: c.host, port: c.port, database: db, storage: st, timezone: c.timezone };
}

export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    if (u.password) u.password = '***';
    for (const key of ['password', 'sslpassword'])
      if (u.searchParams.has(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return '(unparseable)';
  }
}

/** For error messages about values that did not even parse: hide anything like user:password@. */
function maskSecrets(raw: string): string {
  return raw.replace(/\/\/([^/@\s:]*):[^/@\s]*@/, '//$1:***@').replace(/(password=)[^&\s]*/gi, '$1***');
}
