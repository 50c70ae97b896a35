// The in-app bell (issue 5, deliverable 9): notifications written by acts that need someone
// (an A11.3 report waits for the department head), and the findings awaiting the user —
// explanations an officer owes, decisions a leader owes — computed from the findings table,
// each with its due date.
import { uuidv7 } from 'uuidv7';
import type { Tx } from '../db/database.js';
import { errors } from '../domain/errors.js';
import { CARRIED_CODES, FINDING_CODES, isFindingCode } from '../domain/compliance-findings.js';
import { hasPermission, type Actor, type ServiceContext } from './context.js';

/** How long an officer has to explain a finding, and a leader to decide on an explanation. */
export const EXPLAIN_WITHIN_MS = 3 * 24 * 3_600_000;
export const DECIDE_WITHIN_MS = 5 * 24 * 3_600_000;

export interface Notification {
  id: string;
  kind: string;
  title: { zh: string; en: string };
  targetType: string | null;
  targetId: string | null;
  dueAt: number | null;
  createdAt: number;
  readAt: number | null;
  acknowledgedAt: number | null;
}

export interface AwaitingFinding {
  findingId: string;
  code: string;
  name: { zh: string; en: string };
  article: string;
  status: string;
  activityId: string;
  /** explain: the actor was on the team; decide: the actor may accept or reject. */
  owed: 'explain' | 'decide';
  dueAt: number;
}

export interface Bell {
  unread: number;
  notifications: Notification[];
  awaiting: AwaitingFinding[];
}

export class NotificationsService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Writes notifications in the caller's transaction (the act that needs the recipients). */
  async notify(
    tx: Tx,
    userIds: readonly string[],
    n: {
      kind: string;
      title: { zh: string; en: string };
      targetType: string;
      targetId: string;
      dueAt?: number | null;
    },
  ): Promise<string[]> {
    const now = this.ctx.clock.now();
    const ids: string[] = [];
    for (const userId of new Set(userIds)) {
      const id = uuidv7();
      await tx
        .insertInto('notifications')
        .values({
          id,
          userId,
          kind: n.kind,
          titleZh: n.title.zh,
          titleEn: n.title.en,
          targetType: n.targetType,
          targetId: n.targetId,
          dueAt: n.dueAt ?? null,
          createdAt: now,
          readAt: null,
          acknowledgedAt: null,
        })
        .execute();
      ids.push(id);
    }
    return ids;
  }

  async bell(actor: Actor): Promise<Bell> {
    if (!actor.userId) return { unread: 0, notifications: [], awaiting: [] };
    const db = this.ctx.catalogue.db;
    const rows = await db
      .selectFrom('notifications')
      .selectAll()
      .where('userId', '=', actor.userId)
      .orderBy('createdAt', 'desc')
      .limit(100)
      .execute();
    const notifications: Notification[] = rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      title: { zh: r.titleZh, en: r.titleEn },
      targetType: r.targetType,
      targetId: r.targetId,
      dueAt: r.dueAt === null ? null : Number(r.dueAt),
      createdAt: Number(r.createdAt),
      readAt: r.readAt === null ? null : Number(r.readAt),
      acknowledgedAt: r.acknowledgedAt === null ? null : Number(r.acknowledgedAt),
    }));

    const present = (
      f: {
        id: string;
        code: string;
        article: string;
        status: string;
        activityId?: string | null;
        createdAt: number;
        updatedAt: number;
      },
      owed: 'explain' | 'decide',
    ): AwaitingFinding => ({
      findingId: f.id,
      code: f.code,
      name: isFindingCode(f.code)
        ? { zh: FINDING_CODES[f.code].zh, en: FINDING_CODES[f.code].en }
        : { zh: f.code, en: f.code },
      article: f.article,
      status: f.status,
      activityId: f.activityId!,
      owed,
      dueAt:
        owed === 'explain' ? Number(f.createdAt) + EXPLAIN_WITHIN_MS : Number(f.updatedAt) + DECIDE_WITHIN_MS,
    });
    const columns = [
      'findings.id',
      'code',
      'article',
      'findings.status',
      'findings.activityId',
      'findings.createdAt',
      'findings.updatedAt',
    ] as const;
    // Open findings of activities the actor was on: theirs to explain.
    const mine = await db
      .selectFrom('findings')
      .innerJoin('activityOfficers', 'activityOfficers.activityId', 'findings.activityId')
      .select(columns)
      .where('activityOfficers.userId', '=', actor.userId)
      .where('findings.status', '=', 'open')
      .where('findings.withdrawnAt', 'is', null)
      .orderBy('findings.createdAt')
      .limit(200)
      .execute();
    // Import-time findings on the recordings of those activities (EDITED, HOLDER_MISMATCH …):
    // they weigh on the verdict too, and carry the recording, not the activity.
    const onRecordings = await db
      .selectFrom('findings')
      .innerJoin('recordings', 'recordings.id', 'findings.subjectId')
      .innerJoin('activityOfficers', 'activityOfficers.activityId', 'recordings.activityId')
      .select([...columns.filter((c) => c !== 'findings.activityId'), 'recordings.activityId as activityId'])
      .where('findings.subjectType', '=', 'recording')
      .where('findings.activityId', 'is', null)
      .where('findings.code', 'in', [...CARRIED_CODES])
      .where('activityOfficers.userId', '=', actor.userId)
      .where('findings.status', '=', 'open')
      .where('findings.withdrawnAt', 'is', null)
      .orderBy('findings.createdAt')
      .limit(200)
      .execute();
    mine.push(...onRecordings);
    const awaiting = mine.map((f) =>
      present({ ...f, createdAt: Number(f.createdAt), updatedAt: Number(f.updatedAt) }, 'explain'),
    );
    if (hasPermission(actor, 'findings.decide')) {
      const explained = await db
        .selectFrom('findings')
        .select(columns)
        .where('findings.status', '=', 'explained')
        .where('findings.withdrawnAt', 'is', null)
        .where('findings.activityId', 'is not', null)
        // not one's own activity: nobody decides on their own explanation
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('activityOfficers')
                .select('activityOfficers.userId')
                .whereRef('activityOfficers.activityId', '=', 'findings.activityId')
                .where('activityOfficers.userId', '=', actor.userId!),
            ),
          ),
        )
        .orderBy('findings.updatedAt')
        .limit(200)
        .execute();
      const explainedOnRecordings = await db
        .selectFrom('findings')
        .innerJoin('recordings', 'recordings.id', 'findings.subjectId')
        .select([
          ...columns.filter((c) => c !== 'findings.activityId'),
          'recordings.activityId as activityId',
        ])
        .where('findings.subjectType', '=', 'recording')
        .where('findings.activityId', 'is', null)
        .where('findings.code', 'in', [...CARRIED_CODES])
        .where('findings.status', '=', 'explained')
        .where('findings.withdrawnAt', 'is', null)
        .where('recordings.activityId', 'is not', null)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('activityOfficers')
                .select('activityOfficers.userId')
                .whereRef('activityOfficers.activityId', '=', 'recordings.activityId')
                .where('activityOfficers.userId', '=', actor.userId!),
            ),
          ),
        )
        .orderBy('findings.updatedAt')
        .limit(200)
        .execute();
      explained.push(...explainedOnRecordings);
      awaiting.push(
        ...explained.map((f) =>
          present({ ...f, createdAt: Number(f.createdAt), updatedAt: Number(f.updatedAt) }, 'decide'),
        ),
      );
    }
    awaiting.sort((a, b) => a.dueAt - b.dueAt);
    return { unread: notifications.filter((n) => n.readAt === null).length, notifications, awaiting };
  }

  /** Marks the actor's notification read (and acknowledged, when asked). */
  async mark(actor: Actor, id: string, acknowledge: boolean): Promise<Notification> {
    const db = this.ctx.catalogue.db;
    const row = await db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.userId !== actor.userId) throw errors.notFound('notification', '通知', id);
    const now = this.ctx.clock.now();
    await db
      .updateTable('notifications')
      .set({
        readAt: row.readAt ?? now,
        acknowledgedAt: acknowledge ? (row.acknowledgedAt ?? now) : row.acknowledgedAt,
      })
      .where('id', '=', id)
      .execute();
    const after = await db
      .selectFrom('notifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return {
      id: after.id,
      kind: after.kind,
      title: { zh: after.titleZh, en: after.titleEn },
      targetType: after.targetType,
      targetId: after.targetId,
      dueAt: after.dueAt === null ? null : Number(after.dueAt),
      createdAt: Number(after.createdAt),
      readAt: after.readAt === null ? null : Number(after.readAt),
      acknowledgedAt: after.acknowledgedAt === null ? null : Number(after.acknowledgedAt),
    };
  }
}
