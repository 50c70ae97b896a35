import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CARRIED_CODES,
  FINDING_CODE_LIST,
  FINDING_CODES,
  FINDING_STATUSES,
  INTERRUPTION_REASON_NAMES,
  INTERRUPTION_REASONS,
  canChangeFinding,
  findingStatusAfter,
  validateInterruptionReason,
  verdict,
  type FindingStatus,
} from './compliance-findings.js';
import {
  cachedImportDeadline,
  DEFAULT_TOLERANCES,
  evaluateActivity,
  type ComplianceActivity,
  type ComplianceFinding,
  type ComplianceInput,
  type ComplianceRecording,
  type ComplianceResult,
  type DeviceUse,
  type Interruption,
  type PreUseCheck,
} from './compliance.js';
import { localWallTime } from './compliance-sentences.js';
import { isAppError } from './errors.js';
import { epochToWallTime } from './file-names.js';
import { importDeadline } from './import-rules.js';
import { intersect, totalLength, union } from './intervals.js';

// 2025-03-10, Asia/Shanghai (UTC+8): the activity runs 09:00–10:00 local time.
const TZ = 'Asia/Shanghai';
const T0 = Date.UTC(2025, 2, 10, 1, 0, 0);
const MIN = 60_000;
const at = (m: number, s = 0) => T0 + m * MIN + s * 1000;
/** End of 2025-03-10 in Shanghai: the ordinary import deadline for the day (A13.1). */
const END_OF_DAY = Date.UTC(2025, 2, 10, 16, 0, 0);
/** 20:00 local, after the import at 11:00 and before the deadline. */
const EVENING = Date.UTC(2025, 2, 10, 12, 0, 0);

function activity(over: Partial<ComplianceActivity> = {}): ComplianceActivity {
  return {
    id: 'act-1',
    type: 'routine_inspection',
    status: 'completed',
    plannedAt: at(-60),
    arrivedAt: at(0),
    endedAt: at(60),
    remoteWork: false,
    returnedAt: null,
    officers: [
      { userId: 'u1', inCharge: true },
      { userId: 'u2', inCharge: false },
    ],
    deviceIds: ['d1'],
    notifiedAt: null,
    exemption: null,
    ...over,
  };
}

function rec(
  id: string,
  deviceId: string,
  from: number,
  to: number | null,
  over: Partial<ComplianceRecording> = {},
): ComplianceRecording {
  return {
    id,
    deviceId,
    holderId: deviceId === 'd2' ? 'u2' : 'u1',
    kind: 'video',
    start: from,
    end: to,
    speechAtStart: true,
    sequence: null,
    sequenceGroup: null,
    importedAt: at(120),
    importFindings: [],
    ...over,
  };
}

const check = (id: string, when: number, over: Partial<PreUseCheck> = {}): PreUseCheck => ({
  id,
  at: when,
  passed: true,
  clockOffsetMs: 1_000,
  failures: [],
  ...over,
});

const use = (deviceId: string, officerId: string, checks: PreUseCheck[], over: Partial<DeviceUse> = {}) => ({
  deviceId,
  checkoutId: `co-${deviceId}`,
  officerId,
  from: at(-30),
  to: null,
  checks,
  ...over,
});

/** A compliant activity: one device, checked before, recording the whole window with speech. */
function input(over: Partial<ComplianceInput> = {}): ComplianceInput {
  return {
    timeZone: TZ,
    activity: activity(),
    recordings: [rec('r1', 'd1', at(-1), at(61))],
    deviceUses: [use('d1', 'u1', [check('c1', at(-25))])],
    dockings: [{ deviceId: 'd1', firstImportAfterEndAt: at(120) }],
    markers: [],
    interruptions: [],
    ...over,
  };
}

const run = (i: ComplianceInput, now = EVENING, tol = DEFAULT_TOLERANCES) => evaluateActivity(i, tol, now);
const codes = (r: ComplianceResult) => r.findings.map((f) => f.code);
const find = (r: ComplianceResult, code: string): ComplianceFinding => {
  const f = r.findings.find((x) => x.code === code);
  if (!f) throw new Error(`no ${code} in ${codes(r).join(', ')}`);
  return f;
};
const interruption = (over: Partial<Interruption> = {}): Interruption => ({
  id: 'i1',
  gapFrom: at(20),
  gapTo: at(30),
  reason: 'low_battery',
  reasonText: null,
  spokenConfirmed: true,
  stoppedForGood: false,
  reportedAt: null,
  writtenExplanationAt: null,
  decision: null,
  ...over,
});
/** Two devices with a hole between 09:20 and 09:30. */
const withGap = (over: Partial<ComplianceRecording> = {}) => ({
  activity: activity({ deviceIds: ['d1', 'd2'] }),
  recordings: [rec('r1', 'd1', at(-1), at(20)), rec('r2', 'd2', at(30), at(61), over)],
  deviceUses: [use('d1', 'u1', [check('c1', at(-25))]), use('d2', 'u2', [check('c2', at(-25))])],
  dockings: [
    { deviceId: 'd1', firstImportAfterEndAt: at(120) },
    { deviceId: 'd2', firstImportAfterEndAt: at(120) },
  ],
});

describe('the compliant baseline', () => {
  it('a fully recorded, checked, docked activity has no findings and full coverage', () => {
    const r = run(input());
    expect(r.findings).toEqual([]);
    expect(r.carried).toEqual([]);
    expect(r.phase).toBe('final');
    expect(r.window).toEqual({ from: at(0), to: at(60) });
    expect(r.coverage).toEqual([{ from: at(0), to: at(60) }]);
    expect(r.coveredMs).toBe(60 * MIN);
    expect(r.windowMs).toBe(60 * MIN);
    expect(r.share).toBe(1);
    expect(r.uncovered).toEqual([]);
    expect(r.gaps).toEqual([]);
  });
});

describe('coverage (A9.1)', () => {
  it('overlapping devices: the team union covers the window once', () => {
    const r = run(
      input({
        activity: activity({ deviceIds: ['d1', 'd2'] }),
        recordings: [rec('r1', 'd1', at(0), at(40)), rec('r2', 'd2', at(30), at(60))],
        deviceUses: [use('d1', 'u1', [check('c1', at(-25))]), use('d2', 'u2', [check('c2', at(-25))])],
        dockings: [
          { deviceId: 'd1', firstImportAfterEndAt: at(120) },
          { deviceId: 'd2', firstImportAfterEndAt: at(120) },
        ],
      }),
    );
    expect(r.coverage).toEqual([{ from: at(0), to: at(60) }]);
    expect(r.coveredMs).toBe(60 * MIN);
    expect(r.findings).toEqual([]);
  });

  it('split files of one device within the tolerance are continuous; beyond it they leave a hole', () => {
    const within = run(
      input({ recordings: [rec('a', 'd1', at(-1), at(30)), rec('b', 'd1', at(30, 3), at(61))] }),
    );
    expect(within.coverage).toEqual([{ from: at(0), to: at(60) }]);
    expect(within.uncovered).toEqual([]);
    const beyond = run(
      input({ recordings: [rec('a', 'd1', at(-1), at(30)), rec('b', 'd1', at(30, 4), at(61))] }),
    );
    expect(beyond.uncovered).toEqual([{ from: at(30), to: at(30, 4) }]);
    expect(beyond.coveredMs).toBe(60 * MIN - 4000);
    // a short hole is not an interruption
    expect(beyond.gaps).toEqual([]);
  });

  it('the split tolerance joins files of one device only, never of two', () => {
    const r = run(
      input({
        activity: activity({ deviceIds: ['d1', 'd2'] }),
        recordings: [rec('a', 'd1', at(-1), at(30)), rec('b', 'd2', at(30, 2), at(61))],
        deviceUses: [use('d1', 'u1', [check('c1', at(-25))]), use('d2', 'u2', [check('c2', at(-25))])],
        dockings: [
          { deviceId: 'd1', firstImportAfterEndAt: at(120) },
          { deviceId: 'd2', firstImportAfterEndAt: at(120) },
        ],
      }),
    );
    expect(r.uncovered).toEqual([{ from: at(30), to: at(30, 2) }]);
  });

  it('photos, audio without duration and other files make no coverage; audio does', () => {
    const r = run(
      input({
        recordings: [
          rec('p', 'd1', at(5), null, { kind: 'photo' }),
          rec('o', 'd1', at(0), at(60), { kind: 'other' }),
          rec('x', 'd1', at(0), null, { kind: 'audio' }),
          rec('a', 'd1', at(10), at(20), { kind: 'audio' }),
        ],
      }),
    );
    expect(r.coverage).toEqual([{ from: at(10), to: at(20) }]);
  });

  it('a clock-corrected recording counts at its corrected time (inputs are corrected)', () => {
    // the device ran 45 s fast; the import stored start and end already corrected
    const r = run(input({ recordings: [rec('r1', 'd1', at(0, -45 + 45), at(60))] }));
    expect(r.coverage).toEqual([{ from: at(0), to: at(60) }]);
  });
});

describe('LATE_START and EARLY_STOP (A9.1)', () => {
  it('late start: exactly the tolerance is allowed, a second more is not', () => {
    expect(codes(run(input({ recordings: [rec('r1', 'd1', at(2), at(61))] })))).toEqual([]);
    const r = run(input({ recordings: [rec('r1', 'd1', at(2, 1), at(61))] }));
    expect(codes(r)).toEqual(['LATE_START']);
    expect(find(r, 'LATE_START')).toMatchObject({
      subjectType: 'activity',
      subjectId: 'act-1',
      key: 'LATE_START',
      article: 'A9.1',
      detail: { arrivedAt: at(0), startedAt: at(2, 1), lateByMs: 121_000 },
    });
    expect(find(r, 'LATE_START').detail.zh).toContain('09:02:01');
    expect(r.gaps).toEqual([]);
  });

  it('early stop: raises EARLY_STOP and, without a report, GAP_UNREPORTED (A11.3)', () => {
    expect(codes(run(input({ recordings: [rec('r1', 'd1', at(-1), at(58))] })))).toEqual([]);
    const r = run(input({ recordings: [rec('r1', 'd1', at(-1), at(57, 59))] }));
    expect(codes(r)).toEqual(['EARLY_STOP', 'GAP_UNREPORTED']);
    expect(find(r, 'EARLY_STOP').detail).toMatchObject({ stoppedAt: at(57, 59), earlyByMs: 121_000 });
    expect(find(r, 'GAP_UNREPORTED')).toMatchObject({ key: `GAP_UNREPORTED@${at(57, 59)}` });
  });

  it('an early stop reported to the department head is not GAP_UNREPORTED', () => {
    const r = run(
      input({
        recordings: [rec('r1', 'd1', at(-1), at(40))],
        interruptions: [
          interruption({ gapFrom: at(40), gapTo: at(60), stoppedForGood: true, reportedAt: at(41) }),
        ],
      }),
    );
    expect(codes(r)).toEqual(['EARLY_STOP']);
    expect(find(r, 'EARLY_STOP').detail.interruptionId).toBe('i1');
  });
});

describe('GAP, GAP_NO_SPEECH (A11.1, A11.2)', () => {
  it('a hole inside the activity is a gap, resumed by the recording that starts at its end', () => {
    const r = run(input(withGap()));
    expect(r.gaps).toEqual([
      { from: at(20), to: at(30), resumedByRecordingId: 'r2', speechAtResume: true, interruptionId: null },
    ]);
    expect(codes(r)).toEqual(['GAP']);
    expect(find(r, 'GAP')).toMatchObject({
      key: `GAP@${at(20)}`,
      subjectType: 'activity',
      detail: { from: at(20), to: at(30), durationMs: 10 * MIN, reason: null, interruptionId: null },
    });
    expect(find(r, 'GAP').detail.zh).toContain('09:20:00–09:30:00');
  });

  it('minGapMs: a hole of exactly the tolerance is not a gap, a millisecond more is', () => {
    const gapOf = (ms: number) =>
      run(
        input({
          recordings: [rec('a', 'd1', at(-1), at(20)), rec('b', 'd1', at(20) + ms, at(61))],
        }),
      );
    expect(gapOf(10_000).gaps).toEqual([]);
    expect(codes(gapOf(10_001))).toEqual(['GAP']);
  });

  it('resuming without speech raises GAP_NO_SPEECH on the resuming recording', () => {
    const r = run(input({ ...withGap({ speechAtStart: false }), interruptions: [interruption()] }));
    expect(codes(r)).toEqual(['GAP', 'GAP_NO_SPEECH']);
    expect(find(r, 'GAP_NO_SPEECH')).toMatchObject({
      subjectType: 'recording',
      subjectId: 'r2',
      key: `GAP_NO_SPEECH@${at(20)}`,
      article: 'A11.2',
      detail: { spokenConfirmed: true, interruptionId: 'i1' },
    });
    // the officer's confirmation is shown beside the system's measure
    expect(find(r, 'GAP_NO_SPEECH').detail.zh).toContain('执法人员确认已口头说明');
  });

  it('speech not yet measured: no GAP_NO_SPEECH yet', () => {
    expect(codes(run(input(withGap({ speechAtStart: null }))))).toEqual(['GAP']);
  });

  it('two devices resuming at the same instant: speech on either is enough', () => {
    const base = withGap({ speechAtStart: false });
    const r = run(
      input({
        ...base,
        recordings: [...base.recordings, rec('r3', 'd1', at(30), at(40), { speechAtStart: true })],
      }),
    );
    expect(r.gaps[0]!.resumedByRecordingId).toBe('r3');
    expect(codes(r)).toEqual(['GAP']);
  });

  it('the interruption record gives the gap its reason', () => {
    const r = run(
      input({
        ...withGap(),
        interruptions: [interruption({ reason: 'other', reasonText: '当事人要求暂停', gapFrom: at(21) })],
      }),
    );
    expect(r.gaps[0]!.interruptionId).toBe('i1');
    expect(find(r, 'GAP').detail).toMatchObject({
      reason: 'other',
      reasonText: '当事人要求暂停',
      decision: null,
      reportedAt: null,
    });
    expect(find(r, 'GAP').detail.zh).toContain('说明原因：其他：当事人要求暂停');
  });

  it('an interruption touching the gap explains it (officers type times to the minute)', () => {
    const r = run(input({ ...withGap(), interruptions: [interruption({ gapFrom: at(10), gapTo: at(20) })] }));
    expect(r.gaps[0]!.interruptionId).toBe('i1');
  });

  it('an interruption elsewhere in the activity does not explain this gap', () => {
    const r = run(input({ ...withGap(), interruptions: [interruption({ gapFrom: at(40), gapTo: at(45) })] }));
    expect(r.gaps[0]!.interruptionId).toBeNull();
  });
});

describe('GAP_UNREPORTED (A11.3)', () => {
  it('stopped for good without a report: flagged; with a report: not', () => {
    const stopped = interruption({ stoppedForGood: true, gapFrom: at(20), gapTo: at(30) });
    expect(codes(run(input({ ...withGap(), interruptions: [stopped] })))).toEqual(['GAP', 'GAP_UNREPORTED']);
    expect(codes(run(input({ ...withGap(), interruptions: [{ ...stopped, reportedAt: at(21) }] })))).toEqual([
      'GAP',
    ]);
  });

  it('is judged once the activity has ended, even before the devices are imported', () => {
    const r = run(
      input({
        dockings: [{ deviceId: 'd1', firstImportAfterEndAt: null }],
        recordings: [],
        interruptions: [interruption({ stoppedForGood: true, gapFrom: at(40), gapTo: at(60) })],
      }),
    );
    expect(r.phase).toBe('awaiting_import');
    expect(codes(r)).toEqual(['GAP_UNREPORTED']);
  });

  it('a stopped-for-good interruption over the early stop is flagged once', () => {
    const r = run(
      input({
        recordings: [rec('r1', 'd1', at(-1), at(40))],
        interruptions: [interruption({ stoppedForGood: true, gapFrom: at(40), gapTo: at(60) })],
      }),
    );
    expect(codes(r)).toEqual(['EARLY_STOP', 'GAP_UNREPORTED']);
    expect(find(r, 'GAP_UNREPORTED').detail.interruptionId).toBe('i1');
  });
});

describe('NOT_RECORDED and exemptions (A6.1, A7.2)', () => {
  it('nothing recorded: NOT_RECORDED, and no start, stop or gap findings on top', () => {
    const r = run(input({ recordings: [] }));
    expect(codes(r)).toEqual(['NOT_RECORDED']);
    expect(find(r, 'NOT_RECORDED')).toMatchObject({ severity: 'serious', key: 'NOT_RECORDED' });
    expect(r.share).toBe(0);
  });

  it('photos alone do not record an activity', () => {
    const r = run(
      input({
        recordings: [
          rec('p1', 'd1', at(5), null, { kind: 'photo' }),
          rec('p2', 'd1', at(6), at(6), { kind: 'photo' }),
        ],
      }),
    );
    expect(codes(r)).toEqual(['NOT_RECORDED']);
    expect(find(r, 'NOT_RECORDED').detail.photos).toBe(2);
  });

  it('a recording wholly outside [arrival, end] does not record it', () => {
    expect(codes(run(input({ recordings: [rec('r1', 'd1', at(-20), at(-5))] })))).toEqual(['NOT_RECORDED']);
  });

  it('approved exemption: recording was not required; no NOT_RECORDED and no coverage findings', () => {
    const approved = activity({ exemption: { id: 'e1', status: 'approved' } });
    expect(codes(run(input({ activity: approved, recordings: [] })))).toEqual([]);
    const gappy = run(
      input({ ...withGap({ speechAtStart: false }), activity: { ...approved, deviceIds: ['d1', 'd2'] } }),
    );
    expect(codes(gappy)).toEqual([]);
    // the timeline still shows the gap
    expect(gappy.gaps).toHaveLength(1);
  });

  it('pending exemption: EXEMPTION_PENDING instead of NOT_RECORDED', () => {
    const r = run(
      input({ activity: activity({ exemption: { id: 'e1', status: 'pending' } }), recordings: [] }),
    );
    expect(codes(r)).toEqual(['EXEMPTION_PENDING']);
    expect(find(r, 'EXEMPTION_PENDING')).toMatchObject({
      key: 'EXEMPTION_PENDING:e1',
      article: 'A7.2',
      detail: { exemptionId: 'e1' },
    });
  });

  it('rejected exemption and nothing recorded: NOT_RECORDED', () => {
    const r = run(
      input({ activity: activity({ exemption: { id: 'e1', status: 'rejected' } }), recordings: [] }),
    );
    expect(codes(r)).toEqual(['NOT_RECORDED']);
    expect(find(r, 'NOT_RECORDED').detail.exemptionRejected).toBe(true);
  });

  it('rejected exemption with a gap: judged like no exemption', () => {
    const base = withGap();
    const r = run(
      input({ ...base, activity: { ...base.activity, exemption: { id: 'e1', status: 'rejected' } } }),
    );
    expect(codes(r)).toEqual(['GAP']);
  });

  it('a pending exemption shows on a planned activity but not on a cancelled one', () => {
    const pending = { id: 'e1', status: 'pending' as const };
    const planned = activity({ status: 'planned', arrivedAt: null, endedAt: null, exemption: pending });
    expect(codes(run(input({ activity: planned, recordings: [] })))).toEqual(['EXEMPTION_PENDING']);
    const cancelled = { ...planned, status: 'cancelled' as const };
    expect(codes(run(input({ activity: cancelled, recordings: [] })))).toEqual([]);
  });
});

describe('NOTIFICATION_MISSING (A8.1)', () => {
  const silent = { recordings: [rec('r1', 'd1', at(-1), at(61), { speechAtStart: false })] };

  it('no marker and a silent start: missing', () => {
    const r = run(input(silent));
    expect(codes(r)).toEqual(['NOTIFICATION_MISSING']);
    expect(find(r, 'NOTIFICATION_MISSING').detail).toMatchObject({
      firstRecordingIds: ['r1'],
      windowEnd: at(3),
    });
  });

  it('a notification marker within the first minutes is enough, one after them is not', () => {
    const marker = (when: number) => ({
      id: 'm1',
      recordingId: 'r1',
      kind: 'notification' as const,
      at: when,
    });
    expect(codes(run(input({ ...silent, markers: [marker(at(3))] })))).toEqual([]);
    expect(codes(run(input({ ...silent, markers: [marker(at(3) + 1)] })))).toEqual(['NOTIFICATION_MISSING']);
    // other marker kinds do not count
    expect(codes(run(input({ ...silent, markers: [{ ...marker(at(1)), kind: 'evidence' }] })))).toEqual([
      'NOTIFICATION_MISSING',
    ]);
  });

  it('the window runs from the first recording when it starts after the arrival', () => {
    const late = { recordings: [rec('r1', 'd1', at(1), at(61), { speechAtStart: false })] };
    const marker = { id: 'm1', recordingId: 'r1', kind: 'notification' as const, at: at(3, 30) };
    expect(codes(run(input({ ...late, markers: [marker] })))).toEqual([]);
  });

  it("the activity's notified-at record counts like a marker", () => {
    expect(codes(run(input({ ...silent, activity: activity({ notifiedAt: at(1) }) })))).toEqual([]);
    expect(codes(run(input({ ...silent, activity: activity({ notifiedAt: at(30) }) })))).toEqual([
      'NOTIFICATION_MISSING',
    ]);
  });

  it('speech at the start, or speech not yet measured, raises nothing', () => {
    expect(codes(run(input()))).toEqual([]);
    expect(
      codes(run(input({ recordings: [rec('r1', 'd1', at(-1), at(61), { speechAtStart: null })] }))),
    ).toEqual([]);
  });

  it('the first recordings of the team: speech on any one of them is enough', () => {
    const r = run(
      input({
        ...withGap(),
        recordings: [
          rec('r1', 'd1', at(-1), at(61), { speechAtStart: false }),
          rec('r2', 'd2', at(-1, 2), at(61), { speechAtStart: true }),
        ],
      }),
    );
    expect(codes(r)).toEqual([]);
  });
});

describe('PRECHECK_MISSING and CLOCK_OFFSET (A5.1)', () => {
  it('a use with no check before it', () => {
    const r = run(input({ deviceUses: [use('d1', 'u1', [])] }));
    expect(codes(r)).toEqual(['PRECHECK_MISSING']);
    expect(find(r, 'PRECHECK_MISSING')).toMatchObject({
      subjectType: 'device',
      subjectId: 'd1',
      key: 'PRECHECK_MISSING:d1:co-d1',
      detail: { reason: 'NONE', laterCheckAt: null, useFrom: at(0) },
    });
  });

  it('a check up to lateStartMs after the start counts; a later one does not', () => {
    expect(codes(run(input({ deviceUses: [use('d1', 'u1', [check('c1', at(2))])] })))).toEqual([]);
    const r = run(input({ deviceUses: [use('d1', 'u1', [check('c1', at(2, 1))])] }));
    expect(codes(r)).toEqual(['PRECHECK_MISSING']);
    expect(find(r, 'PRECHECK_MISSING').detail.laterCheckAt).toBe(at(2, 1));
  });

  it('a device that recorded on the activity without any check-out', () => {
    const r = run(input({ deviceUses: [] }));
    expect(find(r, 'PRECHECK_MISSING')).toMatchObject({
      key: 'PRECHECK_MISSING:d1',
      detail: { reason: 'NO_CHECKOUT' },
    });
  });

  it('a failed check (battery, storage) with the device used anyway', () => {
    const failed = check('c1', at(-25), { passed: false, failures: ['BATTERY_LOW'] });
    const r = run(input({ deviceUses: [use('d1', 'u1', [failed])] }));
    expect(codes(r)).toEqual(['PRECHECK_MISSING']);
    expect(find(r, 'PRECHECK_MISSING').detail).toMatchObject({ reason: 'FAILED', failures: ['BATTERY_LOW'] });
    expect(find(r, 'PRECHECK_MISSING').detail.zh).toContain('电量不足');
    // corrected and checked again before the start: fine
    const again = check('c2', at(-20));
    expect(codes(run(input({ deviceUses: [use('d1', 'u1', [failed, again])] })))).toEqual([]);
  });

  it('clock offset beyond the tolerance, either way; exactly the tolerance passes', () => {
    const withOffset = (ms: number, failures: string[] = []) =>
      run(
        input({
          deviceUses: [
            use('d1', 'u1', [
              check('c1', at(-25), { clockOffsetMs: ms, failures, passed: !failures.length }),
            ]),
          ],
        }),
      );
    expect(codes(withOffset(30_000))).toEqual([]);
    const ahead = withOffset(30_001, ['CLOCK_OFFSET']);
    expect(codes(ahead)).toEqual(['CLOCK_OFFSET']);
    expect(find(ahead, 'CLOCK_OFFSET')).toMatchObject({
      key: 'CLOCK_OFFSET:d1:c1',
      detail: { offsetMs: 30_001 },
    });
    expect(find(withOffset(-45_000), 'CLOCK_OFFSET').detail.zh).toContain('慢 45 秒');
  });

  it('the clock tolerance is configuration', () => {
    const r = evaluateActivity(
      input({ deviceUses: [use('d1', 'u1', [check('c1', at(-25), { clockOffsetMs: 20_000 })])] }),
      { ...DEFAULT_TOLERANCES, clockOffsetMs: 10_000 },
      EVENING,
    );
    expect(codes(r)).toEqual(['CLOCK_OFFSET']);
  });

  it('a hand-over mid-activity: each use needs its own check', () => {
    const r = run(
      input({
        deviceUses: [
          use('d1', 'u1', [check('c1', at(-25))], { checkoutId: 'co-a', to: at(30) }),
          use('d1', 'u2', [], { checkoutId: 'co-b', from: at(30) }),
        ],
      }),
    );
    expect(r.findings.map((f) => f.key)).toEqual(['PRECHECK_MISSING:d1:co-b']);
    expect(find(r, 'PRECHECK_MISSING').detail).toMatchObject({ officerId: 'u2', useFrom: at(30) });
  });

  it("an earlier check-out that ended before the arrival is not this activity's use", () => {
    const r = run(
      input({
        deviceUses: [
          use('d1', 'u1', [], { checkoutId: 'co-old', from: at(-24 * 60), to: at(-23 * 60) }),
          use('d1', 'u1', [check('c1', at(-25))]),
        ],
      }),
    );
    expect(codes(r)).toEqual([]);
  });

  it('an attached device with a check-out but no recordings still needs its check', () => {
    const r = run(
      input({
        activity: activity({ deviceIds: ['d1', 'd9'] }),
        deviceUses: [use('d1', 'u1', [check('c1', at(-25))]), use('d9', 'u2', [])],
        dockings: [
          { deviceId: 'd1', firstImportAfterEndAt: at(120) },
          { deviceId: 'd9', firstImportAfterEndAt: at(120) },
        ],
      }),
    );
    expect(r.findings.map((f) => f.key)).toEqual(['PRECHECK_MISSING:d9:co-d9']);
  });
});

describe('AFTER_ACTIVITY (A11.4)', () => {
  it('a recording starting after the end beyond the tolerance', () => {
    const after = (m: number, s = 0) =>
      run(input({ recordings: [rec('r1', 'd1', at(-1), at(61)), rec('r9', 'd1', at(m, s), at(m + 5))] }));
    expect(codes(after(62))).toEqual([]);
    const r = after(62, 1);
    expect(codes(r)).toEqual(['AFTER_ACTIVITY']);
    expect(find(r, 'AFTER_ACTIVITY')).toMatchObject({
      subjectType: 'recording',
      subjectId: 'r9',
      key: 'AFTER_ACTIVITY:r9',
      detail: { afterMs: 121_000 },
    });
  });

  it('photos count; a recording that merely runs past the end does not', () => {
    const r = run(
      input({
        recordings: [rec('r1', 'd1', at(-1), at(75)), rec('p1', 'd1', at(70), null, { kind: 'photo' })],
      }),
    );
    expect(r.findings.map((f) => f.key)).toEqual(['AFTER_ACTIVITY:p1']);
  });
});

describe('LATE_IMPORT and NOT_DOCKED (A13.1)', () => {
  it('ordinary work: imported by the end of the local day is in time, a millisecond later is late', () => {
    const imported = (t: number) =>
      run(
        input({ recordings: [rec('r1', 'd1', at(-1), at(61), { importedAt: t })] }),
        END_OF_DAY + 2 * 86_400_000,
      );
    expect(codes(imported(END_OF_DAY))).toEqual([]);
    const r = imported(END_OF_DAY + 1);
    expect(codes(r)).toEqual(['LATE_IMPORT']);
    expect(find(r, 'LATE_IMPORT')).toMatchObject({
      subjectType: 'recording',
      subjectId: 'r1',
      key: 'LATE_IMPORT:r1',
      detail: { deadline: END_OF_DAY, remote: false },
    });
    expect(find(r, 'LATE_IMPORT').detail.zh).toContain('2025-03-11 00:00');
  });

  it('remote work: no deadline until the return is recorded, then 24 hours after it', () => {
    const week = at(7 * 24 * 60);
    const remote = activity({ remoteWork: true });
    const r1 = run(
      input({ activity: remote, recordings: [rec('r1', 'd1', at(-1), at(61), { importedAt: week })] }),
      week,
    );
    expect(codes(r1)).toEqual([]);
    const returned = at(3 * 24 * 60);
    const back = activity({ remoteWork: true, returnedAt: returned });
    const inTime = run(
      input({
        activity: back,
        recordings: [rec('r1', 'd1', at(-1), at(61), { importedAt: returned + 86_400_000 })],
      }),
      week,
    );
    expect(codes(inTime)).toEqual([]);
    const late = run(
      input({
        activity: back,
        recordings: [rec('r1', 'd1', at(-1), at(61), { importedAt: returned + 86_400_001 })],
      }),
      week,
    );
    expect(codes(late)).toEqual(['LATE_IMPORT']);
    expect(find(late, 'LATE_IMPORT').detail).toMatchObject({ deadline: returned + 86_400_000, remote: true });
  });

  it('property: the memoised deadline equals importDeadline, in zones with odd offsets too', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom('Asia/Shanghai', 'Asia/Kathmandu', 'Australia/Adelaide', 'America/New_York'),
        fc.boolean(),
        fc.option(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) })),
        (recordingEnd, timeZone, remote, returnedAt) => {
          const i = { recordingEnd, timeZone, remote, returnedAt };
          expect(cachedImportDeadline(i)).toBe(importDeadline(i));
        },
      ),
      { numRuns: 300 },
    );
    // the last instant of a local day and the first of the next
    const i = { timeZone: TZ, remote: false, returnedAt: null };
    expect(cachedImportDeadline({ ...i, recordingEnd: END_OF_DAY - 1 })).toBe(END_OF_DAY);
    expect(cachedImportDeadline({ ...i, recordingEnd: END_OF_DAY })).toBe(END_OF_DAY + 86_400_000);
  });

  it('a used device not imported by the deadline: NOT_DOCKED, judged against now', () => {
    const i = input({
      activity: activity({ deviceIds: ['d1', 'd2'] }),
      deviceUses: [use('d1', 'u1', [check('c1', at(-25))]), use('d2', 'u2', [check('c2', at(-25))])],
      dockings: [{ deviceId: 'd1', firstImportAfterEndAt: at(120) }],
    });
    const before = run(i, END_OF_DAY);
    expect(before.phase).toBe('awaiting_import');
    expect(codes(before)).toEqual([]);
    const after = run(i, END_OF_DAY + 1);
    expect(after.phase).toBe('final');
    expect(codes(after)).toEqual(['NOT_DOCKED']);
    expect(find(after, 'NOT_DOCKED')).toMatchObject({
      subjectType: 'device',
      subjectId: 'd2',
      key: 'NOT_DOCKED:d2',
      detail: { deadline: END_OF_DAY, dockedAt: null },
    });
  });

  it('docked late: NOT_DOCKED stays, with the docking time; docked in time: nothing', () => {
    const docked = (t: number) =>
      run(
        input({
          recordings: [],
          dockings: [{ deviceId: 'd1', firstImportAfterEndAt: t }],
          activity: activity({ exemption: { id: 'e', status: 'approved' } }),
        }),
        END_OF_DAY + 86_400_000,
      );
    expect(codes(docked(END_OF_DAY))).toEqual([]);
    expect(find(docked(END_OF_DAY + 5), 'NOT_DOCKED').detail.dockedAt).toBe(END_OF_DAY + 5);
  });

  it("a recording of the activity imported after the end proves the device's docking", () => {
    const r = run(input({ dockings: [] }), END_OF_DAY + 86_400_000);
    expect(codes(r)).toEqual([]);
  });

  it('an import during the activity does not count as docking after it', () => {
    const r = run(
      input({ recordings: [rec('r1', 'd1', at(-1), at(61), { importedAt: at(30) })], dockings: [] }),
      END_OF_DAY + 1,
    );
    expect(codes(r)).toEqual(['NOT_DOCKED']);
  });

  it('remote work without a return: the import may still come, nothing is judged on coverage yet', () => {
    const r = run(
      input({ activity: activity({ remoteWork: true }), recordings: [], dockings: [] }),
      at(30 * 24 * 60),
    );
    expect(r.phase).toBe('awaiting_import');
    expect(codes(r)).toEqual([]);
  });
});

describe('phases: planned, in progress, cancelled, awaiting import', () => {
  it('planned: no window, no findings', () => {
    const r = run(
      input({ activity: activity({ status: 'planned', arrivedAt: null, endedAt: null }), recordings: [] }),
    );
    expect(r).toMatchObject({ phase: 'not_started', window: null, share: null, findings: [], gaps: [] });
  });

  it('in progress: coverage up to now for the timeline, but no coverage findings yet', () => {
    const now = at(30);
    const r = run(
      input({
        activity: activity({ status: 'in_progress', endedAt: null }),
        recordings: [rec('r1', 'd1', at(5), at(10), { speechAtStart: false })],
        deviceUses: [use('d1', 'u1', [])],
        dockings: [],
      }),
      now,
    );
    expect(r.phase).toBe('under_way');
    expect(r.window).toEqual({ from: at(0), to: now });
    expect(r.coveredMs).toBe(5 * MIN);
    expect(r.share).toBeCloseTo(1 / 6);
    // the pre-use check is already due
    expect(codes(r)).toEqual(['PRECHECK_MISSING']);
  });

  it('completed but a device may still be imported: coverage findings wait', () => {
    const r = run(
      input({ recordings: [], dockings: [{ deviceId: 'd1', firstImportAfterEndAt: null }] }),
      EVENING,
    );
    expect(r.phase).toBe('awaiting_import');
    expect(codes(r)).toEqual([]);
    // once the deadline passes, NOT_DOCKED and the coverage findings are judged
    expect(codes(run(input({ recordings: [], dockings: [] }), END_OF_DAY + 1))).toEqual([
      'NOT_RECORDED',
      'NOT_DOCKED',
    ]);
  });

  it('cancelled: no device or coverage findings; recordings still owe their import', () => {
    const r = run(
      input({
        activity: activity({ status: 'cancelled', endedAt: null }),
        recordings: [rec('r1', 'd1', at(-1), at(10), { importedAt: END_OF_DAY + 1 })],
        deviceUses: [use('d1', 'u1', [])],
      }),
      END_OF_DAY + 1,
    );
    expect(r.phase).toBe('cancelled');
    expect(r.window).toBeNull();
    expect(codes(r)).toEqual(['LATE_IMPORT']);
  });

  it('empty inputs: an activity with nothing else is not recorded', () => {
    const r = evaluateActivity(
      { timeZone: TZ, activity: activity({ deviceIds: [] }) },
      DEFAULT_TOLERANCES,
      EVENING,
    );
    expect(r.phase).toBe('final');
    expect(codes(r)).toEqual(['NOT_RECORDED']);
    expect(r.lanes).toEqual([]);
    expect(r.carried).toEqual([]);
  });
});

describe('carried import-time findings (A11.4, A19.1, A21.1)', () => {
  it('carries HOLDER_MISMATCH, EDITED, UNREADABLE and CLOCK_OFFSET; not LATE_IMPORT or DUPLICATE', () => {
    const r = run(
      input({
        recordings: [
          rec('r1', 'd1', at(-1), at(61), {
            importFindings: [
              { id: 'f1', code: 'HOLDER_MISMATCH' },
              { id: 'f2', code: 'EDITED' },
              { id: 'f3', code: 'LATE_IMPORT' },
              { id: 'f4', code: 'DUPLICATE' },
              { id: 'f5', code: 'CLOCK_OFFSET' },
            ],
          }),
          rec('r2', 'd1', at(10), null, {
            kind: 'other',
            importFindings: [{ id: 'f6', code: 'UNREADABLE' }],
          }),
        ],
      }),
    );
    expect(r.carried.map((c) => [c.findingId, c.code, c.subjectId])).toEqual([
      ['f1', 'HOLDER_MISMATCH', 'r1'],
      ['f2', 'EDITED', 'r1'],
      ['f5', 'CLOCK_OFFSET', 'r1'],
      ['f6', 'UNREADABLE', 'r2'],
    ]);
    expect(r.carried[0]).toMatchObject({
      article: 'A21.1(2)',
      severity: 'warning',
      subjectType: 'recording',
    });
    expect(r.findings).toEqual([]);
  });

  it("a device's missing file numbers within or next to this activity's files", () => {
    const files = [
      rec('r1', 'd1', at(-1), at(30), { sequence: 10, sequenceGroup: 'V' }),
      rec('r2', 'd1', at(30), at(61), { sequence: 13, sequenceGroup: 'V' }),
    ];
    const gap = (from: number, to: number, group: string | null = 'V') => ({
      findingId: `s${from}${group ?? ''}`,
      deviceId: 'd1',
      group,
      from,
      to,
    });
    const r = run(
      input({
        recordings: files,
        sequenceGaps: [gap(11, 12), gap(14, 20), gap(5, 9), gap(2, 8), gap(30, 31), gap(11, 12, 'A')],
      }),
    );
    expect(r.carried.map((c) => c.findingId)).toEqual(['s11V', 's14V', 's5V']);
    expect(r.carried[0]).toMatchObject({ code: 'SEQUENCE_GAP', subjectType: 'device', subjectId: 'd1' });
  });
});

describe('lanes and markers (the timeline)', () => {
  it('one lane per device and officer: split files joined, photos as points, markers on their file', () => {
    const r = run(
      input({
        activity: activity({ deviceIds: ['d1', 'd2'] }),
        recordings: [
          rec('a', 'd1', at(0), at(30)),
          rec('b', 'd1', at(30, 2), at(60)),
          rec('p', 'd1', at(12), null, { kind: 'photo' }),
          rec('c', 'd2', at(10), at(20), { holderId: null }),
        ],
        deviceUses: [use('d1', 'u1', [check('c1', at(-25))]), use('d2', 'u2', [check('c2', at(-25))])],
        markers: [
          { id: 'm2', recordingId: 'c', kind: 'questioning', at: at(15) },
          { id: 'm1', recordingId: 'a', kind: 'notification', at: at(0, 20) },
        ],
      }),
    );
    expect(r.lanes).toEqual([
      {
        deviceId: 'd1',
        officerId: 'u1',
        segments: [{ from: at(0), to: at(60), recordingIds: ['a', 'b'] }],
        points: [{ recordingId: 'p', kind: 'photo', at: at(12) }],
        markers: [{ id: 'm1', recordingId: 'a', kind: 'notification', at: at(0, 20) }],
      },
      {
        // no holder on the file: the officer of the check-out at the time
        deviceId: 'd2',
        officerId: 'u2',
        segments: [{ from: at(10), to: at(20), recordingIds: ['c'] }],
        points: [],
        markers: [{ id: 'm2', recordingId: 'c', kind: 'questioning', at: at(15) }],
      },
    ]);
  });

  it('a device handed to another officer shows as two lanes', () => {
    const r = run(
      input({
        recordings: [rec('a', 'd1', at(0), at(30)), rec('b', 'd1', at(30), at(60), { holderId: 'u2' })],
      }),
    );
    expect(r.lanes.map((l) => [l.deviceId, l.officerId])).toEqual([
      ['d1', 'u1'],
      ['d1', 'u2'],
    ]);
    expect(r.officersWithoutLane).toEqual([]);
    // the baseline: u2 recorded nothing
    expect(run(input()).officersWithoutLane).toEqual(['u2']);
    expect(r.coverage).toEqual([{ from: at(0), to: at(60) }]);
  });
});

describe('determinism and keys', () => {
  function busy(): ComplianceInput {
    return input({
      activity: activity({ deviceIds: ['d1', 'd2', 'd3'] }),
      recordings: [
        rec('r1', 'd1', at(3), at(20), { speechAtStart: false }),
        rec('r2', 'd2', at(30), at(40), { speechAtStart: false }),
        rec('r3', 'd1', at(45), at(50), { importedAt: END_OF_DAY + 9 }),
        rec('r4', 'd2', at(70), at(75)),
        rec('p1', 'd1', at(10), null, { kind: 'photo' }),
      ],
      deviceUses: [
        use('d1', 'u1', [check('c1', at(-25), { clockOffsetMs: -60_000 })]),
        use('d2', 'u2', []),
        use('d3', 'u2', [check('c3', at(-20), { passed: false, failures: ['STORAGE_LOW'] })]),
      ],
      dockings: [{ deviceId: 'd1', firstImportAfterEndAt: at(120) }],
      markers: [{ id: 'm1', recordingId: 'r1', kind: 'evidence', at: at(5) }],
      interruptions: [interruption({ id: 'i2', gapFrom: at(41), gapTo: at(44) }), interruption()],
    });
  }

  it('a busy activity: every rule that applies, each once, keys unique', () => {
    const r = run(busy(), END_OF_DAY + 86_400_000);
    expect(r.findings.map((f) => f.key)).toEqual([
      'PRECHECK_MISSING:d2:co-d2',
      'PRECHECK_MISSING:d3:co-d3',
      'CLOCK_OFFSET:d1:c1',
      'NOTIFICATION_MISSING',
      'LATE_START',
      'EARLY_STOP',
      `GAP@${at(20)}`,
      `GAP@${at(40)}`,
      `GAP_NO_SPEECH@${at(20)}`,
      `GAP_UNREPORTED@${at(50)}`,
      'AFTER_ACTIVITY:r4',
      'LATE_IMPORT:r3',
      // d2 is docked: its recordings came in after the end
      'NOT_DOCKED:d3',
    ]);
    expect(new Set(r.findings.map((f) => f.key)).size).toBe(r.findings.length);
    expect(r.gaps.map((g) => g.interruptionId)).toEqual(['i1', 'i2']);
    for (const f of r.findings) {
      expect(f.article).toBe(FINDING_CODES[f.code].article);
      expect(f.detail.zh.length).toBeGreaterThan(0);
      expect(f.detail.en.length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(f.detail))).toEqual(f.detail);
    }
  });

  it('out-of-order inputs give the same result, and a recompute the same keys', () => {
    const i = busy();
    const reversed: ComplianceInput = {
      ...i,
      recordings: [...i.recordings!].reverse(),
      deviceUses: [...i.deviceUses!].reverse(),
      markers: [...i.markers!].reverse(),
      interruptions: [...i.interruptions!].reverse(),
      activity: { ...i.activity, deviceIds: [...i.activity.deviceIds].reverse() },
    };
    const now = END_OF_DAY + 86_400_000;
    expect(run(reversed, now)).toEqual(run(i, now));
  });

  it('property: coverage and holes partition the window; gaps are long holes; order never matters', () => {
    const aRecording = fc.record({
      device: fc.constantFrom('d1', 'd2', 'd3'),
      from: fc.integer({ min: -10, max: 70 }),
      len: fc.integer({ min: 0, max: 30 }),
      kind: fc.constantFrom('video' as const, 'audio' as const, 'photo' as const),
      speech: fc.constantFrom(true, false, null),
    });
    fc.assert(
      fc.property(fc.array(aRecording, { maxLength: 8 }), (specs) => {
        const recordings = specs.map((x, k) =>
          rec(`r${k}`, x.device, at(x.from), at(x.from + x.len), { kind: x.kind, speechAtStart: x.speech }),
        );
        const i = input({ activity: activity({ deviceIds: ['d1', 'd2', 'd3'] }), recordings, dockings: [] });
        // past the import deadline, so the coverage is judged whatever was docked
        const r = run(i, END_OF_DAY + 1);
        expect(r.phase).toBe('final');
        expect(r.coveredMs + totalLength(r.uncovered)).toBe(r.windowMs);
        expect(intersect(r.coverage, r.uncovered)).toEqual([]);
        expect(union(r.coverage, r.uncovered)).toEqual(r.windowMs ? [r.window] : []);
        for (const g of r.gaps) {
          expect(r.uncovered).toContainEqual({ from: g.from, to: g.to });
          expect(g.to - g.from).toBeGreaterThan(DEFAULT_TOLERANCES.minGapMs);
        }
        expect(codes(r).includes('NOT_RECORDED')).toBe(r.coveredMs === 0);
        expect(new Set(r.findings.map((f) => f.key)).size).toBe(r.findings.length);
        expect(run({ ...i, recordings: [...recordings].reverse() }, END_OF_DAY + 1)).toEqual(r);
      }),
    );
  });

  it('an interruption typed with its times reversed is read the right way round', () => {
    const r = run(input({ ...withGap(), interruptions: [interruption({ gapFrom: at(30), gapTo: at(20) })] }));
    expect(r.gaps[0]!.interruptionId).toBe('i1');
  });
});

// ─── Vocabulary, statuses, verdict ─────────────────────────────────────────────────

describe('local times in the sentences', () => {
  it('property: the memoised wall time equals epochToWallTime, across DST changes too', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom('Asia/Shanghai', 'Asia/Kathmandu', 'Europe/Berlin', 'America/New_York'),
        (t, tz) => {
          expect(localWallTime(t, tz)).toBe(epochToWallTime(t, tz));
        },
      ),
      { numRuns: 300 },
    );
    // the hour Berlin's clocks go forward (2025-03-30 01:00 UTC)
    const change = Date.UTC(2025, 2, 30, 1, 0, 0);
    expect(localWallTime(change - 1, 'Europe/Berlin')).toBe('2025-03-30T01:59:59.999');
    expect(localWallTime(change, 'Europe/Berlin')).toBe('2025-03-30T03:00:00.000');
  });
});

describe('the finding code table', () => {
  it('every code has names, a severity, and its article first among its articles', () => {
    for (const code of FINDING_CODE_LIST) {
      const info = FINDING_CODES[code];
      expect(info.zh).toMatch(/\p{Script=Han}/u);
      expect(info.en).toMatch(/^[A-Z]/);
      expect(['info', 'warning', 'serious']).toContain(info.severity);
      if (info.articles.length) expect(info.articles[0]).toBe(info.article);
    }
    expect(FINDING_CODES.HOLDER_MISMATCH.article).toBe('A21.1(2)');
    for (const c of CARRIED_CODES) expect(FINDING_CODE_LIST).toContain(c);
  });
});

describe('interruption reasons (A11.1)', () => {
  it('the list, in the regulation order, with zh and en names', () => {
    expect(INTERRUPTION_REASONS.map((r) => INTERRUPTION_REASON_NAMES[r].zh)).toEqual([
      '设备故障',
      '设备损坏',
      '天气恶劣',
      '电量不足',
      '存储空间不足',
      '检查场所变化',
      '其他',
    ]);
  });

  it('accepts a listed reason, with or without text; trims', () => {
    expect(validateInterruptionReason('low_battery', null)).toEqual({ reason: 'low_battery', text: null });
    expect(validateInterruptionReason('venue_change', '  转至仓库  ')).toEqual({
      reason: 'venue_change',
      text: '转至仓库',
    });
    expect(validateInterruptionReason('other', '当事人情绪激动')).toEqual({
      reason: 'other',
      text: '当事人情绪激动',
    });
  });

  it.each([
    ['other', null, 'INTERRUPTION_REASON_TEXT_REQUIRED'],
    ['other', '   ', 'INTERRUPTION_REASON_TEXT_REQUIRED'],
    ['lunch', 'x', 'INTERRUPTION_REASON_INVALID'],
    ['low_battery', 'x'.repeat(1001), 'INTERRUPTION_REASON_TEXT_TOO_LONG'],
  ])('refuses %s / %j with %s', (reason, text, code) => {
    try {
      validateInterruptionReason(reason, text);
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe(code);
      if (isAppError(e)) {
        expect(e.status).toBe(400);
        expect(e.messages.zh).toMatch(/\p{Script=Han}/u);
      }
    }
  });
});

describe('finding status transitions', () => {
  it('open → explained → accepted; explained → open on rejection; open/explained → violation', () => {
    expect(findingStatusAfter('open', 'explain')).toBe('explained');
    expect(findingStatusAfter('explained', 'accept')).toBe('accepted');
    expect(findingStatusAfter('explained', 'reject')).toBe('open');
    expect(findingStatusAfter('open', 'record_violation')).toBe('violation');
    expect(findingStatusAfter('explained', 'record_violation')).toBe('violation');
  });

  it.each([
    ['open', 'accept'],
    ['open', 'reject'],
    ['explained', 'explain'],
    ['accepted', 'reject'],
    ['accepted', 'record_violation'],
    ['violation', 'accept'],
  ] as const)('refuses %s → %s', (from, act) => {
    try {
      findingStatusAfter(from, act);
      expect.unreachable();
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('FINDING_STATUS_INVALID');
      expect(isAppError(e) && e.status).toBe(409);
    }
  });

  it('canChangeFinding agrees with the table and accepted and violation are final', () => {
    const allowed = FINDING_STATUSES.flatMap((f) =>
      FINDING_STATUSES.filter((t) => canChangeFinding(f, t)).map((t) => `${f}>${t}`),
    );
    expect(allowed.sort()).toEqual(
      [
        'explained>accepted',
        'explained>open',
        'explained>violation',
        'open>explained',
        'open>violation',
      ].sort(),
    );
  });
});

describe('verdict', () => {
  const f = (code: string, status: FindingStatus = 'open') => ({ code, status });

  it('no findings, or only accepted or noted ones: compliant', () => {
    expect(verdict([])).toEqual({ verdict: 'compliant', reasons: [] });
    expect(verdict([f('GAP', 'accepted'), f('NOT_RECORDED', 'accepted'), f('DUPLICATE')]).verdict).toBe(
      'compliant',
    );
  });

  it('an open or explained finding that can be explained: awaiting explanation', () => {
    for (const status of ['open', 'explained'] as const) {
      const v = verdict([f('GAP', status)]);
      expect(v.verdict).toBe('awaiting_explanation');
      expect(v.reasons).toEqual([
        {
          code: 'GAP',
          articles: ['A11.1', 'A9.1'],
          status,
          effect: 'awaiting_explanation',
          count: 1,
          zh: '记录中断',
          en: 'Interruption',
        },
      ]);
    }
  });

  it.each(['NOT_RECORDED', 'GAP_NO_SPEECH', 'GAP_UNREPORTED', 'SEQUENCE_GAP', 'EDITED', 'FIXITY_FAILED'])(
    '%s is non-compliant until accepted, explained or not',
    (code) => {
      expect(verdict([f(code)]).verdict).toBe('non_compliant');
      expect(verdict([f(code, 'explained')]).verdict).toBe('non_compliant');
      expect(verdict([f(code, 'accepted')]).verdict).toBe('compliant');
    },
  );

  it('a violation of any code is non-compliant', () => {
    expect(verdict([f('LATE_IMPORT', 'violation')]).verdict).toBe('non_compliant');
  });

  it('explaining and accepting a gap moves the verdict to compliant', () => {
    expect(verdict([f('GAP'), f('LATE_IMPORT', 'accepted')]).verdict).toBe('awaiting_explanation');
    expect(verdict([f('GAP', 'accepted'), f('LATE_IMPORT', 'accepted')]).verdict).toBe('compliant');
  });

  it('reasons: grouped and counted, non-compliant first, then in table order', () => {
    const v = verdict([f('LATE_IMPORT'), f('GAP'), f('GAP'), f('EDITED'), f('GAP', 'explained'), f('XYZ')]);
    expect(v.verdict).toBe('non_compliant');
    expect(v.reasons.map((r) => [r.code, r.status, r.count, r.effect])).toEqual([
      ['EDITED', 'open', 1, 'non_compliant'],
      ['GAP', 'open', 2, 'awaiting_explanation'],
      ['GAP', 'explained', 1, 'awaiting_explanation'],
      ['LATE_IMPORT', 'open', 1, 'awaiting_explanation'],
      ['XYZ', 'open', 1, 'awaiting_explanation'],
    ]);
    expect(v.reasons[0]!.articles).toEqual(['A11.4', 'A21.1(5)']);
  });

  it("the engine's output feeds the verdict: a planted gap without speech is non-compliant", () => {
    const r = run(input({ ...withGap({ speechAtStart: false }) }));
    const all = [...r.findings.map((x) => f(x.code)), ...r.carried.map((x) => f(x.code))];
    expect(verdict(all).verdict).toBe('non_compliant');
    const withSpeech = run(input(withGap()));
    expect(verdict(withSpeech.findings.map((x) => f(x.code))).verdict).toBe('awaiting_explanation');
  });
});
