// JPEG EXIF, read and written by hand. ffprobe does not report EXIF tags for a JPEG (the
// decoder keeps them as frame side data), and we need only a handful: DateTimeOriginal
// (+ SubSecTimeOriginal, OffsetTimeOriginal), Make, Model, Software and GPS. A bounded
// reader of ~150 lines is smaller than a dependency and cannot be made to read past what
// it was given; the writer exists for the device simulator.

import fs from 'node:fs/promises';

/** The reader looks at most this far into a file for the APP1 segment. */
export const EXIF_SCAN_BYTES = 256 * 1024;

export interface ExifData {
  make: string | null;
  model: string | null;
  software: string | null;
  /** IFD0 DateTime (last change), 'YYYY-MM-DDTHH:mm:ss.SSS'. */
  dateTime: string | null;
  /** Exif DateTimeOriginal (+ SubSecTimeOriginal), 'YYYY-MM-DDTHH:mm:ss.SSS' wall time. */
  dateTimeOriginal: string | null;
  /** Exif OffsetTimeOriginal such as '+08:00', when the camera wrote it. */
  offsetTimeOriginal: string | null;
  gps: { lat: number; lng: number } | null;
}

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };
const MAX_ENTRIES = 512;

interface Entry {
  type: number;
  count: number;
  /** Absolute offset of the value bytes within the TIFF buffer. */
  at: number;
}

class Tiff {
  constructor(
    readonly b: Buffer,
    readonly le: boolean,
  ) {}
  u16(o: number) {
    return this.le ? this.b.readUInt16LE(o) : this.b.readUInt16BE(o);
  }
  u32(o: number) {
    return this.le ? this.b.readUInt32LE(o) : this.b.readUInt32BE(o);
  }
  ifd(offset: number): Map<number, Entry> | null {
    const b = this.b;
    if (offset < 8 || offset + 2 > b.length) return null;
    const n = this.u16(offset);
    if (n > MAX_ENTRIES || offset + 2 + n * 12 > b.length) return null;
    const out = new Map<number, Entry>();
    for (let i = 0; i < n; i++) {
      const e = offset + 2 + i * 12;
      const type = this.u16(e + 2);
      const count = this.u32(e + 4);
      const size = (TYPE_SIZE[type] ?? 0) * count;
      if (size === 0 || count > 65_536) continue;
      const at = size <= 4 ? e + 8 : this.u32(e + 8);
      if (at + size > b.length) continue;
      out.set(this.u16(e), { type, count, at });
    }
    return out;
  }
  ascii(entries: Map<number, Entry>, tag: number): string | null {
    const e = entries.get(tag);
    if (!e || (e.type !== 2 && e.type !== 7)) return null;
    const raw = this.b.subarray(e.at, e.at + e.count);
    const end = raw.indexOf(0);
    const s = raw
      .subarray(0, end < 0 ? raw.length : end)
      .toString('utf8')
      .replace(/[\u0000-\u001f\uFFFD]/g, '')
      .trim();
    return s ? s : null;
  }
  long(entries: Map<number, Entry>, tag: number): number | null {
    const e = entries.get(tag);
    if (!e || e.count < 1) return null;
    if (e.type === 4) return this.u32(e.at);
    if (e.type === 3) return this.u16(e.at);
    return null;
  }
  rationals(entries: Map<number, Entry>, tag: number): number[] | null {
    const e = entries.get(tag);
    if (!e || e.type !== 5) return null;
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) {
      const den = this.u32(e.at + i * 8 + 4);
      out.push(den === 0 ? NaN : this.u32(e.at + i * 8) / den);
    }
    return out;
  }
}

/** 'YYYY:MM:DD HH:MM:SS' (+ sub-seconds) → 'YYYY-MM-DDTHH:mm:ss.SSS', or null when not a real time. */
export function exifDateToWallTime(text: string | null, subSec: string | null = null): string | null {
  if (!text) return null;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  const ms = subSec && /^\d{1,9}$/.test(subSec.trim()) ? subSec.trim().slice(0, 3).padEnd(3, '0') : '000';
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${ms}`;
}

/** The TIFF block of a JPEG's EXIF APP1 segment, or null. Reads only within `jpeg`. */
export function findExifTiff(jpeg: Buffer): Buffer | null {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= jpeg.length) {
    if (jpeg[i] !== 0xff) return null;
    const marker = jpeg[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, start of scan
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = jpeg.readUInt16BE(i + 2);
    if (len < 2) return null;
    const data = jpeg.subarray(i + 4, Math.min(jpeg.length, i + 2 + len));
    if (marker === 0xe1 && data.subarray(0, 6).equals(EXIF_HEADER)) return data.subarray(6);
    i += 2 + len;
  }
  return null;
}

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

/** EXIF fields from the start of a JPEG file's bytes; null when there is no readable EXIF. Never throws. */
export function parseExif(jpeg: Buffer): ExifData | null {
  try {
    const tiffBytes = findExifTiff(jpeg);
    if (!tiffBytes || tiffBytes.length < 8) return null;
    const order = tiffBytes.toString('latin1', 0, 2);
    if (order !== 'II' && order !== 'MM') return null;
    const t = new Tiff(tiffBytes, order === 'II');
    if (t.u16(2) !== 42) return null;
    const ifd0 = t.ifd(t.u32(4));
    if (!ifd0) return null;
    const exifOffset = t.long(ifd0, 0x8769);
    const exif = exifOffset !== null ? t.ifd(exifOffset) : null;
    const gpsOffset = t.long(ifd0, 0x8825);
    const gpsIfd = gpsOffset !== null ? t.ifd(gpsOffset) : null;
    let gps: ExifData['gps'] = null;
    if (gpsIfd) {
      const lat = t.rationals(gpsIfd, 0x0002);
      const lng = t.rationals(gpsIfd, 0x0004);
      const dms = (v: number[] | null) => (v && v.length >= 3 ? v[0]! + v[1]! / 60 + v[2]! / 3600 : NaN);
      const la = dms(lat) * (t.ascii(gpsIfd, 0x0001) === 'S' ? -1 : 1);
      const ln = dms(lng) * (t.ascii(gpsIfd, 0x0003) === 'W' ? -1 : 1);
      if (
        Number.isFinite(la) &&
        Number.isFinite(ln) &&
        Math.abs(la) <= 90 &&
        Math.abs(ln) <= 180 &&
        (la !== 0 || ln !== 0)
      )
        gps = { lat: Math.round(la * 1e6) / 1e6, lng: Math.round(ln * 1e6) / 1e6 };
    }
    const offset = exif ? t.ascii(exif, 0x9011) : null;
    return {
      make: t.ascii(ifd0, 0x010f),
      model: t.ascii(ifd0, 0x0110),
      software: t.ascii(ifd0, 0x0131),
      dateTime: exifDateToWallTime(t.ascii(ifd0, 0x0132)),
      dateTimeOriginal: exif ? exifDateToWallTime(t.ascii(exif, 0x9003), t.ascii(exif, 0x9291)) : null,
      offsetTimeOriginal: offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : null,
      gps,
    };
  } catch {
    return null;
  }
}

/** Reads at most EXIF_SCAN_BYTES of a file and parses its EXIF; null for anything else. */
export async function readJpegExif(file: string): Promise<ExifData | null> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(file, 'r');
    const buf = Buffer.alloc(EXIF_SCAN_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return parseExif(buf.subarray(0, bytesRead));
  } catch {
    return null;
  } finally {
    await fh?.close();
  }
}

/** Offset ('+08:00') → ms east of UTC. */
export function exifOffsetMs(offset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

// ─── Writing (the device simulator) ───────────────────────────────────────────────

export interface ExifToWrite {
  make?: string;
  model?: string;
  software?: string;
  /** Wall time 'YYYY-MM-DDTHH:mm:ss[.SSS]' written as DateTime and DateTimeOriginal. */
  dateTimeOriginal: string;
  offsetTimeOriginal?: string;
  gps?: { lat: number; lng: number };
  /** Byte order; 'II' (little-endian) by default, as most cameras write. */
  byteOrder?: 'II' | 'MM';
}

interface OutEntry {
  tag: number;
  type: number;
  count: number;
  data: Buffer;
}

/** An EXIF APP1 segment (marker included) carrying the given fields. */
export function buildExifSegment(x: ExifToWrite): Buffer {
  const le = (x.byteOrder ?? 'II') === 'II';
  const u16 = (n: number) => {
    const b = Buffer.alloc(2);
    if (le) b.writeUInt16LE(n);
    else b.writeUInt16BE(n);
    return b;
  };
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    if (le) b.writeUInt32LE(n);
    else b.writeUInt32BE(n);
    return b;
  };
  const ascii = (tag: number, s: string): OutEntry => {
    const data = Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
    return { tag, type: 2, count: data.length, data };
  };
  const rationals = (tag: number, values: [number, number][]): OutEntry => ({
    tag,
    type: 5,
    count: values.length,
    data: Buffer.concat(values.flatMap(([n, d]) => [u32(n), u32(d)])),
  });
  const long = (tag: number, n: number): OutEntry => ({ tag, type: 4, count: 1, data: u32(n) });

  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(x.dateTimeOriginal);
  if (!m) throw new Error(`EXIF time must be YYYY-MM-DDTHH:mm:ss[.SSS]: ${x.dateTimeOriginal}`);
  const exifTime = `${m[1]}:${m[2]}:${m[3]} ${m[4]}:${m[5]}:${m[6]}`;

  const ifd0: OutEntry[] = [];
  if (x.make) ifd0.push(ascii(0x010f, x.make));
  if (x.model) ifd0.push(ascii(0x0110, x.model));
  if (x.software) ifd0.push(ascii(0x0131, x.software));
  ifd0.push(ascii(0x0132, exifTime));
  ifd0.push(long(0x8769, 0)); // Exif IFD pointer, filled below
  if (x.gps) ifd0.push(long(0x8825, 0)); // GPS IFD pointer, filled below
  const exif: OutEntry[] = [ascii(0x9003, exifTime), ascii(0x9004, exifTime)];
  if (x.offsetTimeOriginal) exif.push(ascii(0x9011, x.offsetTimeOriginal));
  if (m[7]) exif.push(ascii(0x9291, m[7]));
  const gps: OutEntry[] = [];
  if (x.gps) {
    const dms = (v: number): [number, number][] => {
      const a = Math.abs(v);
      const d = Math.floor(a);
      const mi = Math.floor((a - d) * 60);
      const s = Math.round(((a - d) * 60 - mi) * 60 * 10_000);
      return [
        [d, 1],
        [mi, 1],
        [s, 10_000],
      ];
    };
    gps.push({ tag: 0x0000, type: 1, count: 4, data: Buffer.from([2, 3, 0, 0]) });
    gps.push(ascii(0x0001, x.gps.lat < 0 ? 'S' : 'N'));
    gps.push(rationals(0x0002, dms(x.gps.lat)));
    gps.push(ascii(0x0003, x.gps.lng < 0 ? 'W' : 'E'));
    gps.push(rationals(0x0004, dms(x.gps.lng)));
  }

  const size = (entries: OutEntry[]) =>
    2 +
    entries.length * 12 +
    4 +
    entries.reduce((s, e) => s + (e.data.length > 4 ? e.data.length + (e.data.length % 2) : 0), 0);
  const ifd0At = 8;
  const exifAt = ifd0At + size(ifd0);
  const gpsAt = exifAt + size(exif);
  ifd0.find((e) => e.tag === 0x8769)!.data = u32(exifAt);
  if (x.gps) ifd0.find((e) => e.tag === 0x8825)!.data = u32(gpsAt);

  const writeIfd = (entries: OutEntry[], at: number): Buffer => {
    entries.sort((a, b) => a.tag - b.tag);
    const head: Buffer[] = [u16(entries.length)];
    const data: Buffer[] = [];
    let dataAt = at + 2 + entries.length * 12 + 4;
    for (const e of entries) {
      head.push(u16(e.tag), u16(e.type), u32(e.count));
      if (e.data.length <= 4) head.push(Buffer.concat([e.data, Buffer.alloc(4 - e.data.length)]));
      else {
        head.push(u32(dataAt));
        const padded = e.data.length % 2 ? Buffer.concat([e.data, Buffer.alloc(1)]) : e.data;
        data.push(padded);
        dataAt += padded.length;
      }
    }
    head.push(u32(0)); // no next IFD
    return Buffer.concat([...head, ...data]);
  };
  const tiff = Buffer.concat([
    Buffer.from(le ? 'II' : 'MM', 'latin1'),
    u16(42),
    u32(ifd0At),
    writeIfd(ifd0, ifd0At),
    writeIfd(exif, exifAt),
    ...(x.gps ? [writeIfd(gps, gpsAt)] : []),
  ]);
  const payload = Buffer.concat([EXIF_HEADER, tiff]);
  if (payload.length + 2 > 0xffff) throw new Error('EXIF segment too large');
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/** The JPEG with `app1` placed right after SOI, replacing any JFIF APP0 or EXIF APP1 at the start. */
export function insertExif(jpeg: Buffer, app1: Buffer): Buffer {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff && (jpeg[i + 1] === 0xe0 || jpeg[i + 1] === 0xe1))
    i += 2 + jpeg.readUInt16BE(i + 2);
  return Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(i)]);
}
