// The read side of the collection (issue 4, item 8): the recordings catalogue and the
// imports, as lists and as detail, and a recording's thumbnail. Metadata only — playback
// and original content belong to the access issue; a thumbnail shows content, so each fetch
// is audited (`recording.thumbnail.view`).
//
// Who sees what is data in domain/roles.ts (COLLECTION_VISIBILITY): with `recordings.read`
// every recording; otherwise the recordings one held (holderId) or that are linked to an
// activity one was on the team of. Imports: all with one of the listed permissions,
// otherwise (recordings.import) the imports of devices one keeps or had checked out, and
// the imports one ran oneself.
import type { Readable } from 'node:stream';
import { sql, type ExpressionBuilder } from 'kysely';
import type { Executor } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { AppError, errors } from '../domain/errors.js';
import { COLLECTION_VISIBILITY } from '../domain/roles.js';
import type { JobStatus } from '../jobs/queue.js';
import type { AuditService } from './audit.service.js';
import { hasPermission, type Actor, type ServiceContext } from './context.js';
import { MEDIA_JOB_KINDS } from './media-pipeline.service.js';

export const RECORDING_KINDS = ['video', 'photo', 'audio', 'other'] as const;
export type RecordingKind = (typeof RECORDING_KINDS)[number];
export const IMPORT_STATUSES = ['running', 'completed', 'partial', 'aborted'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export const MAX_PAGE_SIZE = 200;
const DEFAULT_PAGE_SIZE = 50;
/** An import's per-file results shown at most (a device card holds far fewer). */
export const MAX_IMPORT_FILES = 10_000;
const CHUNK = 500;

export const recordingErrors = {
  notFound: (id: string) => errors.notFound('recording', '音像记录', id),
  importNotFound: (id: string) => errors.notFound('import', '导入批次', id),
  noThumbnail: (id: string) =>
    new AppError(
      'THUMBNAIL_NOT_FOUND',
      404,
      {
        zh: '该音像记录没有缩略图（尚未生成、无法解码或不是图像/视频）',
        en: 'This recording has no thumbnail (not made yet, undecodable, or not a picture or video)',
      },
      { id },
    ),
};

// ─── Shapes ─────────────────────────────────────────────────────────────────────

export interface RecordingFilter {
  officer?: string;
  device?: string;
  subject?: string;
  activity?: string;
  from?: number;
  to?: number;
  kind?: RecordingKind;
  finding?: string;
  q?: string;
  linked?: boolean;
  page?: number;
  pageSize?: number;
}

export interface RecordingListItem {
  id: string;
  kind: string;
  recordedAt: number | null;
  durationMs: number | null;
  originalPath: string;
  deviceId: string;
  deviceSerial: string;
  holderId: string | null;
  holderName: string | null;
  activityId: string | null;
  activityTitle: string | null;
  activityType: string | null;
  subjectId: string | null;
  subjectName: string | null;
  /** Codes of the open findings about the recording. */
  findings: string[];
  mediaStatus: string | null;
  hasThumbnail: boolean;
  important: boolean;
  size: number;
  sha256: string;
  importId: string;
}

export interface FindingView {
  id: string;
  code: string;
  article: string;
  severity: string;
  status: string;
  subjectType: string;
  subjectId: string;
  detail: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface LinkChange {
  at: number;
  actorName: string | null;
  from: string | null;
  to: string | null;
  /** The activities' titles (or subject names) for display. */
  fromLabel: string | null;
  toLabel: string | null;
  auto: boolean;
  reason: string | null;
  rule: string | null;
}

export interface RecordingDetail extends RecordingListItem {
  originalPathBytes: string | null;
  nameScheme: string;
  nameInfo: Record<string, unknown>;
  deviceLocalTime: string | null;
  timeSource: string;
  rawRecordedAt: number | null;
  clockOffsetMs: number | null;
  clockCheck: {
    id: string;
    checkedAt: number;
    offsetMs: number;
    toleranceMs: number;
    result: string;
  } | null;
  endedAt: number | null;
  sequence: number | null;
  sequenceGroup: string | null;
  mediaOk: boolean;
  mediaInfo: Record<string, unknown> | null;
  mediaError: string | null;
  importedAt: number;
  device: { id: string; serial: string; typeId: string; maker: string | null; model: string | null };
  holder: { id: string; name: string; code: string } | null;
  import: {
    id: string;
    source: string;
    stationId: string | null;
    actorName: string;
    startedAt: number;
    finishedAt: number | null;
    status: string;
  };
  activity: {
    id: string;
    type: string;
    title: string | null;
    status: string;
    subjectId: string;
    subjectName: string | null;
    arrivedAt: number | null;
    endedAt: number | null;
  } | null;
  linkHistory: LinkChange[];
  allFindings: FindingView[];
  derivatives: { kind: string; size: number; mediaType: string; createdAt: number }[];
  speech: { atStart: boolean | null; speechMs: number | null; firstSpeechAtMs: number | null };
  jobs: {
    id: string;
    kind: string;
    status: JobStatus;
    attempts: number;
    maxAttempts: number;
    lastError: string | null;
    updatedAt: number;
  }[];
  /** What the actor may do here (the server checks again on each act). */
  mayLink: boolean;
}

export interface ImportFilter {
  device?: string;
  status?: ImportStatus;
  from?: number;
  to?: number;
  page?: number;
  pageSize?: number;
}

export interface ImportSummary {
  files: number;
  imported: number;
  duplicate: number;
  failed: number;
  bytes: number;
  /** Count per finding code. */
  findings: Record<string, number>;
  error?: string;
}

export interface ImportListItem {
  id: string;
  deviceId: string;
  deviceSerial: string;
  source: string;
  stationId: string | null;
  actorName: string;
  sourcePath: string | null;
  startedAt: number;
  finishedAt: number | null;
  status: string;
  summary: ImportSummary;
}

export interface ImportFileView {
  id: string;
  path: string;
  /** Hex of the raw path bytes when `path` is not the exact name. */
  pathBytes: string | null;
  sha256: string | null;
  size: number | null;
  status: string;
  recordingId: string | null;
  kind: string | null;
  recordedAt: number | null;
  findings: string[];
  error: { code: string; message: string; messageEn: string } | null;
}

export interface ImportDetail extends ImportListItem {
  files: ImportFileView[];
  filesTotal: number;
  findings: FindingView[];
}

// ─── Helpers ────────────────────────────────────────────────────────────────────

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** LIKE pattern for a literal substring: %, _ and the escape character itself escaped. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function pageOf(page: number | undefined, pageSize: number | undefined) {
  const p = page ?? 1;
  const size = pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(p) || p < 1) throw errors.validation('page must be 1 or more', { field: 'page' });
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
    throw errors.validation(`pageSize must be from 1 to ${MAX_PAGE_SIZE}`, { field: 'pageSize' });
  return { limit: size, offset: (p - 1) * size };
}

function checkRange(from: number | undefined, to: number | undefined): void {
  if (from !== undefined && to !== undefined && from > to)
    throw errors.validation('from must not be after to', { field: 'from' });
}

function findingView(r: Schema['findings']): FindingView {
  return {
    id: r.id,
    code: r.code,
    article: r.article,
    severity: r.severity,
    status: r.status,
    subjectType: r.subjectType,
    subjectId: r.subjectId,
    detail: parseJson<Record<string, unknown>>(r.detail, {}),
    createdAt: num(r.createdAt),
    updatedAt: num(r.updatedAt),
  };
}

type RecordingEb = ExpressionBuilder<Schema & { r: Schema['recordings'] }, 'r'>;

// ─── The service ────────────────────────────────────────────────────────────────

export class RecordingsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
  ) {}

  private get db() {
    return this.ctx.catalogue.db;
  }

  /** Sees every recording (metadata), or only one's own. */
  private seesAllRecordings(actor: Actor): boolean {
    return COLLECTION_VISIBILITY.recordings.all.some((p) => hasPermission(actor, p));
  }

  private seesAllImports(actor: Actor): boolean {
    return COLLECTION_VISIBILITY.imports.all.some((p) => hasPermission(actor, p));
  }

  /** The "own recordings" condition: held by the actor, or linked to an activity they were on. */
  private ownRecording(eb: RecordingEb, userId: string) {
    return eb.or([
      eb('r.holderId', '=', userId),
      eb(
        'r.activityId',
        'in',
        eb.selectFrom('activityOfficers').select('activityOfficers.activityId').where('userId', '=', userId),
      ),
    ]);
  }

  async listRecordings(
    actor: Actor,
    filter: RecordingFilter = {},
  ): Promise<{ items: RecordingListItem[]; total: number; page: number; pageSize: number }> {
    const { limit, offset } = pageOf(filter.page, filter.pageSize);
    checkRange(filter.from, filter.to);
    const all = this.seesAllRecordings(actor);
    // Neither all nor any of one's own (the console operator is nobody's holder).
    if (!all && actor.userId === null)
      return { items: [], total: 0, page: filter.page ?? 1, pageSize: limit };

    let base = this.db
      .selectFrom('recordings as r')
      .innerJoin('devices as d', 'd.id', 'r.deviceId')
      .leftJoin('activities as a', 'a.id', 'r.activityId');
    if (!all) base = base.where((eb) => this.ownRecording(eb as unknown as RecordingEb, actor.userId!));
    if (filter.officer !== undefined) base = base.where('r.holderId', '=', filter.officer);
    if (filter.device !== undefined) base = base.where('r.deviceId', '=', filter.device);
    if (filter.activity !== undefined) base = base.where('r.activityId', '=', filter.activity);
    if (filter.subject !== undefined) base = base.where('a.subjectId', '=', filter.subject);
    if (filter.from !== undefined) base = base.where('r.recordedAt', '>=', filter.from);
    if (filter.to !== undefined) base = base.where('r.recordedAt', '<=', filter.to);
    if (filter.kind !== undefined) base = base.where('r.kind', '=', filter.kind);
    if (filter.linked !== undefined) base = base.where('r.activityId', filter.linked ? 'is not' : 'is', null);
    if (filter.finding !== undefined) {
      const code = filter.finding;
      base = base.where((eb) =>
        eb.exists(
          eb
            .selectFrom('findings as f')
            .select('f.id')
            .where('f.code', '=', code)
            .where('f.status', '=', 'open')
            .where('f.subjectType', '=', 'recording')
            .whereRef('f.subjectId', '=', 'r.id'),
        ),
      );
    }
    const q = filter.q?.trim();
    if (q) {
      const pattern = likeContains(q.toLowerCase());
      const hex = /^[0-9a-f]{4,64}$/i.test(q) ? q.toLowerCase() : null;
      base = base.where((eb) =>
        eb.or([
          eb(sql`lower(${eb.ref('r.originalPath')})`, 'like', sql`${pattern} escape '\\'`),
          eb(sql`lower(${eb.ref('d.serial')})`, 'like', sql`${pattern} escape '\\'`),
          // A hash prefix as a range, so the unique index on sha256 serves it.
          ...(hex ? [eb.and([eb('r.sha256', '>=', hex), eb('r.sha256', '<', `${hex}g`)])] : []),
        ]),
      );
    }

    const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await base
      .leftJoin('users as u', 'u.id', 'r.holderId')
      .leftJoin('enforcementSubjects as s', 's.id', 'a.subjectId')
      .select((eb) => [
        'r.id as id',
        'r.kind as kind',
        'r.recordedAt as recordedAt',
        'r.durationMs as durationMs',
        'r.originalPath as originalPath',
        'r.deviceId as deviceId',
        'd.serial as deviceSerial',
        'r.holderId as holderId',
        'u.name as holderName',
        'r.activityId as activityId',
        'a.title as activityTitle',
        'a.type as activityType',
        'a.subjectId as subjectId',
        's.name as subjectName',
        'r.mediaStatus as mediaStatus',
        'r.important as important',
        'r.size as size',
        'r.sha256 as sha256',
        'r.importId as importId',
        eb
          .exists(
            eb
              .selectFrom('derivatives as t')
              .select('t.recordingId')
              .whereRef('t.recordingId', '=', 'r.id')
              .where('t.kind', '=', 'thumbnail'),
          )
          .as('hasThumbnail'),
      ])
      .orderBy('r.recordedAt', (ob) => ob.desc().nullsLast())
      .orderBy('r.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    const codes = await this.openFindingCodes(
      this.db,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        recordedAt: numOrNull(r.recordedAt),
        durationMs: numOrNull(r.durationMs),
        originalPath: r.originalPath,
        deviceId: r.deviceId,
        deviceSerial: r.deviceSerial,
        holderId: r.holderId,
        holderName: r.holderName,
        activityId: r.activityId,
        activityTitle: r.activityTitle,
        activityType: r.activityType,
        subjectId: r.subjectId,
        subjectName: r.subjectName,
        findings: codes.get(r.id) ?? [],
        mediaStatus: r.mediaStatus ?? null,
        hasThumbnail: Boolean(Number(r.hasThumbnail)),
        important: Number(r.important) === 1,
        size: num(r.size),
        sha256: r.sha256,
        importId: r.importId,
      })),
      total: num(totalRow?.n ?? 0),
      page: filter.page ?? 1,
      pageSize: limit,
    };
  }

  private async openFindingCodes(db: Executor, ids: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await db
        .selectFrom('findings')
        .select(['subjectId', 'code'])
        .where('subjectType', '=', 'recording')
        .where('subjectId', 'in', ids.slice(i, i + CHUNK))
        .where('status', '=', 'open')
        .orderBy('createdAt')
        .execute();
      for (const f of rows) {
        const list = out.get(f.subjectId) ?? [];
        if (!list.includes(f.code)) list.push(f.code);
        out.set(f.subjectId, list);
      }
    }
    return out;
  }

  /** The recording if the actor may see it: 404 when none, 403 when not theirs. */
  private async visibleRecording(actor: Actor, id: string) {
    const rec = await this.db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
    if (!rec) throw recordingErrors.notFound(id);
    if (this.seesAllRecordings(actor)) return rec;
    if (actor.userId !== null) {
      if (rec.holderId === actor.userId) return rec;
      if (rec.activityId !== null) {
        const onTeam = await this.db
          .selectFrom('activityOfficers')
          .select('userId')
          .where('activityId', '=', rec.activityId)
          .where('userId', '=', actor.userId)
          .executeTakeFirst();
        if (onTeam) return rec;
      }
    }
    throw errors.forbidden('recordings.read');
  }

  async getRecording(actor: Actor, id: string): Promise<RecordingDetail> {
    const rec = await this.visibleRecording(actor, id);
    const db = this.db;
    const [device, holder, imp, activity, check, findings, derivatives, links, jobs] = await Promise.all([
      db
        .selectFrom('devices')
        .select(['id', 'serial', 'typeId', 'maker', 'model'])
        .where('id', '=', rec.deviceId)
        .executeTakeFirstOrThrow(),
      rec.holderId === null
        ? undefined
        : db
            .selectFrom('users')
            .select(['id', 'name', 'code'])
            .where('id', '=', rec.holderId)
            .executeTakeFirst(),
      db
        .selectFrom('imports')
        .select(['id', 'source', 'stationId', 'actorName', 'startedAt', 'finishedAt', 'status'])
        .where('id', '=', rec.importId)
        .executeTakeFirstOrThrow(),
      rec.activityId === null
        ? undefined
        : db
            .selectFrom('activities as a')
            .leftJoin('enforcementSubjects as s', 's.id', 'a.subjectId')
            .select([
              'a.id as id',
              'a.type as type',
              'a.title as title',
              'a.status as status',
              'a.subjectId as subjectId',
              's.name as subjectName',
              'a.arrivedAt as arrivedAt',
              'a.endedAt as endedAt',
            ])
            .where('a.id', '=', rec.activityId)
            .executeTakeFirst(),
      rec.clockCheckId === null
        ? undefined
        : db
            .selectFrom('deviceChecks')
            .select(['id', 'checkedAt', 'offsetMs', 'toleranceMs', 'result'])
            .where('id', '=', rec.clockCheckId)
            .executeTakeFirst(),
      db
        .selectFrom('findings')
        .selectAll()
        .where('subjectType', '=', 'recording')
        .where('subjectId', '=', rec.id)
        .orderBy('createdAt')
        .orderBy('id')
        .execute(),
      db
        .selectFrom('derivatives')
        .select(['kind', 'size', 'mediaType', 'createdAt'])
        .where('recordingId', '=', rec.id)
        .orderBy('kind')
        .execute(),
      db
        .selectFrom('auditEvents')
        .select(['at', 'actorName', 'details'])
        .where('targetType', '=', 'recording')
        .where('targetId', '=', rec.id)
        .where('action', '=', 'recording.link')
        .orderBy('seq')
        .execute(),
      // Queued in the cataloguing transaction: same created_at (index jobs_created_idx).
      db
        .selectFrom('jobs')
        .select(['id', 'kind', 'status', 'attempts', 'maxAttempts', 'lastError', 'updatedAt'])
        .where('createdAt', '=', rec.createdAt)
        .where('kind', 'in', [...MEDIA_JOB_KINDS])
        .where('payload', '=', JSON.stringify({ recordingId: rec.id }))
        .orderBy('kind')
        .execute(),
    ]);
    const allFindings = findings.map(findingView);
    const linkDetails = links.map((l) => parseJson<Record<string, unknown>>(l.details, {}));
    const linkedIds = [
      ...new Set(
        linkDetails.flatMap((d) => [d.from, d.to]).filter((v): v is string => typeof v === 'string'),
      ),
    ];
    const labels = new Map<string, string>();
    if (linkedIds.length > 0)
      for (const a of await db
        .selectFrom('activities as a')
        .leftJoin('enforcementSubjects as s', 's.id', 'a.subjectId')
        .select(['a.id as id', 'a.title as title', 's.name as subjectName'])
        .where('a.id', 'in', linkedIds.slice(0, CHUNK))
        .execute())
        labels.set(a.id, a.title ?? a.subjectName ?? a.id);
    const hasThumbnail = derivatives.some((d) => d.kind === 'thumbnail');
    const custodian = hasPermission(actor, 'checkouts.manage') || hasPermission(actor, 'devices.manage');
    const holderIsActor = actor.userId !== null && actor.userId === rec.holderId;
    return {
      id: rec.id,
      kind: rec.kind,
      recordedAt: numOrNull(rec.recordedAt),
      durationMs: numOrNull(rec.durationMs),
      originalPath: rec.originalPath,
      deviceId: rec.deviceId,
      deviceSerial: device.serial,
      holderId: rec.holderId,
      holderName: holder?.name ?? null,
      activityId: rec.activityId,
      activityTitle: activity?.title ?? null,
      activityType: activity?.type ?? null,
      subjectId: activity?.subjectId ?? null,
      subjectName: activity?.subjectName ?? null,
      findings: [...new Set(allFindings.filter((f) => f.status === 'open').map((f) => f.code))],
      mediaStatus: rec.mediaStatus ?? null,
      hasThumbnail,
      important: Number(rec.important) === 1,
      size: num(rec.size),
      sha256: rec.sha256,
      importId: rec.importId,
      originalPathBytes: rec.originalPathBytes,
      nameScheme: rec.nameScheme,
      nameInfo: parseJson<Record<string, unknown>>(rec.nameInfo, {}),
      deviceLocalTime: rec.deviceLocalTime,
      timeSource: rec.timeSource,
      rawRecordedAt: numOrNull(rec.rawRecordedAt),
      clockOffsetMs: numOrNull(rec.clockOffsetMs),
      clockCheck: check
        ? {
            id: check.id,
            checkedAt: num(check.checkedAt),
            offsetMs: num(check.offsetMs),
            toleranceMs: num(check.toleranceMs),
            result: check.result,
          }
        : null,
      endedAt: numOrNull(rec.endedAt),
      sequence: numOrNull(rec.sequence),
      sequenceGroup: rec.sequenceGroup,
      mediaOk: Number(rec.mediaOk) === 1,
      mediaInfo: parseJson<Record<string, unknown> | null>(rec.mediaInfo, null),
      mediaError: rec.mediaError ?? null,
      importedAt: num(rec.importedAt),
      device,
      holder: holder ?? null,
      import: {
        ...imp,
        startedAt: num(imp.startedAt),
        finishedAt: numOrNull(imp.finishedAt),
      },
      activity: activity
        ? { ...activity, arrivedAt: numOrNull(activity.arrivedAt), endedAt: numOrNull(activity.endedAt) }
        : null,
      linkHistory: links.map((l, i) => {
        const d = linkDetails[i]!;
        const str = (v: unknown) => (typeof v === 'string' ? v : null);
        const label = (v: unknown) => (typeof v === 'string' ? (labels.get(v) ?? v) : null);
        return {
          at: num(l.at),
          actorName: l.actorName,
          from: str(d.from),
          to: str(d.to),
          fromLabel: label(d.from),
          toLabel: label(d.to),
          auto: d.auto === true,
          reason: str(d.reason),
          rule: str(d.rule),
        };
      }),
      allFindings,
      derivatives: derivatives.map((d) => ({ ...d, size: num(d.size), createdAt: num(d.createdAt) })),
      speech: {
        atStart:
          rec.speechAtStart === null || rec.speechAtStart === undefined
            ? null
            : Number(rec.speechAtStart) === 1,
        speechMs: numOrNull(rec.speechMs),
        firstSpeechAtMs: numOrNull(rec.firstSpeechAtMs),
      },
      jobs: jobs.map((j) => ({
        id: j.id,
        kind: j.kind,
        status: j.status as JobStatus,
        attempts: num(j.attempts),
        maxAttempts: num(j.maxAttempts),
        lastError: j.lastError,
        updatedAt: num(j.updatedAt),
      })),
      mayLink: custodian || holderIsActor,
    };
  }

  /**
   * The thumbnail's bytes, streamed from the blob store; each fetch is audited. One small
   * audit event per view, written on its own (no larger transaction to hold up).
   */
  async openThumbnail(
    actor: Actor,
    id: string,
  ): Promise<{ stream: Readable; size: number; sha256: string; mediaType: string }> {
    const rec = await this.visibleRecording(actor, id);
    const d = await this.db
      .selectFrom('derivatives')
      .select(['sha256', 'size', 'mediaType'])
      .where('recordingId', '=', rec.id)
      .where('kind', '=', 'thumbnail')
      .executeTakeFirst();
    if (!d) throw recordingErrors.noThumbnail(rec.id);
    const stream = await this.ctx.blobs.get(d.sha256);
    await this.audit.recordAlone(actor, {
      action: 'recording.thumbnail.view',
      targetType: 'recording',
      targetId: rec.id,
      details: { sha256: d.sha256 },
    });
    return { stream, size: num(d.size), sha256: d.sha256, mediaType: d.mediaType };
  }

  // ─── Imports ──────────────────────────────────────────────────────────────────

  /** Imports of devices the actor keeps or had checked out, or that the actor ran. */
  private ownImport(eb: ExpressionBuilder<Schema & { i: Schema['imports'] }, 'i'>, userId: string) {
    return eb.or([
      eb('i.actorId', '=', userId),
      eb('i.deviceId', 'in', eb.selectFrom('devices').select('devices.id').where('holderId', '=', userId)),
      eb(
        'i.deviceId',
        'in',
        eb.selectFrom('checkouts').select('checkouts.deviceId').where('officerId', '=', userId),
      ),
    ]);
  }

  private assertMaySeeImports(actor: Actor): 'all' | 'own' {
    if (this.seesAllImports(actor)) return 'all';
    if (hasPermission(actor, COLLECTION_VISIBILITY.imports.own) && actor.userId !== null) return 'own';
    throw errors.forbidden(COLLECTION_VISIBILITY.imports.own);
  }

  async listImports(
    actor: Actor,
    filter: ImportFilter = {},
  ): Promise<{ items: ImportListItem[]; total: number; page: number; pageSize: number }> {
    const scope = this.assertMaySeeImports(actor);
    const { limit, offset } = pageOf(filter.page, filter.pageSize);
    checkRange(filter.from, filter.to);
    let base = this.db.selectFrom('imports as i').innerJoin('devices as d', 'd.id', 'i.deviceId');
    if (scope === 'own') base = base.where((eb) => this.ownImport(eb as never, actor.userId!));
    if (filter.device !== undefined) base = base.where('i.deviceId', '=', filter.device);
    if (filter.status !== undefined) base = base.where('i.status', '=', filter.status);
    if (filter.from !== undefined) base = base.where('i.startedAt', '>=', filter.from);
    if (filter.to !== undefined) base = base.where('i.startedAt', '<=', filter.to);
    const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await base
      .select([
        'i.id as id',
        'i.deviceId as deviceId',
        'd.serial as deviceSerial',
        'i.source as source',
        'i.stationId as stationId',
        'i.actorName as actorName',
        'i.sourcePath as sourcePath',
        'i.startedAt as startedAt',
        'i.finishedAt as finishedAt',
        'i.status as status',
        'i.summary as summary',
      ])
      .orderBy('i.startedAt', 'desc')
      .orderBy('i.id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
    return {
      items: rows.map((r) => this.importItem(r)),
      total: num(totalRow?.n ?? 0),
      page: filter.page ?? 1,
      pageSize: limit,
    };
  }

  private importItem(r: {
    id: string;
    deviceId: string;
    deviceSerial: string;
    source: string;
    stationId: string | null;
    actorName: string;
    sourcePath: string | null;
    startedAt: number;
    finishedAt: number | null;
    status: string;
    summary: string;
  }): ImportListItem {
    const s = parseJson<Partial<ImportSummary> & { error?: unknown }>(r.summary, {});
    return {
      id: r.id,
      deviceId: r.deviceId,
      deviceSerial: r.deviceSerial,
      source: r.source,
      stationId: r.stationId,
      actorName: r.actorName,
      sourcePath: r.sourcePath,
      startedAt: num(r.startedAt),
      finishedAt: numOrNull(r.finishedAt),
      status: r.status,
      summary: {
        files: num(s.files ?? 0),
        imported: num(s.imported ?? 0),
        duplicate: num(s.duplicate ?? 0),
        failed: num(s.failed ?? 0),
        bytes: num(s.bytes ?? 0),
        findings: s.findings && typeof s.findings === 'object' ? s.findings : {},
        ...(typeof s.error === 'string' ? { error: s.error } : {}),
      },
    };
  }

  async getImport(actor: Actor, id: string): Promise<ImportDetail> {
    const scope = this.assertMaySeeImports(actor);
    let q = this.db
      .selectFrom('imports as i')
      .innerJoin('devices as d', 'd.id', 'i.deviceId')
      .select([
        'i.id as id',
        'i.deviceId as deviceId',
        'd.serial as deviceSerial',
        'i.source as source',
        'i.stationId as stationId',
        'i.actorName as actorName',
        'i.sourcePath as sourcePath',
        'i.startedAt as startedAt',
        'i.finishedAt as finishedAt',
        'i.status as status',
        'i.summary as summary',
      ])
      .where('i.id', '=', id);
    if (scope === 'own') q = q.where((eb) => this.ownImport(eb as never, actor.userId!));
    const row = await q.executeTakeFirst();
    if (!row) {
      // Someone else's import: refused, not pretended away.
      const exists = await this.db.selectFrom('imports').select('id').where('id', '=', id).executeTakeFirst();
      if (exists) throw errors.forbidden(COLLECTION_VISIBILITY.imports.own);
      throw recordingErrors.importNotFound(id);
    }
    const item = this.importItem(row);
    const db = this.db;
    const [countRow, fileRows] = await Promise.all([
      db
        .selectFrom('importFiles')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('importId', '=', id)
        .executeTakeFirst(),
      db
        .selectFrom('importFiles as f')
        .leftJoin('recordings as r', 'r.id', 'f.recordingId')
        .select([
          'f.id as id',
          'f.path as path',
          'f.pathBytes as pathBytes',
          'f.sha256 as sha256',
          'f.size as size',
          'f.status as status',
          'f.recordingId as recordingId',
          'f.findings as findings',
          'f.error as error',
          'r.kind as kind',
          'r.recordedAt as recordedAt',
        ])
        .where('f.importId', '=', id)
        .orderBy('f.createdAt')
        .orderBy('f.id')
        .limit(MAX_IMPORT_FILES)
        .execute(),
    ]);
    const files: ImportFileView[] = fileRows.map((f) => {
      const err = parseJson<{ code: string; zh: string; en: string } | null>(f.error, null);
      return {
        id: f.id,
        path: f.path,
        pathBytes: f.pathBytes,
        sha256: f.sha256,
        size: numOrNull(f.size),
        status: f.status,
        recordingId: f.recordingId,
        kind: f.kind ?? null,
        recordedAt: numOrNull(f.recordedAt),
        findings: parseJson<string[]>(f.findings, []),
        error: err ? { code: err.code, message: err.zh, messageEn: err.en } : null,
      };
    });

    // The import's findings: about the import itself, about its device from this import
    // (SEQUENCE_GAP), and about the recordings it catalogued (their detail names the import).
    const findings: FindingView[] = [];
    const ofImport = await db
      .selectFrom('findings')
      .selectAll()
      .where('subjectType', '=', 'import')
      .where('subjectId', '=', id)
      .orderBy('createdAt')
      .execute();
    findings.push(...ofImport.map(findingView));
    const ofDevice = await db
      .selectFrom('findings')
      .selectAll()
      .where('subjectType', '=', 'device')
      .where('subjectId', '=', item.deviceId)
      .orderBy('createdAt')
      .execute();
    for (const f of ofDevice.map(findingView)) if (f.detail.importId === id) findings.push(f);
    const recordingIds = [
      ...new Set(files.filter((f) => f.status === 'imported' && f.recordingId).map((f) => f.recordingId!)),
    ];
    for (let i = 0; i < recordingIds.length; i += CHUNK) {
      const rows = await db
        .selectFrom('findings')
        .selectAll()
        .where('subjectType', '=', 'recording')
        .where('subjectId', 'in', recordingIds.slice(i, i + CHUNK))
        .orderBy('createdAt')
        .orderBy('id')
        .execute();
      for (const f of rows.map(findingView)) if (f.detail.importId === id) findings.push(f);
    }
    return { ...item, files, filesTotal: num(countRow?.n ?? 0), findings };
  }
}
