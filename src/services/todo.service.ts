// The to-do list on the home page, by role: leaders review exemptions (A7.2); custodians
// chase devices that are overdue, failed their check (A5.1) or were lost (A21.1(7));
// officers see today's work, their devices and what their finished activities still lack.
// Someone with several roles gets every list that applies.
import type { Executor } from '../db/database.js';
import { ACTIVITY_TYPE_NAMES, dayBounds, type ActivityType } from '../domain/activity.js';
import { shownExemption, type ExemptionStatus } from '../domain/exemption.js';
import { hasPermission, type Actor, type ServiceContext } from './context.js';

export type TodoSeverity = 'info' | 'warning' | 'danger';

export interface TodoItem {
  kind:
    | 'exemption_review'
    | 'device_overdue'
    | 'device_check_failed'
    | 'device_lost'
    | 'activity_today'
    | 'checkout_open'
    | 'checkout_unchecked'
    | 'checkout_overdue'
    | 'activity_end_missing'
    | 'activity_notification_missing'
    | 'exemption_rejected';
  title: string;
  titleEn: string;
  /** When it should be done by, if there is such a time. */
  due: number | null;
  /** Since when the item has been open (its age). */
  since: number | null;
  /** Path in the web app. */
  link: string;
  severity: TodoSeverity;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** A7.2 sets no deadline for the review; three days is the target after which it shows red. */
export const EXEMPTION_REVIEW_TARGET_MS = 3 * DAY;
/** A failed pre-use check stays on the custodian's list this long unless a passing one follows. */
export const FAILED_CHECK_WINDOW_MS = DAY;
/** How far back an officer is reminded of unfinished paperwork; older gaps are compliance findings. */
export const PAPERWORK_WINDOW_MS = 30 * DAY;

const CHECK_FAILURES: Record<string, { zh: string; en: string }> = {
  CLOCK_OFFSET: { zh: '时钟偏差超限', en: 'clock off' },
  BATTERY_LOW: { zh: '电量不足', en: 'battery low' },
  STORAGE_LOW: { zh: '存储空间不足', en: 'storage low' },
};

const SEVERITY_RANK: Record<TodoSeverity, number> = { danger: 0, warning: 1, info: 2 };

function age(ms: number): { zh: string; en: string } {
  if (ms < HOUR) return { zh: '不到 1 小时', en: 'under an hour' };
  if (ms < DAY) {
    const h = Math.floor(ms / HOUR);
    return { zh: `${h} 小时`, en: `${h} h` };
  }
  const d = Math.floor(ms / DAY);
  return { zh: `${d} 天`, en: `${d} d` };
}

function typeName(type: string): { zh: string; en: string } {
  const n = ACTIVITY_TYPE_NAMES[type as ActivityType];
  return n ? { zh: n.zh, en: n.en } : { zh: type, en: type };
}

export class TodoService {
  private readonly time: Intl.DateTimeFormat;
  private readonly date: Intl.DateTimeFormat;

  constructor(
    private readonly ctx: ServiceContext,
    /** The local day ("today's activities") and the times shown in titles. */
    private readonly timeZone: string,
  ) {
    this.time = new Intl.DateTimeFormat('zh-CN', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    this.date = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }

  async list(actor: Actor): Promise<TodoItem[]> {
    const db = this.ctx.catalogue.db;
    const now = this.ctx.clock.now();
    const items: TodoItem[] = [];
    if (actor.roles.includes('leader') && hasPermission(actor, 'exemptions.review'))
      items.push(...(await this.forLeader(db, now)));
    if (actor.roles.includes('custodian') && hasPermission(actor, 'checkouts.manage'))
      items.push(...(await this.forCustodian(db, now)));
    if (actor.userId) {
      if (hasPermission(actor, 'activities.read'))
        items.push(...(await this.activitiesOf(db, actor.userId, now)));
      if (hasPermission(actor, 'checkouts.own'))
        items.push(...(await this.checkoutsOf(db, actor.userId, now)));
    }
    return items.sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        (a.due ?? Number.MAX_SAFE_INTEGER) - (b.due ?? Number.MAX_SAFE_INTEGER) ||
        (a.since ?? 0) - (b.since ?? 0) ||
        a.link.localeCompare(b.link),
    );
  }

  private async forLeader(db: Executor, now: number): Promise<TodoItem[]> {
    const rows = await db
      .selectFrom('exemptions as e')
      .innerJoin('activities as a', 'a.id', 'e.activityId')
      .innerJoin('enforcementSubjects as s', 's.id', 'a.subjectId')
      .innerJoin('users as u', 'u.id', 'e.authorId')
      .select([
        'e.id',
        'e.createdAt',
        'a.id as activityId',
        'a.type',
        's.name as subjectName',
        'u.name as authorName',
      ])
      .where('e.status', '=', 'pending')
      .orderBy('e.createdAt')
      .execute();
    return rows.map((r) => {
      const since = Number(r.createdAt);
      const a = age(now - since);
      const t = typeName(r.type);
      const due = since + EXEMPTION_REVIEW_TARGET_MS;
      return {
        kind: 'exemption_review',
        title: `审核不予记录说明：${r.subjectName}（${t.zh}），${r.authorName}提交，已等待 ${a.zh}`,
        titleEn: `Review an exemption: ${r.subjectName} (${t.en}), from ${r.authorName}, waiting ${a.en}`,
        due,
        since,
        link: `/activities/${r.activityId}`,
        severity: now > due ? 'danger' : 'warning',
      };
    });
  }

  private async forCustodian(db: Executor, now: number): Promise<TodoItem[]> {
    const items: TodoItem[] = [];
    const overdue = await db
      .selectFrom('checkouts as c')
      .innerJoin('devices as d', 'd.id', 'c.deviceId')
      .innerJoin('users as u', 'u.id', 'c.officerId')
      .select(['c.deviceId', 'c.dueAt', 'd.serial', 'u.name as officerName'])
      .where('c.checkedInAt', 'is', null)
      .where('c.dueAt', '<', now)
      .execute();
    for (const r of overdue) {
      const due = Number(r.dueAt);
      const a = age(now - due);
      items.push({
        kind: 'device_overdue',
        title: `设备逾期未归还：${r.serial}（${r.officerName}），已逾期 ${a.zh}`,
        titleEn: `Device not returned: ${r.serial} (${r.officerName}), overdue by ${a.en}`,
        due,
        since: due,
        link: `/devices/${r.deviceId}`,
        severity: 'danger',
      });
    }

    // A device whose latest check in the window failed, with no pass after it.
    const checks = await db
      .selectFrom('deviceChecks as k')
      .innerJoin('devices as d', 'd.id', 'k.deviceId')
      .innerJoin('users as u', 'u.id', 'k.officerId')
      .select([
        'k.id',
        'k.deviceId',
        'k.checkedAt',
        'k.result',
        'k.failures',
        'd.serial',
        'd.status',
        'u.name as officerName',
      ])
      .where('k.checkedAt', '>=', now - FAILED_CHECK_WINDOW_MS)
      .orderBy('k.checkedAt', 'desc')
      .orderBy('k.id', 'desc')
      .execute();
    const seen = new Set<string>();
    const passedSince = new Set<string>();
    for (const k of checks) {
      if (k.result === 'pass') passedSince.add(k.deviceId);
      if (k.result !== 'fail' || seen.has(k.deviceId) || passedSince.has(k.deviceId)) continue;
      seen.add(k.deviceId);
      if (k.status === 'retired' || k.status === 'lost') continue;
      let codes: string[] = [];
      try {
        const parsed: unknown = JSON.parse(k.failures);
        if (Array.isArray(parsed)) codes = parsed.map(String);
      } catch {
        codes = [];
      }
      const zh = codes.map((c) => CHECK_FAILURES[c]?.zh ?? c).join('、');
      const en = codes.map((c) => CHECK_FAILURES[c]?.en ?? c).join(', ');
      items.push({
        kind: 'device_check_failed',
        title: `设备使用前检查未通过：${k.serial}（${k.officerName}${zh ? `，${zh}` : ''}）`,
        titleEn: `Pre-use check failed: ${k.serial} (${k.officerName}${en ? `, ${en}` : ''})`,
        due: null,
        since: Number(k.checkedAt),
        link: `/devices/${k.deviceId}`,
        severity: 'warning',
      });
    }

    const lost = await db
      .selectFrom('devices as d')
      .leftJoin('users as u', 'u.id', 'd.holderId')
      .select(['d.id', 'd.serial', 'd.updatedAt', 'u.name as holderName'])
      .where('d.status', '=', 'lost')
      .execute();
    if (lost.length) {
      const reports = await db
        .selectFrom('deviceEvents')
        .select(['deviceId', 'createdAt'])
        .where('kind', 'in', ['loss', 'theft'])
        .where(
          'deviceId',
          'in',
          lost.map((d) => d.id),
        )
        .execute();
      for (const d of lost) {
        const reported = reports.filter((e) => e.deviceId === d.id).map((e) => Number(e.createdAt));
        const since = reported.length ? Math.max(...reported) : Number(d.updatedAt);
        items.push({
          kind: 'device_lost',
          title: `设备遗失待处理：${d.serial}${d.holderName ? `（${d.holderName}）` : ''}`,
          titleEn: `Device lost: ${d.serial}${d.holderName ? ` (${d.holderName})` : ''}`,
          due: null,
          since,
          link: `/devices/${d.id}`,
          severity: 'danger',
        });
      }
    }
    return items;
  }

  private async activitiesOf(db: Executor, userId: string, now: number): Promise<TodoItem[]> {
    const items: TodoItem[] = [];
    const today = dayBounds(now, this.timeZone);
    const rows = await db
      .selectFrom('activities as a')
      .innerJoin('activityOfficers as ao', 'ao.activityId', 'a.id')
      .innerJoin('enforcementSubjects as s', 's.id', 'a.subjectId')
      .select([
        'a.id',
        'a.type',
        'a.title',
        'a.status',
        'a.plannedAt',
        'a.arrivedAt',
        'a.endedAt',
        'a.notifiedAt',
        's.name as subjectName',
      ])
      .where('ao.userId', '=', userId)
      .where((eb) =>
        eb.or([
          eb('a.plannedAt', '>=', today.start - PAPERWORK_WINDOW_MS),
          eb('a.arrivedAt', '>=', today.start - PAPERWORK_WINDOW_MS),
          eb('a.endedAt', '>=', now - PAPERWORK_WINDOW_MS),
        ]),
      )
      .where('a.status', '!=', 'cancelled')
      .orderBy('a.plannedAt')
      .execute();
    for (const r of rows) {
      const t = typeName(r.type);
      const what = { zh: `${t.zh} · ${r.subjectName}`, en: `${t.en} · ${r.subjectName}` };
      const plannedAt = Number(r.plannedAt);
      const startedAt = r.arrivedAt === null ? plannedAt : Number(r.arrivedAt);
      const link = `/activities/${r.id}`;
      const open = r.status === 'planned' || r.status === 'in_progress';
      if (open && plannedAt >= today.start && plannedAt < today.end) {
        const hm = this.time.format(plannedAt);
        items.push({
          kind: 'activity_today',
          title: `今日执法：${what.zh}（${hm}${r.status === 'in_progress' ? '，进行中' : ''}）`,
          titleEn: `Today: ${what.en} (${hm}${r.status === 'in_progress' ? ', in progress' : ''})`,
          due: plannedAt,
          since: null,
          link,
          severity: 'info',
        });
      } else if (open && startedAt < today.start) {
        const day = this.date.format(startedAt);
        items.push({
          kind: 'activity_end_missing',
          title: `执法活动未登记结束时间：${what.zh}（${day}）`,
          titleEn: `Activity has no end time: ${what.en} (${day})`,
          due: null,
          since: startedAt,
          link,
          severity: 'warning',
        });
      }
      if (r.status === 'completed' && r.notifiedAt === null) {
        const day = this.date.format(r.endedAt === null ? startedAt : Number(r.endedAt));
        items.push({
          kind: 'activity_notification_missing',
          title: `执法活动未登记告知（录音录像告知）：${what.zh}（${day}）`,
          titleEn: `Notification not recorded: ${what.en} (${day})`,
          due: null,
          since: r.endedAt === null ? startedAt : Number(r.endedAt),
          link,
          severity: 'warning',
        });
      }
    }

    // A7.2: a rejected exemption leaves the activity open until answered.
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      const ex = await db
        .selectFrom('exemptions')
        .select(['id', 'activityId', 'status', 'createdAt', 'reviewedAt'])
        .where('activityId', 'in', ids.slice(i, i + 500))
        .execute();
      const byActivity = new Map<
        string,
        { id: string; status: ExemptionStatus; createdAt: number; reviewedAt: number | null }[]
      >();
      for (const e of ex)
        byActivity.set(e.activityId, [
          ...(byActivity.get(e.activityId) ?? []),
          {
            id: e.id,
            status: e.status as ExemptionStatus,
            createdAt: Number(e.createdAt),
            reviewedAt: e.reviewedAt === null ? null : Number(e.reviewedAt),
          },
        ]);
      for (const [activityId, list] of byActivity) {
        const shown = shownExemption(list);
        if (shown?.status !== 'rejected') continue;
        const r = rows.find((x) => x.id === activityId)!;
        const t = typeName(r.type);
        items.push({
          kind: 'exemption_rejected',
          title: `不予记录说明被退回：${t.zh} · ${r.subjectName}`,
          titleEn: `Exemption rejected: ${t.en} · ${r.subjectName}`,
          due: null,
          since: shown.reviewedAt,
          link: `/activities/${activityId}`,
          severity: 'warning',
        });
      }
    }
    return items;
  }

  private async checkoutsOf(db: Executor, userId: string, now: number): Promise<TodoItem[]> {
    const open = await db
      .selectFrom('checkouts as c')
      .innerJoin('devices as d', 'd.id', 'c.deviceId')
      .select(['c.id', 'c.deviceId', 'c.checkedOutAt', 'c.dueAt', 'd.serial'])
      .where('c.officerId', '=', userId)
      .where('c.checkedInAt', 'is', null)
      .orderBy('c.dueAt')
      .execute();
    const items: TodoItem[] = [];
    for (const c of open) {
      const checkedOutAt = Number(c.checkedOutAt);
      const due = Number(c.dueAt);
      const passed = await db
        .selectFrom('deviceChecks')
        .select('id')
        .where('deviceId', '=', c.deviceId)
        .where('result', '=', 'pass')
        .where('checkedAt', '>=', checkedOutAt)
        .limit(1)
        .executeTakeFirst();
      const link = `/devices/${c.deviceId}`;
      const by = this.time.format(due);
      const byDay = this.date.format(due);
      if (due < now)
        items.push({
          kind: 'checkout_overdue',
          title: `领用的设备 ${c.serial} 已超过归还时间（${byDay} ${by}），请尽快归还并导入音像记录`,
          titleEn: `Device ${c.serial} was due back at ${byDay} ${by}; return it and import its recordings`,
          due,
          since: checkedOutAt,
          link,
          severity: 'danger',
        });
      else if (!passed)
        items.push({
          kind: 'checkout_unchecked',
          title: `领用的设备 ${c.serial} 尚未通过使用前检查（电量、存储、时间）`,
          titleEn: `Device ${c.serial} has not passed its pre-use check (battery, storage, clock)`,
          due,
          since: checkedOutAt,
          link,
          severity: 'warning',
        });
      else
        items.push({
          kind: 'checkout_open',
          title: `领用中：设备 ${c.serial}，使用前检查已通过，${byDay} ${by} 前归还`,
          titleEn: `Checked out: device ${c.serial}, pre-use check passed, due back ${byDay} ${by}`,
          due,
          since: checkedOutAt,
          link,
          severity: 'info',
        });
    }
    return items;
  }
}
