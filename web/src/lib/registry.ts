// Small rules the registry screens share, kept out of the components. The server is the
// authority on every one of them; these only decide what to offer and check forms early.
import dayjs from 'dayjs';
import {
  CASE_STATUSES,
  type Activity,
  type CaseStatus,
  type Device,
  type DeviceEventKind,
  type DeviceStatus,
  type Exemption,
} from '../api/types';

/** A6: at least two officers, one of them in charge. */
export const MIN_ACTIVITY_OFFICERS = 2;

/** POST /documents accepts PDF, Word, JPEG and PNG up to 50 MB. */
export const DOCUMENT_ACCEPT = '.pdf,.doc,.docx,.jpg,.jpeg,.png';
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

/** Cases move forward one step at a time: 立案 → 调查 → 决定 → 结案 → 归档. */
export function nextCaseStatus(status: CaseStatus): CaseStatus | null {
  const i = CASE_STATUSES.indexOf(status);
  return CASE_STATUSES[i + 1] ?? null;
}

export function caseStepIndex(status: CaseStatus): number {
  return CASE_STATUSES.indexOf(status);
}

export type StorageUnit = 'MB' | 'GB';

/** Free storage entered in MB or GB → whole MB, as the API takes it. */
export function toMb(value: number, unit: StorageUnit): number {
  return Math.round(unit === 'GB' ? value * 1024 : value);
}

/** 元 (as typed) → 分 (as stored); null stays null. */
export function yuanToCents(yuan: number | null | undefined): number | null {
  return yuan === null || yuan === undefined ? null : Math.round(yuan * 100);
}

export function centsToYuan(cents: number | null | undefined): number | undefined {
  return cents === null || cents === undefined ? undefined : cents / 100;
}

export const DATE_FORMAT = 'YYYY-MM-DD';
export const toDay = (d: dayjs.Dayjs) => d.format(DATE_FORMAT);

export const isOnTeam = (a: Activity, userId: string | undefined) =>
  !!userId && a.officers.some((o) => o.userId === userId);

/** Activities still under way accept times, devices and notification. */
export const isActivityOpen = (a: Activity) => a.status === 'planned' || a.status === 'in_progress';

/** A new exemption may be asked for when none is pending or approved (one pending at a time). */
export function canRequestExemption(latest: Exemption | null): boolean {
  return !latest || latest.status === 'rejected' || latest.status === 'withdrawn';
}

const NAME_SEPARATOR = '、';

/** Fills a notification template the way the server does, for a preview. */
export function fillTemplate(template: string, unitName: string, officerNames: string[]): string {
  return template
    .replaceAll('{unitName}', unitName)
    .replaceAll('{officerNames}', officerNames.join(NAME_SEPARATOR));
}

/**
 * The device clock keeps running while the officer fills in the rest of the form, so a time
 * read off the screen is kept as "what it showed, and when" and moved on by the time since.
 */
export interface ClockReading {
  shown: number;
  /** Local time when it was read. */
  readAt: number;
}

export const readingNow = (r: ClockReading, now = Date.now()) => r.shown + (now - r.readAt);

/** Which asset events make sense for a device in a status (mirrors the server's rules). */
export function deviceEventsFor(status: DeviceStatus): DeviceEventKind[] {
  switch (status) {
    case 'in_stock':
    case 'maintenance':
      return ['maintenance', 'consumable', 'loss', 'theft', 'retirement'];
    case 'issued':
      // A device out with an officer is checked in before it is retired.
      return ['maintenance', 'consumable', 'loss', 'theft'];
    case 'lost':
      return ['found', 'retirement'];
    case 'retired':
      return [];
  }
}

/** Devices that may be checked out now. */
export const canCheckOut = (d: Device) =>
  !d.openCheckout && (d.status === 'in_stock' || d.status === 'issued');

/** Whether the open check-out already has a passing pre-use check (A5.1). */
export const checkoutChecked = (d: Device) =>
  !!d.openCheckout &&
  d.lastCheck?.result === 'pass' &&
  (d.lastCheck.checkoutId === d.openCheckout.id || d.lastCheck.checkedAt >= d.openCheckout.checkedOutAt);

/** Officers on the activity change its times; a leader may correct them (server decides). */
export const canEditActivity = (a: Activity, me: { id: string; roles: readonly string[] } | undefined) =>
  !!me && (isOnTeam(a, me.id) || me.roles.includes('leader'));
