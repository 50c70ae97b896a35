// Exemptions from recording (A7.1, A7.2): an officer of the activity writes the work
// record (category, reason, basis); a brigade leader approves or rejects it.
import type { Selectable } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Executor, Tx } from '../db/database.js';
import type { ExemptionsTable } from '../db/schema.js';
import { ACTIVITY_TYPE_NAMES, type ActivityType } from '../domain/activity.js';
import { AppError, errors } from '../domain/errors.js';
import {
  assertCanRequest,
  isExemptionCategory,
  MAX_BASIS,
  MAX_COMMENT,
  MAX_REASON,
  transition,
  type ExemptionCategory,
  type ExemptionStatus,
} from '../domain/exemption.js';
import { enqueueCompliance } from './compliance.service.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, hasPermission, type Actor, type ServiceContext } from './context.js';

export type ExemptionRow = Selectable<ExemptionsTable>;

export interface Exemption {
  id: string;
  activityId: string;
  category: ExemptionCategory;
  reason: string;
  basis: string;
  authorId: string;
  authorName: string;
  createdAt: number;
  status: ExemptionStatus;
  reviewerId: string | null;
  reviewerName: string | null;
  reviewedAt: number | null;
  reviewComment: string | null;
}

/** A list entry carries enough of its activity for a leader to decide what to open. */
export interface ExemptionListItem extends Exemption {
  activity: {
    type: ActivityType;
    typeNameZh: string;
    title: string | null;
    subjectId: string;
    subjectName: string;
    plannedAt: number;
    status: string;
  };
}

export interface ExemptionInput {
  category: string;
  reason: string;
  basis: string;
}

export interface ReviewInput {
  decision: 'approve' | 'reject';
  comment?: string | null;
}

export interface ExemptionFilter {
  status?: ExemptionStatus;
  activityId?: string;
}

/** Written prose: trimmed, bounded; line breaks and tabs allowed, other control characters not. */
function prose(
  value: string | null | undefined,
  field: string,
  zhField: string,
  max: number,
  required: boolean,
): string | null {
  const v = (value ?? '').trim();
  if (!v) {
    if (!required) return null;
  } else if ([...v].length <= max && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v)) return v;
  throw new AppError(
    'VALIDATION_FAILED',
    400,
    {
      zh: `${zhField}须为 1–${max} 个字符，且不含控制字符`,
      en: `${field} must be 1–${max} characters without control characters`,
    },
    { field },
  );
}

export async function presentExemptions(db: Executor, rows: readonly ExemptionRow[]): Promise<Exemption[]> {
  if (rows.length === 0) return [];
  const userIds = [
    ...new Set(rows.flatMap((r) => (r.reviewerId ? [r.authorId, r.reviewerId] : [r.authorId]))),
  ];
  const names = new Map<string, string>();
  for (let i = 0; i < userIds.length; i += 500)
    for (const u of await db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('id', 'in', userIds.slice(i, i + 500))
      .execute())
      names.set(u.id, u.name);
  return rows.map((r) => ({
    id: r.id,
    activityId: r.activityId,
    category: r.category as ExemptionCategory,
    reason: r.reason,
    basis: r.basis,
    authorId: r.authorId,
    authorName: names.get(r.authorId) ?? '',
    createdAt: Number(r.createdAt),
    status: r.status as ExemptionStatus,
    reviewerId: r.reviewerId,
    reviewerName: r.reviewerId ? (names.get(r.reviewerId) ?? null) : null,
    reviewedAt: r.reviewedAt === null ? null : Number(r.reviewedAt),
    reviewComment: r.reviewComment,
  }));
}

export class ExemptionsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  private async row(db: Executor, id: string): Promise<ExemptionRow> {
    const row = await db.selectFrom('exemptions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw errors.notFound('exemption', '不予记录说明', id);
    return row;
  }

  private async one(db: Executor, id: string): Promise<Exemption> {
    return (await presentExemptions(db, [await this.row(db, id)]))[0]!;
  }

  /** A7.2: written by an officer who was (to be) on the activity, afterwards. */
  async request(actor: Actor, activityId: string, input: ExemptionInput): Promise<Exemption> {
    assertPermission(actor, 'exemptions.request');
    if (!isExemptionCategory(input.category))
      throw new AppError(
        'EXEMPTION_CATEGORY_UNKNOWN',
        400,
        { zh: `未知的不予记录情形：${input.category}`, en: `Unknown exemption category: ${input.category}` },
        { category: input.category },
      );
    const category = input.category;
    const reason = prose(input.reason, 'reason', '不予记录的原因', MAX_REASON, true)!;
    const basis = prose(input.basis, 'basis', '依据', MAX_BASIS, true)!;
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const activity = await tx
        .selectFrom('activities')
        .select(['id', 'status'])
        .where('id', '=', activityId)
        .executeTakeFirst();
      if (!activity) throw errors.notFound('activity', '执法活动', activityId);
      const onTeam =
        actor.userId !== null &&
        (await tx
          .selectFrom('activityOfficers')
          .select('userId')
          .where('activityId', '=', activityId)
          .where('userId', '=', actor.userId)
          .executeTakeFirst()) !== undefined;
      if (!onTeam)
        throw new AppError(
          'FORBIDDEN',
          403,
          {
            zh: '只有本次活动的执法人员可以提交不予记录说明',
            en: 'Only an officer of the activity may submit an exemption',
          },
          { reason: 'not_on_activity' },
        );
      if (activity.status === 'cancelled')
        throw errors.conflict(
          'ACTIVITY_CLOSED',
          '该执法活动已取消，无需不予记录说明',
          'This activity was cancelled; it needs no exemption',
          { status: 'cancelled' },
        );
      await lockActivity(tx, activityId);
      const existing = await tx
        .selectFrom('exemptions')
        .select('status')
        .where('activityId', '=', activityId)
        .execute();
      assertCanRequest(existing.map((e) => ({ status: e.status as ExemptionStatus })));
      const row: ExemptionRow = {
        id: uuidv7(),
        activityId,
        category,
        reason,
        basis,
        authorId: actor.userId!,
        createdAt: this.ctx.clock.now(),
        status: 'pending',
        reviewerId: null,
        reviewedAt: null,
        reviewComment: null,
      };
      await tx.insertInto('exemptions').values(row).execute();
      await this.audit.record(tx, actor, {
        action: 'exemption.request',
        targetType: 'exemption',
        targetId: row.id,
        details: { activityId, category, reason, basis },
      });
      await enqueueCompliance(tx, this.ctx, activityId);
      return this.one(tx, row.id);
    });
  }

  async review(actor: Actor, id: string, input: ReviewInput): Promise<Exemption> {
    assertPermission(actor, 'exemptions.review');
    const comment = prose(input.comment, 'comment', '审核意见', MAX_COMMENT, false);
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const current = await this.row(tx, id);
      // the one who asked does not decide
      if (current.authorId === actor.userId)
        throw new AppError(
          'FORBIDDEN',
          403,
          { zh: '不能审核本人提交的不予记录说明', en: 'You cannot review your own exemption' },
          { reason: 'self_review' },
        );
      const status = transition(current.status as ExemptionStatus, input.decision, comment);
      const now = this.ctx.clock.now();
      // compare-and-set: of two leaders deciding at once, the second finds it decided
      const res = await tx
        .updateTable('exemptions')
        .set({ status, reviewerId: actor.userId, reviewedAt: now, reviewComment: comment })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) {
        transition((await this.row(tx, id)).status as ExemptionStatus, input.decision, comment); // throws EXEMPTION_NOT_PENDING
        throw errors.internal();
      }
      await this.audit.record(tx, actor, {
        action: 'exemption.review',
        targetType: 'exemption',
        targetId: id,
        details: { activityId: current.activityId, decision: input.decision, status, comment },
      });
      await enqueueCompliance(tx, this.ctx, current.activityId);
      return this.one(tx, id);
    });
  }

  async withdraw(actor: Actor, id: string): Promise<Exemption> {
    assertPermission(actor, 'exemptions.request');
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      const current = await this.row(tx, id);
      if (current.authorId !== actor.userId)
        throw new AppError(
          'FORBIDDEN',
          403,
          { zh: '只有提交人可以撤回不予记录说明', en: 'Only its author may withdraw an exemption' },
          { reason: 'not_author' },
        );
      const status = transition(current.status as ExemptionStatus, 'withdraw', null);
      const res = await tx
        .updateTable('exemptions')
        .set({ status })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) {
        transition((await this.row(tx, id)).status as ExemptionStatus, 'withdraw', null); // throws EXEMPTION_NOT_PENDING
        throw errors.internal();
      }
      await this.audit.record(tx, actor, {
        action: 'exemption.withdraw',
        targetType: 'exemption',
        targetId: id,
        details: { activityId: current.activityId },
      });
      await enqueueCompliance(tx, this.ctx, current.activityId);
      return this.one(tx, id);
    });
  }

  /** Reviewers see every exemption; everyone else only those they wrote. Oldest pending first. */
  async list(actor: Actor, filter: ExemptionFilter = {}): Promise<ExemptionListItem[]> {
    const reviewer = hasPermission(actor, 'exemptions.review');
    if (!reviewer) {
      assertPermission(actor, 'exemptions.request');
      if (!actor.userId) return [];
    }
    const db = this.ctx.catalogue.db;
    let q = db.selectFrom('exemptions').selectAll();
    if (!reviewer) q = q.where('authorId', '=', actor.userId!);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.activityId) q = q.where('activityId', '=', filter.activityId);
    const rows = await q
      .orderBy('createdAt', filter.status === 'pending' ? 'asc' : 'desc')
      .orderBy('id')
      .limit(1000)
      .execute();
    const items = await presentExemptions(db, rows);
    const activityIds = [...new Set(rows.map((r) => r.activityId))];
    const activities = new Map<string, ExemptionListItem['activity']>();
    for (let i = 0; i < activityIds.length; i += 500) {
      const found = await db
        .selectFrom('activities as a')
        .innerJoin('enforcementSubjects as s', 's.id', 'a.subjectId')
        .select([
          'a.id',
          'a.type',
          'a.title',
          'a.subjectId',
          's.name as subjectName',
          'a.plannedAt',
          'a.status',
        ])
        .where('a.id', 'in', activityIds.slice(i, i + 500))
        .execute();
      for (const a of found)
        activities.set(a.id, {
          type: a.type as ActivityType,
          typeNameZh: ACTIVITY_TYPE_NAMES[a.type as ActivityType]?.zh ?? a.type,
          title: a.title,
          subjectId: a.subjectId,
          subjectName: a.subjectName,
          plannedAt: Number(a.plannedAt),
          status: a.status,
        });
    }
    return items.map((e) => ({ ...e, activity: activities.get(e.activityId)! }));
  }
}

/** Serialises writers on one activity (a row lock on PostgreSQL; SQLite writes one at a time anyway). */
async function lockActivity(tx: Tx, id: string): Promise<void> {
  await tx
    .updateTable('activities')
    .set((eb) => ({ updatedAt: eb.ref('updatedAt') }))
    .where('id', '=', id)
    .execute();
}
