import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  describeConfig,
  loadConfig,
  parseDatabaseUrl,
  parseStorageUrl,
  redactUrl,
  type Config,
} from './config.js';
import { AppError } from './domain/errors.js';

const DATA = path.resolve('/srv/zhilu-data');

/** Runs fn, expects a ConfigError, and returns it for further checks. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toBeInstanceOf(AppError);
    const err = e as ConfigError;
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.status).toBe(400);
    return err;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

function expectConfigError(fn: () => unknown, variable: string, enPart?: string | RegExp): ConfigError {
  const err = configError(fn);
  expect(err.details).toEqual({ variable });
  expect(err.messages.en).toContain(`(${variable})`);
  expect(err.messages.zh).toContain(`（${variable}）`);
  if (enPart !== undefined) expect(err.messages.en).toMatch(enPart);
  return err;
}

// parseStorageUrl reads AWS_REGION from process.env; keep the tests independent of the machine.
let savedRegion: string | undefined;
beforeEach(() => {
  savedRegion = process.env.AWS_REGION;
  delete process.env.AWS_REGION;
});
afterEach(() => {
  if (savedRegion === undefined) delete process.env.AWS_REGION;
  else process.env.AWS_REGION = savedRegion;
});

describe('config: defaults', () => {
  it('gives a working single-machine installation with no env and no flags', () => {
    const c = loadConfig({});
    const dataDir = path.resolve('./data');
    expect(c).toEqual({
      dataDir,
      host: '127.0.0.1',
      port: 3000,
      database: { kind: 'sqlite', file: path.join(dataDir, 'zhilu.db') },
      storage: { kind: 'local', dir: path.join(dataDir, 'blobs') },
      adminPassword: null,
      timezone: 'Asia/Shanghai',
      trustProxy: false,
      bodyLimitBytes: 1024 * 1024,
      loginRateLimitPerMinute: 20,
      webDir: null,
    } satisfies Config);
  });

  it('the data dir is absolute', () => {
    expect(path.isAbsolute(loadConfig({}).dataDir)).toBe(true);
  });

  it('ZHILU_DATA moves the data dir and with it the SQLite file and the blob dir', () => {
    const c = loadConfig({ ZHILU_DATA: DATA });
    expect(c.dataDir).toBe(DATA);
    expect(c.database).toEqual({ kind: 'sqlite', file: path.join(DATA, 'zhilu.db') });
    expect(c.storage).toEqual({ kind: 'local', dir: path.join(DATA, 'blobs') });
  });

  it('a relative ZHILU_DATA is resolved against the working directory', () => {
    expect(loadConfig({ ZHILU_DATA: 'rel/dir' }).dataDir).toBe(path.resolve('rel/dir'));
  });

  it('empty DATABASE_URL / STORAGE_URL mean the defaults', () => {
    const c = loadConfig({ ZHILU_DATA: DATA, DATABASE_URL: '  ', STORAGE_URL: '' });
    expect(c.database).toEqual({ kind: 'sqlite', file: path.join(DATA, 'zhilu.db') });
    expect(c.storage).toEqual({ kind: 'local', dir: path.join(DATA, 'blobs') });
  });

  it('ZHILU_ADMIN_PASSWORD, ZHILU_WEB_DIR, limits', () => {
    const c = loadConfig({
      ZHILU_ADMIN_PASSWORD: 'Secret-Pass-123',
      ZHILU_WEB_DIR: '/opt/web',
      ZHILU_BODY_LIMIT_BYTES: '2048',
      ZHILU_LOGIN_RATE_LIMIT: '5',
    });
    expect(c.adminPassword).toBe('Secret-Pass-123');
    expect(c.webDir).toBe('/opt/web');
    expect(c.bodyLimitBytes).toBe(2048);
    expect(c.loginRateLimitPerMinute).toBe(5);
    expect(loadConfig({ ZHILU_ADMIN_PASSWORD: '' }).adminPassword).toBeNull();
  });

  it.each([
    ['ZHILU_BODY_LIMIT_BYTES', '0'],
    ['ZHILU_BODY_LIMIT_BYTES', '-5'],
    ['ZHILU_BODY_LIMIT_BYTES', '1e6'],
    ['ZHILU_LOGIN_RATE_LIMIT', 'abc'],
    ['ZHILU_LOGIN_RATE_LIMIT', '2.5'],
  ])('%s=%j → CONFIG_INVALID', (variable, value) => {
    expectConfigError(() => loadConfig({ [variable]: value }), variable, /positive integer/);
  });
});

describe('config: precedence (flags over env over defaults)', () => {
  const env = { ZHILU_DATA: '/env/data', ZHILU_HOST: '0.0.0.0', ZHILU_PORT: '4000' };

  it('env overrides defaults', () => {
    const c = loadConfig(env);
    expect(c.dataDir).toBe(path.resolve('/env/data'));
    expect(c.host).toBe('0.0.0.0');
    expect(c.port).toBe(4000);
  });

  it('flags override env', () => {
    const c = loadConfig(env, { data: '/flag/data', host: '::1', port: '5000' });
    expect(c.dataDir).toBe(path.resolve('/flag/data'));
    expect(c.host).toBe('::1');
    expect(c.port).toBe(5000);
    expect(c.database).toEqual({ kind: 'sqlite', file: path.join(path.resolve('/flag/data'), 'zhilu.db') });
  });

  it('flags override defaults', () => {
    const c = loadConfig({}, { data: '/flag/data', host: 'localhost', port: 8080 });
    expect(c.dataDir).toBe(path.resolve('/flag/data'));
    expect(c.host).toBe('localhost');
    expect(c.port).toBe(8080);
  });

  it('each flag overrides only its own value', () => {
    const c = loadConfig(env, { port: '5000' });
    expect(c.dataDir).toBe(path.resolve('/env/data'));
    expect(c.host).toBe('0.0.0.0');
    expect(c.port).toBe(5000);
  });

  it('host is trimmed; a blank host is refused, naming where it came from; empty means unset', () => {
    expect(loadConfig({ ZHILU_HOST: ' 10.1.2.3 ' }).host).toBe('10.1.2.3');
    expect(configError(() => loadConfig({}, { host: '   ' })).details?.variable).toBe('--host');
    expect(configError(() => loadConfig({ ZHILU_HOST: '  ' })).details?.variable).toBe('ZHILU_HOST');
    expect(loadConfig({ ZHILU_HOST: '' }).host).toBe('127.0.0.1');
    expect(loadConfig({ ZHILU_DATA: '' }).dataDir).toBe(path.resolve('./data'));
  });
});

describe('config: ports', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['80', 80],
    ['65535', 65535],
    [' 3001 ', 3001],
    ['', 3000], // empty means unset, like the other variables
  ])('ZHILU_PORT=%j → %d', (raw, port) => {
    expect(loadConfig({ ZHILU_PORT: raw }).port).toBe(port);
  });

  it.each(['abc', '-1', '70000', '65536', '3000x', '30.5', '0x50', '1e3', ' '])(
    'ZHILU_PORT=%j → CONFIG_INVALID naming ZHILU_PORT',
    (raw) => {
      const err = expectConfigError(
        () => loadConfig({ ZHILU_PORT: raw }),
        'ZHILU_PORT',
        /port must be an integer 0–65535/,
      );
      expect(err.messages.en).toContain(`"${raw}"`);
    },
  );

  it.each(['abc', '-1', '70000', '3000x'])('--port %j → CONFIG_INVALID naming --port', (raw) => {
    expectConfigError(
      () => loadConfig({ ZHILU_PORT: '3000' }, { port: raw }),
      '--port',
      /port must be an integer/,
    );
  });

  it.each([-1, 70000, 3000.5, NaN])('numeric --port %s → CONFIG_INVALID', (n) => {
    expectConfigError(() => loadConfig({}, { port: n }), '--port');
  });

  it('a bad env port is not reported when a good flag overrides it', () => {
    expect(loadConfig({ ZHILU_PORT: 'abc' }, { port: '3001' }).port).toBe(3001);
  });
});

describe('config: DATABASE_URL', () => {
  it('postgres:// is kept verbatim', () => {
    const url = 'postgres://zhilu:pw@db.example:5432/zhilu';
    expect(parseDatabaseUrl(url, DATA)).toEqual({ kind: 'postgres', url });
    expect(loadConfig({ DATABASE_URL: url }).database).toEqual({ kind: 'postgres', url });
  });

  it('postgresql:// is accepted too', () => {
    const url = 'postgresql://zhilu@127.0.0.1/zhilu?sslmode=disable';
    expect(parseDatabaseUrl(url, DATA)).toEqual({ kind: 'postgres', url });
  });

  it('surrounding whitespace is trimmed', () => {
    expect(parseDatabaseUrl('  postgres://h/db \n', DATA)).toEqual({
      kind: 'postgres',
      url: 'postgres://h/db',
    });
  });

  it('a Unix-socket host given as ?host= is accepted without a host name', () => {
    const url = 'postgres:///zhilu?host=/var/run/postgresql';
    expect(parseDatabaseUrl(url, DATA)).toEqual({ kind: 'postgres', url });
  });

  it('sqlite:/path gives an absolute file', () => {
    expect(parseDatabaseUrl('sqlite:/var/lib/zhilu/z.db', DATA)).toEqual({
      kind: 'sqlite',
      file: path.resolve('/var/lib/zhilu/z.db'),
    });
    expect(parseDatabaseUrl('sqlite:///var/lib/zhilu/z.db', DATA)).toEqual({
      kind: 'sqlite',
      file: path.resolve('/var/lib/zhilu/z.db'),
    });
  });

  it('sqlite:relative is resolved against the working directory', () => {
    expect(parseDatabaseUrl('sqlite:z.db', DATA)).toEqual({ kind: 'sqlite', file: path.resolve('z.db') });
  });

  it('no DATABASE_URL → SQLite inside the data dir', () => {
    expect(parseDatabaseUrl(undefined, DATA)).toEqual({ kind: 'sqlite', file: path.join(DATA, 'zhilu.db') });
  });

  it.each(['sqlite:', 'sqlite://'])('%j without a path → error', (raw) => {
    expectConfigError(() => parseDatabaseUrl(raw, DATA), 'DATABASE_URL', /file path must follow sqlite:/);
  });

  it('"not a url" → not a valid URL', () => {
    expectConfigError(() => parseDatabaseUrl('not a url', DATA), 'DATABASE_URL', /not a valid URL/);
  });

  it.each(['mysql://x', 'http://db/x', 'mongodb://h/db', 'file:/tmp/x.db'])(
    '%j → unsupported protocol named in the error',
    (raw) => {
      const err = expectConfigError(
        () => parseDatabaseUrl(raw, DATA),
        'DATABASE_URL',
        /only postgres:\/\/ or sqlite: is supported/,
      );
      expect(err.messages.en).toContain(new URL(raw).protocol);
    },
  );

  it.each(['postgres://', 'postgresql://', 'postgres:///zhilu'])(
    '%j without a host → host missing',
    (raw) => {
      expectConfigError(() => parseDatabaseUrl(raw, DATA), 'DATABASE_URL', /host name is missing/);
    },
  );

  it('loadConfig reports the same errors', () => {
    expectConfigError(() => loadConfig({ DATABASE_URL: 'mysql://x' }), 'DATABASE_URL');
  });

  it('an unparseable DATABASE_URL with a password does not echo the password in the error', () => {
    try {
      loadConfig({ DATABASE_URL: 'postgres://u:secret@h:99999/db' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
      expect((e as ConfigError).messages.zh).not.toContain('secret');
    }
  });
});

describe('config: STORAGE_URL', () => {
  it('s3://bucket?endpoint=…&region=… is parsed fully with the defaults', () => {
    expect(parseStorageUrl('s3://bucket?endpoint=http://127.0.0.1:7480&region=us-east-1', DATA)).toEqual({
      kind: 's3',
      bucket: 'bucket',
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      forcePathStyle: true,
      checksum: 'when_required',
      prefix: '',
      partSizeBytes: 8 * 1024 * 1024,
    });
  });

  it('every parameter is honoured', () => {
    expect(
      parseStorageUrl(
        's3://zhilu-records.2024?endpoint=https://s3.example.cn&region=cn-north-1&forcePathStyle=false&checksum=when_supported&prefix=prod/media/&partSizeMiB=16',
        DATA,
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'zhilu-records.2024',
      endpoint: 'https://s3.example.cn',
      region: 'cn-north-1',
      forcePathStyle: false,
      checksum: 'when_supported',
      prefix: 'prod/media/',
      partSizeBytes: 16 * 1024 * 1024,
    });
  });

  it('without endpoint and region: endpoint undefined, region from AWS_REGION or us-east-1', () => {
    const c = parseStorageUrl('s3://bucket', DATA);
    expect(c).toMatchObject({ kind: 's3', bucket: 'bucket', endpoint: undefined, region: 'us-east-1' });
    process.env.AWS_REGION = 'eu-west-1';
    expect(parseStorageUrl('s3://bucket', DATA)).toMatchObject({ region: 'eu-west-1' });
    expect(parseStorageUrl('s3://bucket?region=ap-east-1', DATA)).toMatchObject({ region: 'ap-east-1' });
  });

  it('forcePathStyle is true unless it is exactly "false"', () => {
    expect(parseStorageUrl('s3://bucket?forcePathStyle=true', DATA)).toMatchObject({ forcePathStyle: true });
    expect(parseStorageUrl('s3://bucket?forcePathStyle=false', DATA)).toMatchObject({
      forcePathStyle: false,
    });
  });

  it.each(['abc', 'a-b', 'x'.repeat(63), 'my.bucket', '0bucket9', 'a1-b2.c3'])(
    'bucket %j is accepted',
    (bucket) => {
      expect(parseStorageUrl(`s3://${bucket}`, DATA)).toMatchObject({ kind: 's3', bucket });
    },
  );

  it.each([
    'ab',
    'x'.repeat(64),
    'MyBucket',
    'my_bucket',
    '-bucket',
    'bucket-',
    '.bucket',
    'bucket.',
    'buck%20et',
  ])('bucket %j is refused', (bucket) => {
    expectConfigError(() => parseStorageUrl(`s3://${bucket}`, DATA), 'STORAGE_URL', /invalid bucket name/);
  });

  it('s3:// without a bucket is refused', () => {
    expectConfigError(() => parseStorageUrl('s3://', DATA), 'STORAGE_URL', /invalid bucket name/);
  });

  it.each(['foo', 'endpoint_url', 'Region', 'accessKeyId', 'secretAccessKey'])(
    'unknown query parameter %j is refused',
    (key) => {
      const err = expectConfigError(
        () => parseStorageUrl(`s3://bucket?${key}=x`, DATA),
        'STORAGE_URL',
        /unknown parameter/,
      );
      expect(err.messages.en).toContain(`"${key}"`);
    },
  );

  it.each(['ftp://host', 'file:///tmp', 'localhost:7480', 'not a url', '127.0.0.1'])(
    'endpoint %j is refused',
    (endpoint) => {
      expectConfigError(
        () => parseStorageUrl(`s3://bucket?endpoint=${encodeURIComponent(endpoint)}`, DATA),
        'STORAGE_URL',
        /endpoint must be an http\(s\) URL/,
      );
    },
  );

  it.each(['when_required', 'when_supported'])('checksum=%s is accepted', (checksum) => {
    expect(parseStorageUrl(`s3://bucket?checksum=${checksum}`, DATA)).toMatchObject({ checksum });
  });

  it.each(['always', '', 'WHEN_REQUIRED', 'crc32'])('checksum=%j is refused', (checksum) => {
    expectConfigError(
      () => parseStorageUrl(`s3://bucket?checksum=${checksum}`, DATA),
      'STORAGE_URL',
      /checksum must be/,
    );
  });

  it.each(['a/', 'media/2024/', 'a.b_c-d/', 'x/y/z/'])('prefix %j is accepted', (prefix) => {
    expect(parseStorageUrl(`s3://bucket?prefix=${encodeURIComponent(prefix)}`, DATA)).toMatchObject({
      prefix,
    });
  });

  it.each(['media', 'a b/', '媒体/', 'a*/', 'a/b'])('prefix %j is refused', (prefix) => {
    expectConfigError(
      () => parseStorageUrl(`s3://bucket?prefix=${encodeURIComponent(prefix)}`, DATA),
      'STORAGE_URL',
      /prefix must end with \//,
    );
  });

  it.each([
    ['5', 5],
    ['8', 8],
    ['100', 100],
  ])('partSizeMiB=%s → %d MiB', (raw, mib) => {
    expect(parseStorageUrl(`s3://bucket?partSizeMiB=${raw}`, DATA)).toMatchObject({
      partSizeBytes: mib * 1024 * 1024,
    });
  });

  it.each(['4', '1'])('partSizeMiB=%s (< 5) is refused', (raw) => {
    expectConfigError(
      () => parseStorageUrl(`s3://bucket?partSizeMiB=${raw}`, DATA),
      'STORAGE_URL',
      /at least 5/,
    );
  });

  it.each(['0', '-8', 'abc', '5.5'])('partSizeMiB=%s (not a positive integer) is refused', (raw) => {
    expectConfigError(
      () => parseStorageUrl(`s3://bucket?partSizeMiB=${raw}`, DATA),
      'STORAGE_URL partSizeMiB',
      /positive integer/,
    );
  });

  it.each(['http://bucket', 'gs://bucket', 'minio://bucket'])('%j → unsupported protocol', (raw) => {
    expectConfigError(
      () => parseStorageUrl(raw, DATA),
      'STORAGE_URL',
      /only s3:\/\/bucket\?endpoint=… or file:DIR is supported/,
    );
  });

  it('a bare word is not a valid URL', () => {
    expectConfigError(() => parseStorageUrl('bucket', DATA), 'STORAGE_URL', /not a valid URL/);
  });

  it('file:DIR gives a local store at an absolute dir', () => {
    expect(parseStorageUrl('file:/srv/blobs', DATA)).toEqual({
      kind: 'local',
      dir: path.resolve('/srv/blobs'),
    });
    expect(parseStorageUrl('file:///srv/blobs', DATA)).toEqual({
      kind: 'local',
      dir: path.resolve('/srv/blobs'),
    });
    expect(parseStorageUrl('file:rel/blobs', DATA)).toEqual({
      kind: 'local',
      dir: path.resolve('rel/blobs'),
    });
  });

  it.each(['file:', 'file://'])('%j without a dir → error', (raw) => {
    expectConfigError(() => parseStorageUrl(raw, DATA), 'STORAGE_URL', /directory must follow file:/);
  });

  it('no STORAGE_URL → blobs inside the data dir', () => {
    expect(parseStorageUrl(undefined, DATA)).toEqual({ kind: 'local', dir: path.join(DATA, 'blobs') });
  });
});

describe('config: ZHILU_TRUST_PROXY', () => {
  it.each(['1', 'true', 'TRUE', 'yes', 'Yes', 'on'])('%j → true', (raw) => {
    expect(loadConfig({ ZHILU_TRUST_PROXY: raw }).trustProxy).toBe(true);
  });

  it.each(['0', 'false', 'False', 'no', 'off', ''])('%j → false', (raw) => {
    expect(loadConfig({ ZHILU_TRUST_PROXY: raw }).trustProxy).toBe(false);
  });

  it('unset → false', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
  });

  it.each(['maybe', '2', 'y', 'truee', ' true'])('%j → CONFIG_INVALID', (raw) => {
    expectConfigError(
      () => loadConfig({ ZHILU_TRUST_PROXY: raw }),
      'ZHILU_TRUST_PROXY',
      /must be true or false/,
    );
  });
});

describe('config: ZHILU_TIMEZONE', () => {
  it.each(['Asia/Shanghai', 'UTC', 'Asia/Urumqi', 'Europe/Berlin'])('%s is accepted', (tz) => {
    expect(loadConfig({ ZHILU_TIMEZONE: tz }).timezone).toBe(tz);
  });

  it.each(['Mars/Olympus_Mons', 'Asia/Beijing', 'not a zone', 'GMT+25'])('%j → unknown time zone', (tz) => {
    const err = expectConfigError(
      () => loadConfig({ ZHILU_TIMEZONE: tz }),
      'ZHILU_TIMEZONE',
      /unknown time zone/,
    );
    expect(err.messages.zh).toContain('未知时区');
  });
});

describe('config: describeConfig and redactUrl never leak a password', () => {
  it('redactUrl masks the password and keeps the rest', () => {
    expect(redactUrl('postgres://zhilu:s3cr3t@db:5432/zhilu')).toBe('postgres://zhilu:***@db:5432/zhilu');
    expect(redactUrl('postgresql://u:p%40ss@h/db?sslmode=require')).toBe(
      'postgresql://u:***@h/db?sslmode=require',
    );
    expect(redactUrl('https://user:pw@example.com/')).toBe('https://user:***@example.com/');
  });

  it('redactUrl leaves URLs without a password alone', () => {
    expect(redactUrl('postgres://zhilu@db/zhilu')).toBe('postgres://zhilu@db/zhilu');
    expect(redactUrl('postgres://db/zhilu')).toBe('postgres://db/zhilu');
  });

  it('redactUrl does not echo an unparseable value', () => {
    expect(redactUrl('not a url with password hunter2')).toBe('(unparseable)');
  });

  it('describeConfig shows the postgres URL without its password', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://zhilu:TopSecret-42@db.internal:5432/zhilu',
      ZHILU_ADMIN_PASSWORD: 'Admin-Secret-99',
    });
    const d = describeConfig(c);
    const text = JSON.stringify(d);
    expect(text).not.toContain('TopSecret-42');
    expect(text).not.toContain('Admin-Secret-99');
    expect(d.database).toBe('postgres://zhilu:***@db.internal:5432/zhilu');
  });

  it('describeConfig never includes the admin password, for any database kind', () => {
    const d = describeConfig(loadConfig({ ZHILU_ADMIN_PASSWORD: 'Admin-Secret-99', ZHILU_DATA: DATA }));
    expect(JSON.stringify(d)).not.toContain('Admin-Secret-99');
    expect(d).toEqual({
      dataDir: DATA,
      host: '127.0.0.1',
      port: 3000,
      database: `sqlite:${path.join(DATA, 'zhilu.db')}`,
      storage: `local:${path.join(DATA, 'blobs')}`,
      timezone: 'Asia/Shanghai',
    });
  });

  it('describeConfig names the S3 bucket and endpoint', () => {
    const d = describeConfig(loadConfig({ STORAGE_URL: 's3://records?endpoint=http://127.0.0.1:7480' }));
    expect(d.storage).toBe('s3://records@http://127.0.0.1:7480');
    expect(describeConfig(loadConfig({ STORAGE_URL: 's3://records' })).storage).toBe('s3://records');
  });

  it('describeConfig masks a password given as ?password= in DATABASE_URL', () => {
    const d = describeConfig(
      loadConfig({ DATABASE_URL: 'postgres://u@h/db?password=secret&sslpassword=s2' }),
    );
    expect(JSON.stringify(d)).not.toContain('secret');
    expect(JSON.stringify(d)).not.toContain('s2');
  });
});
