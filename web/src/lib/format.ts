import dayjs from 'dayjs';
import i18n, { currentLang } from '../i18n';
import { DISPLAY_TZ } from './time';

const MINUS = '\u2212';

/**
 * A clock offset as people say it: "+12 秒", "−5 分 3 秒", "+1 小时 2 分".
 * Whole seconds; the sign says whether the device runs ahead (+) or behind (−).
 */
export function formatOffset(offsetMs: number): string {
  let s = Math.round(Math.abs(offsetMs) / 1000);
  if (s === 0) return i18n.t('duration.seconds', { count: 0 });
  const parts: string[] = [];
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  s -= minutes * 60;
  if (days) parts.push(i18n.t('duration.days', { count: days }));
  if (hours) parts.push(i18n.t('duration.hours', { count: hours }));
  // Days and hours are far enough off that seconds add nothing.
  if (minutes) parts.push(i18n.t('duration.minutes', { count: minutes }));
  if (s && !days) parts.push(i18n.t('duration.seconds', { count: s }));
  return `${offsetMs < 0 ? MINUS : '+'}${parts.join(' ')}`;
}

/** A tolerance, always symmetric: "±30 秒". */
export function formatTolerance(toleranceMs: number): string {
  return `±${formatOffset(toleranceMs).slice(1)}`;
}

/** Money is kept in cents (分) and shown in 元. */
export function formatCny(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return '';
  return new Intl.NumberFormat(currentLang() === 'en' ? 'en-US' : 'zh-CN', {
    style: 'currency',
    currency: 'CNY',
  }).format(cents / 100);
}

/** Free storage as people read it off a device: MB below 1 GB, GB with one decimal above. */
export function formatStorage(mb: number): string {
  return mb >= 1024
    ? i18n.t('size.gb', { value: (mb / 1024).toFixed(1) })
    : i18n.t('size.mb', { value: String(mb) });
}

export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return i18n.t('size.bytes', { value: String(bytes) });
  if (bytes < 1024 * 1024) return i18n.t('size.kb', { value: (bytes / 1024).toFixed(1) });
  return i18n.t('size.mb', { value: (bytes / 1024 / 1024).toFixed(1) });
}

/** Wall-clock date of an instant in the units' time zone, YYYY-MM-DD. */
export function formatDay(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return dayjs(ms).tz(DISPLAY_TZ).format('YYYY-MM-DD');
}

/** HH:mm of an instant in the units' time zone. */
export function formatClock(ms: number): string {
  return dayjs(ms).tz(DISPLAY_TZ).format('HH:mm');
}

/** A case's archive retention: "30 年" or "永久". */
export function formatRetention(years: number | null): string {
  return years === null ? i18n.t('cases.permanent') : i18n.t('cases.yearsValue', { count: years });
}

/** MM-DD HH:mm, for compact lists. */
export function formatShortTime(ms: number): string {
  return dayjs(ms).tz(DISPLAY_TZ).format('MM-DD HH:mm');
}
