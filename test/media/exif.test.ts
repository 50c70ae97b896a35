// The hand-written EXIF reader and writer: round trips, both byte orders, and hostile input.
import { describe, expect, it } from 'vitest';
import {
  buildExifSegment,
  exifDateToWallTime,
  findExifTiff,
  insertExif,
  parseExif,
} from '../../src/media/exif.js';
import { parseIso6709, parseContainerTime } from '../../src/media/probe.js';

/** The smallest thing that looks like a JPEG to the marker walker: SOI, a JFIF APP0, SOS, EOI. */
const JPEG = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01,
  0x00, 0x00, 0xff, 0xda, 0x00, 0x02, 0xff, 0xd9,
]);

describe('EXIF', () => {
  it.each(['II', 'MM'] as const)('round-trips time, make, model, software and GPS (%s)', (byteOrder) => {
    const app1 = buildExifSegment({
      make: 'ZHILU-SIM',
      model: 'ZFY-AV',
      software: 'ZFY-AV 2.1.3',
      dateTimeOriginal: '2026-08-04T10:06:07.250',
      offsetTimeOriginal: '+08:00',
      gps: { lat: 33.58, lng: -114.02 },
      byteOrder,
    });
    const jpeg = insertExif(JPEG, app1);
    expect(jpeg.subarray(0, 4)).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xe1]));
    expect(jpeg.includes(Buffer.from('JFIF'))).toBe(false);
    expect(parseExif(jpeg)).toEqual({
      make: 'ZHILU-SIM',
      model: 'ZFY-AV',
      software: 'ZFY-AV 2.1.3',
      dateTime: '2026-08-04T10:06:07.000',
      dateTimeOriginal: '2026-08-04T10:06:07.250',
      offsetTimeOriginal: '+08:00',
      gps: { lat: 33.58, lng: -114.02 },
    });
  });

  it('a JPEG without EXIF, or not a JPEG at all, gives null', () => {
    expect(parseExif(JPEG)).toBeNull();
    expect(parseExif(Buffer.from('hello world'))).toBeNull();
    expect(parseExif(Buffer.alloc(0))).toBeNull();
  });

  it('never reads past the buffer: every truncation and 2000 corruptions are survived', () => {
    const jpeg = insertExif(
      JPEG,
      buildExifSegment({ dateTimeOriginal: '2026-08-04T10:06:07', gps: { lat: 1, lng: 2 } }),
    );
    for (let n = 0; n < jpeg.length; n++) expect(() => parseExif(jpeg.subarray(0, n))).not.toThrow();
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const bad = Buffer.from(jpeg);
      for (let k = 0; k < 4; k++) bad[6 + (rnd() % (bad.length - 6))] = rnd() & 0xff;
      expect(() => parseExif(bad)).not.toThrow();
    }
  });

  it('a segment length pointing past the end is not followed', () => {
    const lying = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0x45, 0x78]);
    expect(findExifTiff(lying)).toBeNull();
  });

  it.each([
    ['2026:08:04 10:06:07', null, '2026-08-04T10:06:07.000'],
    ['2026:08:04 10:06:07', '5', '2026-08-04T10:06:07.500'],
    ['0000:00:00 00:00:00', null, null],
    ['2026:02:30 10:00:00', null, null],
    ['    :  :     :  :  ', null, null],
  ])('EXIF date %j + %j → %j', (text, sub, out) => expect(exifDateToWallTime(text, sub)).toBe(out));
});

describe('container metadata parsing', () => {
  it.each([
    ['+33.5800+114.0200/', { lat: 33.58, lng: 114.02 }],
    ['-33.5800-114.0200+050.000/', { lat: -33.58, lng: -114.02 }],
    ['+3334.80+11401.20/', { lat: 33.58, lng: 114.02 }],
    ['+333448+1140112/', { lat: 33.58, lng: 114.02 }],
    ['+99.0+000.0/', null],
    ['nowhere', null],
  ])('ISO 6709 %s', (text, expected) => expect(parseIso6709(text)).toEqual(expected));

  const SH = 'Asia/Shanghai';
  it.each([
    ['2026-08-04T02:00:00.000000Z', undefined, Date.UTC(2026, 7, 4, 2)],
    ['2026-08-04T10:00:00+08:00', undefined, Date.UTC(2026, 7, 4, 2)],
    ['2026-08-04T10:00:00+0800', undefined, Date.UTC(2026, 7, 4, 2)],
    ['2026-08-04 10:00:00', undefined, Date.UTC(2026, 7, 4, 2)],
    ['2026/08/04 10:00:00', undefined, Date.UTC(2026, 7, 4, 2)],
    ['Tue Aug  4 10:00:00 2026', undefined, Date.UTC(2026, 7, 4, 2)],
    ['10:00:00', '2026-08-04', Date.UTC(2026, 7, 4, 2)],
    ['1970-01-01T00:00:00.000000Z', undefined, null],
    ['1904-01-01T00:00:00.000000Z', undefined, null],
    ['garbage', undefined, null],
  ])('container time %j (date %j)', (value, date, expected) =>
    expect(parseContainerTime(value, SH, date)).toBe(expected),
  );
});
