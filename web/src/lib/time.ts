import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';

dayjs.extend(utc);
dayjs.extend(timezone);

/** Times are stored in UTC and always shown in the units' time zone, whatever the browser's. */
export const DISPLAY_TZ = 'Asia/Shanghai';
export const DATETIME_FORMAT = 'YYYY-MM-DD HH:mm:ss';

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return dayjs(ms).tz(DISPLAY_TZ).format(DATETIME_FORMAT);
}

/** A date-time picked in the UI is meant as wall-clock time in DISPLAY_TZ. */
export function pickedToEpoch(d: dayjs.Dayjs): number {
  return dayjs.tz(d.format(DATETIME_FORMAT), DISPLAY_TZ).valueOf();
}

/** Hour of day in DISPLAY_TZ, for the greeting. */
export function hourNow(): number {
  return dayjs().tz(DISPLAY_TZ).hour();
}
