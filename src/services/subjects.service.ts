// Enforcement subjects (执法对象, A14.1): farms, slaughterhouses, feed and veterinary-drug
// businesses and people. An organisation is identified by its unified social credit code,
// a person by the resident identity number; each is checked with its check character and
// is unique in the register, so one subject has one dossier.
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Executor } from '../db/database.js';
import type { EnforcementSubjectsTable } from '../db/schema.js';
import { localDate } from '../domain/case.js';
import { AppError, errors } from '../domain/errors.js';
import {
  describeCodeFailure,
  normaliseCode,
  validateCreditCode,
  validateIdNumber,
  type CodeKind,
} from '../domain/subject-codes.js';
import type { AuditService } from './audit.service.js';
import { assertPermission, type Actor, type ServiceContext } from './context.js';

export const SUBJECT_TYPES = ['farm', 'slaughterhouse', 'feed_vet_business', 'individual', 'other'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export const SUBJECT_TYPE_NAMES: Record<SubjectType, { zh: string; en: string }> = {
  farm: { zh: '养殖场', en: 'Farm' },
  slaughterhouse: { zh: '屠宰场', en: 'Slaughterhouse' },
  feed_vet_business: { zh: '饲料/兽药经营企业', en: 'Feed or veterinary-drug business' },
  individual: { zh: '个人', en: 'Individual' },
  other: { zh: '其他', en: 'Other' },
};

/** The installation's default time zone: calendar dates ("today") are taken there. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export interface Subject {
  id: string;
  type: SubjectType;
  name: string;
  creditCode: string | null;
  idNumber: string | null;
  legalRepresentative: string | null;
  address: string | null;
  contact: string | null;
  latitude: number | null;
  longitude: number | null;
  unitId: string | null;
  createdAt: number;
}

export interface SubjectInput {
  type: SubjectType;
  name: string;
  creditCode?: string | null;
  idNumber?: string | null;
  legalRepresentative?: string | null;
  address?: string | null;
  contact?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  unitId?: string | null;
}

export interface SubjectFilter {
  q?: string;
  type?: SubjectType;
  limit?: number;
}

type SubjectRow = EnforcementSubjectsTable;

export const presentSubject = (r: SubjectRow): Subject => ({
  id: r.id,
  type: r.type as SubjectType,
  name: r.name,
  creditCode: r.creditCode,
  idNumber: r.idNumber,
  legalRepresentative: r.legalRepresentative,
  address: r.address,
  contact: r.contact,
  latitude: r.latitude === null ? null : Number(r.latitude),
  longitude: r.longitude === null ? null : Number(r.longitude),
  unitId: r.unitId,
  createdAt: Number(r.createdAt),
});

// C0 and C1 controls, and the bidirectional overrides that can disguise a name.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Trims and checks a required text field: 1–max characters, no control characters. */
export function requiredText(value: string, field: string, zhField: string, max: number): string {
  const v = value.normalize('NFC').trim();
  if (!v || Array.from(v).length > max || CONTROL.test(v))
    throw new AppError(
      'VALIDATION_FAILED',
      400,
      {
        zh: `${zhField}须为 1–${max} 个字符，且不含控制字符`,
        en: `${field} must be 1–${max} characters without control characters`,
      },
      { field },
    );
  return v;
}

/** Like requiredText, but empty or null means "not given" (null). Multi-line text may keep line breaks. */
export function optionalText(
  value: string | null | undefined,
  field: string,
  zhField: string,
  max: number,
  multiline = false,
): string | null {
  if (value === undefined || value === null) return null;
  const v = value.normalize('NFC').trim();
  if (!v) return null;
  const bad = multiline
    ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
    : CONTROL;
  if (Array.from(v).length > max || bad.test(v))
    throw new AppError(
      'VALIDATION_FAILED',
      400,
      {
        zh: `${zhField}不得超过 ${max} 个字符，且不含控制字符`,
        en: `${field} must be at most ${max} characters without control characters`,
      },
      { field },
    );
  return v;
}

function codeError(
  kind: CodeKind,
  check: Exclude<ReturnType<typeof validateCreditCode>, { ok: true }>,
): AppError {
  return new AppError(
    kind === 'credit_code' ? 'CREDIT_CODE_INVALID' : 'ID_NUMBER_INVALID',
    400,
    describeCodeFailure(kind, check),
    {
      field: kind === 'credit_code' ? 'creditCode' : 'idNumber',
      rule: check.rule,
      position: check.position ?? null,
      expected: check.expected ?? null,
      actual: check.actual ?? null,
    },
  );
}

/** Latitude and longitude come together and within range (WGS-84 or GCJ-02 degrees). */
function checkCoordinates(lat: number | null, lon: number | null): void {
  const fine = (v: number | null, max: number) => v === null || (Number.isFinite(v) && v >= -max && v <= max);
  if ((lat === null) !== (lon === null) || !fine(lat, 90) || !fine(lon, 180))
    throw new AppError('COORDINATES_INVALID', 400, {
      zh: '坐标须同时给出纬度（-90 至 90）和经度（-180 至 180）',
      en: 'Coordinates need both a latitude (-90 to 90) and a longitude (-180 to 180)',
    });
}

function isSubjectType(v: string): v is SubjectType {
  return (SUBJECT_TYPES as readonly string[]).includes(v);
}

/** ESCAPE '\' works the same on SQLite and PostgreSQL. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class SubjectsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly audit: AuditService,
    private readonly timeZone: string = DEFAULT_TIME_ZONE,
  ) {}

  private today(): string {
    return localDate(this.ctx.clock.now(), this.timeZone);
  }

  /** Validates and normalises the whole record (also after a patch: a type change changes the rules). */
  private normalise(
    input: SubjectInput,
  ): Omit<SubjectRow, 'id' | 'createdBy' | 'createdAt' | 'updatedAt' | 'unitId'> {
    if (!isSubjectType(input.type))
      throw new AppError('SUBJECT_TYPE_INVALID', 400, {
        zh: `未知的执法对象类型：${String(input.type)}`,
        en: `Unknown subject type: ${String(input.type)}`,
      });
    const name = requiredText(input.name, 'name', '名称', 200);
    const rawCredit = input.creditCode ? normaliseCode(input.creditCode) : '';
    const rawId = input.idNumber ? normaliseCode(input.idNumber) : '';
    // A person is identified by an identity number, an organisation by its credit code;
    // "other" may carry either.
    if (rawCredit && input.type === 'individual')
      throw new AppError(
        'SUBJECT_IDENTIFIER_MISMATCH',
        400,
        {
          zh: '个人不使用统一社会信用代码，请填写公民身份号码，或改选其他对象类型',
          en: 'An individual has no unified social credit code; give the identity number or choose another subject type',
        },
        { field: 'creditCode' },
      );
    if (rawId && input.type !== 'individual' && input.type !== 'other')
      throw new AppError(
        'SUBJECT_IDENTIFIER_MISMATCH',
        400,
        {
          zh: '企业、养殖场、屠宰场以统一社会信用代码登记，不填写公民身份号码',
          en: 'A business, farm or slaughterhouse is registered by its unified social credit code, not an identity number',
        },
        { field: 'idNumber' },
      );
    let creditCode: string | null = null;
    if (rawCredit) {
      const check = validateCreditCode(rawCredit);
      if (!check.ok) throw codeError('credit_code', check);
      creditCode = check.value;
    }
    let idNumber: string | null = null;
    if (rawId) {
      const check = validateIdNumber(rawId, this.today());
      if (!check.ok) throw codeError('id_number', check);
      idNumber = check.value;
    }
    const latitude = input.latitude ?? null;
    const longitude = input.longitude ?? null;
    checkCoordinates(latitude, longitude);
    return {
      type: input.type,
      name,
      creditCode,
      idNumber,
      legalRepresentative: optionalText(input.legalRepresentative, 'legalRepresentative', '法定代表人', 50),
      address: optionalText(input.address, 'address', '地址', 300),
      contact: optionalText(input.contact, 'contact', '联系方式', 100),
      latitude,
      longitude,
    };
  }

  /** Refuses a second subject with the same credit code or identity number. */
  private async assertUnique(
    db: Executor,
    values: { creditCode: string | null; idNumber: string | null },
    exceptId: string | null,
  ): Promise<void> {
    for (const field of ['creditCode', 'idNumber'] as const) {
      const v = values[field];
      if (v === null) continue;
      const clash = await db
        .selectFrom('enforcementSubjects')
        .select(['id', 'name'])
        .where(field, '=', v)
        .executeTakeFirst();
      if (clash && clash.id !== exceptId) throw subjectExists(field, clash);
    }
  }

  private async unitFor(
    db: Executor,
    actor: Actor,
    unitId: string | null | undefined,
  ): Promise<string | null> {
    if (unitId) {
      if (!(await db.selectFrom('units').select('id').where('id', '=', unitId).executeTakeFirst()))
        throw errors.notFound('unit', '单位', unitId);
      return unitId;
    }
    if (unitId === null || !actor.userId) return null;
    const me = await db
      .selectFrom('users')
      .select('unitId')
      .where('id', '=', actor.userId)
      .executeTakeFirst();
    return me?.unitId ?? null;
  }

  async list(actor: Actor, filter: SubjectFilter = {}): Promise<Subject[]> {
    assertPermission(actor, 'subjects.read');
    let q = this.ctx.catalogue.db.selectFrom('enforcementSubjects').selectAll();
    if (filter.type) q = q.where('type', '=', filter.type);
    const text = filter.q?.normalize('NFKC').trim();
    if (text) {
      const lowered = likeContains(text.toLowerCase());
      const upper = likeContains(text.toUpperCase());
      q = q.where((eb) =>
        eb.or([
          sql<boolean>`lower(${eb.ref('name')}) like ${lowered} escape '\\'`,
          sql<boolean>`lower(coalesce(${eb.ref('legalRepresentative')}, '')) like ${lowered} escape '\\'`,
          sql<boolean>`coalesce(${eb.ref('creditCode')}, '') like ${upper} escape '\\'`,
          sql<boolean>`coalesce(${eb.ref('idNumber')}, '') like ${upper} escape '\\'`,
        ]),
      );
    }
    const limit = Math.min(Math.max(filter.limit ?? 500, 1), 2000);
    const rows = await q.orderBy('name').orderBy('id').limit(limit).execute();
    return rows.map(presentSubject);
  }

  async get(actor: Actor, id: string): Promise<Subject> {
    assertPermission(actor, 'subjects.read');
    return presentSubject(await this.row(this.ctx.catalogue.db, id));
  }

  private async row(db: Executor, id: string): Promise<SubjectRow> {
    const row = await db
      .selectFrom('enforcementSubjects')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw errors.notFound('subject', '执法对象', id);
    return row;
  }

  async create(actor: Actor, input: SubjectInput): Promise<Subject> {
    assertPermission(actor, 'subjects.manage');
    const values = this.normalise(input);
    try {
      return await this.ctx.catalogue.db.transaction().execute(async (tx) => {
        await this.assertUnique(tx, values, null);
        const now = this.ctx.clock.now();
        const row: SubjectRow = {
          id: uuidv7(),
          ...values,
          unitId: await this.unitFor(tx, actor, input.unitId),
          createdBy: actor.userId,
          createdAt: now,
          updatedAt: now,
        };
        await tx.insertInto('enforcementSubjects').values(row).execute();
        const subject = presentSubject(row);
        const { id: _id, createdAt: _c, ...details } = subject;
        await this.audit.record(tx, actor, {
          action: 'subject.create',
          targetType: 'subject',
          targetId: row.id,
          details,
        });
        return subject;
      });
    } catch (e) {
      // Two clerks registering the same business at the same moment.
      if (this.ctx.catalogue.dialect.isUniqueViolation(e))
        throw subjectExists(values.creditCode ? 'creditCode' : 'idNumber', null);
      throw e;
    }
  }

  async update(actor: Actor, id: string, patch: Partial<SubjectInput>): Promise<Subject> {
    assertPermission(actor, 'subjects.manage');
    try {
      return await this.ctx.catalogue.db.transaction().execute(async (tx) => {
        const current = await this.row(tx, id);
        const before = presentSubject(current);
        const merged: SubjectInput = {
          ...before,
          ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
        } as SubjectInput;
        const values = this.normalise(merged);
        await this.assertUnique(tx, values, id);
        const unitId =
          patch.unitId !== undefined ? await this.unitFor(tx, actor, patch.unitId) : current.unitId;
        const next: SubjectRow = { ...current, ...values, unitId, updatedAt: this.ctx.clock.now() };
        const after = presentSubject(next);
        const changed: Record<string, { from: unknown; to: unknown }> = {};
        for (const k of Object.keys(after) as (keyof Subject)[])
          if (before[k] !== after[k]) changed[k] = { from: before[k], to: after[k] };
        if (Object.keys(changed).length === 0) return before;
        await tx
          .updateTable('enforcementSubjects')
          .set({ ...values, unitId, updatedAt: next.updatedAt })
          .where('id', '=', id)
          .execute();
        await this.audit.record(tx, actor, {
          action: 'subject.update',
          targetType: 'subject',
          targetId: id,
          details: { name: after.name, changed },
        });
        return after;
      });
    } catch (e) {
      if (this.ctx.catalogue.dialect.isUniqueViolation(e))
        throw subjectExists(patch.creditCode ? 'creditCode' : 'idNumber', null);
      throw e;
    }
  }
}

function subjectExists(
  field: 'creditCode' | 'idNumber',
  clash: { id: string; name: string } | null,
): AppError {
  const what =
    field === 'creditCode'
      ? { zh: '统一社会信用代码', en: 'unified social credit code' }
      : { zh: '公民身份号码', en: 'identity number' };
  return errors.conflict(
    'SUBJECT_EXISTS',
    clash ? `已有使用该${what.zh}的执法对象：${clash.name}` : `已有使用该${what.zh}的执法对象`,
    clash
      ? `A subject with this ${what.en} already exists: ${clash.name}`
      : `A subject with this ${what.en} already exists`,
    clash ? { field, existingId: clash.id, existingName: clash.name } : { field },
  );
}
