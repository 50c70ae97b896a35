// The media pipeline's tools against real ffmpeg (and espeak-ng for the simulator's speech):
// the speech-at-start measure tells spoken openings from room noise on every simulated
// segment, thumbnails are JPEGs of the set width, proxies are H.264/AAC within 720p with
// the index before the media data. Without the tools the suite fails under CI and is
// skipped elsewhere, with the reason printed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ff, runFfmpeg, toolVersions } from '../../src/media/ffmpeg.js';
import { probe } from '../../src/media/probe.js';
import { makeProxy, proxyScaleFilter } from '../../src/media/proxy.js';
import { simulateDevice, type SimulationResult } from '../../src/media/simulate-device.js';
import {
  classifySpeech,
  measureSpeechAtStart,
  MIN_SPEECH_MS,
  parseAstatsFrames,
  VOICED_MIN_DB,
} from '../../src/media/speech.js';
import { makeThumbnail, THUMBNAIL_WIDTH } from '../../src/media/thumbnail.js';

const missing = await toolVersions().then(
  () => (spawnSync('espeak-ng', ['--version']).status === 0 ? null : 'espeak-ng not found'),
  (e: unknown) => (e instanceof Error ? e.message : String(e)),
);
if (missing && process.env.CI)
  throw new Error(`media tests need ffmpeg, ffprobe and espeak-ng under CI: ${missing}`);
if (missing) console.warn(`test/media/pipeline: skipped — ${missing}`);

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'zhilu-pipeline-test-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
const tmp = (name: string) => path.join(tmpRoot, name);

/** Top-level MP4 box types in file order. */
function topBoxes(file: string): string[] {
  const buf = fs.readFileSync(file);
  const out: string[] = [];
  for (let at = 0; at + 8 <= buf.length;) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(buf.readBigUInt64BE(at + 8));
    if (size === 0) size = buf.length - at;
    if (size < 8) break;
    out.push(type);
    at += size;
  }
  return out;
}

describe('pure speech classification', () => {
  it('parses ametadata output and needs loud frames above the floor for long enough', () => {
    const text = [
      'frame:0    pts:0       pts_time:0',
      'lavfi.astats.Overall.Peak_level=-48.0',
      'lavfi.astats.Overall.RMS_level=-59.5',
      'frame:1    pts:8000    pts_time:0.5',
      'lavfi.astats.Overall.Peak_level=-1.5',
      'lavfi.astats.Overall.RMS_level=-20.0',
      'frame:2    pts:16000   pts_time:1',
      'lavfi.astats.Overall.Peak_level=-2.5',
      'lavfi.astats.Overall.RMS_level=-22.0',
      'frame:3    pts:24000   pts_time:1.5',
      'lavfi.astats.Overall.Peak_level=-inf',
      'lavfi.astats.Overall.RMS_level=-inf',
    ].join('\n');
    const frames = parseAstatsFrames(text);
    expect(frames.map((f) => f.atMs)).toEqual([0, 500, 1000, 1500]);
    expect(frames[3]!.rmsDb).toBe(-Infinity);
    expect(classifySpeech(frames)).toMatchObject({
      speech: true,
      speechMs: 1000,
      firstSpeechAtMs: 500,
      peakDb: -1.5,
    });
    // One loud frame is a bang, not speech.
    expect(classifySpeech(frames.slice(0, 2)).speech).toBe(false);
    expect(MIN_SPEECH_MS).toBe(1000);
    // A steady loud noise (every frame the same) is its own floor: not speech.
    const hum = Array.from({ length: 30 }, (_, i) => ({
      atMs: i * 500,
      rmsDb: VOICED_MIN_DB + 15,
      peakDb: -10,
    }));
    expect(classifySpeech(hum)).toMatchObject({ speech: false, speechMs: 0, firstSpeechAtMs: null });
    expect(classifySpeech([])).toMatchObject({ speech: false, peakDb: null });
  });
});

describe.skipIf(missing !== null)('media tools on real files', () => {
  let speech: SimulationResult;
  let quiet: SimulationResult;
  const videos = (s: SimulationResult) =>
    s.files.filter((f) => f.kind === 'video' && f.present).map((f) => path.join(s.dir, f.path));

  beforeAll(async () => {
    const common = {
      officer: '000001',
      start: '2026-08-04T08:00:00+08:00',
      minutes: 2.5,
      splitMinutes: 0.5,
      audio: 1,
      photos: 1,
    };
    [speech, quiet] = await Promise.all([
      simulateDevice({ ...common, dir: tmp('speech'), serial: 'SPK001', speech: true }),
      simulateDevice({ ...common, dir: tmp('quiet'), serial: 'QUI001' }),
    ]);
  }, 120_000);

  it('finds speech at the start of every spoken segment and none in every quiet one', async () => {
    expect(videos(speech)).toHaveLength(5);
    expect(videos(quiet)).toHaveLength(5);
    for (const file of videos(speech)) {
      const m = await measureSpeechAtStart(file, { hasAudio: true });
      expect(m.speech, file).toBe(true);
      expect(m.speechMs).toBeGreaterThanOrEqual(MIN_SPEECH_MS);
      // The simulator starts speech half a second in.
      expect(m.firstSpeechAtMs).toBeGreaterThanOrEqual(0);
      expect(m.firstSpeechAtMs).toBeLessThanOrEqual(1500);
      expect(m.peakDb).toBeGreaterThan(-20);
    }
    for (const file of videos(quiet)) {
      const m = await measureSpeechAtStart(file, { hasAudio: true });
      expect(m, file).toMatchObject({ speech: false, speechMs: 0, firstSpeechAtMs: null });
      expect(m.peakDb).toBeLessThan(-30);
    }
    // The audio recordings too (AAC in .m4a).
    const audio = (s: SimulationResult) => path.join(s.dir, s.files.find((f) => f.kind === 'audio')!.path);
    expect((await measureSpeechAtStart(audio(speech), { hasAudio: true })).speech).toBe(true);
    expect((await measureSpeechAtStart(audio(quiet), { hasAudio: true })).speech).toBe(false);
  });

  it('says no speech for a silent track and for no audio track', async () => {
    const silent = tmp('silent.mp4');
    await runFfmpeg(ff`-f lavfi -i testsrc=size=64x48:rate=2 -f lavfi -i anullsrc=r=16000:cl=mono -t 5
      -c:v libx264 -preset ultrafast -c:a aac -shortest -y ${silent}`);
    expect(await measureSpeechAtStart(silent, { hasAudio: true })).toMatchObject({
      speech: false,
      speechMs: 0,
      firstSpeechAtMs: null,
      peakDb: null,
    });
    const mute = tmp('mute.mp4');
    await runFfmpeg(ff`-f lavfi -i testsrc=size=64x48:rate=2 -t 3 -c:v libx264 -preset ultrafast -y ${mute}`);
    const info = await probe(mute);
    expect(info.audio).toBeUndefined();
    expect((await measureSpeechAtStart(mute, { hasAudio: false })).speech).toBe(false);
    // Even if the caller believed there was audio: ffmpeg refuses, it does not invent speech.
    await expect(measureSpeechAtStart(mute, { hasAudio: true })).rejects.toThrow(/speech measure failed/);
  });

  it('makes JPEG thumbnails of the set width from videos, short clips and photos', async () => {
    const video = videos(quiet)[0]!;
    const short = tmp('short.mp4');
    await runFfmpeg(
      ff`-f lavfi -i testsrc=size=160x120:rate=2 -t 1 -c:v libx264 -preset ultrafast -y ${short}`,
    );
    const photo = path.join(speech.dir, speech.files.find((f) => f.kind === 'photo')!.path);
    const cases: [string, 'video' | 'photo', number | null][] = [
      [video, 'video', 30_000],
      [short, 'video', 1000],
      [video, 'video', null],
      [photo, 'photo', null],
    ];
    for (const [i, [input, kind, durationMs]] of cases.entries()) {
      const out = tmp(`thumb-${i}.jpg`);
      await makeThumbnail(input, out, { kind, durationMs });
      const bytes = fs.readFileSync(out);
      expect(bytes.subarray(0, 3).toString('hex')).toBe('ffd8ff');
      expect(bytes.subarray(-2).toString('hex')).toBe('ffd9');
      const info = await probe(out);
      expect(info.video?.codec).toBe('mjpeg');
      expect(info.video?.width).toBe(THUMBNAIL_WIDTH);
      // 4:3 sources keep 4:3.
      expect(info.video?.height).toBe(240);
    }
  });

  it('makes faststart H.264/AAC proxies within 720p, and AAC .m4a for audio', async () => {
    const small = videos(speech)[0]!;
    const big = tmp('big.mp4');
    await runFfmpeg(ff`-f lavfi -i testsrc=size=1920x1080:rate=5 -f lavfi -i sine=frequency=440:sample_rate=48000
      -t 2 -c:v libx264 -preset ultrafast -c:a aac -y ${big}`);
    const portrait = tmp('portrait.mp4');
    await runFfmpeg(
      ff`-f lavfi -i testsrc=size=1080x1920:rate=5 -t 1 -c:v libx264 -preset ultrafast -y ${portrait}`,
    );
    const cases: [string, boolean, number, number][] = [
      [small, true, 160, 120],
      [big, true, 1280, 720],
      [portrait, false, 720, 1280],
    ];
    for (const [input, hasAudio, w, h] of cases) {
      const src = await probe(input);
      const out = tmp(`proxy-${path.basename(input)}`);
      const r = await makeProxy(input, out, {
        kind: 'video',
        width: src.video!.width,
        height: src.video!.height,
        hasAudio,
        durationMs: src.durationMs,
      });
      expect(r.mediaType).toBe('video/mp4');
      const info = await probe(out);
      expect(info.ok).toBe(true);
      expect(info.video).toMatchObject({ codec: 'h264', width: w, height: h });
      expect(Math.min(w, h)).toBeLessThanOrEqual(720);
      if (hasAudio) expect(info.audio?.codec).toBe('aac');
      else expect(info.audio).toBeUndefined();
      const boxes = topBoxes(out);
      expect(boxes.indexOf('moov'), boxes.join(',')).toBeGreaterThanOrEqual(0);
      expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
      // Nothing of the original's metadata is carried over.
      expect(info.tags.comment).toBeUndefined();
    }
    expect(proxyScaleFilter(null, null)).toContain('min(1280,iw)');

    const audioIn = path.join(speech.dir, speech.files.find((f) => f.kind === 'audio')!.path);
    const audioOut = tmp('proxy-audio.m4a');
    const a = await makeProxy(audioIn, audioOut, {
      kind: 'audio',
      width: null,
      height: null,
      hasAudio: true,
      durationMs: 20_000,
    });
    expect(a).toEqual({ mediaType: 'audio/mp4', extension: '.m4a' });
    const ai = await probe(audioOut);
    expect(ai.audio?.codec).toBe('aac');
    expect(ai.video).toBeUndefined();
    const boxes = topBoxes(audioOut);
    expect(boxes.indexOf('moov')).toBeLessThan(boxes.indexOf('mdat'));
  });
});
