import { PERM } from '../api/types';
import i18n from '../i18n';
import { formatFileSize } from './format';

/** A recording's length as people say it: "1 分 5 秒", "12 秒", "1 小时 2 分". */
export function formatDuration(ms: number): string {
  let s = Math.round(ms / 1000);
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  s -= minutes * 60;
  const parts: string[] = [];
  if (hours) parts.push(i18n.t('duration.hours', { count: hours }));
  if (minutes) parts.push(i18n.t('duration.minutes', { count: minutes }));
  if (s || parts.length === 0) parts.push(i18n.t('duration.seconds', { count: s }));
  return parts.join(' ');
}

/** Sizes up to terabytes (a station's free space), one decimal from GB on. */
export function formatBytes(bytes: number): string {
  const gb = bytes / 1024 ** 3;
  if (gb >= 1024) return i18n.t('size.gb', { value: Math.round(gb).toLocaleString() });
  if (gb >= 1) return i18n.t('size.gb', { value: gb.toFixed(1) });
  return formatFileSize(bytes);
}

/** Who sees recordings: all of them (recordings.read) or their own (officers, checkouts.own). */
export const RECORDINGS_PAGE = [PERM.recordingsRead, PERM.checkoutsOwn] as const;
/** Who sees imports: all (custodians, oversight) or those of their own devices (recordings.import). */
export const IMPORTS_PAGE = [PERM.recordingsRead, PERM.devicesManage, PERM.recordingsImport] as const;
