// The zh-CN and English sentences the engine puts in each finding's detail: what tripped
// the rule, with local times, so an officer or auditor reads it without the timeline.
import { INTERRUPTION_REASON_NAMES } from './compliance-findings.js';
import type { Interruption } from './compliance-types.js';
import { CHECK_FAILURE_NAMES, type CheckFailure } from './device-check.js';
import { zoneOffsetMs } from './file-names.js';

// Reading a zone's offset through Intl costs about 15 µs, and a recompute of a year writes
// hundreds of thousands of sentences. Offsets change only on quarter hours (every real
// zone's transitions and midnights fall on them), so one lookup serves a quarter hour.
const QUARTER_HOUR = 15 * 60_000;
const offsets = new Map<string, number>();

/** epochToWallTime (file-names.ts), 'YYYY-MM-DDTHH:mm:ss.SSS', with the offset memoised. */
export function localWallTime(t: number, timeZone: string): string {
  const bucket = Math.floor(t / QUARTER_HOUR) * QUARTER_HOUR;
  const key = `${timeZone}|${bucket}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size >= 100_000) offsets.clear();
    offset = zoneOffsetMs(bucket, timeZone);
    offsets.set(key, offset);
  }
  return new Date(t + offset).toISOString().slice(0, 23);
}

export function sentences(tz: string) {
  const clock = (t: number) => localWallTime(t, tz).slice(11, 19);
  const stamp = (t: number) => localWallTime(t, tz).slice(0, 16).replace('T', ' ');
  const dur = (ms: number) => {
    const s = Math.round(Math.abs(ms) / 1000);
    const m = Math.floor(s / 60);
    return m > 0
      ? { zh: `${m} 分 ${s % 60} 秒`, en: `${m} min ${s % 60} s` }
      : { zh: `${s} 秒`, en: `${s} s` };
  };
  return {
    exemptionPending: () => ({
      zh: '不予记录说明尚待大队领导审核',
      en: 'The exemption awaits review by a brigade leader',
    }),
    noCheckout: () => ({
      zh: '设备用于本次执法，但没有覆盖本次执法的领用记录，因而没有使用前检查',
      en: 'The device was used on this activity without a check-out covering it, hence without a pre-use check',
    }),
    noCheck: (from: number) => ({
      zh: `设备自 ${clock(from)} 起用于本次执法，此前没有使用前检查记录`,
      en: `The device was used from ${clock(from)} with no pre-use check before`,
    }),
    failedCheck: (failures: readonly string[]) => {
      const name = (f: string) => CHECK_FAILURE_NAMES[f as CheckFailure] ?? { zh: f, en: f };
      return {
        zh: `使用前检查未通过（${failures.map((f) => name(f).zh).join('、')}），设备仍被使用`,
        en: `The pre-use check failed (${failures.map((f) => name(f).en).join(', ')}) and the device was used anyway`,
      };
    },
    clockOffset: (offset: number, limit: number) => {
      const by = Math.round(Math.abs(offset) / 1000);
      const dir = offset > 0 ? { zh: '快', en: 'ahead' } : { zh: '慢', en: 'behind' };
      return {
        zh: `使用前检查时设备时钟${dir.zh} ${by} 秒，超过允许的 ${Math.round(limit / 1000)} 秒`,
        en: `At the pre-use check the device clock was ${by} s ${dir.en}, beyond the ${Math.round(limit / 1000)} s allowed`,
      };
    },
    notRecorded: (photos: number) => ({
      zh: `本次执法应当录音录像，但到达现场至执法结束之间没有任何录像或录音${photos ? `（仅有 ${photos} 张照片）` : ''}`,
      en: `This activity had to be recorded, but no video or audio covers any of it from arrival to end${photos ? ` (only ${photos} photos)` : ''}`,
    }),
    lateStart: (arrived: number, started: number) => ({
      zh: `到达现场（${clock(arrived)}）后 ${dur(started - arrived).zh}才开始记录（${clock(started)}）`,
      en: `Recording began at ${clock(started)}, ${dur(started - arrived).en} after the arrival at ${clock(arrived)}`,
    }),
    earlyStop: (stopped: number, end: number) => ({
      zh: `记录于 ${clock(stopped)} 停止，比执法结束（${clock(end)}）早 ${dur(end - stopped).zh}`,
      en: `Recording stopped at ${clock(stopped)}, ${dur(end - stopped).en} before the end at ${clock(end)}`,
    }),
    gap: (from: number, to: number, i: Interruption | null) => {
      const why = i ? INTERRUPTION_REASON_NAMES[i.reason] : null;
      const text = i?.reasonText ? `：${i.reasonText}` : '';
      return {
        zh: `${clock(from)}–${clock(to)} 记录中断 ${dur(to - from).zh}${why ? `，说明原因：${why.zh}${text}` : '，尚未说明原因'}`,
        en: `Recording interrupted ${clock(from)}–${clock(to)} (${dur(to - from).en})${why ? `; reason given: ${why.en}${i?.reasonText ? `: ${i.reasonText}` : ''}` : '; no reason given yet'}`,
      };
    },
    noSpeech: (at: number, confirmed: boolean | null) => ({
      zh: `${clock(at)} 恢复记录时开头没有检测到语音，未能听到对中断原因的说明${confirmed ? '（执法人员确认已口头说明）' : ''}`,
      en: `No speech was detected when recording resumed at ${clock(at)}, so no spoken reason is heard${confirmed ? ' (the officer confirms it was stated)' : ''}`,
    }),
    unreported: (from: number) => ({
      zh: `记录于 ${clock(from)} 停止后未能继续，没有立即向部门负责人报告`,
      en: `Recording stopped at ${clock(from)} and did not continue, and the department head was not told at once`,
    }),
    notificationMissing: (windowMs: number) => ({
      zh: `开始记录后 ${Math.round(windowMs / 60_000)} 分钟内没有告知标注，首段记录开头也没有语音`,
      en: `No notification was marked in the first ${Math.round(windowMs / 60_000)} minutes of recording, and the first recording does not begin with speech`,
    }),
    afterActivity: (start: number, end: number) => ({
      zh: `该记录开始于 ${clock(start)}，在执法结束（${clock(end)}）之后 ${dur(start - end).zh}`,
      en: `The recording began at ${clock(start)}, ${dur(start - end).en} after the activity ended at ${clock(end)}`,
    }),
    lateImport: (importedAt: number, deadline: number) => ({
      zh: `于 ${stamp(importedAt)} 导入，晚于导入期限 ${stamp(deadline)}`,
      en: `Imported at ${stamp(importedAt)}, after the deadline of ${stamp(deadline)}`,
    }),
    notDocked: (deadline: number, dockedAt: number | null) =>
      dockedAt === null
        ? {
            zh: `设备在执法后未在期限 ${stamp(deadline)} 前导入`,
            en: `The device was not imported by the deadline of ${stamp(deadline)}`,
          }
        : {
            zh: `设备在期限 ${stamp(deadline)} 之后才导入（${stamp(dockedAt)}）`,
            en: `The device was imported only at ${stamp(dockedAt)}, after the deadline of ${stamp(deadline)}`,
          },
  };
}
