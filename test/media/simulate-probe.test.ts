// The device simulator and the probe against real ffmpeg/ffprobe (and espeak-ng for speech):
// the planted defects are there and the import rules find them. Without the tools the suite
// fails under CI and is skipped elsewhere, with the reason printed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { isAppError } from '../../src/domain/errors.js';
import {
  DEVICE_INFO_FILE,
  parseDeviceInfo,
  parseFileName,
  schemeById,
  type ParsedName,
} from '../../src/domain/file-names.js';
import { editSigns, sequenceGapsByGroup, type MediaInfo } from '../../src/domain/import-rules.js';
import { toolVersions } from '../../src/media/ffmpeg.js';
import { probe } from '../../src/media/probe.js';
import {
  planSimulation,
  simulateDevice,
  type SimulateOptions,
  type SimulationResult,
} from '../../src/media/simulate-device.js';

const missing = await toolVersions().then(
  () => (spawnSync('espeak-ng', ['--version']).status === 0 ? null : 'espeak-ng not found'),
  (e: unknown) => (e instanceof Error ? e.message : String(e)),
);
if (missing && process.env.CI)
  throw new Error(`media tests need ffmpeg, ffprobe and espeak-ng under CI: ${missing}`);
if (missing) console.warn(`test/media/simulate-probe: skipped — ${missing}`);

const SH = 'Asia/Shanghai';
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'zhilu-media-test-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

const BASE: SimulateOptions = {
  dir: '',
  serial: 'CAM001',
  officer: '000001',
  start: '2026-08-04T10:00:00+08:00',
  minutes: 25,
};

/** Mean volume in dB of `seconds` of audio from `from`. */
function meanVolume(file: string, from: number, seconds: number): number {
  const r = spawnSync(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-ss',
      String(from),
      '-t',
      String(seconds),
      '-i',
      file,
      '-map',
      '0:a:0',
      '-af',
      'volumedetect',
      '-f',
      'null',
      '-',
    ],
    {
      encoding: 'utf8',
    },
  );
  const m = /mean_volume: (-?[\d.]+) dB/.exec(r.stderr);
  return m ? Number(m[1]) : NaN;
}

const hasEditorTag = (info: MediaInfo) =>
  Object.values(info.tags).some((v) => /Lavf|Lavc|HandBrake|x264/i.test(v));

describe.skipIf(missing !== null)('simulate-device → probe → import rules (real ffmpeg)', () => {
  let sim: SimulationResult;
  const probes = new Map<string, MediaInfo>();
  const names = new Map<string, ParsedName>();
  const file = (seq: number, kind = 'video') => sim.files.find((f) => f.kind === kind && f.sequence === seq)!;

  beforeAll(async () => {
    // Runs [0, 22:30) and [23:00, 25:00): videos 1 (0–10), 2 (10–20), 3 (20–22:30), 4 (23–25).
    sim = await simulateDevice({
      ...BASE,
      dir: path.join(tmpRoot, 'main'),
      splitMinutes: 10,
      gaps: [{ atMinute: 22.5, seconds: 30 }],
      editSeq: [1],
      dropSeq: [3],
      truncateSeq: [4],
      photos: 2,
      audio: 1,
      speech: true,
      gps: { lat: 33.58, lng: 114.02 },
    });
    for (const f of sim.files.filter((x) => x.present)) {
      probes.set(f.path, await probe(path.join(sim.dir, f.path), { timeZone: SH }));
      names.set(f.path, parseFileName(f.path, { timeZone: SH }));
    }
  }, 60_000);

  it('writes every expected file, and only those, in a few seconds', () => {
    expect(sim.files.map((f) => [f.kind, f.sequence, f.present, f.planted])).toEqual([
      ['video', 1, true, ['EDITED']],
      ['video', 2, true, []],
      ['video', 3, false, ['SEQUENCE_GAP']],
      ['video', 4, true, ['UNREADABLE']],
      ['photo', 1, true, []],
      ['photo', 2, true, []],
      ['audio', 1, true, []],
    ]);
    const onDisk = fs
      .readdirSync(sim.dir, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile());
    const rel = onDisk
      .map((d) => path.relative(sim.dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
      .sort();
    expect(rel).toEqual([...sim.files.filter((f) => f.present).map((f) => f.path), DEVICE_INFO_FILE].sort());
    expect(sim.gaps).toEqual([
      { from: '2026-08-04T02:22:30.000Z', to: '2026-08-04T02:23:00.000Z', seconds: 30 },
    ]);
    expect(sim.elapsedMs).toBeLessThan(15_000);
  });

  it('the device-info file identifies the device', () => {
    const info = parseDeviceInfo(fs.readFileSync(path.join(sim.dir, DEVICE_INFO_FILE), 'utf8'));
    expect(info).toMatchObject({ serial: 'CAM001', naming: 'device-officer-time', timeZone: SH });
  });

  it('every name parses with the scheme, device, officer, kind and the device time', () => {
    for (const f of sim.files.filter((x) => x.present)) {
      const n = names.get(f.path)!;
      expect(n).toMatchObject({
        scheme: 'device-officer-time',
        deviceCode: 'CAM001',
        officerCode: '000001',
        kind: f.kind,
        issues: [],
      });
      expect(n.recordedAt).toBe(Date.parse(f.start));
    }
  });

  it('an unedited segment reads like a device file: duration, creation_time, codecs, no FFmpeg tags', () => {
    const f = file(2);
    const info = probes.get(f.path)!;
    expect(info).toMatchObject({
      ok: true,
      video: { codec: 'h264', width: 160, height: 120, fps: 2 },
      audio: { codec: 'aac', sampleRate: 16_000, channels: 1 },
      creationTime: Date.parse(f.start),
      handlerNames: ['ZFY-AV Video', 'ZFY-AV Audio'],
      gps: { lat: 33.58, lng: 114.02 },
      encoder: null,
    });
    expect(Math.abs(info.durationMs! - 600_000)).toBeLessThan(1_000);
    expect(hasEditorTag(info)).toBe(false);
    expect(/Lavf|Lavc|x264/.test(fs.readFileSync(path.join(sim.dir, f.path)).toString('latin1'))).toBe(false);
    expect(editSigns(info, names.get(f.path)!, { splitSeconds: 600, timeZone: SH })).toBeNull();
  });

  it('the audio file and the photos carry no FFmpeg tags either', () => {
    const a = file(1, 'audio');
    const info = probes.get(a.path)!;
    expect(info).toMatchObject({ ok: true, audio: { codec: 'aac' }, creationTime: Date.parse(a.start) });
    expect(Math.abs(info.durationMs! - 20_000)).toBeLessThan(200);
    expect(hasEditorTag(info)).toBe(false);
    expect(editSigns(info, names.get(a.path)!, { timeZone: SH })).toBeNull();
    for (const p of [file(1, 'photo'), file(2, 'photo')])
      expect(hasEditorTag(probes.get(p.path)!)).toBe(false);
  });

  it("the photo's EXIF DateTimeOriginal and GPS are read", () => {
    const p = file(1, 'photo');
    const info = probes.get(p.path)!;
    expect(info).toMatchObject({
      ok: true,
      durationMs: null,
      video: { codec: 'mjpeg' },
      exifLocalTime: p.deviceTime,
      exifTime: Date.parse(p.start),
      gps: { lat: 33.58, lng: 114.02 },
    });
    expect(editSigns(info, names.get(p.path)!, { timeZone: SH })).toBeNull();
  });

  it('the edited segment trips editSigns with its tags, its moved creation_time and its missing footage', () => {
    const f = file(1);
    const info = probes.get(f.path)!;
    expect(info.ok).toBe(true);
    const r = editSigns(info, names.get(f.path)!, {
      splitSeconds: sim.splitSeconds,
      next: { recordedAt: names.get(file(2).path)!.recordedAt },
      timeZone: SH,
    });
    expect(r?.code).toBe('EDITED');
    const codes = new Set(r!.reasons.map((x) => x.code));
    for (const c of [
      'EDITOR_TAG',
      'REMUXER_HANDLER',
      'CREATION_TIME_MISMATCH',
      'SHORTER_THAN_SPLIT',
    ] as const)
      expect(codes).toContain(c);
  });

  it('the truncated segment is unreadable, with the reason', () => {
    const info = probes.get(file(4).path)!;
    expect(info.ok).toBe(false);
    expect(info.error).toMatch(/truncated/);
    expect(info.error).not.toContain(tmpRoot);
  });

  it('speech opens every segment; later the audio is quiet room noise', () => {
    const f = path.join(sim.dir, file(2).path);
    const speech = meanVolume(f, 0.5, 5);
    const quiet = meanVolume(f, 60, 5);
    expect(speech).toBeGreaterThan(quiet + 15);
  });

  it('zero-byte and garbage files are ok:false, never a throw', async () => {
    const zero = path.join(tmpRoot, 'zero.mp4');
    const junk = path.join(tmpRoot, 'junk.mp4');
    fs.writeFileSync(zero, '');
    fs.writeFileSync(junk, Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7919) & 0xff)));
    expect(await probe(zero)).toMatchObject({ ok: false, error: 'empty file (0 bytes)', sizeBytes: 0 });
    const j = await probe(junk);
    expect(j.ok).toBe(false);
    expect(j.error).toBeTruthy();
    expect(await probe(path.join(tmpRoot, 'nope.mp4'))).toMatchObject({ ok: false });
  });

  it('without ffprobe the probe says FFMPEG_MISSING', async () => {
    const e = await probe(path.join(sim.dir, file(2).path), {
      env: { ...process.env, ZHILU_FFPROBE: '/nonexistent/ffprobe' },
    }).catch((x: unknown) => x);
    expect(isAppError(e) && e.code).toBe('FFMPEG_MISSING');
    expect(isAppError(e) && e.messages.zh).toContain('ZHILU_FFPROBE');
  });

  it('dcim-record: AVI/WAV/JPG with a device counter; the dropped number is a SEQUENCE_GAP', async () => {
    const r = await simulateDevice({
      ...BASE,
      dir: path.join(tmpRoot, 'record'),
      serial: 'DV01',
      naming: 'dcim-record',
      minutes: 4,
      splitMinutes: 1,
      dropSeq: [2],
      editSeq: [3],
      photos: 1,
      audio: 1,
    });
    const present = r.files.filter((f) => f.present);
    expect(present.map((f) => f.path)).toContain('DV01/DCIM/RECORD/00000001_20260804.AVI');
    const parsed = present.map((f) => parseFileName(f.path, { timeZone: SH }));
    for (const [i, p] of parsed.entries())
      expect(p).toMatchObject({ scheme: 'dcim-record', deviceCode: 'DV01', sequence: present[i]!.sequence });
    expect(sequenceGapsByGroup(parsed)).toEqual([
      { group: 'dcim-record:dv01/dcim/record', from: 2, to: 2, count: 1 },
    ]);

    const avi = await probe(path.join(r.dir, present[0]!.path), { timeZone: SH });
    expect(avi).toMatchObject({
      ok: true,
      formatName: 'avi',
      video: { codec: 'h264' },
      audio: { codec: 'pcm_s16le' },
      creationTime: Date.parse(present[0]!.start),
    });
    expect(hasEditorTag(avi)).toBe(false);
    expect(editSigns(avi, parsed[0]!, { timeZone: SH })).toBeNull();

    const edited = present.find((f) => f.sequence === 3 && f.kind === 'video')!;
    const e = await probe(path.join(r.dir, edited.path), { timeZone: SH });
    expect(e.encoder).toMatch(/^Lavf/);
    expect(
      editSigns(e, parseFileName(edited.path, { timeZone: SH }), { timeZone: SH })?.reasons.map(
        (x) => x.code,
      ),
    ).toContain('EDITOR_TAG');

    const wav = present.find((f) => f.kind === 'audio')!;
    const w = await probe(path.join(r.dir, wav.path), { timeZone: SH });
    expect(w).toMatchObject({ ok: true, formatName: 'wav', creationTime: Date.parse(wav.start) });
    expect(hasEditorTag(w)).toBe(false);
  });

  it.each(['timestamp-ms', 'generic'])('%s: names parse back and files probe cleanly', async (naming) => {
    const r = await simulateDevice({
      ...BASE,
      dir: path.join(tmpRoot, naming),
      naming,
      minutes: 1.5,
      splitMinutes: 1,
      photos: 1,
      audio: 1,
    });
    for (const f of r.files) {
      const n = parseFileName(f.path, { timeZone: SH });
      expect(n.scheme).toBe(naming);
      expect(n.kind).toBe(f.kind);
      if (naming === 'timestamp-ms')
        expect(n).toMatchObject({ deviceCode: 'CAM001', recordedAt: Date.parse(f.start) });
      else expect(n.sequence).toBe(f.sequence);
      const info = await probe(path.join(r.dir, f.path), { timeZone: SH });
      expect(info.ok, `${f.path}: ${info.error}`).toBe(true);
      expect(hasEditorTag(info)).toBe(false);
    }
    expect(schemeById(naming)).toBeDefined();
  });
});

describe('simulate-device options', () => {
  const plan = (over: Partial<SimulateOptions>) => planSimulation({ ...BASE, dir: 'x', ...over });
  const invalid = (over: Partial<SimulateOptions>) => {
    try {
      plan(over);
    } catch (e) {
      return isAppError(e) ? `${e.code} ${String(e.details?.option)}` : String(e);
    }
    return 'accepted';
  };

  it('splits runs back-to-back and restarts the split after a gap', () => {
    const p = plan({ minutes: 25, gaps: [{ atMinute: 12, seconds: 30 }] });
    expect(p.files.map((f) => [(f.startMs - p.startMs) / 1000, f.durationMs / 1000, f.speech])).toEqual([
      [0, 600, null],
      [600, 120, null],
      [750, 600, null],
      [1350, 150, null],
    ]);
    const s = plan({ minutes: 25, gaps: [{ atMinute: 12, seconds: 30 }], speech: true });
    expect(s.files.map((f) => f.speech)).toEqual(['notify', 'continue', 'resume', 'continue']);
  });

  it('a start without a zone is read in the device zone; the clock offset moves names, not true times', () => {
    const p = plan({ start: '2026-08-04T10:00:00', clockOffsetSeconds: 90 });
    expect(p.startMs).toBe(Date.UTC(2026, 7, 4, 2));
    expect(p.files[0]!.deviceTime).toBe('2026-08-04T10:01:30.000');
    expect(p.files[0]!.path).toBe('VIDEO/DCAM_CAM001_000001_20260804_100130.mp4');
  });

  it.each([
    [{ start: 'yesterday' }, 'SIMULATE_INVALID --start'],
    [{ start: '2026-13-01T10:00:00Z' }, 'SIMULATE_INVALID --start'],
    [{ minutes: 0 }, 'SIMULATE_INVALID --minutes'],
    [{ minutes: -5 }, 'SIMULATE_INVALID --minutes'],
    [{ minutes: 24 * 60 + 1 }, 'SIMULATE_INVALID --minutes'],
    [{ minutes: NaN }, 'SIMULATE_INVALID --minutes'],
    [{ splitMinutes: 0 }, 'SIMULATE_INVALID --split-minutes'],
    [{ splitMinutes: 0.001 }, 'SIMULATE_INVALID --split-minutes'],
    [{ minutes: 1440, splitMinutes: 0.1 }, 'SIMULATE_INVALID --split-minutes'],
    [{ minutes: 0.001 }, 'SIMULATE_INVALID --minutes'],
    [{ minutes: 5, gaps: [{ atMinute: 4.99, seconds: 1 }] }, 'SIMULATE_INVALID --gap'],
    [{ gaps: [{ atMinute: 0, seconds: 10 }] }, 'SIMULATE_INVALID --gap'],
    [{ gaps: [{ atMinute: 24, seconds: 60 }] }, 'SIMULATE_INVALID --gap'],
    [{ gaps: [{ atMinute: 30, seconds: 10 }] }, 'SIMULATE_INVALID --gap'],
    [{ gaps: [{ atMinute: 5, seconds: 0 }] }, 'SIMULATE_INVALID --gap'],
    [
      {
        gaps: [
          { atMinute: 5, seconds: 120 },
          { atMinute: 6, seconds: 10 },
        ],
      },
      'SIMULATE_INVALID --gap',
    ],
    [{ dropSeq: [9] }, 'SIMULATE_INVALID --drop-seq'],
    [{ editSeq: [0] }, 'SIMULATE_INVALID --edit-seq'],
    [{ dropSeq: [1], editSeq: [1] }, 'SIMULATE_INVALID --edit-seq'],
    [{ photos: -1 }, 'SIMULATE_INVALID --photos'],
    [{ audio: 1.5 }, 'SIMULATE_INVALID --audio'],
    [{ naming: 'nope' }, 'SIMULATE_INVALID --naming'],
    [{ serial: '../evil' }, 'SIMULATE_INVALID --serial'],
    [{ serial: 'A_B' }, 'SIMULATE_INVALID --serial'],
    [{ officer: 'x y' }, 'SIMULATE_INVALID --officer'],
    [{ timeZone: 'Mars/Base' }, 'SIMULATE_INVALID --tz'],
    [{ videoSize: '161x120' }, 'SIMULATE_INVALID --video-size'],
    [{ fps: 0 }, 'SIMULATE_INVALID --fps'],
    [{ gps: { lat: 91, lng: 0 } }, 'SIMULATE_INVALID --gps'],
    [{ minutes: 25, gaps: [{ atMinute: 12, seconds: 30 }], dropSeq: [4] }, 'accepted'],
  ])('%j → %s', (over, expected) => expect(invalid(over)).toBe(expected));
});

describe('zhilu simulate-device (CLI)', () => {
  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const out = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
    const err = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
    const log = vi
      .spyOn(console, 'log')
      .mockImplementation((...a: unknown[]) => void (stdout += a.join(' ') + '\n'));
    const before = process.exitCode;
    process.exitCode = 0;
    try {
      await main(args);
      return { code: Number(process.exitCode ?? 0), stdout, stderr };
    } finally {
      process.exitCode = before;
      out.mockRestore();
      err.mockRestore();
      log.mockRestore();
    }
  }
  const base = [
    'simulate-device',
    path.join(tmpRoot, 'cli'),
    '--serial',
    'CAM9',
    '--officer',
    '7',
    '--start',
    '2026-08-04T10:00:00+08:00',
  ];

  it.each([
    [['--minutes', '0'], /--minutes/],
    [['--minutes', 'ten'], /--minutes/],
    [['--minutes', '5', '--gap', '7:10'], /--gap/],
    [['--minutes', '5', '--gap', 'soon'], /MINUTE:SECONDS/],
    [['--minutes', '5', '--naming', 'nope'], /naming/],
    [['--minutes', '5', '--drop-seq', '1.5'], /--drop-seq/],
  ])('%j exits 2 with a message', async (args, message) => {
    const r = await run([...base, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.skipIf(missing !== null)('--json prints the volume plan, repeatable flags collected', async () => {
    const r = await run([
      ...base,
      '--minutes',
      '1',
      '--split-minutes',
      '0.25',
      '--drop-seq',
      '2',
      '--drop-seq',
      '3',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as SimulationResult;
    expect(out.dir).toBe(path.join(tmpRoot, 'cli'));
    expect(out.files.filter((f) => !f.present).map((f) => f.sequence)).toEqual([2, 3]);
    expect(out.files[0]).toMatchObject({
      path: 'VIDEO/DCAM_CAM9_7_20260804_100000.mp4',
      kind: 'video',
      sequence: 1,
      planted: [],
    });
    expect(fs.existsSync(path.join(out.dir, out.files[0]!.path))).toBe(true);
    const again = await run([...base, '--minutes', '1']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not empty/);
  });
});
