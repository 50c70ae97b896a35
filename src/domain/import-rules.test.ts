import { describe, expect, it } from 'vitest';
import { parseFileName } from './file-names.js';
import {
  clockFindings,
  DAY_MS,
  EDITING_TOOLS,
  editSigns,
  importDeadline,
  isLateImport,
  sequenceGaps,
  sequenceGapsByGroup,
  type MediaInfo,
} from './import-rules.js';

const SH = 'Asia/Shanghai';

describe('sequenceGaps (SEQUENCE_GAP, A11.4)', () => {
  it.each([
    [[], []],
    [[5], []],
    [[1, 2, 3], []],
    [[1, 2, 4], [{ from: 3, to: 3, count: 1 }]],
    [
      [7, 1, 2, 4, 4, 2],
      [
        { from: 3, to: 3, count: 1 },
        { from: 5, to: 6, count: 2 },
      ],
    ],
    [[1, 99_999_999], [{ from: 2, to: 99_999_998, count: 99_999_997 }]],
    [[1, 2.5, -3, NaN, 3], [{ from: 2, to: 2, count: 1 }]],
  ])('%j → %j', (seqs, gaps) => expect(sequenceGaps(seqs)).toEqual(gaps));

  it('numbers between an earlier import and this one are missing too', () => {
    expect(sequenceGaps([5, 6], { after: 2 })).toEqual([{ from: 3, to: 4, count: 2 }]);
    expect(sequenceGaps([3, 4], { after: 2 })).toEqual([]);
  });

  it('a counter that starts again below the earlier maximum was reset: no gap invented', () => {
    expect(sequenceGaps([1, 2], { after: 40 })).toEqual([]);
  });

  it('groups are separate counters; files without a sequence are skipped', () => {
    const names = [
      'DV01/DCIM/RECORD/00000001_20140706.AVI',
      'DV01/DCIM/RECORD/00000004_20140706.AVI',
      'DV01/DCIM/PHOTO/00000001_20140706.JPG',
      'DV01/DCIM/PHOTO/00000002_20140706.JPG',
      'DCAM_CAM001_000001_20260804_100000.mp4',
    ].map((n) => parseFileName(n, { timeZone: SH }));
    expect(sequenceGapsByGroup(names)).toEqual([
      { group: 'dcim-record:dv01/dcim/record', from: 2, to: 3, count: 2 },
    ]);
    expect(sequenceGapsByGroup(names, new Map([['dcim-record:dv01/dcim/photo', 0]]))).toHaveLength(1);
  });
});

const NAME = parseFileName('VIDEO/DCAM_CAM001_000001_20260804_100000.mp4', { timeZone: SH });
const T0 = NAME.recordedAt!;

function info(over: Partial<MediaInfo> = {}): MediaInfo {
  return {
    ok: true,
    warnings: [],
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationMs: 600_000,
    bitRate: 76_000,
    sizeBytes: 5_700_000,
    video: { codec: 'h264', width: 160, height: 120, fps: 2 },
    audio: { codec: 'aac', sampleRate: 16_000, channels: 1 },
    creationTime: T0,
    creationTimeRaw: new Date(T0).toISOString(),
    tags: {
      creation_time: new Date(T0).toISOString(),
      comment: 'ZFY-AV 2.1.3',
      '0:handler_name': 'ZFY-AV Video',
      '1:handler_name': 'ZFY-AV Audio',
    },
    encoder: null,
    handlerNames: ['ZFY-AV Video', 'ZFY-AV Audio'],
    gps: null,
    exifTime: null,
    exifLocalTime: null,
    ...over,
  };
}

const codes = (r: ReturnType<typeof editSigns>) => r?.reasons.map((x) => x.code) ?? [];

describe('editSigns (EDITED, A11.4, A21.1(5))', () => {
  it('a device file as recorded shows nothing', () => {
    expect(
      editSigns(info(), NAME, { splitSeconds: 600, next: { recordedAt: T0 + 600_000 }, timeZone: SH }),
    ).toBeNull();
  });

  it('an unreadable file is left to UNREADABLE', () => {
    expect(
      editSigns(info({ ok: false, error: 'moov atom not found', tags: { encoder: 'Lavf59' } }), NAME),
    ).toBeNull();
  });

  it.each([
    [{ encoder: 'Lavf59.27.100' }, 'FFmpeg (libavformat)'],
    [{ '0:encoder': 'Lavc59.37.100 libx264' }, 'FFmpeg (libavcodec)'],
    [{ encoder: 'HandBrake 1.6.1 2023012300' }, 'HandBrake'],
    [{ '0:handler_name': 'Mainconcept MP4 Video Media Handler' }, 'MainConcept (Adobe encoders)'],
    [{ 'com.apple.quicktime.software': 'Final Cut Pro 10.6' }, 'Final Cut Pro'],
    [{ software: '剪映专业版' }, '剪映 / CapCut'],
    [{ encoded_by: 'CapCut' }, '剪映 / CapCut'],
    [{ software: '爱剪辑' }, '爱剪辑'],
    [{ encoder: '格式工厂 FormatFactory' }, '格式工厂 / Format Factory'],
    [{ encoder: 'DaVinci Resolve 18' }, 'DaVinci Resolve'],
    [{ 'exif:software': 'Adobe Photoshop 25.0 (Windows)' }, 'Adobe Photoshop / Lightroom'],
  ])('tag %j names %s', (tags, tool) => {
    const r = editSigns(info({ tags: { ...info().tags, ...tags } }), NAME);
    expect(r?.code).toBe('EDITED');
    const reason = r!.reasons.find((x) => x.code === 'EDITOR_TAG')!;
    expect(reason.evidence.tool).toBe(tool);
    expect(reason.zh).toContain(tool);
    expect(reason.en).toContain(tool);
  });

  it('tool names in other tags (a title, a comment) are not evidence', () => {
    expect(
      editSigns(
        info({ tags: { ...info().tags, title: 'Premiere of the new case', comment: 'HandBrake' } }),
        NAME,
      ),
    ).toBeNull();
  });

  it("FFmpeg's default handler names mean a re-mux", () => {
    expect(codes(editSigns(info({ handlerNames: ['VideoHandler', 'SoundHandler'] }), NAME))).toEqual([
      'REMUXER_HANDLER',
      'REMUXER_HANDLER',
    ]);
  });

  it('creation_time more than the tolerance from the name is a sign; at the tolerance it is not', () => {
    expect(editSigns(info({ creationTime: T0 + 120_000 }), NAME)).toBeNull();
    expect(editSigns(info({ creationTime: T0 - 120_000 }), NAME)).toBeNull();
    const r = editSigns(info({ creationTime: T0 + 121_000 }), NAME);
    expect(codes(r)).toEqual(['CREATION_TIME_MISMATCH']);
    expect(r!.reasons[0]!.evidence).toMatchObject({ differenceSeconds: 121, toleranceSeconds: 120 });
    expect(
      codes(editSigns(info({ creationTime: T0 + 3 * 3_600_000 }), NAME, { toleranceMs: 10_000 })),
    ).toEqual(['CREATION_TIME_MISMATCH']);
  });

  it('a device that writes its local wall time as UTC is not flagged once the zone is known', () => {
    const quirk = info({ creationTime: T0 + 8 * 3_600_000 });
    expect(codes(editSigns(quirk, NAME))).toEqual(['CREATION_TIME_MISMATCH']);
    expect(editSigns(quirk, NAME, { timeZone: SH })).toBeNull();
  });

  it('photos compare the EXIF time when there is no container time', () => {
    const photo = parseFileName('PHOTO/DCAM_CAM001_000001_20260804_100512.jpg', { timeZone: SH });
    const still = info({
      durationMs: null,
      creationTime: null,
      exifTime: photo.recordedAt,
      audio: undefined,
    });
    expect(editSigns(still, photo)).toBeNull();
    const moved = editSigns({ ...still, exifTime: photo.recordedAt! - DAY_MS }, photo);
    expect(moved!.reasons[0]).toMatchObject({
      code: 'CREATION_TIME_MISMATCH',
      evidence: { source: 'EXIF DateTimeOriginal' },
    });
  });

  it('date-only names compare the date', () => {
    const n = parseFileName('DV01/DCIM/RECORD/00000001_20140706.AVI', { timeZone: SH });
    const at = (iso: string) => info({ creationTime: Date.parse(iso) });
    expect(editSigns(at('2014-07-06T09:00:00+08:00'), n, { timeZone: SH })).toBeNull();
    expect(codes(editSigns(at('2014-07-09T09:00:00+08:00'), n, { timeZone: SH }))).toEqual([
      'CREATION_DATE_MISMATCH',
    ]);
    expect(editSigns(at('2014-07-09T09:00:00+08:00'), n)).toBeNull(); // no zone: no judgement
  });

  describe('duration against the split length and the next file', () => {
    const split = { splitSeconds: 600 };
    it('longer than the split length', () => {
      expect(codes(editSigns(info({ durationMs: 900_000 }), NAME, split))).toEqual(['LONGER_THAN_SPLIT']);
      expect(editSigns(info({ durationMs: 602_000 }), NAME, split)).toBeNull();
    });
    it('overlapping the next file', () => {
      expect(
        codes(editSigns(info({ durationMs: 600_000 }), NAME, { next: { recordedAt: T0 + 300_000 } })),
      ).toEqual(['OVERLAPS_NEXT']);
    });
    it('short although the next file continues the recording', () => {
      const r = editSigns(info({ durationMs: 480_000 }), NAME, {
        ...split,
        next: { recordedAt: T0 + 600_000 },
      });
      expect(codes(r)).toEqual(['SHORTER_THAN_SPLIT']);
      expect(r!.reasons[0]!.evidence).toMatchObject({ missingSeconds: 120 });
    });
    it('short before a stop, or as the last file, is normal', () => {
      expect(
        editSigns(info({ durationMs: 150_000 }), NAME, { ...split, next: { recordedAt: T0 + 180_000 } }),
      ).toBeNull();
      expect(editSigns(info({ durationMs: 150_000 }), NAME, { ...split, next: null })).toBeNull();
      expect(editSigns(info({ durationMs: 150_000 }), NAME, split)).toBeNull();
    });
  });

  it('several signs are all reported, each with a code and both languages', () => {
    const r = editSigns(
      info({
        durationMs: 480_000,
        creationTime: T0 + 3 * 3_600_000,
        encoder: 'Lavf59.27.100',
        tags: { encoder: 'Lavf59.27.100', '0:encoder': 'Lavc59.37.100 libx264' },
        handlerNames: ['VideoHandler', 'SoundHandler'],
      }),
      NAME,
      { splitSeconds: 600, next: { recordedAt: T0 + 600_000 }, timeZone: SH },
    );
    expect(new Set(codes(r))).toEqual(
      new Set(['EDITOR_TAG', 'REMUXER_HANDLER', 'CREATION_TIME_MISMATCH', 'SHORTER_THAN_SPLIT']),
    );
    for (const reason of r!.reasons) {
      expect(reason.zh.length).toBeGreaterThan(5);
      expect(reason.en.length).toBeGreaterThan(5);
    }
  });

  it('every tool pattern is anchored enough not to match a device firmware string', () => {
    for (const firmware of [
      'ZFY-AV 2.1.3',
      'Ambarella A12',
      'HiSilicon Hi3516',
      'DSJ-V9 V1.0.6',
      'Novatek NT96660',
    ])
      for (const t of EDITING_TOOLS) expect(t.pattern.test(firmware), `${t.name} vs ${firmware}`).toBe(false);
  });
});

describe('clockFindings (CLOCK_OFFSET)', () => {
  const now = Date.UTC(2026, 7, 4, 12, 0, 0);
  const purchased = Date.UTC(2025, 0, 1);
  it('a plausible time is fine', () => expect(clockFindings(now - 3_600_000, now, purchased)).toBeNull());
  it('the future beyond the tolerance', () => {
    expect(clockFindings(now + 5 * 60_000, now, purchased)).toBeNull();
    expect(clockFindings(now + 5 * 60_000 + 1, now, purchased)).toMatchObject({
      code: 'CLOCK_OFFSET',
      reason: 'IN_FUTURE',
    });
    expect(clockFindings(now + 61_000, now, purchased, { toleranceMs: 60_000 })).toMatchObject({
      reason: 'IN_FUTURE',
      byMs: 61_000,
    });
  });
  it('before the device existed (a reset clock)', () => {
    const r = clockFindings(Date.UTC(2000, 0, 1), now, purchased);
    expect(r).toMatchObject({ code: 'CLOCK_OFFSET', reason: 'BEFORE_DEVICE' });
    expect(r!.zh).toContain('设备时钟');
    expect(clockFindings(Date.UTC(2000, 0, 1), now, null)).toBeNull();
  });
});

describe('importDeadline / isLateImport (LATE_IMPORT, A13.1)', () => {
  const at = (iso: string) => Date.parse(iso);
  it('ordinary work: the end of the local day the recording ended on', () => {
    const d = importDeadline({
      recordingEnd: at('2026-08-04T15:00:00+08:00'),
      timeZone: SH,
      remote: false,
      returnedAt: null,
    });
    expect(d).toBe(at('2026-08-05T00:00:00+08:00'));
    expect(isLateImport(at('2026-08-04T23:59:59+08:00'), d)).toBe(false);
    expect(isLateImport(d!, d)).toBe(false);
    expect(isLateImport(d! + 1, d)).toBe(true);
  });
  it('the day is the unit time zone’s, not UTC’s', () => {
    // 01:30 in Shanghai is the previous day in UTC
    const d = importDeadline({
      recordingEnd: at('2026-08-04T01:30:00+08:00'),
      timeZone: SH,
      remote: false,
      returnedAt: null,
    });
    expect(d).toBe(at('2026-08-05T00:00:00+08:00'));
  });
  it('remote or continuous work: 24 hours after the return to the unit', () => {
    const end = at('2026-08-04T15:00:00+08:00');
    const back = at('2026-08-06T18:00:00+08:00');
    expect(importDeadline({ recordingEnd: end, timeZone: SH, remote: true, returnedAt: back })).toBe(
      back + DAY_MS,
    );
  });
  it('remote work never gets less time than ordinary work', () => {
    const end = at('2026-08-04T08:00:00+08:00');
    const back = at('2026-08-03T20:00:00+08:00'); // recorded return before the recording ended
    expect(importDeadline({ recordingEnd: end, timeZone: SH, remote: true, returnedAt: back })).toBe(
      at('2026-08-05T00:00:00+08:00'),
    );
  });
  it('remote work with no return recorded: no deadline yet, never late', () => {
    const d = importDeadline({
      recordingEnd: at('2026-08-04T15:00:00+08:00'),
      timeZone: SH,
      remote: true,
      returnedAt: null,
    });
    expect(d).toBeNull();
    expect(isLateImport(at('2027-01-01T00:00:00Z'), d)).toBe(false);
  });
});
