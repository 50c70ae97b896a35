import { describe, expect, it } from 'vitest';
import { isAppError } from './errors.js';
import {
  ALL_SCHEMES,
  DCIM_RECORD,
  DEVICE_INFO_FORMAT,
  DEVICE_OFFICER_TIME,
  epochToWallTime,
  formatDeviceInfo,
  GENERIC,
  kindOfExtension,
  parseDeviceInfo,
  parseFileName,
  schemeById,
  splitDevicePath,
  TIMESTAMP_MS,
  wallTimeToEpoch,
  type FileNameScheme,
  type ParsedName,
} from './file-names.js';

const SH = { timeZone: 'Asia/Shanghai' };
const parse = (p: string, ctx = SH) => parseFileName(p, ctx);

describe('every scheme parses its own real examples', () => {
  for (const scheme of ALL_SCHEMES)
    for (const example of scheme.examples)
      it(`${scheme.id}: ${example}`, () => {
        const r = parse(example);
        expect(r.scheme).toBe(scheme.id);
        expect(r.kind).not.toBe('other');
        expect(r.issues).toEqual([]);
      });
});

describe('device-officer-time: PREFIX_DEVICE_OFFICER_YYYYMMDD_HHMMSS[_IMP].ext', () => {
  it('reads device, officer and the wall time, read in the device time zone', () => {
    expect(parse('DCAM_CAM001_000001_20260804_100000.mp4')).toEqual<ParsedName>({
      scheme: 'device-officer-time',
      deviceCode: 'CAM001',
      officerCode: '000001',
      sequence: null,
      sequenceGroup: null,
      localTime: '2026-08-04T10:00:00.000',
      localDate: '2026-08-04',
      recordedAt: Date.UTC(2026, 7, 4, 2, 0, 0),
      important: false,
      kind: 'video',
      extension: 'mp4',
      issues: [],
    });
  });

  it('the same name read in another zone is another instant', () => {
    expect(parse('DCAM_CAM001_000001_20260804_100000.mp4', { timeZone: 'UTC' }).recordedAt).toBe(
      Date.UTC(2026, 7, 4, 10, 0, 0),
    );
    expect(parse('DCAM_CAM001_000001_20260104_100000.mp4', { timeZone: 'America/New_York' }).recordedAt).toBe(
      Date.UTC(2026, 0, 4, 15, 0, 0),
    );
  });

  it.each([
    ['DCAM_CAM001_000001_20260804_100000_IMP.mp4', true],
    ['DCAM_CAM001_000001_20260804_100000_imp.MP4', true],
    ['DCAM_CAM001_000001_20260804_100000_重要.mp4', true],
    ['DCAM_CAM001_000001_20260804_100000.mp4', false],
    ['IMPORT/DCAM_CAM001_000001_20260804_100000.mp4', false],
    ['IMP/DCAM_CAM001_000001_20260804_100000.mp4', true],
  ])('%s → important %s', (name, important) => {
    const r = parse(name);
    expect(r.scheme).toBe('device-officer-time');
    expect(r.important).toBe(important);
  });

  it.each([
    ['DCAM_CAM001_000001_20260804_100512.jpg', 'photo', 'jpg'],
    ['DCAM_CAM001_000001_20260804_100512.JPG', 'photo', 'jpg'],
    ['DCAM_CAM001_000001_20260804_103000.m4a', 'audio', 'm4a'],
    ['DCAM_CAM001_000001_20260804_103000.M4A', 'audio', 'm4a'],
    ['DCAM_CAM001_000001_20260804_103000.MOV', 'video', 'mov'],
    ['DCAM_CAM001_000001_20260804_103000.log', 'other', 'log'],
  ])('%s is %s with extension %s', (name, kind, ext) => {
    const r = parse(name);
    expect(r.kind).toBe(kind);
    expect(r.extension).toBe(ext);
    expect(r.deviceCode).toBe('CAM001');
  });

  it.each([
    'DCAM_CAM001_000001_20261399_100000.mp4',
    'DCAM_CAM001_000001_20260230_100000.mp4',
    'DCAM_CAM001_000001_20260804_246000.mp4',
    'DCAM_CAM001_000001_20260804_100060.mp4',
    'DCAM_CAM001_000001_00000000_000000.mp4',
  ])('an impossible date or time (%s) leaves the times null but keeps device and officer', (name) => {
    const r = parse(name);
    expect(r.scheme).toBe('device-officer-time');
    expect(r).toMatchObject({
      deviceCode: 'CAM001',
      officerCode: '000001',
      localTime: null,
      localDate: null,
      recordedAt: null,
    });
  });
});

describe('timestamp-ms: YYYYMMDDHHMMSSmmm.ext in a per-device folder', () => {
  it('keeps milliseconds and takes the device code from the folder', () => {
    const r = parse('ZFY0042/20171130084706706.mp4');
    expect(r).toMatchObject({
      scheme: 'timestamp-ms',
      deviceCode: 'ZFY0042',
      officerCode: null,
      sequence: null,
      localTime: '2017-11-30T08:47:06.706',
      recordedAt: Date.UTC(2017, 10, 30, 0, 47, 6, 706),
      kind: 'video',
    });
  });

  it.each([
    ['ZFY0042/20171130084706706.wav', 'audio'],
    ['ZFY0042/20171130084706706.WAV', 'audio'],
    ['ZFY0042/20171130084706706.jpg', 'photo'],
  ])('%s is %s', (name, kind) => expect(parse(name).kind).toBe(kind));

  it.each([
    ['20171130084706706.mp4', null],
    ['DCIM/20171130084706706.mp4', null],
    ['100MEDIA/20171130084706706.mp4', null],
    ['../20171130084706706.mp4', null],
    ['DV-7/20171130084706706.mp4', 'DV-7'],
  ])('%s → device %s (generic folders are no device code)', (name, device) => {
    expect(parse(name).deviceCode).toBe(device);
  });

  it('an impossible time gives nulls', () => {
    expect(parse('ZFY0042/20171399084706706.mp4')).toMatchObject({
      scheme: 'timestamp-ms',
      localTime: null,
      recordedAt: null,
    });
  });
});

describe('dcim-record: NNNNNNNN_YYYYMMDD.ext under DEVICE/DCIM/RECORD/', () => {
  it('the counter is the sequence; the date has no time', () => {
    expect(parse('DV01/DCIM/RECORD/00000001_20140706.AVI')).toEqual<ParsedName>({
      scheme: 'dcim-record',
      deviceCode: 'DV01',
      officerCode: null,
      sequence: 1,
      sequenceGroup: 'dcim-record:dv01/dcim/record',
      localTime: null,
      localDate: '2014-07-06',
      recordedAt: null,
      important: false,
      kind: 'video',
      extension: 'avi',
      issues: [],
    });
  });

  it('files in one folder share a counter group; other folders have their own', () => {
    const a = parse('DV01/DCIM/RECORD/00000001_20140706.AVI');
    const b = parse('DV01/DCIM/RECORD/00000003_20140706.avi');
    const c = parse('DV01/DCIM/PHOTO/00000002_20140706.JPG');
    expect(a.sequenceGroup).toBe(b.sequenceGroup);
    expect(c.sequenceGroup).not.toBe(a.sequenceGroup);
    expect(c).toMatchObject({ kind: 'photo', sequence: 2 });
  });

  it('without a DCIM folder the device code is unknown; an invalid date is null', () => {
    expect(parse('00000007_20141399.AVI')).toMatchObject({
      scheme: 'dcim-record',
      deviceCode: null,
      sequence: 7,
      localDate: null,
    });
  });
});

describe('generic fallback', () => {
  it.each([
    ['DCIM/100MEDIA/VID_0012.MP4', 'video', 12, 'generic:dcim/100media:vid_'],
    ['DCIM/100MEDIA/IMG_0034.HEIC', 'photo', 34, 'generic:dcim/100media:img_'],
    ['REC0003.amr', 'audio', 3, 'generic::rec'],
    ['clip.mov', 'video', null, null],
    ['VID_20260804_100000.mp4', 'video', null, null],
    ['1234567890123.mp4', 'video', null, null],
    ['notes.txt', 'other', null, null],
    ['README', 'other', null, null],
  ] as const)('%s → %s, sequence %s', (name, kind, sequence, group) => {
    const r = parse(name);
    expect(r).toMatchObject({
      scheme: 'generic',
      kind,
      sequence,
      sequenceGroup: group,
      localTime: null,
      recordedAt: null,
    });
  });

  it('markers work here too', () => {
    expect(parse('重要/clip.mp4').important).toBe(true);
    expect(parse('clip-IMP-2.mp4').important).toBe(true);
    expect(parse('impression.mp4').important).toBe(false);
  });
});

describe('bad names never throw and never become paths', () => {
  const gbk = Buffer.from([0xd6, 0xb4, 0xb7, 0xa8, 0x2e, 0x6d, 0x70, 0x34]).toString('utf8'); // "执法.mp4" in GBK
  it.each([
    ['../x', ['PATH_TRAVERSAL']],
    ['../../etc/passwd', ['PATH_TRAVERSAL']],
    ['/etc/passwd', ['ABSOLUTE_PATH']],
    ['C:\\Windows\\evil.mp4', ['ABSOLUTE_PATH']],
    ['\\\\server\\share\\a.mp4', ['ABSOLUTE_PATH']],
    ['bell\u0007.mp4', ['CONTROL_CHARACTERS']],
    ['new\nline.mp4', ['CONTROL_CHARACTERS']],
    [gbk, ['INVALID_UTF8']],
    ['\uD800.mp4', ['INVALID_UTF8']],
    ['a'.repeat(1000) + '.mp4', ['TOO_LONG']],
    ['', ['EMPTY']],
    ['.', []],
    ['..', ['PATH_TRAVERSAL']],
  ])('%j → issues %j', (name, issues) => {
    const r = parse(name);
    for (const issue of issues) expect(r.issues).toContain(issue);
    if (issues.length === 0) expect(r.issues).toEqual([]);
  });

  it('a device-looking name behind ".." still parses, with the issue noted', () => {
    const r = parse('../DCAM_CAM001_000001_20260804_100000.mp4');
    expect(r).toMatchObject({
      scheme: 'device-officer-time',
      deviceCode: 'CAM001',
      issues: ['PATH_TRAVERSAL'],
    });
  });

  it('the GBK name falls back to generic with the kind from its extension', () => {
    expect(parse(gbk)).toMatchObject({ scheme: 'generic', kind: 'video', extension: 'mp4' });
  });

  it('a megabyte-long name is handled quickly', () => {
    const t = Date.now();
    const r = parse('DCAM_'.repeat(200_000) + '.mp4');
    expect(r.issues).toContain('TOO_LONG');
    expect(Date.now() - t).toBeLessThan(500);
  });

  it('random input (2000 strings) never throws and stays well-formed', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = [
      '_',
      '.',
      '/',
      '\\',
      '0',
      '9',
      'A',
      'z',
      'I',
      'M',
      'P',
      '重',
      '要',
      '\u0000',
      '\uFFFD',
      '\uD800',
      ' ',
      '-',
      'mp4',
      'JPG',
      '..',
      '20260804',
      '100000',
    ];
    for (let i = 0; i < 2000; i++) {
      const s = Array.from(
        { length: Math.floor(rnd() * 30) },
        () => alphabet[Math.floor(rnd() * alphabet.length)],
      ).join('');
      const r = parse(s);
      expect(JSON.parse(JSON.stringify(r))).toEqual(r);
      expect(r.extension).toMatch(/^[a-z0-9]{0,6}$/);
      expect(['video', 'photo', 'audio', 'other']).toContain(r.kind);
      if (r.sequence !== null) expect(Number.isSafeInteger(r.sequence)).toBe(true);
    }
  });

  it('a scheme that throws is skipped, and the fallback answers', () => {
    const broken: FileNameScheme = {
      id: 'broken',
      describe: { zh: '坏', en: 'broken' },
      examples: [],
      parse() {
        throw new Error('bug');
      },
    };
    expect(parseFileName('x.mp4', SH, [broken]).scheme).toBe('generic');
  });

  it('an unknown time zone is a configuration error, not a name error', () => {
    try {
      parseFileName('x.mp4', { timeZone: 'Mars/Olympus' });
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('TIME_ZONE_INVALID');
    }
  });
});

describe('writing names (the simulator) and reading them back', () => {
  const fields = {
    deviceCode: 'CAM001',
    officerCode: '000001',
    sequence: 7,
    localTime: '2026-08-04T10:12:30.250',
  };
  it.each(ALL_SCHEMES.map((s) => [s.id, s] as const))('%s round-trips', (_id, scheme) => {
    for (const kind of ['video', 'photo', 'audio'] as const) {
      const written = scheme.format!({ ...fields, kind });
      const r = parseFileName(written, SH);
      expect(r.scheme).toBe(scheme.id);
      expect(r.kind).toBe(kind);
      if (scheme === DEVICE_OFFICER_TIME)
        expect(r).toMatchObject({
          deviceCode: 'CAM001',
          officerCode: '000001',
          localTime: '2026-08-04T10:12:30.000',
        });
      if (scheme === TIMESTAMP_MS)
        expect(r).toMatchObject({ deviceCode: 'CAM001', localTime: '2026-08-04T10:12:30.250' });
      if (scheme === DCIM_RECORD)
        expect(r).toMatchObject({ deviceCode: 'CAM001', sequence: 7, localDate: '2026-08-04' });
      if (scheme === GENERIC) expect(r.sequence).toBe(7);
    }
    expect(
      scheme.format!({ ...fields, kind: 'video', important: true }).includes('IMP') || scheme === GENERIC,
    ).toBe(true);
  });

  it.each([
    { deviceCode: '../x' },
    { deviceCode: 'A_B' },
    { officerCode: '00/1' },
    { sequence: 0 },
    { localTime: '2026-13-01T00:00:00.000' },
  ])('refuses unsafe fields %j', (bad) => {
    expect(() => DEVICE_OFFICER_TIME.format!({ ...fields, kind: 'video', ...bad })).toThrow(
      /File name field/,
    );
  });

  it('schemeById knows every id', () => {
    for (const s of ALL_SCHEMES) expect(schemeById(s.id)).toBe(s);
    expect(schemeById('nope')).toBeUndefined();
  });
});

describe('wall times', () => {
  it('round-trip through a zone', () => {
    const t = Date.UTC(2026, 7, 4, 2, 3, 4, 567);
    expect(epochToWallTime(t, 'Asia/Shanghai')).toBe('2026-08-04T10:03:04.567');
    expect(wallTimeToEpoch('2026-08-04T10:03:04.567', 'Asia/Shanghai')).toBe(t);
  });
  it('a time skipped by a DST change still resolves; invalid text does not', () => {
    expect(wallTimeToEpoch('2026-03-29T02:30:00.000', 'Europe/Berlin')).not.toBeNull();
    expect(wallTimeToEpoch('2026-02-29T00:00:00.000', 'UTC')).toBeNull();
    expect(wallTimeToEpoch('yesterday', 'UTC')).toBeNull();
  });
  it('kind by extension is case-blind', () => {
    expect(kindOfExtension('3GP')).toBe('video');
    expect(kindOfExtension('AMR')).toBe('audio');
    expect(kindOfExtension('exe')).toBe('other');
  });
  it('splitDevicePath treats backslashes as separators', () => {
    expect(splitDevicePath('DV01\\DCIM\\RECORD\\00000001_20140706.AVI')).toMatchObject({
      folders: ['DV01', 'DCIM', 'RECORD'],
      stem: '00000001_20140706',
      extension: 'avi',
    });
  });
});

describe('device-info file', () => {
  const good = {
    serial: 'CAM001',
    model: 'ZFY-AV',
    maker: null,
    firmware: 'ZFY-AV 2.1.3',
    naming: 'device-officer-time',
    timeZone: 'Asia/Shanghai',
  };
  it('round-trips', () => {
    expect(parseDeviceInfo(formatDeviceInfo(good))).toEqual({ format: DEVICE_INFO_FORMAT, ...good });
  });
  it('tolerates a BOM and drops an unknown naming scheme', () => {
    expect(
      parseDeviceInfo(
        '\uFEFF' + JSON.stringify({ format: DEVICE_INFO_FORMAT, serial: 'X1', naming: 'weird' }),
      ),
    ).toMatchObject({
      serial: 'X1',
      naming: null,
      model: null,
    });
  });
  it.each([
    'not json',
    '[]',
    'null',
    JSON.stringify({ serial: 'CAM001' }),
    JSON.stringify({ format: DEVICE_INFO_FORMAT, serial: '../etc' }),
    JSON.stringify({ format: DEVICE_INFO_FORMAT, serial: '' }),
    JSON.stringify({ format: DEVICE_INFO_FORMAT, serial: 'A', pad: 'x'.repeat(70_000) }),
  ])('rejects %s', (text) => expect(parseDeviceInfo(text.slice(0, 80_000))).toBeNull());
});
