// An installation for a test: a fresh database of the given kind, a local blob
// directory, a controllable clock, and the real HTTP app driven with inject().
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { bootstrapAdmin } from '../../src/services/bootstrap.service.js';
import type { StorageConfig } from '../../src/storage/blob-store.js';
import { openZhilu, type Zhilu } from '../../src/zhilu.js';
import type { S3Connection } from './ceph.js';
import { createTestDatabase, type DbKind, type TestDatabase } from './databases.js';

export class TestClock {
  constructor(public t = Date.UTC(2026, 7, 4, 2, 0, 0)) {}
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

export interface TestInstall {
  db: TestDatabase;
  zhilu: Zhilu;
  app: FastifyInstance;
  clock: TestClock;
  config: Config;
  adminPassword: string;
  close(): Promise<void>;
}

export const ADMIN_PASSWORD = 'Initial-Setup-2026';
export const STRONG = 'Zhilu-Strong-Pass-9';

/**
 * A fresh bucket on the test S3 engine (Ceph RGW), with the SDK's credentials set for this
 * process, for an installation whose originals live in S3.
 */
export async function s3TestStorage(s3: S3Connection, name: string): Promise<StorageConfig> {
  process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const storage: StorageConfig = {
    kind: 's3',
    bucket: `zhilu-${name}-${randomUUID().slice(0, 8)}`,
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    checksum: 'when_required',
    prefix: '',
  };
  const { S3BlobStore } = await import('../../src/storage/s3-blob-store.js');
  const admin = new S3BlobStore(storage);
  await admin.ensureBucket();
  await admin.close();
  return storage;
}

export async function createInstall(
  kind: DbKind,
  env: Record<string, string> = {},
  opts: { storage?: StorageConfig } = {},
): Promise<TestInstall> {
  const db = await createTestDatabase(kind);
  const config: Config = {
    ...loadConfig({ ...env }, { data: db.dataDir }),
    database: db.config,
    storage: opts.storage ?? { kind: 'local', dir: path.join(db.dataDir, 'blobs') },
    webDir: path.join(db.dataDir, 'no-web'),
  };
  const clock = new TestClock();
  const zhilu = await openZhilu(config, { clock });
  const app = await buildApp(zhilu);
  await bootstrapAdmin({ catalogue: zhilu.catalogue, clock }, zhilu.services.audit, ADMIN_PASSWORD);
  return {
    db,
    zhilu,
    app,
    clock,
    config,
    adminPassword: ADMIN_PASSWORD,
    close: async () => {
      await app.close();
      await zhilu.close();
      await db.drop();
    },
  };
}

/** A logged-in browser-like client: keeps the session cookie and sends the CSRF header. */
export class Session {
  cookie: string | null = null;
  mfaCookie: string | null = null;
  constructor(
    private readonly app: FastifyInstance,
    private readonly lang = 'zh-CN',
  ) {}

  async request(
    method: string,
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const cookies = [
      this.cookie && `zhilu_session=${this.cookie}`,
      this.mfaCookie && `zhilu_mfa=${this.mfaCookie}`,
    ]
      .filter(Boolean)
      .join('; ');
    const res = await this.app.inject({
      method: method as 'GET',
      url,
      payload: payload as object,
      headers: {
        'accept-language': this.lang,
        ...(method !== 'GET' ? { 'x-requested-with': 'zhilu' } : {}),
        ...(cookies ? { cookie: cookies } : {}),
        ...headers,
      },
    });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number }[]) {
      const value = c.value && c.maxAge !== 0 ? c.value : null;
      if (c.name === 'zhilu_session') this.cookie = value;
      if (c.name === 'zhilu_mfa') this.mfaCookie = value;
    }
    return res;
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown) => this.request('POST', url, body ?? {});
  patch = (url: string, body: unknown) => this.request('PATCH', url, body);
  put = (url: string, body: unknown) => this.request('PUT', url, body);
  delete = (url: string) => this.request('DELETE', url);

  async login(username: string, password: string): Promise<LightMyRequestResponse> {
    return this.post('/api/v1/auth/login', { username, password });
  }
}

/** Logs in as the bootstrap admin and completes the forced password change. */
export async function adminSession(install: TestInstall): Promise<Session> {
  const s = new Session(install.app);
  const r = await s.login('admin', install.adminPassword);
  if (r.statusCode !== 200) throw new Error(`admin login failed: ${r.body}`);
  const c = await s.post('/api/v1/auth/password', {
    currentPassword: install.adminPassword,
    newPassword: STRONG,
  });
  if (c.statusCode !== 204) throw new Error(`password change failed: ${c.body}`);
  return s;
}
