// The compliance engine (A5.1, A6.1, A7.2, A8.1, A9.1, A11.1–A11.4, A13.1): from one
// activity, its linked recordings, the devices' check-outs and checks, the markers and the
// officers' interruption records, it computes the team's coverage of [arrival, end], the
// timeline lanes, the gaps, and the findings. Pure: no I/O and no clock (`now` is given),
// so a recompute with the same inputs gives the same result, and every finding carries a
// stable key by which the service matches it to the one it stored before.
//
// Phases. Recordings reach zhilu only when a device is imported, usually after the
// activity. Judging coverage earlier would call every activity unrecorded, so:
// - planned (not_started) and cancelled: only the recordings' own findings (LATE_IMPORT,
//   carried import-time findings) and, before cancellation, EXEMPTION_PENDING;
// - in progress (under_way): coverage up to `now` for the timeline, and the findings that
//   do not depend on the recordings being complete (PRECHECK_MISSING, CLOCK_OFFSET,
//   EXEMPTION_PENDING);
// - completed while a device used on it may still be imported within its deadline
//   (awaiting_import): also AFTER_ACTIVITY, NOT_DOCKED and GAP_UNREPORTED for stops the
//   officers recorded themselves;
// - completed with every used device imported since the end, or past its deadline (final):
//   the coverage findings too — NOT_RECORDED, LATE_START, EARLY_STOP, GAP, GAP_NO_SPEECH,
//   NOTIFICATION_MISSING, and GAP_UNREPORTED for an early stop.
// Coverage findings apply only when A6.1 requires recording and no exemption is approved
// or awaiting review (a pending one raises EXEMPTION_PENDING instead; a rejected one counts
// as none). Device, import and integrity findings apply whatever the exemption: recordings
// that were made must still be checked, imported and kept whole.
//
// Tolerances are inclusive: a delay, gap or offset of exactly the tolerance is allowed.
// Import-time LATE_IMPORT rows are not carried: the engine recomputes LATE_IMPORT with the
// activity's remote flag and return time, which may be recorded after the import.
import { recordingRequired } from './activity.js';
import {
  CARRIED_CODES,
  FINDING_CODE_LIST,
  FINDING_CODES,
  type CarriedCode,
  type FindingCode,
} from './compliance-findings.js';
import { sentences } from './compliance-sentences.js';
import type {
  CarriedFinding,
  ComplianceFinding,
  ComplianceInput,
  CompliancePhase,
  ComplianceRecording,
  ComplianceResult,
  ComplianceTolerances,
  DeviceSequenceGap,
  DeviceUse,
  FindingDetail,
  Gap,
  Lane,
  Marker,
  RecordingKind,
} from './compliance-types.js';
import { importDeadline, isLateImport, type DeadlineInput } from './import-rules.js';
import { clip, holes, length, mergeWithin, totalLength, union, type Interval } from './intervals.js';

export * from './compliance-types.js';

// ─── The engine ──────────────────────────────────────────────────────────────────

const MEDIA = new Set<RecordingKind>(['video', 'audio', 'photo']);
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A recording that covers time: video or audio with a known, positive duration. */
function span(r: ComplianceRecording): Interval | null {
  if (r.kind !== 'video' && r.kind !== 'audio') return null;
  if (r.start === null || r.end === null || !(r.end > r.start)) return null;
  return { from: r.start, to: r.end };
}

// importDeadline reads the local day through Intl, about half a millisecond a call; a
// recompute of a year's activities makes millions. Every real zone's midnight falls on a
// quarter hour, so all instants of one quarter hour share their deadline.
const QUARTER_HOUR = 15 * 60_000;
const deadlines = new Map<string, number | null>();

/** importDeadline, memoised by quarter hour. */
export function cachedImportDeadline(input: DeadlineInput): number | null {
  const bucket = Math.floor(input.recordingEnd / QUARTER_HOUR) * QUARTER_HOUR;
  const key = `${input.timeZone}|${bucket}|${input.remote ? 1 : 0}|${input.returnedAt ?? ''}`;
  let deadline = deadlines.get(key);
  if (deadline === undefined) {
    if (deadlines.size >= 100_000) deadlines.clear();
    deadline = importDeadline({ ...input, recordingEnd: bucket });
    deadlines.set(key, deadline);
  }
  return deadline;
}

function overlapMs(a: Interval, b: Interval): number {
  return Math.min(a.to, b.to) - Math.max(a.from, b.from);
}

export function evaluateActivity(
  input: ComplianceInput,
  tolerances: Readonly<ComplianceTolerances>,
  now: number,
): ComplianceResult {
  const tol = tolerances;
  const a = input.activity;
  const tz = input.timeZone;
  const recordings = [...(input.recordings ?? [])].sort(byId);
  const uses = [...(input.deviceUses ?? [])].sort(
    (x, y) => cmp(x.deviceId, y.deviceId) || x.from - y.from || cmp(x.checkoutId ?? '', y.checkoutId ?? ''),
  );
  const markers = [...(input.markers ?? [])].sort((x, y) => x.at - y.at || cmp(x.id, y.id));
  const interruptions = [...(input.interruptions ?? [])]
    .map((i) => ({ ...i, gapFrom: Math.min(i.gapFrom, i.gapTo), gapTo: Math.max(i.gapFrom, i.gapTo) }))
    .sort((x, y) => x.gapFrom - y.gapFrom || cmp(x.id, y.id));
  const say = sentences(tz);

  // Window and phase.
  let window: Interval | null = null;
  if (a.status === 'in_progress' && a.arrivedAt !== null)
    window = { from: a.arrivedAt, to: Math.max(a.arrivedAt, now) };
  if (a.status === 'completed' && a.arrivedAt !== null && a.endedAt !== null && a.endedAt >= a.arrivedAt)
    window = { from: a.arrivedAt, to: a.endedAt };

  const usedDevices = [
    ...new Set([
      ...a.deviceIds,
      ...uses.map((u) => u.deviceId),
      ...recordings.filter((r) => MEDIA.has(r.kind)).map((r) => r.deviceId),
    ]),
  ].sort(cmp);

  // Docking (A13.1): the deadline runs from the activity's end.
  const docking = new Map<string, { dockedAt: number | null; deadline: number | null }>();
  if (a.status === 'completed' && a.endedAt !== null) {
    const end = a.endedAt;
    const deadline = cachedImportDeadline({
      recordingEnd: end,
      timeZone: tz,
      remote: a.remoteWork,
      returnedAt: a.returnedAt,
    });
    for (const d of usedDevices) {
      const given = (input.dockings ?? []).find((x) => x.deviceId === d)?.firstImportAfterEndAt ?? null;
      // a recording of this activity imported after the end proves the device was docked then
      const seen = recordings
        .filter((r) => r.deviceId === d && r.importedAt >= end)
        .reduce<number | null>((m, r) => (m === null || r.importedAt < m ? r.importedAt : m), null);
      const dockedAt = given === null ? seen : seen === null ? given : Math.min(given, seen);
      docking.set(d, { dockedAt, deadline });
    }
  }

  const phase: CompliancePhase =
    a.status === 'planned'
      ? 'not_started'
      : a.status === 'cancelled'
        ? 'cancelled'
        : a.status === 'in_progress'
          ? 'under_way'
          : [...docking.values()].some((x) => x.dockedAt === null && !isLateImport(now, x.deadline))
            ? 'awaiting_import'
            : 'final';
  const ended = phase === 'awaiting_import' || phase === 'final';

  // Coverage: each device's files joined across split pauses, then the team's union.
  const perDevice = new Map<string, Interval[]>();
  for (const r of recordings) {
    const s = span(r);
    if (s) perDevice.set(r.deviceId, [...(perDevice.get(r.deviceId) ?? []), s]);
  }
  const teamCover = union(...[...perDevice.values()].map((list) => mergeWithin(list, tol.splitToleranceMs)));
  const coverage = window ? clip(teamCover, window) : [];
  const coveredMs = totalLength(coverage);
  const windowMs = window ? length(window) : 0;
  const uncovered = window ? holes(coverage, window) : [];

  const lanes = buildLanes(recordings, uses, markers, tol.splitToleranceMs);

  // Gaps: uncovered stretches with coverage before and after.
  const gaps: Gap[] = [];
  if (window && coverage.length > 0) {
    const first = coverage[0]!.from;
    const last = coverage[coverage.length - 1]!.to;
    for (const h of uncovered) {
      if (h.from < first || h.to > last || length(h) <= tol.minGapMs) continue;
      const resume = resumingRecording(recordings, h.to);
      gaps.push({
        from: h.from,
        to: h.to,
        resumedByRecordingId: resume?.id ?? null,
        speechAtResume: resume?.speechAtStart ?? null,
        interruptionId: bestInterruption(interruptions, h)?.id ?? null,
      });
    }
  }

  const findings: ComplianceFinding[] = [];
  const add = (
    code: FindingCode,
    subjectType: ComplianceFinding['subjectType'],
    subjectId: string,
    key: string,
    detail: FindingDetail,
  ) =>
    findings.push({
      code,
      article: FINDING_CODES[code].article,
      severity: FINDING_CODES[code].severity,
      subjectType,
      subjectId,
      key,
      detail,
    });

  // EXEMPTION_PENDING (A7.2).
  if (a.exemption?.status === 'pending' && phase !== 'cancelled')
    add('EXEMPTION_PENDING', 'activity', a.id, `EXEMPTION_PENDING:${a.exemption.id}`, {
      exemptionId: a.exemption.id,
      ...say.exemptionPending(),
    });

  // PRECHECK_MISSING and CLOCK_OFFSET (A5.1): each use of each device needs a passing check
  // made before the device's part in the activity began (grace: lateStartMs).
  if (phase === 'under_way' || ended) {
    const start = a.arrivedAt ?? a.plannedAt;
    const until = a.endedAt ?? now;
    for (const d of usedDevices) {
      const mine = uses.filter(
        (u) => u.deviceId === d && u.from <= until && (u.to === null || u.to >= start),
      );
      if (mine.length === 0) {
        add('PRECHECK_MISSING', 'device', d, `PRECHECK_MISSING:${d}`, {
          deviceId: d,
          reason: 'NO_CHECKOUT',
          ...say.noCheckout(),
        });
        continue;
      }
      for (const u of mine) {
        const useStart = Math.max(u.from, start);
        const ref = u.checkoutId ?? String(u.from);
        const before = u.checks
          .filter((c) => c.at <= useStart + tol.lateStartMs)
          .sort((x, y) => y.at - x.at || cmp(y.id, x.id));
        const latest = before[0];
        const base = { deviceId: d, checkoutId: u.checkoutId, officerId: u.officerId, useFrom: useStart };
        if (!latest) {
          const later = u.checks.reduce<number | null>((m, c) => (m === null || c.at < m ? c.at : m), null);
          add('PRECHECK_MISSING', 'device', d, `PRECHECK_MISSING:${d}:${ref}`, {
            ...base,
            reason: 'NONE',
            laterCheckAt: later,
            ...say.noCheck(useStart),
          });
          continue;
        }
        if (Math.abs(latest.clockOffsetMs) > tol.clockOffsetMs)
          add('CLOCK_OFFSET', 'device', d, `CLOCK_OFFSET:${d}:${latest.id}`, {
            ...base,
            checkId: latest.id,
            offsetMs: latest.clockOffsetMs,
            toleranceMs: tol.clockOffsetMs,
            ...say.clockOffset(latest.clockOffsetMs, tol.clockOffsetMs),
          });
        const other = latest.failures.filter((f) => f !== 'CLOCK_OFFSET');
        if (!latest.passed && other.length > 0)
          add('PRECHECK_MISSING', 'device', d, `PRECHECK_MISSING:${d}:${ref}`, {
            ...base,
            reason: 'FAILED',
            checkId: latest.id,
            failures: other,
            ...say.failedCheck(other),
          });
      }
    }
  }

  // Coverage findings (A6.1, A8.1, A9.1, A11.1–A11.3).
  const exemptionStands = a.exemption?.status === 'approved' || a.exemption?.status === 'pending';
  const judged = phase === 'final' && window !== null && recordingRequired(a.type) && !exemptionStands;
  let earlyStop: Interval | null = null;
  if (judged && coveredMs === 0) {
    const photos = recordings.filter((r) => r.kind === 'photo').length;
    add('NOT_RECORDED', 'activity', a.id, 'NOT_RECORDED', {
      photos,
      exemptionRejected: a.exemption?.status === 'rejected',
      ...say.notRecorded(photos),
    });
  } else if (judged) {
    const w = window!;
    const first = coverage[0]!;
    const last = coverage[coverage.length - 1]!;
    if (first.from - w.from > tol.lateStartMs)
      add('LATE_START', 'activity', a.id, 'LATE_START', {
        arrivedAt: w.from,
        startedAt: first.from,
        lateByMs: first.from - w.from,
        ...say.lateStart(w.from, first.from),
      });
    if (w.to - last.to > tol.earlyStopMs) {
      earlyStop = { from: last.to, to: w.to };
      add('EARLY_STOP', 'activity', a.id, 'EARLY_STOP', {
        stoppedAt: last.to,
        endedAt: w.to,
        earlyByMs: w.to - last.to,
        interruptionId: bestInterruption(interruptions, earlyStop)?.id ?? null,
        ...say.earlyStop(last.to, w.to),
      });
    }
    for (const g of gaps) {
      const i = interruptions.find((x) => x.id === g.interruptionId) ?? null;
      add('GAP', 'activity', a.id, `GAP@${g.from}`, {
        from: g.from,
        to: g.to,
        durationMs: g.to - g.from,
        resumedByRecordingId: g.resumedByRecordingId,
        speechAtResume: g.speechAtResume,
        interruptionId: i?.id ?? null,
        reason: i?.reason ?? null,
        reasonText: i?.reasonText ?? null,
        spokenConfirmed: i?.spokenConfirmed ?? null,
        reportedAt: i?.reportedAt ?? null,
        writtenExplanationAt: i?.writtenExplanationAt ?? null,
        decision: i?.decision ?? null,
        ...say.gap(g.from, g.to, i),
      });
      if (g.speechAtResume === false && g.resumedByRecordingId !== null)
        add('GAP_NO_SPEECH', 'recording', g.resumedByRecordingId, `GAP_NO_SPEECH@${g.from}`, {
          gapFrom: g.from,
          gapTo: g.to,
          recordingId: g.resumedByRecordingId,
          interruptionId: i?.id ?? null,
          spokenConfirmed: i?.spokenConfirmed ?? null,
          ...say.noSpeech(g.to, i?.spokenConfirmed ?? null),
        });
    }
    const notice = notificationCheck(recordings, markers, a.notifiedAt, w, tol);
    if (notice.missing)
      add('NOTIFICATION_MISSING', 'activity', a.id, 'NOTIFICATION_MISSING', {
        firstRecordingIds: notice.firstIds,
        windowEnd: notice.deadline,
        ...say.notificationMissing(tol.notificationWindowMs),
      });
  }

  // GAP_UNREPORTED (A11.3): a stop the officers say was for good, or an early stop with no
  // resume, needs the report to the department head.
  if (ended) {
    const flagged: Interval[] = [];
    for (const i of interruptions) {
      if (!i.stoppedForGood || i.reportedAt !== null) continue;
      flagged.push({ from: i.gapFrom, to: i.gapTo });
      add('GAP_UNREPORTED', 'activity', a.id, `GAP_UNREPORTED@${i.gapFrom}`, {
        from: i.gapFrom,
        interruptionId: i.id,
        ...say.unreported(i.gapFrom),
      });
    }
    if (earlyStop) {
      const es = earlyStop;
      const touching = interruptions.filter((i) => overlapMs({ from: i.gapFrom, to: i.gapTo }, es) >= 0);
      const reported = touching.some((i) => i.reportedAt !== null);
      const already = flagged.some((f) => overlapMs(f, es) >= 0);
      if (!reported && !already)
        add('GAP_UNREPORTED', 'activity', a.id, `GAP_UNREPORTED@${es.from}`, {
          from: es.from,
          interruptionId: null,
          ...say.unreported(es.from),
        });
    }
  }

  // Per recording: AFTER_ACTIVITY (A11.4) and LATE_IMPORT (A13.1).
  for (const r of recordings) {
    if (!MEDIA.has(r.kind) || r.start === null) continue;
    if (ended && a.endedAt !== null && r.start - a.endedAt > tol.afterActivityMs)
      add('AFTER_ACTIVITY', 'recording', r.id, `AFTER_ACTIVITY:${r.id}`, {
        recordingId: r.id,
        startedAt: r.start,
        endedAt: a.endedAt,
        afterMs: r.start - a.endedAt,
        ...say.afterActivity(r.start, a.endedAt),
      });
    const deadline = cachedImportDeadline({
      recordingEnd: r.end !== null && r.end > r.start ? r.end : r.start,
      timeZone: tz,
      remote: a.remoteWork,
      returnedAt: a.returnedAt,
    });
    if (isLateImport(r.importedAt, deadline))
      add('LATE_IMPORT', 'recording', r.id, `LATE_IMPORT:${r.id}`, {
        recordingId: r.id,
        importedAt: r.importedAt,
        deadline,
        remote: a.remoteWork,
        ...say.lateImport(r.importedAt, deadline!),
      });
  }

  // NOT_DOCKED (A13.1): judged against `now` until the device is imported.
  if (ended)
    for (const [d, x] of docking) {
      if (!isLateImport(x.dockedAt ?? now, x.deadline)) continue;
      add('NOT_DOCKED', 'device', d, `NOT_DOCKED:${d}`, {
        deviceId: d,
        deadline: x.deadline,
        dockedAt: x.dockedAt,
        ...say.notDocked(x.deadline!, x.dockedAt),
      });
    }

  const order = (c: FindingCode) => FINDING_CODE_LIST.indexOf(c);
  findings.sort((x, y) => order(x.code) - order(y.code) || cmp(x.key, y.key));

  return {
    activityId: a.id,
    phase,
    window,
    coverage,
    coveredMs,
    windowMs,
    share: windowMs > 0 ? coveredMs / windowMs : null,
    uncovered,
    lanes,
    officersWithoutLane: a.officers
      .map((o) => o.userId)
      .filter((u) => !lanes.some((l) => l.officerId === u))
      .sort(cmp),
    gaps,
    findings,
    carried: carriedFindings(recordings, input.sequenceGaps ?? []),
  };
}

// ─── Helpers ─────────────────────────────────────────────────────────────────────

/** The recording coverage resumes with at `t`: with speech if any, then unmeasured, then silent. */
function resumingRecording(
  recordings: readonly ComplianceRecording[],
  t: number,
): ComplianceRecording | null {
  const rank = (r: ComplianceRecording) => (r.speechAtStart === true ? 0 : r.speechAtStart === null ? 1 : 2);
  const at = recordings.filter((r) => span(r)?.from === t).sort((x, y) => rank(x) - rank(y) || byId(x, y));
  return at[0] ?? null;
}

function bestInterruption<T extends { id: string; gapFrom: number; gapTo: number }>(
  list: readonly T[],
  hole: Interval,
): T | null {
  let best: T | null = null;
  let bestOverlap = -Infinity;
  for (const i of list) {
    const o = overlapMs({ from: i.gapFrom, to: i.gapTo }, hole);
    // touching counts: an officer's times are typed to the minute
    if (o >= 0 && o > bestOverlap) {
      best = i;
      bestOverlap = o;
    }
  }
  return best;
}

/**
 * A8.1. The notification counts when a notification marker — or the activity's own
 * "notified at" record, which officers enter for the same purpose and which sits on the
 * same timeline — falls no later than notificationWindowMs after the first recording began
 * (or after the arrival, if the camera was on before). Failing that, the first recordings
 * (those starting within the split tolerance of the earliest) must begin with speech: any
 * one with speech suffices; if none has speech but one is not measured yet, no finding yet.
 */
function notificationCheck(
  recordings: readonly ComplianceRecording[],
  markers: readonly Marker[],
  notifiedAt: number | null,
  w: Interval,
  tol: Readonly<ComplianceTolerances>,
): { missing: boolean; firstIds: string[]; deadline: number } {
  const inWindow = recordings.filter((r) => {
    const s = span(r);
    return s !== null && s.from < w.to && s.to > w.from;
  });
  const earliest = Math.min(...inWindow.map((r) => r.start!));
  const firsts = inWindow.filter((r) => r.start! <= earliest + tol.splitToleranceMs);
  const deadline = Math.max(earliest, w.from) + tol.notificationWindowMs;
  const noticed =
    markers.some((m) => m.kind === 'notification' && m.at <= deadline) ||
    (notifiedAt !== null && notifiedAt <= deadline);
  const silent = firsts.every((r) => r.speechAtStart === false);
  return { missing: !noticed && silent, firstIds: firsts.map((r) => r.id), deadline };
}

function buildLanes(
  recordings: readonly ComplianceRecording[],
  uses: readonly DeviceUse[],
  markers: readonly Marker[],
  splitMs: number,
): Lane[] {
  const lanes = new Map<string, Lane>();
  const laneOf = new Map<string, Lane>();
  for (const r of recordings) {
    if (!MEDIA.has(r.kind) || r.start === null) continue;
    const t = r.start;
    const officerId =
      r.holderId ??
      uses.find((u) => u.deviceId === r.deviceId && u.from <= t && (u.to === null || t <= u.to))?.officerId ??
      null;
    const id = `${r.deviceId}\u0000${officerId ?? ''}`;
    let lane = lanes.get(id);
    if (!lane) {
      lane = { deviceId: r.deviceId, officerId, segments: [], points: [], markers: [] };
      lanes.set(id, lane);
    }
    laneOf.set(r.id, lane);
  }
  for (const lane of lanes.values()) {
    const mine = recordings.filter((r) => laneOf.get(r.id) === lane);
    const spans = mine
      .map((r) => ({ r, s: span(r) }))
      .filter((x): x is { r: ComplianceRecording; s: Interval } => x.s !== null)
      .sort((x, y) => x.s.from - y.s.from || byId(x.r, y.r));
    for (const { r, s } of spans) {
      const seg = lane.segments[lane.segments.length - 1];
      if (seg && s.from - seg.to <= splitMs) {
        seg.to = Math.max(seg.to, s.to);
        seg.recordingIds.push(r.id);
      } else lane.segments.push({ from: s.from, to: s.to, recordingIds: [r.id] });
    }
    lane.points = mine
      .filter((r) => span(r) === null)
      .map((r) => ({ recordingId: r.id, kind: r.kind, at: r.start! }))
      .sort((x, y) => x.at - y.at || cmp(x.recordingId, y.recordingId));
  }
  for (const m of markers) laneOf.get(m.recordingId)?.markers.push({ ...m });
  return [...lanes.values()].sort(
    (x, y) => cmp(x.deviceId, y.deviceId) || cmp(x.officerId ?? '', y.officerId ?? ''),
  );
}

/**
 * The import-time findings on the activity's recordings, and a device's SEQUENCE_GAP when
 * the missing numbers lie within or right next to the numbers of this activity's files on
 * that device and counter: the files may have been this activity's, so it shows until a
 * leader decides (a gap between two activities shows on both).
 */
function carriedFindings(
  recordings: readonly ComplianceRecording[],
  sequenceGaps: readonly DeviceSequenceGap[],
): CarriedFinding[] {
  const out = new Map<string, CarriedFinding>();
  const carried = new Set<string>(CARRIED_CODES);
  for (const r of recordings)
    for (const f of r.importFindings) {
      if (!carried.has(f.code)) continue;
      const code = f.code as CarriedCode;
      out.set(f.id, {
        findingId: f.id,
        code,
        article: FINDING_CODES[code].article,
        severity: FINDING_CODES[code].severity,
        subjectType: 'recording',
        subjectId: r.id,
      });
    }
  for (const g of sequenceGaps) {
    const seqs = recordings
      .filter(
        (r) =>
          r.deviceId === g.deviceId &&
          r.sequence !== null &&
          (g.group === null || r.sequenceGroup === g.group),
      )
      .map((r) => r.sequence!);
    if (seqs.length === 0) continue;
    const lo = Math.min(...seqs);
    const hi = Math.max(...seqs);
    if (g.from > hi + 1 || g.to < lo - 1) continue;
    out.set(g.findingId, {
      findingId: g.findingId,
      code: 'SEQUENCE_GAP',
      article: FINDING_CODES.SEQUENCE_GAP.article,
      severity: FINDING_CODES.SEQUENCE_GAP.severity,
      subjectType: 'device',
      subjectId: g.deviceId,
    });
  }
  return [...out.values()].sort((x, y) => cmp(x.findingId, y.findingId));
}
