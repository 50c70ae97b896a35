// Enforcement activities (A6.1, A9.1, A10.1): the six types that must be recorded, the
// status machine, and the checks on the team, the times and the place. Pure rules, no I/O.
import { AppError } from './errors.js';

export const ACTIVITY_TYPES = [
  'routine_inspection',
  'complaint',
  'investigation',
  'service_of_documents',
  'coercive_measure',
  'other_onsite',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/**
 * A6.1 (1)–(6), in the regulation's order. A6.1 lists every one of them as work that must
 * be recorded, "other on-site enforcement" included, so no type lets an activity escape
 * recording; `mandatory` is kept as data so the compliance rules ask rather than assume.
 */
export const ACTIVITY_TYPE_NAMES: Record<
  ActivityType,
  { zh: string; en: string; item: number; mandatory: boolean }
> = {
  routine_inspection: { zh: '日常执法检查', en: 'Routine enforcement inspection', item: 1, mandatory: true },
  complaint: { zh: '投诉举报处置', en: 'Handling a complaint or report', item: 2, mandatory: true },
  investigation: {
    zh: '调查取证/先行登记保存',
    en: 'Investigation, evidence collection, registering and preserving evidence',
    item: 3,
    mandatory: true,
  },
  service_of_documents: {
    zh: '证据及执法文书送达',
    en: 'Service of evidence and enforcement documents',
    item: 4,
    mandatory: true,
  },
  coercive_measure: { zh: '行政强制措施', en: 'Administrative coercive measure', item: 5, mandatory: true },
  other_onsite: { zh: '其他现场执法', en: 'Other on-site enforcement', item: 6, mandatory: true },
};

export function isActivityType(value: string): value is ActivityType {
  return (ACTIVITY_TYPES as readonly string[]).includes(value);
}

/** A6.1: must an activity of this type be recorded? */
export function recordingRequired(type: ActivityType): boolean {
  return ACTIVITY_TYPE_NAMES[type].mandatory;
}

export const ACTIVITY_STATUSES = ['planned', 'in_progress', 'completed', 'cancelled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

export const ACTIVITY_STATUS_NAMES: Record<ActivityStatus, { zh: string; en: string }> = {
  planned: { zh: '计划', en: 'Planned' },
  in_progress: { zh: '进行中', en: 'In progress' },
  completed: { zh: '已结束', en: 'Completed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
};

/** The allowed single steps. Completed and cancelled are final. */
export const ACTIVITY_TRANSITIONS: Record<ActivityStatus, readonly ActivityStatus[]> = {
  planned: ['in_progress', 'cancelled'],
  in_progress: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
};

export function canTransition(from: ActivityStatus, to: ActivityStatus): boolean {
  return ACTIVITY_TRANSITIONS[from].includes(to);
}

/** Whether `to` can be reached from `from` by allowed steps (or is `from` itself). */
export function reachable(from: ActivityStatus, to: ActivityStatus): boolean {
  if (from === to) return true;
  const seen = new Set<ActivityStatus>([from]);
  const queue: ActivityStatus[] = [from];
  while (queue.length) {
    const at = queue.shift()!;
    for (const next of ACTIVITY_TRANSITIONS[at]) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

export const MIN_OFFICERS = 2;
export const MAX_OFFICERS = 30;
/**
 * Times are typed in by hand on a phone, to the minute, with the phone's clock; an end a
 * few minutes "in the future" is a typing artefact, anything more is a mistake.
 */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** Earliest plausible time of anything in the register. */
export const EARLIEST_TIME = Date.UTC(2000, 0, 1);

export type TimeRule =
  | 'not_a_time'
  | 'arrival_after_end'
  | 'end_without_arrival'
  | 'in_future'
  | 'return_before_end'
  | 'return_without_end'
  | 'return_without_remote_work'
  | 'arrival_required'
  | 'end_required';

const TIME_RULE_MESSAGES: Record<TimeRule, { zh: string; en: string }> = {
  not_a_time: { zh: '时间不是有效的时间点', en: 'the time is not a valid instant' },
  arrival_after_end: { zh: '到达现场时间晚于执法结束时间', en: 'the arrival is after the end' },
  end_without_arrival: { zh: '登记结束时间前须先登记到达现场时间', en: 'an end time needs an arrival time' },
  in_future: { zh: '时间晚于当前时间', en: 'the time is in the future' },
  return_before_end: { zh: '返回单位时间早于执法结束时间', en: 'the return to the unit is before the end' },
  return_without_end: { zh: '登记返回单位时间前须先登记执法结束时间', en: 'a return time needs an end time' },
  return_without_remote_work: {
    zh: '只有异地或连续执法才登记返回单位时间',
    en: 'a return time is recorded only for remote or continuous work',
  },
  arrival_required: {
    zh: '进行中的活动须有到达现场时间',
    en: 'an activity in progress needs an arrival time',
  },
  end_required: {
    zh: '已结束的活动须有到达现场时间和执法结束时间',
    en: 'a completed activity needs arrival and end times',
  },
};

export function timesInvalid(rule: TimeRule, field?: string): AppError {
  const m = TIME_RULE_MESSAGES[rule];
  return new AppError(
    'ACTIVITY_TIMES_INVALID',
    400,
    { zh: `执法活动时间不合理：${m.zh}`, en: `Activity times are invalid: ${m.en}` },
    field ? { rule, field } : { rule },
  );
}

export interface ActivityTimes {
  arrivedAt: number | null;
  endedAt: number | null;
  remoteWork: boolean;
  returnedAt: number | null;
}

function isInstant(v: number): boolean {
  return Number.isSafeInteger(v) && v >= EARLIEST_TIME;
}

/**
 * A9.1: arrival and end bound the recording window, so they must make sense together.
 * A13.1: the return time starts the 24-hour export clock of remote or continuous work,
 * so it can only follow the end.
 */
export function validateTimes(t: ActivityTimes, now: number, toleranceMs = FUTURE_TOLERANCE_MS): void {
  const latest = now + toleranceMs;
  for (const field of ['arrivedAt', 'endedAt', 'returnedAt'] as const) {
    const v = t[field];
    if (v === null) continue;
    if (!isInstant(v)) throw timesInvalid('not_a_time', field);
    if (v > latest) throw timesInvalid('in_future', field);
  }
  if (t.endedAt !== null && t.arrivedAt === null) throw timesInvalid('end_without_arrival', 'endedAt');
  if (t.arrivedAt !== null && t.endedAt !== null && t.arrivedAt > t.endedAt)
    throw timesInvalid('arrival_after_end', 'arrivedAt');
  if (t.returnedAt !== null) {
    if (!t.remoteWork) throw timesInvalid('return_without_remote_work', 'returnedAt');
    if (t.endedAt === null) throw timesInvalid('return_without_end', 'returnedAt');
    if (t.returnedAt < t.endedAt) throw timesInvalid('return_before_end', 'returnedAt');
  }
}

/** The planned time may lie ahead (that is what planning is), but not absurdly far. */
export const MAX_PLANNING_AHEAD_MS = 2 * 366 * 24 * 3600_000;

export function validatePlannedAt(plannedAt: number, now: number): void {
  if (!isInstant(plannedAt) || plannedAt > now + MAX_PLANNING_AHEAD_MS)
    throw new AppError(
      'ACTIVITY_PLANNED_TIME_INVALID',
      400,
      {
        zh: '计划时间须在 2000 年之后、两年以内',
        en: 'The planned time must be after 2000 and within two years from now',
      },
      { field: 'plannedAt' },
    );
}

function statusInvalid(from: ActivityStatus, to: ActivityStatus): AppError {
  return new AppError(
    'ACTIVITY_STATUS_INVALID',
    400,
    {
      zh: `执法活动不能从“${ACTIVITY_STATUS_NAMES[from].zh}”变为“${ACTIVITY_STATUS_NAMES[to].zh}”`,
      en: `An activity cannot go from ${from} to ${to}`,
    },
    { from, to },
  );
}

/**
 * The status follows the times: arrival starts the activity, the end completes it.
 * Cancelling is the one status that is chosen rather than derived. A requested status
 * must agree with the times (and the times must allow it); nothing goes backwards.
 */
export function nextStatus(
  current: ActivityStatus,
  requested: ActivityStatus | undefined,
  times: Pick<ActivityTimes, 'arrivedAt' | 'endedAt'>,
): ActivityStatus {
  if (current === 'cancelled') {
    if (requested !== undefined && requested !== 'cancelled') throw statusInvalid(current, requested);
    return 'cancelled';
  }
  if (requested === 'cancelled') {
    if (!canTransition(current, 'cancelled')) throw statusInvalid(current, requested);
    return 'cancelled';
  }
  const derived: ActivityStatus =
    times.endedAt !== null ? 'completed' : times.arrivedAt !== null ? 'in_progress' : 'planned';
  if (requested !== undefined && requested !== derived) {
    if (requested === 'completed')
      throw timesInvalid('end_required', times.arrivedAt === null ? 'arrivedAt' : 'endedAt');
    if (requested === 'in_progress' && times.arrivedAt === null)
      throw timesInvalid('arrival_required', 'arrivedAt');
    throw statusInvalid(current, requested);
  }
  if (!reachable(current, derived)) throw statusInvalid(current, derived);
  return derived;
}

export interface Team {
  officerIds: string[];
  inChargeId: string;
}

/** A6 work is done by at least two officers, one of whom is in charge. */
export function validateTeam(officerIds: readonly string[], inChargeId: string): Team {
  const ids = [...new Set(officerIds.map((id) => id.trim()).filter((id) => id.length > 0))];
  if (ids.length < MIN_OFFICERS)
    throw new AppError(
      'ACTIVITY_TOO_FEW_OFFICERS',
      400,
      {
        zh: `执法活动至少需要 ${MIN_OFFICERS} 名不同的执法人员`,
        en: `An activity needs at least ${MIN_OFFICERS} different officers`,
      },
      { minimum: MIN_OFFICERS, given: ids.length },
    );
  if (ids.length > MAX_OFFICERS)
    throw new AppError(
      'ACTIVITY_TOO_MANY_OFFICERS',
      400,
      {
        zh: `一次执法活动最多登记 ${MAX_OFFICERS} 名执法人员`,
        en: `An activity may list at most ${MAX_OFFICERS} officers`,
      },
      { maximum: MAX_OFFICERS, given: ids.length },
    );
  if (!ids.includes(inChargeId))
    throw new AppError(
      'ACTIVITY_IN_CHARGE_INVALID',
      400,
      {
        zh: '主办人必须是本次活动的执法人员之一',
        en: 'The officer in charge must be one of the activity’s officers',
      },
      { inChargeId },
    );
  return { officerIds: ids, inChargeId };
}

/** Both or neither; WGS-84 degrees. */
export function validateCoordinates(latitude: number | null, longitude: number | null): void {
  const bad = (field: string, zh: string, en: string) =>
    new AppError('ACTIVITY_COORDINATES_INVALID', 400, { zh, en }, { field });
  if ((latitude === null) !== (longitude === null))
    throw bad(
      latitude === null ? 'latitude' : 'longitude',
      '经纬度须同时填写或同时留空',
      'Latitude and longitude go together',
    );
  if (latitude !== null && (!Number.isFinite(latitude) || latitude < -90 || latitude > 90))
    throw bad('latitude', '纬度须在 -90 到 90 之间', 'Latitude must be between -90 and 90');
  if (longitude !== null && (!Number.isFinite(longitude) || longitude < -180 || longitude > 180))
    throw bad('longitude', '经度须在 -180 到 180 之间', 'Longitude must be between -180 and 180');
}

// Building an Intl.DateTimeFormat costs far more than using one (about half a millisecond):
// one per time zone, kept.
const wallClocks = new Map<string, Intl.DateTimeFormat>();
function wallClock(timeZone: string): Intl.DateTimeFormat {
  let f = wallClocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wallClocks.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at instant `t`, in milliseconds. */
function zoneOffset(t: number, timeZone: string): number {
  const parts = wallClock(timeZone).formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

/** The calendar day containing `t` in `timeZone`: [start, end) as epoch ms, and its date. */
export function dayBounds(
  t: number,
  timeZone = 'Asia/Shanghai',
): { start: number; end: number; date: string } {
  const local = new Date(t + zoneOffset(t, timeZone));
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  const startOf = (yy: number, mm: number, dd: number) => {
    const wall = Date.UTC(yy, mm, dd);
    // two rounds settle a zone whose offset changes near midnight
    let guess = wall - zoneOffset(wall, timeZone);
    guess = wall - zoneOffset(guess, timeZone);
    return guess;
  };
  const date = `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return { start: startOf(y, m, d), end: startOf(y, m, d + 1), date };
}
