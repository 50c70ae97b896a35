// Linking recordings to activities (A4.1). At import, autoLink applies the pure rule
// (domain/linking.ts) in the cataloguing transaction; a recording nothing claims gets one
// UNLINKED finding. By hand, a custodian or the recording's holder links or unlinks with a
// reason; every change is audited with its from/to. Only recordings.activity_id changes:
// the file (blob, hash, metadata) is never touched.
import { uuidv7 } from 'uuidv7';
import type { Executor, Tx } from '../db/database.js';
import type { FindingsTable } from '../db/schema.js';
import { AppError, errors } from '../domain/errors.js';
import { chooseActivity, DEFAULT_LINK_SLACK_MS, type LinkCandidate } from '../domain/linking.js';
import type { AuditService } from './audit.service.js';
import { cleanText } from './activities.service.js';
import { enqueueCompliance } from './compliance.service.js';
import { hasPermission, type Actor, type ServiceContext } from './context.js';

export const UNLINKED_FINDING = { code: 'UNLINKED', article: 'A4.1', severity: 'warning' } as const;

/** Only recordings are linked; 'other' files (device-info files, stray documents) are merely kept. */
const LINKABLE_KINDS = new Set(['video', 'photo', 'audio']);

export interface LinkResult {
  recordingId: string;
  activityId: string | null;
  previousActivityId: string | null;
  /** UNLINKED findings this change explained (linking) or opened (unlinking). */
  findingIds: string[];
}

async function candidatesAround(
  db: Executor,
  rec: { holderId: string | null; deviceId: string; recordedAt: number },
  slackMs: number,
): Promise<LinkCandidate[]> {
  const rows = await db
    .selectFrom('activities')
    .select(['id', 'arrivedAt', 'endedAt', 'plannedAt', 'status'])
    .where('status', '!=', 'cancelled')
    .where('arrivedAt', 'is not', null)
    .where('arrivedAt', '<=', rec.recordedAt + slackMs)
    .where((eb) => eb.or([eb('endedAt', 'is', null), eb('endedAt', '>=', rec.recordedAt - slackMs)]))
    .where((eb) =>
      eb.or([
        eb(
          'id',
          'in',
          eb.selectFrom('activityDevices').select('activityId').where('deviceId', '=', rec.deviceId),
        ),
        ...(rec.holderId === null
          ? []
          : [
              eb(
                'id',
                'in',
                eb.selectFrom('activityOfficers').select('activityId').where('userId', '=', rec.holderId),
              ),
            ]),
      ]),
    )
    .execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [officers, devices] = await Promise.all([
    db
      .selectFrom('activityOfficers')
      .select(['activityId', 'userId'])
      .where('activityId', 'in', ids)
      .execute(),
    db
      .selectFrom('activityDevices')
      .select(['activityId', 'deviceId'])
      .where('activityId', 'in', ids)
      .execute(),
  ]);
  return rows.map((r) => ({
    id: r.id,
    arrivedAt: r.arrivedAt === null ? null : Number(r.arrivedAt),
    endedAt: r.endedAt === null ? null : Number(r.endedAt),
    plannedAt: Number(r.plannedAt),
    status: r.status,
    officerIds: officers.filter((o) => o.activityId === r.id).map((o) => o.userId),
    deviceIds: devices.filter((d) => d.activityId === r.id).map((d) => d.deviceId),
  }));
}

async function insertUnlinked(
  tx: Tx,
  now: number,
  recordingId: string,
  detail: Record<string, unknown>,
): Promise<string> {
  const row: FindingsTable = {
    id: uuidv7(),
    code: UNLINKED_FINDING.code,
    article: UNLINKED_FINDING.article,
    severity: UNLINKED_FINDING.severity,
    subjectType: 'recording',
    subjectId: recordingId,
    detail: JSON.stringify(detail),
    status: 'open',
    createdAt: now,
    updatedAt: now,
  };
  await tx.insertInto('findings').values(row).execute();
  return row.id;
}

type LinkableRow = {
  id: string;
  kind: string;
  holderId: string | null;
  deviceId: string;
  recordedAt: number | null;
  endedAt: number | null;
  activityId: string | null;
  importId: string;
};

const LINKABLE_COLUMNS = [
  'id',
  'kind',
  'holderId',
  'deviceId',
  'recordedAt',
  'endedAt',
  'activityId',
  'importId',
] as const;

/**
 * Applies the linking rule to one recording and records the outcome: a new link (audited as
 * `recording.link`, auto), or no activity — then one open UNLINKED finding. When the rule now
 * links a recording that had an open UNLINKED finding, that finding is explained by the rule.
 * `trigger` says why the rule ran again (an activity's change), for the audit trail.
 */
async function applyRule(
  tx: Tx,
  ctx: ServiceContext,
  audit: AuditService,
  actor: Actor,
  rec: LinkableRow,
  trigger: { activityId: string } | null,
): Promise<{ activityId: string | null; findingId: string | null; changed: boolean }> {
  const slackMs = DEFAULT_LINK_SLACK_MS;
  const recordedAt = rec.recordedAt === null ? null : Number(rec.recordedAt);
  const recording = {
    holderId: rec.holderId,
    deviceId: rec.deviceId,
    recordedAt,
    endedAt: rec.endedAt === null ? null : Number(rec.endedAt),
  };
  const candidates =
    recordedAt === null ? [] : await candidatesAround(tx, { ...recording, recordedAt }, slackMs);
  const choice = chooseActivity(recording, candidates, { slackMs });
  const now = ctx.clock.now();
  const changed = choice.activityId !== rec.activityId;

  if (changed) {
    await tx
      .updateTable('recordings')
      .set({ activityId: choice.activityId, linkSource: choice.activityId === null ? null : 'auto' })
      .where('id', '=', rec.id)
      .execute();
    await audit.record(tx, actor, {
      action: 'recording.link',
      targetType: 'recording',
      targetId: rec.id,
      details: {
        from: rec.activityId,
        to: choice.activityId,
        auto: true,
        rule: choice.reason,
        matches: choice.matches,
        importId: rec.importId,
        ...(trigger ? { trigger: { activityChanged: trigger.activityId } } : {}),
      },
    });
    // Both activities' verdicts depend on which recordings they have.
    for (const id of [rec.activityId, choice.activityId])
      if (id !== null && id !== trigger?.activityId) await enqueueCompliance(tx, ctx, id);
  }

  const open = await tx
    .selectFrom('findings')
    .select(['id', 'detail'])
    .where('code', '=', UNLINKED_FINDING.code)
    .where('subjectType', '=', 'recording')
    .where('subjectId', '=', rec.id)
    .where('status', '=', 'open')
    .execute();
  if (choice.activityId !== null) {
    // The rule now places it: its open UNLINKED finding is explained, and stays for the record.
    for (const f of open) {
      const detail = {
        ...(JSON.parse(f.detail) as Record<string, unknown>),
        explanation: { activityId: choice.activityId, auto: true, rule: choice.reason, at: now },
      };
      await tx
        .updateTable('findings')
        .set({ status: 'explained', detail: JSON.stringify(detail), updatedAt: now })
        .where('id', '=', f.id)
        .execute();
    }
    return { activityId: choice.activityId, findingId: null, changed };
  }
  if (open.length > 0) return { activityId: null, findingId: open[0]!.id, changed };
  if (!trigger) {
    // At import: one UNLINKED finding per recording, even if an earlier one was explained.
    const existing = await tx
      .selectFrom('findings')
      .select('id')
      .where('code', '=', UNLINKED_FINDING.code)
      .where('subjectType', '=', 'recording')
      .where('subjectId', '=', rec.id)
      .executeTakeFirst();
    if (existing) return { activityId: null, findingId: existing.id, changed };
  }
  const findingId = await insertUnlinked(tx, now, rec.id, {
    reason: choice.reason,
    recordedAt,
    holderId: rec.holderId,
    deviceId: rec.deviceId,
    importId: rec.importId,
    slackMs,
    ...(trigger ? { previousActivityId: rec.activityId, activityChanged: trigger.activityId } : {}),
  });
  return { activityId: null, findingId, changed };
}

/**
 * Links a freshly catalogued recording to its activity, in the caller's transaction. A
 * recording already linked is left alone; one nothing claims gets an UNLINKED finding unless
 * it has one already. The link is audited as the import's act (`recording.link`, auto).
 */
export async function autoLink(
  tx: Tx,
  ctx: ServiceContext,
  audit: AuditService,
  actor: Actor,
  recordingId: string,
): Promise<{ activityId: string | null; findingId: string | null }> {
  const rec = await tx
    .selectFrom('recordings')
    .select(LINKABLE_COLUMNS)
    .where('id', '=', recordingId)
    .executeTakeFirst();
  if (!rec) throw errors.notFound('recording', '录像', recordingId);
  if (rec.activityId !== null) return { activityId: rec.activityId, findingId: null };
  if (!LINKABLE_KINDS.has(rec.kind)) return { activityId: null, findingId: null };
  const { activityId, findingId } = await applyRule(tx, ctx, audit, actor, rec, null);
  return { activityId, findingId };
}

/**
 * After an activity's times, status, team or devices change, runs the rule again for the
 * recordings it may now claim or lose: those the rule linked to it, and the team's and its
 * devices' recordings around its window that are unlinked or linked by the rule elsewhere.
 * Manual links (and manual unlinks) stand: a person decided those. Returns how many moved.
 */
export async function relinkActivity(
  tx: Tx,
  ctx: ServiceContext,
  audit: AuditService,
  actor: Actor,
  activityId: string,
): Promise<{ relinked: number; checked: number }> {
  const slackMs = DEFAULT_LINK_SLACK_MS;
  const act = await tx
    .selectFrom('activities')
    .select(['id', 'arrivedAt', 'endedAt', 'status'])
    .where('id', '=', activityId)
    .executeTakeFirst();
  if (!act) throw errors.notFound('activity', '执法活动', activityId);
  const [officers, devices] = await Promise.all([
    tx.selectFrom('activityOfficers').select('userId').where('activityId', '=', activityId).execute(),
    tx.selectFrom('activityDevices').select('deviceId').where('activityId', '=', activityId).execute(),
  ]);
  const officerIds = officers.map((o) => o.userId);
  const deviceIds = devices.map((d) => d.deviceId);
  const window =
    act.status === 'cancelled' || act.arrivedAt === null
      ? null
      : {
          from: Number(act.arrivedAt) - slackMs,
          to: act.endedAt === null ? ctx.clock.now() + slackMs : Number(act.endedAt) + slackMs,
        };

  const ruleLinked = await tx
    .selectFrom('recordings')
    .select(LINKABLE_COLUMNS)
    .where('activityId', '=', activityId)
    .where('linkSource', '=', 'auto')
    .execute();
  const around =
    window === null || (officerIds.length === 0 && deviceIds.length === 0)
      ? []
      : await tx
          .selectFrom('recordings')
          .select(LINKABLE_COLUMNS)
          .where('kind', 'in', [...LINKABLE_KINDS])
          .where('recordedAt', '>=', window.from)
          .where('recordedAt', '<=', window.to)
          .where((eb) =>
            eb.or([
              ...(officerIds.length ? [eb('holderId', 'in', officerIds)] : []),
              ...(deviceIds.length ? [eb('deviceId', 'in', deviceIds)] : []),
            ]),
          )
          // a manual decision (link or unlink) stands
          .where((eb) => eb.or([eb('linkSource', 'is', null), eb('linkSource', '=', 'auto')]))
          .where((eb) =>
            eb.or([
              eb('activityId', 'is', null),
              eb.and([eb('linkSource', '=', 'auto'), eb('activityId', '!=', activityId)]),
            ]),
          )
          .execute();

  let relinked = 0;
  const seen = new Set<string>();
  for (const rec of [...ruleLinked, ...around]) {
    if (seen.has(rec.id)) continue;
    seen.add(rec.id);
    const { changed } = await applyRule(tx, ctx, audit, actor, rec, { activityId });
    if (changed) relinked++;
  }
  return { relinked, checked: seen.size };
}

export class LinkingService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  autoLink(tx: Tx, actor: Actor, recordingId: string) {
    return autoLink(tx, this.ctx, this.audit, actor, recordingId);
  }

  relinkActivity(tx: Tx, actor: Actor, activityId: string) {
    return relinkActivity(tx, this.ctx, this.audit, actor, activityId);
  }

  /**
   * Links (or, with null, unlinks) a recording by hand. Custodians (checkouts.manage or
   * devices.manage) may link any recording to any activity that is not cancelled; the
   * recording's holder may link their own recordings to activities they were on the team of.
   */
  async link(
    actor: Actor,
    recordingId: string,
    activityId: string | null,
    reason: string,
  ): Promise<LinkResult> {
    const why = cleanText(reason, 'reason', '理由', 500, true);
    const custodian = hasPermission(actor, 'checkouts.manage') || hasPermission(actor, 'devices.manage');
    return this.ctx.catalogue.db.transaction().execute(async (tx) => {
      // Row lock on PostgreSQL, so two concurrent changes apply one after the other.
      await tx
        .updateTable('recordings')
        .set((eb) => ({ activityId: eb.ref('activityId') }))
        .where('id', '=', recordingId)
        .execute();
      const rec = await tx
        .selectFrom('recordings')
        .select(['id', 'kind', 'holderId', 'activityId'])
        .where('id', '=', recordingId)
        .executeTakeFirst();
      if (!rec) throw errors.notFound('recording', '录像', recordingId);
      const holder = actor.userId !== null && actor.userId === rec.holderId;
      if (!custodian && !holder) throw errors.forbidden('checkouts.manage');

      if (activityId !== null) {
        const act = await tx
          .selectFrom('activities')
          .select(['id', 'status'])
          .where('id', '=', activityId)
          .executeTakeFirst();
        if (!act) throw errors.notFound('activity', '执法活动', activityId);
        if (act.status === 'cancelled')
          throw new AppError(
            'ACTIVITY_CANCELLED',
            409,
            { zh: '不能关联到已取消的执法活动', en: 'Cannot link to a cancelled activity' },
            { activityId },
          );
        if (!custodian) {
          const onTeam = await tx
            .selectFrom('activityOfficers')
            .select('userId')
            .where('activityId', '=', activityId)
            .where('userId', '=', actor.userId!)
            .executeTakeFirst();
          if (!onTeam) throw errors.forbidden('checkouts.manage');
        }
      }
      if (rec.activityId === activityId)
        throw new AppError(
          'RECORDING_LINK_UNCHANGED',
          409,
          {
            zh: activityId === null ? '该录像本就未关联执法活动' : '该录像已关联到此执法活动',
            en:
              activityId === null
                ? 'The recording is not linked'
                : 'The recording is already linked to this activity',
          },
          { recordingId, activityId },
        );

      const now = this.ctx.clock.now();
      await tx
        .updateTable('recordings')
        .set({ activityId, linkSource: 'manual' })
        .where('id', '=', rec.id)
        .execute();
      const findingIds: string[] = [];
      if (activityId !== null) {
        // A recording linked by hand is explained; the finding itself stays, for the record.
        const open = await tx
          .selectFrom('findings')
          .select(['id', 'detail'])
          .where('code', '=', UNLINKED_FINDING.code)
          .where('subjectType', '=', 'recording')
          .where('subjectId', '=', rec.id)
          .where('status', '=', 'open')
          .execute();
        for (const f of open) {
          const detail = {
            ...(JSON.parse(f.detail) as Record<string, unknown>),
            explanation: { activityId, reason: why, by: actor.userId, byName: actor.name, at: now },
          };
          await tx
            .updateTable('findings')
            .set({ status: 'explained', detail: JSON.stringify(detail), updatedAt: now })
            .where('id', '=', f.id)
            .execute();
          findingIds.push(f.id);
        }
      } else if (LINKABLE_KINDS.has(rec.kind)) {
        const open = await tx
          .selectFrom('findings')
          .select('id')
          .where('code', '=', UNLINKED_FINDING.code)
          .where('subjectType', '=', 'recording')
          .where('subjectId', '=', rec.id)
          .where('status', '=', 'open')
          .executeTakeFirst();
        findingIds.push(
          open?.id ??
            (await insertUnlinked(tx, now, rec.id, {
              reason: 'MANUAL_UNLINK',
              previousActivityId: rec.activityId,
              by: actor.userId,
              byName: actor.name,
              note: why,
            })),
        );
      }
      await this.audit.record(tx, actor, {
        action: 'recording.link',
        targetType: 'recording',
        targetId: rec.id,
        details: {
          from: rec.activityId,
          to: activityId,
          reason: why,
          auto: false,
          as: custodian ? 'custodian' : 'holder',
          findingIds,
        },
      });
      for (const id of [rec.activityId, activityId])
        if (id !== null) await enqueueCompliance(tx, this.ctx, id);
      return { recordingId: rec.id, activityId, previousActivityId: rec.activityId, findingIds };
    });
  }
}
