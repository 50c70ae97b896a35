// Demonstration data (issue 5, item 10): `zhilu demo seed` fills an empty installation with a
// believable brigade — 漯河市畜牧兽医执法大队 with its squadrons, a user for every role, body
// cameras with holders, daily check-outs and pre-use checks, farms, slaughterhouses and
// feed/veterinary-drug shops, two cases, and days of enforcement activities whose recordings
// come from the device simulator through the real import path. Most activities are
// compliant; planted ones show each kind of finding the screens and reports must handle.
//
// How time works: the installation is opened with a clock the seed sets. Every act happens
// at its own moment of the simulated days (a check-out at 08:00, the arrival, the import at
// the end of the day, the late import the next morning), so import deadlines, pre-use checks
// and audit times are what they would have been. At the end the clock stands at the moment
// the seed began; the media worker then measures speech and makes thumbnails, and every
// activity's compliance is recomputed.
//
// Speed: recordings are short (1–3 minutes, split every minute, 160x120 at 2 fps) and few —
// the import and the media jobs cost per file; the cards are simulated two at a time while
// the days are played, one media worker runs beside them and two finish the rest.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ACTIVITY_TYPE_NAMES, type ActivityType } from '../domain/activity.js';
import { VERDICTS, type Verdict, type VerdictReason } from '../domain/compliance-findings.js';
import { AppError } from '../domain/errors.js';
import { epochToWallTime, wallTimeToEpoch } from '../domain/file-names.js';
import { checkPassword, PASSWORD_RULE_MESSAGES } from '../domain/password-policy.js';
import { PERMISSIONS, permissionsOf, type Permission, type Role } from '../domain/roles.js';
import { creditCodeCheckChar, CREDIT_CODE_ALPHABET, idNumberCheckChar } from '../domain/subject-codes.js';
import {
  planSimulation,
  simulateDevice,
  type SimulatedGapInput,
  type SimulateOptions,
} from '../media/simulate-device.js';
import type { Worker } from '../jobs/worker.js';
import { bootstrapAdmin, BOOTSTRAP_USERNAME } from '../services/bootstrap.service.js';
import { cliActor, type Actor, type Clock } from '../services/context.js';
import { newOneTimePassword } from '../services/passwords.js';
import type { SubjectType } from '../services/subjects.service.js';
import type { Zhilu } from '../zhilu.js';

const SEC = 1000;
const MIN = 60 * SEC;
const DAY = 24 * 60 * MIN;

export const DEMO_UNIT_NAME = '漯河市畜牧兽医执法大队';
export const DEMO_DEFAULT_DAYS = 14;
export const DEMO_MIN_DAYS = 3;
export const DEMO_MAX_DAYS = 60;

/** The clock the installation was opened with; the seed moves it through the simulated days. */
export interface SeedClock extends Clock {
  set(t: number): void;
}

/** A clock that stands where it is set (`zhilu demo seed` opens the installation with one). */
export class SettableClock implements SeedClock {
  constructor(private t = Date.now()) {}
  now = (): number => this.t;
  set(t: number): void {
    this.t = t;
  }
}

export interface SeedOptions {
  /** Days of activities, ending yesterday (DEMO_MIN_DAYS … DEMO_MAX_DAYS). Default 14. */
  days?: number;
  /** One fixed password for every demo user; otherwise each gets a generated one. */
  password?: string | null;
  /** The bootstrap administrator's password when there is none yet (ZHILU_ADMIN_PASSWORD). */
  adminPassword?: string | null;
  /** Progress lines. */
  log?: (line: string) => void;
}

export type Scenario =
  | 'normal'
  | 'case_investigation'
  | 'case_service'
  | 'gap_spoken'
  | 'gap_silent'
  | 'late_import'
  | 'edited'
  | 'sequence_gap'
  | 'unlinked'
  | 'exemption_pending'
  | 'exemption_approved';

export interface SeedUser {
  username: string;
  name: string;
  code: string;
  roles: Role[];
  unit: string | null;
  password: string;
  /** True for the bootstrap administrator: the printed password is for one login only. */
  mustChangePassword: boolean;
}

export interface PlantedResult {
  scenario: Scenario;
  activityId: string;
  title: string;
  date: string;
  expected: { verdict: Verdict; codes: string[] };
  actual: { verdict: Verdict | null; codes: string[] };
  /** The recording outside any activity (scenario 'unlinked'). */
  unlinkedRecordingIds?: string[];
}

export interface SeedResult {
  unit: string;
  period: { from: string; to: string; days: number };
  users: SeedUser[];
  counts: {
    units: number;
    users: number;
    devices: number;
    subjects: number;
    cases: number;
    activities: number;
    recordings: number;
    imports: number;
  };
  verdicts: Record<Verdict, number>;
  /** Standing findings (not withdrawn) by code: import-time, linking and engine ones. */
  findings: Record<string, number>;
  planted: PlantedResult[];
  /** Planted activities whose verdict or finding codes differ from the plan (should be none). */
  mismatches: PlantedResult[];
  elapsedMs: number;
}

export const demoErrors = {
  notEmpty: (found: Record<string, number>) => {
    const zhNames: Record<string, string> = {
      users: '人员（初始管理员除外）',
      units: '单位',
      devices: '设备',
      subjects: '执法对象',
      activities: '执法活动',
    };
    const present = Object.entries(found).filter(([, n]) => n > 0);
    return new AppError(
      'DEMO_NOT_EMPTY',
      409,
      {
        zh: `演示数据只能写入空的安装：已有${present.map(([k, n]) => `${zhNames[k] ?? k} ${n} 个`).join('、')}。请使用新的数据目录或数据库`,
        en: `Demo data goes only into an empty installation; this one already has ${present.map(([k, n]) => `${n} ${k}`).join(', ')}. Use a new data directory or database`,
      },
      found,
    );
  },
  daysInvalid: (days: unknown) =>
    new AppError(
      'DEMO_DAYS_INVALID',
      400,
      {
        zh: `--days 须为 ${DEMO_MIN_DAYS} 到 ${DEMO_MAX_DAYS} 的整数，而不是 “${String(days)}”`,
        en: `--days must be a whole number from ${DEMO_MIN_DAYS} to ${DEMO_MAX_DAYS}, not "${String(days)}"`,
      },
      { days },
    ),
  passwordWeak: (username: string, rule: keyof typeof PASSWORD_RULE_MESSAGES) =>
    new AppError(
      'DEMO_PASSWORD_WEAK',
      400,
      {
        zh: `--password 不能用于演示人员 ${username}：${PASSWORD_RULE_MESSAGES[rule].zh}`,
        en: `--password cannot be used for the demo user ${username}: ${PASSWORD_RULE_MESSAGES[rule].en}`,
      },
      { username, rule },
    ),
};

// ─── The brigade ───────────────────────────────────────────────────────────────────

type UnitKey = 'brigade' | 'sq1' | 'sq2';

const UNITS: { key: UnitKey; name: string; kind: 'brigade' | 'squadron'; code: string }[] = [
  { key: 'brigade', name: DEMO_UNIT_NAME, kind: 'brigade', code: '漯牧执' },
  { key: 'sq1', name: '第一中队（郾城区）', kind: 'squadron', code: '漯牧执一' },
  { key: 'sq2', name: '第二中队（源汇区）', kind: 'squadron', code: '漯牧执二' },
];

interface PersonSpec {
  username: string;
  name: string;
  /** 执法证号: letters and digits only, as recorders write it into file names. */
  code: string;
  roles: Role[];
  unit: UnitKey;
}

const PEOPLE: PersonSpec[] = [
  { username: 'wang.jianguo', name: '王建国', code: '41110001', roles: ['leader'], unit: 'brigade' },
  { username: 'sun.li', name: '孙丽', code: '41110002', roles: ['supervisor'], unit: 'brigade' },
  { username: 'zhou.min', name: '周敏', code: '41110003', roles: ['legal_office'], unit: 'brigade' },
  { username: 'wu.fang', name: '吴芳', code: '41110004', roles: ['custodian'], unit: 'brigade' },
  { username: 'zheng.hao', name: '郑浩', code: '41110005', roles: ['admin'], unit: 'brigade' },
  { username: 'li.ming', name: '李明', code: '41110101', roles: ['department_head'], unit: 'sq1' },
  { username: 'zhang.wei', name: '张伟', code: '41110102', roles: ['officer'], unit: 'sq1' },
  { username: 'liu.yang', name: '刘洋', code: '41110103', roles: ['officer'], unit: 'sq1' },
  { username: 'chen.jing', name: '陈静', code: '41110104', roles: ['officer'], unit: 'sq1' },
  { username: 'zhao.gang', name: '赵刚', code: '41110201', roles: ['department_head'], unit: 'sq2' },
  { username: 'yang.fan', name: '杨帆', code: '41110202', roles: ['officer'], unit: 'sq2' },
  { username: 'huang.lei', name: '黄磊', code: '41110203', roles: ['officer'], unit: 'sq2' },
  { username: 'he.tao', name: '何涛', code: '41110204', roles: ['officer'], unit: 'sq2' },
];

export interface DeviceSpec {
  serial: string;
  typeId: string;
  model: string;
  maker: string;
  firmware: string;
  holder: string;
  unit: UnitKey;
  purchaseDate: string;
  /** The simulator's naming scheme for its files. */
  naming: string;
  /** The device clock minus true time, seconds: its checks show it, the import corrects it. */
  clockOffsetSeconds: number;
}

const CAMERA = { typeId: 'body_camera', maker: '华安视讯', model: 'DSJ-V8', firmware: 'DSJ-V8 3.2.1' };
export const DEVICES: DeviceSpec[] = [
  {
    ...CAMERA,
    serial: 'DSJ-V8-230101',
    holder: 'zhang.wei',
    unit: 'sq1',
    purchaseDate: '2023-03-15',
    naming: 'device-officer-time',
    clockOffsetSeconds: 0,
  },
  {
    ...CAMERA,
    serial: 'DSJ-V8-230102',
    holder: 'liu.yang',
    unit: 'sq1',
    purchaseDate: '2023-03-15',
    naming: 'device-officer-time',
    clockOffsetSeconds: 1,
  },
  // Runs 18 s fast: within the ±30 s tolerance, recorded at every check, corrected at import.
  {
    ...CAMERA,
    serial: 'DSJ-V8-230103',
    holder: 'chen.jing',
    unit: 'sq1',
    purchaseDate: '2023-03-15',
    naming: 'device-officer-time',
    clockOffsetSeconds: 18,
  },
  {
    ...CAMERA,
    serial: 'DSJ-V8-240201',
    holder: 'yang.fan',
    unit: 'sq2',
    purchaseDate: '2024-05-20',
    naming: 'device-officer-time',
    clockOffsetSeconds: -1,
  },
  {
    ...CAMERA,
    serial: 'DSJ-V8-240202',
    holder: 'huang.lei',
    unit: 'sq2',
    purchaseDate: '2024-05-20',
    naming: 'device-officer-time',
    clockOffsetSeconds: 0,
  },
  // An older recorder with a file counter (DCIM/RECORD/00000001_YYYYMMDD.AVI): missing numbers show.
  {
    serial: 'DV-A7-190301',
    typeId: 'body_camera',
    maker: '华安视讯',
    model: 'DV-A7',
    firmware: 'DV-A7 1.0.8',
    holder: 'he.tao',
    unit: 'sq2',
    purchaseDate: '2019-03-01',
    naming: 'dcim-record',
    clockOffsetSeconds: 0,
  },
  {
    ...CAMERA,
    serial: 'DSJ-V8-240203',
    holder: 'li.ming',
    unit: 'sq1',
    purchaseDate: '2024-05-20',
    naming: 'device-officer-time',
    clockOffsetSeconds: 0,
  },
  {
    serial: 'EOS-LH-01',
    typeId: 'camera',
    maker: '佳能',
    model: 'EOS 850D',
    firmware: '1.0.1',
    holder: 'wu.fang',
    unit: 'brigade',
    purchaseDate: '2022-09-01',
    naming: 'device-officer-time',
    clockOffsetSeconds: 0,
  },
];

/** Teams of two from one squadron, the officer in charge first. */
const TEAMS: [string, string][] = [
  ['zhang.wei', 'liu.yang'],
  ['yang.fan', 'huang.lei'],
  ['chen.jing', 'zhang.wei'],
  ['huang.lei', 'he.tao'],
  ['liu.yang', 'chen.jing'],
  ['he.tao', 'yang.fan'],
];

interface SubjectSpec {
  type: SubjectType;
  name: string;
  /** Region code (GB/T 2260) of the registering authority. */
  region: string;
  /** GB 32100 positions 1–2: 91 enterprise, 92 individual business, 93 farmers' cooperative. */
  kind?: '91' | '92' | '93';
  legalRepresentative: string;
  address: string;
  contact: string;
  latitude: number;
  longitude: number;
  idNumberStem?: string;
}

const SUBJECTS: SubjectSpec[] = [
  {
    type: 'farm',
    name: '漯河市郾城区瑞丰生猪养殖场',
    region: '411103',
    kind: '91',
    legalRepresentative: '刘瑞丰',
    address: '漯河市郾城区龙城镇北刘村东 500 米',
    contact: '13903951201',
    latitude: 33.6412,
    longitude: 113.9871,
  },
  {
    type: 'farm',
    name: '漯河市源汇区绿源肉牛养殖专业合作社',
    region: '411102',
    kind: '93',
    legalRepresentative: '张国栋',
    address: '漯河市源汇区问十乡后王村',
    contact: '13839521877',
    latitude: 33.5256,
    longitude: 113.9013,
  },
  {
    type: 'farm',
    name: '临颍县康达蛋鸡养殖有限公司',
    region: '411122',
    kind: '91',
    legalRepresentative: '陈康达',
    address: '临颍县杜曲镇工业园区纬二路',
    contact: '0395-8612345',
    latitude: 33.8134,
    longitude: 113.9402,
  },
  {
    type: 'farm',
    name: '舞阳县兴旺养羊场',
    region: '411121',
    kind: '92',
    legalRepresentative: '王兴旺',
    address: '舞阳县北舞渡镇贾湾村西',
    contact: '13598062311',
    latitude: 33.5541,
    longitude: 113.6623,
  },
  {
    type: 'slaughterhouse',
    name: '漯河市召陵区永盛生猪定点屠宰场',
    region: '411104',
    kind: '91',
    legalRepresentative: '李永盛',
    address: '漯河市召陵区召陵镇屠宰产业园 3 号',
    contact: '0395-3378210',
    latitude: 33.5671,
    longitude: 114.0932,
  },
  {
    type: 'slaughterhouse',
    name: '临颍县鑫源家禽屠宰有限公司',
    region: '411122',
    kind: '91',
    legalRepresentative: '赵鑫',
    address: '临颍县城关镇南街工业区',
    contact: '0395-8855102',
    latitude: 33.8011,
    longitude: 113.9318,
  },
  {
    type: 'feed_vet_business',
    name: '漯河市郾城区惠农兽药店',
    region: '411103',
    kind: '92',
    legalRepresentative: '孙惠农',
    address: '漯河市郾城区黄河路 218 号',
    contact: '13782512046',
    latitude: 33.5932,
    longitude: 114.0085,
  },
  {
    type: 'feed_vet_business',
    name: '漯河市源汇区丰收饲料经营部',
    region: '411102',
    kind: '92',
    legalRepresentative: '周丰收',
    address: '漯河市源汇区受降路 76 号',
    contact: '13949616320',
    latitude: 33.5689,
    longitude: 114.0007,
  },
  {
    type: 'feed_vet_business',
    name: '漯河市康牧兽药有限公司',
    region: '411100',
    kind: '91',
    legalRepresentative: '吴康牧',
    address: '漯河市召陵区燕山路 155 号',
    contact: '0395-2126688',
    latitude: 33.5825,
    longitude: 114.0421,
  },
  {
    type: 'individual',
    name: '王德发（生猪散养户）',
    region: '411103',
    legalRepresentative: '王德发',
    address: '漯河市郾城区新店镇王庄村 4 组',
    contact: '15836955102',
    latitude: 33.6903,
    longitude: 114.0417,
    idNumberStem: '41110319650412231',
  },
];

/** Index into SUBJECTS of the two cases' subjects. */
const CASES = [
  {
    subject: 0,
    title: '漯河市郾城区瑞丰生猪养殖场未按规定建立养殖档案案',
    summary: '日常检查发现该场未建立生猪养殖档案，免疫记录缺失，已立案调查。',
    type: 'investigation' as ActivityType,
    scenario: 'case_investigation' as Scenario,
  },
  {
    subject: 6,
    title: '漯河市郾城区惠农兽药店经营假兽药案',
    summary: '抽检的兽药经检验为假兽药，已立案，待送达行政处罚告知书。',
    type: 'service_of_documents' as ActivityType,
    scenario: 'case_service' as Scenario,
  },
];

/** A11.1's reasons and A7's cases, as officers write them. */
const EXEMPTIONS = {
  pending: {
    category: 'emergency',
    reason:
      '接到群众举报有人向沟渠抛弃病死猪，立即赶赴现场处置，途中记录仪未开机，到达后先行控制现场，未能记录。',
    basis: '《行政执法音像记录管理制度》第七条第（二）项：情况紧急',
  },
  approved: {
    category: 'secret_or_privacy',
    reason: '核查涉及企业未公开的饲料配方和供应商合同，企业书面申请保密，经请示对核查过程不予录像。',
    basis: '《行政执法音像记录管理制度》第七条第（一）项：涉及商业秘密',
  },
} as const;

/** What each planted scenario should come to. */
const EXPECTED: Record<Scenario, { verdict: Verdict; codes: string[] }> = {
  normal: { verdict: 'compliant', codes: [] },
  case_investigation: { verdict: 'compliant', codes: [] },
  case_service: { verdict: 'compliant', codes: [] },
  unlinked: { verdict: 'compliant', codes: [] },
  exemption_approved: { verdict: 'compliant', codes: [] },
  gap_spoken: { verdict: 'awaiting_explanation', codes: ['GAP'] },
  late_import: { verdict: 'awaiting_explanation', codes: ['LATE_IMPORT', 'NOT_DOCKED'] },
  exemption_pending: { verdict: 'awaiting_explanation', codes: ['EXEMPTION_PENDING'] },
  gap_silent: { verdict: 'non_compliant', codes: ['GAP', 'GAP_NO_SPEECH'] },
  edited: { verdict: 'non_compliant', codes: ['EDITED'] },
  sequence_gap: { verdict: 'non_compliant', codes: ['SEQUENCE_GAP'] },
};

/**
 * The planted scenarios in the order they are spread over the period: the late import
 * early, so its next-morning import still lies before today.
 */
export const PLANTED: Scenario[] = [
  'gap_spoken',
  'late_import',
  'edited',
  'case_investigation',
  'exemption_pending',
  'sequence_gap',
  'unlinked',
  'gap_silent',
  'case_service',
  'exemption_approved',
];
const MIN_NORMAL = 2;

/** Planned times by the number of activities on a day. */
const SLOTS: Record<number, string[]> = {
  1: ['09:30'],
  2: ['09:00', '14:30'],
  3: ['08:50', '10:20', '14:30'],
  4: ['08:50', '10:20', '14:20', '15:50'],
  5: ['08:50', '10:10', '11:30', '14:20', '15:40'],
};
const MAX_PER_DAY = 5;

/**
 * The seed's clock leaps from one act to the next, overnight at most: a worker's lease (the
 * queue allows a day) must outlast a leap, or a job in hand would look abandoned.
 */
const LONG_LEASE = { leaseMs: DAY };

const NORMAL_TYPES: ActivityType[] = [
  'routine_inspection',
  'routine_inspection',
  'complaint',
  'routine_inspection',
  'other_onsite',
];

// ─── The plan (pure) ───────────────────────────────────────────────────────────────

/** A small seeded generator, so every seed tells the same story. */
function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
}

export interface SessionPlan {
  serial: string;
  officer: string;
  /** True start, epoch ms, whole seconds. */
  start: number;
  seconds: number;
  gaps: SimulatedGapInput[];
  editSeq: number[];
  dropSeq: number[];
  speech: boolean;
  photos: number;
  /** When the card is imported (end of the day, or the next morning when late). */
  importAt: number;
}

export interface ActivityPlan {
  index: number;
  scenario: Scenario;
  date: string;
  type: ActivityType;
  subject: number;
  caseIndex: number | null;
  team: [string, string];
  plannedAt: number;
  arrivedAt: number;
  endedAt: number;
  sessions: SessionPlan[];
  /** Sessions of the officers' devices outside any activity. */
  stray: SessionPlan[];
}

const localDate = (t: number, tz: string) => epochToWallTime(t, tz).slice(0, 10);
function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
function at(date: string, hhmm: string, tz: string): number {
  const t = wallTimeToEpoch(`${date}T${hhmm}:00.000`, tz);
  if (t === null) throw new Error(`no such local time ${date} ${hhmm} in ${tz}`);
  return t;
}
const wholeSecond = (t: number) => Math.floor(t / SEC) * SEC;

/**
 * The activities of `days` days before `today` (a local date in `tz`), with their teams,
 * times and recording sessions. Pure and deterministic: the same arguments, the same plan.
 */
export function planDemo(days: number, today: string, tz: string): ActivityPlan[] {
  const rand = prng(20_260_804);
  const total = Math.min(Math.max(Math.round(days * 1.5), PLANTED.length + MIN_NORMAL), days * MAX_PER_DAY);
  const step = total / PLANTED.length;
  const scenarioAt = new Map<number, Scenario>();
  PLANTED.forEach((s, k) => scenarioAt.set(Math.min(total - 1, Math.round((k + 0.5) * step)), s));
  const perDay = new Map<number, number[]>();
  for (let i = 0; i < total; i++) {
    const d = Math.floor((i * days) / total);
    perDay.set(d, [...(perDay.get(d) ?? []), i]);
  }
  const plans: ActivityPlan[] = [];
  let normal = 0;
  let subjectTurn = 0;
  for (let d = 0; d < days; d++) {
    const date = addDays(today, d - days);
    const indices = perDay.get(d) ?? [];
    const slots = SLOTS[indices.length] ?? [];
    indices.forEach((index, k) => {
      const scenario = scenarioAt.get(index) ?? 'normal';
      const caseIndex = CASES.findIndex((c) => c.scenario === scenario);
      let team = TEAMS[index % TEAMS.length]!;
      // the recorder with a file counter must be the one that loses a file
      if (scenario === 'sequence_gap') team = ['he.tao', 'huang.lei'];
      // An editor rewrites the container time, which that recorder's names (date only) rely
      // on: its edited file would land outside the activity. The edit is a named camera's.
      if (scenario === 'edited' && team[0] === 'he.tao') team = [team[1], team[0]];
      if (caseIndex >= 0) team = caseIndex === 0 ? ['zhang.wei', 'chen.jing'] : ['liu.yang', 'zhang.wei'];
      const type =
        caseIndex >= 0
          ? CASES[caseIndex]!.type
          : scenario === 'exemption_pending'
            ? 'complaint'
            : NORMAL_TYPES[normal++ % NORMAL_TYPES.length]!;
      const subject =
        caseIndex >= 0
          ? CASES[caseIndex]!.subject
          : scenario === 'exemption_approved'
            ? 7
            : scenario === 'exemption_pending'
              ? 9
              : [0, 1, 2, 3, 4, 5, 6, 8][subjectTurn++ % 8]!;
      const plannedAt = at(date, slots[k]!, tz);
      const arrivedAt = plannedAt + (5 + rand(15)) * MIN + rand(60) * SEC;
      const windowSeconds =
        scenario === 'gap_spoken' || scenario === 'gap_silent'
          ? 180
          : scenario === 'sequence_gap'
            ? 150
            : 120 + 10 * rand(3);
      const endedAt = arrivedAt + windowSeconds * SEC;
      const dayEnd = at(date, '17:20', tz);
      const plan: ActivityPlan = {
        index,
        scenario,
        date,
        type,
        subject,
        caseIndex: caseIndex >= 0 ? caseIndex : null,
        team,
        plannedAt,
        arrivedAt,
        endedAt,
        sessions: [],
        stray: [],
      };
      if (scenario !== 'exemption_pending' && scenario !== 'exemption_approved')
        plan.sessions = sessionsFor(plan, windowSeconds, rand, dayEnd, at(addDays(date, 1), '08:40', tz));
      if (scenario === 'unlinked')
        // the officer in charge tries the camera over lunch: a recording no activity claims
        plan.stray.push({
          serial: deviceOf(team[0]).serial,
          officer: team[0],
          start: at(date, '12:40', tz) + rand(60) * SEC,
          seconds: 60,
          gaps: [],
          editSeq: [],
          dropSeq: [],
          speech: false,
          photos: 0,
          importAt: dayEnd,
        });
      plans.push(plan);
    });
  }
  return plans;
}

export function deviceOf(username: string): DeviceSpec {
  const d = DEVICES.find((x) => x.holder === username && x.typeId === 'body_camera');
  if (!d) throw new Error(`no camera for ${username}`);
  return d;
}

/**
 * The recordings of an activity. The officer in charge records from shortly after the
 * arrival to shortly before the end; the partner records a part of it. Planted defects
 * change that as their scenario says.
 */
function sessionsFor(
  a: ActivityPlan,
  windowSeconds: number,
  rand: (n: number) => number,
  dayEnd: number,
  nextMorning: number,
): SessionPlan[] {
  const [lead, partner] = a.team;
  const base = { gaps: [], editSeq: [], dropSeq: [], speech: false, photos: 0, importAt: dayEnd };
  const leadStart = 8 + rand(12);
  // At most two one-minute files: the import and the media jobs cost per file.
  const leadSeconds = Math.min(120, windowSeconds - leadStart - (5 + rand(8)));
  const main: SessionPlan = {
    ...base,
    serial: deviceOf(lead).serial,
    officer: lead,
    start: wholeSecond(a.arrivedAt + leadStart * SEC),
    seconds: leadSeconds,
  };
  // Not at the same second as the lead: two cameras never write the same bytes.
  const second: SessionPlan = {
    ...base,
    serial: deviceOf(partner).serial,
    officer: partner,
    start: wholeSecond(a.arrivedAt + (leadStart + 20 + rand(15)) * SEC),
    seconds: 45 + rand(15),
    photos: a.scenario === 'case_investigation' ? 2 : 0,
  };
  // Often only the officer in charge records; planted defects need both cameras as set here.
  let both = a.index % 2 === 0;
  switch (a.scenario) {
    case 'case_investigation':
    case 'case_service':
      both = true;
      break;
    case 'gap_spoken':
    case 'gap_silent':
      // The partner's camera covers only the start; the lead stops 70 s in, for 40–50 s.
      both = true;
      main.seconds = windowSeconds - leadStart - (5 + rand(8));
      second.start = wholeSecond(a.arrivedAt + (leadStart + 5) * SEC);
      second.seconds = 50;
      main.gaps = [{ atMinute: 70 / 60, seconds: a.scenario === 'gap_spoken' ? 40 : 50 }];
      main.speech = a.scenario === 'gap_spoken';
      break;
    case 'late_import':
      main.importAt = nextMorning;
      break;
    case 'edited':
      main.editSeq = [Math.ceil(main.seconds / 60)];
      break;
    case 'sequence_gap':
      // The partner records throughout, so the missing file leaves no hole in the coverage.
      both = true;
      main.seconds = 130;
      main.dropSeq = [2];
      second.start = wholeSecond(a.arrivedAt + (leadStart - 5) * SEC);
      second.seconds = windowSeconds - (leadStart - 5) - 10;
      break;
    default:
      break;
  }
  return both ? [main, second] : [main];
}

// ─── Seeding ───────────────────────────────────────────────────────────────────────

function actorOf(user: { id: string; name: string; roles: Role[] }): Actor {
  return {
    userId: user.id,
    name: user.name,
    roles: user.roles,
    permissions: new Set(permissionsOf(user.roles)),
    clientIp: null,
    via: 'session',
  };
}

function creditCode(spec: SubjectSpec, n: number): string {
  const rand = prng(411_100 + n);
  let org = '';
  for (let i = 0; i < 9; i++) org += CREDIT_CODE_ALPHABET[rand(CREDIT_CODE_ALPHABET.length)]!;
  const first17 = `${spec.kind ?? '91'}${spec.region}${org}`;
  return first17 + creditCodeCheckChar(first17);
}

/** Runs tasks with at most `limit` at once; each result is awaited where it is needed. */
function limited(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            running--;
            waiting.shift()?.();
          });
      };
      if (running < limit) start();
      else waiting.push(start);
    });
}

type Counted =
  'units' | 'users' | 'devices' | 'enforcementSubjects' | 'cases' | 'activities' | 'recordings' | 'imports';

async function countRows(z: Zhilu, table: Counted): Promise<number> {
  const row = await z.catalogue.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function assertEmpty(z: Zhilu): Promise<void> {
  const others = await z.catalogue.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('username', '!=', BOOTSTRAP_USERNAME)
    .executeTakeFirstOrThrow();
  const found = {
    users: Number(others.n),
    units: await countRows(z, 'units'),
    devices: await countRows(z, 'devices'),
    subjects: await countRows(z, 'enforcementSubjects'),
    activities: await countRows(z, 'activities'),
  };
  if (Object.values(found).some((n) => n > 0)) throw demoErrors.notEmpty(found);
}

/**
 * Fills the installation `z` (opened with `clock`) with the demonstration brigade. Refuses
 * an installation that already has data (DEMO_NOT_EMPTY). Needs ffmpeg and espeak-ng.
 */
export async function seedDemo(z: Zhilu, clock: SeedClock, opts: SeedOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const say = opts.log ?? (() => undefined);
  const log = (line: string) => say(`${line} [${((Date.now() - started) / 1000).toFixed(0)} s]`);
  const days = opts.days ?? DEMO_DEFAULT_DAYS;
  if (!Number.isInteger(days) || days < DEMO_MIN_DAYS || days > DEMO_MAX_DAYS)
    throw demoErrors.daysInvalid(days);
  const fixed = opts.password ?? null;
  if (fixed !== null)
    for (const p of [...PEOPLE.map((x) => x.username), BOOTSTRAP_USERNAME]) {
      const rule = checkPassword(fixed, p);
      if (rule) throw demoErrors.passwordWeak(p, rule);
    }
  await assertEmpty(z);

  const tz = z.config.timezone;
  const end = clock.now();
  const today = localDate(end, tz);
  const plans = planDemo(days, today, tz);
  const first = addDays(today, -days);
  const s = z.services;
  const db = z.catalogue.db;
  const operator: Actor = {
    ...cliActor(Object.keys(PERMISSIONS) as Permission[]),
    name: 'cli:demo-seed',
  };

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'zhilu-demo-'));
  let background: Worker | null = null;
  try {
    // ffmpeg and espeak-ng are needed for every card: find out before anything is written.
    await simulateDevice({
      dir: path.join(work, 'preflight'),
      serial: 'PREFLIGHT',
      officer: '0',
      start: new Date(end).toISOString(),
      minutes: 2 / 60,
      speech: true,
      timeZone: tz,
    });
    // Every card is simulated in the background, two at a time, in the order they are docked.
    const slot = limited(2);
    const cards = new Map<SessionPlan, Promise<string>>();
    const sessions = plans
      .flatMap((p) => [...p.sessions, ...p.stray])
      .sort((x, y) => x.importAt - y.importAt || x.start - y.start);
    const simulation = (sp: SessionPlan, dir: string): SimulateOptions => {
      const device = DEVICES.find((d) => d.serial === sp.serial)!;
      return {
        dir,
        serial: sp.serial,
        officer: PEOPLE.find((p) => p.username === sp.officer)!.code,
        start: new Date(sp.start).toISOString(),
        minutes: sp.seconds / 60,
        splitMinutes: 1,
        gaps: sp.gaps,
        dropSeq: sp.dropSeq,
        editSeq: sp.editSeq,
        photos: sp.photos,
        naming: device.naming,
        speech: sp.speech,
        timeZone: tz,
        clockOffsetSeconds: device.clockOffsetSeconds,
        model: device.model,
        maker: device.maker,
        firmware: device.firmware,
      };
    };
    // The simulator numbers each card's videos from 1; a recorder's counter carries on from
    // card to card, so where names carry it the files are renumbered after those before.
    const counted = new Map<string, number>();
    const firstNumber = new Map<SessionPlan, number>();
    for (const sp of [...sessions].sort((x, y) => x.start - y.start)) {
      if (DEVICES.find((d) => d.serial === sp.serial)!.naming !== 'dcim-record') continue;
      const plan = planSimulation(simulation(sp, ''));
      const before = counted.get(sp.serial) ?? 0;
      firstNumber.set(sp, before);
      counted.set(sp.serial, before + plan.files.filter((f) => f.kind === 'video').length);
    }
    sessions.forEach((sp, i) => {
      const dir = path.join(work, `card-${String(i + 1).padStart(3, '0')}-${sp.serial}`);
      const done = slot(async () => {
        const result = await simulateDevice(simulation(sp, dir));
        const offset = firstNumber.get(sp) ?? 0;
        if (offset > 0)
          for (const f of result.files
            .filter((x) => x.kind === 'video' && x.present)
            .sort((x, y) => y.sequence - x.sequence)) {
            const renamed = f.path.replace(
              /\d{8}(?=_\d{8}[^/]*$)/,
              String(f.sequence + offset).padStart(8, '0'),
            );
            await fs.rename(path.join(dir, f.path), path.join(dir, renamed));
          }
        return dir;
      });
      done.catch(() => undefined); // awaited (and reported) at its import
      cards.set(sp, done);
    });

    // ── The register, three weeks before the first day ──
    clock.set(at(addDays(first, -21), '09:00', tz));
    log(`zhilu: 建立单位、人员与设备 / creating units, users and devices (${first} – ${addDays(today, -1)})`);
    const users: SeedUser[] = [];
    if ((await db.selectFrom('users').select('id').limit(1).execute()).length === 0) {
      const admin = await bootstrapAdmin(
        { catalogue: z.catalogue, clock },
        s.audit,
        opts.adminPassword ?? fixed ?? null,
      );
      if (admin)
        users.push({
          username: admin.username,
          name: '系统管理员',
          code: 'ADMIN',
          roles: ['admin'],
          unit: null,
          password: admin.password,
          mustChangePassword: true,
        });
    }
    const unitIds = new Map<UnitKey, string>();
    for (const u of UNITS) {
      const created = await s.units.create(operator, {
        name: u.name,
        kind: u.kind,
        parentId: u.key === 'brigade' ? null : unitIds.get('brigade')!,
        code: u.code,
      });
      unitIds.set(u.key, created.id);
    }
    const people = new Map<string, { id: string; name: string; roles: Role[]; code: string }>();
    for (const p of PEOPLE) {
      // Demo accounts keep the printed password: no forced change at first login.
      const password = fixed ?? newOneTimePassword();
      const { user } = await s.users.create(operator, {
        username: p.username,
        name: p.name,
        code: p.code,
        unitId: unitIds.get(p.unit)!,
        roles: p.roles,
        password,
        mustChangePassword: false,
      });
      users.push({
        username: p.username,
        name: p.name,
        code: p.code,
        roles: p.roles,
        unit: UNITS.find((u) => u.key === p.unit)!.name,
        password,
        mustChangePassword: false,
      });
      people.set(p.username, { id: user.id, name: p.name, roles: p.roles, code: p.code });
    }
    const who = (username: string) => {
      const p = people.get(username);
      if (!p) throw new Error(`unknown demo user ${username}`);
      return { ...p, actor: actorOf(p) };
    };
    const custodian = who('wu.fang').actor;
    const deviceIds = new Map<string, string>();
    for (const d of DEVICES) {
      const created = await s.devices.create(custodian, {
        serial: d.serial,
        typeId: d.typeId,
        maker: d.maker,
        model: d.model,
        assetNumber: `LHXM-${d.serial}`,
        unitId: unitIds.get(d.unit)!,
        purchaseDate: d.purchaseDate,
        purchaseCostCents: d.typeId === 'camera' ? 5_299_00 : 2_680_00,
        holderId: who(d.holder).id,
      });
      deviceIds.set(d.serial, created.id);
    }
    const clerk = who('zhou.min').actor;
    const subjectIds: string[] = [];
    for (const [n, spec] of SUBJECTS.entries()) {
      const idNumber = spec.idNumberStem ? spec.idNumberStem + idNumberCheckChar(spec.idNumberStem) : null;
      const created = await s.subjects.create(clerk, {
        type: spec.type,
        name: spec.name,
        creditCode: idNumber ? null : creditCode(spec, n),
        idNumber,
        legalRepresentative: spec.legalRepresentative,
        address: spec.address,
        contact: spec.contact,
        latitude: spec.latitude,
        longitude: spec.longitude,
        unitId: unitIds.get(spec.region === '411102' ? 'sq2' : 'sq1')!,
      });
      subjectIds.push(created.id);
    }
    clock.set(at(addDays(first, -7), '10:00', tz));
    const caseIds: string[] = [];
    for (const [n, c] of CASES.entries()) {
      const plan = plans.find((p) => p.caseIndex === n)!;
      const lead = who(plan.team[0]);
      const created = await s.cases.create(lead.actor, {
        caseNumber: `漯牧执罚〔${addDays(first, -7).slice(0, 4)}〕${String(n + 11)}号`,
        title: c.title,
        subjectId: subjectIds[c.subject]!,
        filedOn: addDays(first, -7),
        officerIds: plan.team.map((u) => who(u).id),
        leadOfficerId: lead.id,
        summary: c.summary,
      });
      caseIds.push(created.id);
    }

    // ── The days, act by act, in the order they happened ──
    type Act = { at: number; order: number; run: () => Promise<void> };
    const acts: Act[] = [];
    const act = (t: number, run: () => Promise<void>) => acts.push({ at: t, order: acts.length, run });
    const activityIds = new Map<ActivityPlan, string>();
    const strayRecordings: string[] = [];
    let importCount = 0;

    for (let d = 0; d < days; d++) {
      const date = addDays(first, d);
      const todays = plans.filter((p) => p.date === date);
      // Check-outs and pre-use checks for every officer whose camera works today.
      const officers = [...new Set(todays.flatMap((p) => p.sessions.map((x) => x.officer)))];
      officers.forEach((username, k) => {
        const device = deviceOf(username);
        const out = at(date, '08:00', tz) + k * 2 * MIN;
        let checkoutId = '';
        act(out, async () => {
          const o = who(username);
          checkoutId = (await s.checkouts.checkout(o.actor, deviceIds.get(device.serial)!, {})).id;
        });
        act(out + 3 * MIN + k * 7 * SEC, async () => {
          const o = who(username);
          await s.checkouts.recordCheck(o.actor, deviceIds.get(device.serial)!, {
            batteryPercent: 78 + ((d * 7 + k * 5) % 22),
            freeStorageMb: 18_000 + ((d * 3_301 + k * 977) % 40_000),
            deviceTime: wholeSecond(clock.now()) + device.clockOffsetSeconds * SEC,
          });
        });
        act(at(date, '18:30', tz) + k * MIN, async () => {
          await s.checkouts.checkin(who(username).actor, checkoutId, {});
        });
      });
      for (const p of todays) {
        const lead = () => who(p.team[0]);
        const title = `${SUBJECTS[p.subject]!.name}${ACTIVITY_TYPE_NAMES[p.type].zh}`.slice(0, 100);
        act(p.plannedAt - 40 * MIN, async () => {
          const created = await s.activities.create(lead().actor, {
            type: p.type,
            title,
            subjectId: subjectIds[p.subject]!,
            caseId: p.caseIndex === null ? null : caseIds[p.caseIndex]!,
            address: SUBJECTS[p.subject]!.address,
            latitude: SUBJECTS[p.subject]!.latitude,
            longitude: SUBJECTS[p.subject]!.longitude,
            plannedAt: p.plannedAt,
            officerIds: p.team.map((u) => who(u).id),
            inChargeId: lead().id,
          });
          activityIds.set(p, created.id);
          // The cameras that will record it; a camera that stays off is not attached.
          for (const serial of new Set(p.sessions.map((x) => x.serial)))
            await s.activities.attachDevice(lead().actor, created.id, deviceIds.get(serial)!);
        });
        act(p.arrivedAt, async () => {
          await s.activities.update(lead().actor, activityIds.get(p)!, { arrivedAt: p.arrivedAt });
        });
        if (p.sessions.length > 0)
          act(p.arrivedAt + 70 * SEC, async () => {
            await s.activities.recordNotified(lead().actor, activityIds.get(p)!, p.arrivedAt + 40 * SEC);
          });
        act(p.endedAt + 3 * MIN, async () => {
          await s.activities.update(lead().actor, activityIds.get(p)!, { endedAt: p.endedAt });
        });
        if (p.scenario === 'exemption_pending' || p.scenario === 'exemption_approved') {
          let exemptionId = '';
          const text = p.scenario === 'exemption_pending' ? EXEMPTIONS.pending : EXEMPTIONS.approved;
          act(p.endedAt + 20 * MIN, async () => {
            exemptionId = (await s.exemptions.request(lead().actor, activityIds.get(p)!, { ...text })).id;
          });
          if (p.scenario === 'exemption_approved')
            act(p.endedAt + 95 * MIN, async () => {
              await s.exemptions.review(who('wang.jianguo').actor, exemptionId, {
                decision: 'approve',
                comment: '情况属实，同意不予记录。',
              });
            });
        }
      }
      // Docking: each card at the station after the day's work (the late one next morning).
      const docked = sessions.filter((x) => localDate(x.importAt, tz) === date);
      docked.forEach((sp, k) => {
        act(sp.importAt + k * 2 * MIN, async () => {
          const dir = await cards.get(sp)!;
          const report = await s.imports.importDirectory(custodian, dir, sp.serial, { source: 'cli' });
          importCount++;
          if (report.summary.failed > 0)
            throw new Error(
              `demo import of ${sp.serial} failed: ${report.files
                .filter((f) => f.status === 'failed')
                .map((f) => `${f.path} ${f.error?.code ?? ''}`)
                .join('; ')}`,
            );
          if (plans.some((p) => p.stray.includes(sp)))
            strayRecordings.push(...report.files.flatMap((f) => (f.recordingId ? [f.recordingId] : [])));
        });
      });
    }

    acts.sort((x, y) => x.at - y.at || x.order - y.order);
    // Media jobs start while the days are played: ffmpeg works beside the imports.
    background = s.media.worker({ ...LONG_LEASE, idleMs: 250 });
    background.start();
    log(
      `zhilu: 模拟 ${days} 天的执法活动 / playing ${days} days: ${plans.length} 次活动 / activities, ${sessions.length} 张存储卡 / device cards`,
    );
    let lastDay = '';
    for (const a of acts) {
      if (a.at >= end) throw new Error('demo plan reaches beyond the present'); // a bug in the plan
      clock.set(a.at);
      const day = localDate(a.at, tz);
      if (day !== lastDay) {
        lastDay = day;
        log(`zhilu:   ${day}`);
      }
      await a.run();
    }

    // ── Back to the present: media jobs, then every verdict ──
    await background.stop();
    background = null;
    clock.set(end);
    log('zhilu: 处理其余媒体任务（缩略图、代理文件、语音检测）/ finishing the media jobs');
    const drain = async () => {
      const worker = s.media.worker(LONG_LEASE);
      for (;;) if ((await worker.runOnce()) === 'idle') return;
    };
    // each runs until nothing is due, so the last to stop has seen the jobs the other queued
    await Promise.all([drain(), drain()]);
    const ids = (await db.selectFrom('activities').select('id').orderBy('plannedAt').execute()).map(
      (r) => r.id,
    );
    log(`zhilu: 重新计算合规结论 / recomputing compliance for ${ids.length} activities`);
    await s.compliance.recomputeMany(ids);

    // ── What came of it ──
    const verdictRows = await db
      .selectFrom('activityCompliance')
      .select(['activityId', 'verdict', 'reasons'])
      .execute();
    const byActivity = new Map(verdictRows.map((r) => [r.activityId, r]));
    const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    for (const r of verdictRows) if (r.verdict in verdicts) verdicts[r.verdict as Verdict]++;
    const findings: Record<string, number> = {};
    for (const f of await db
      .selectFrom('findings')
      .select(['code', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('withdrawnAt', 'is', null)
      .groupBy('code')
      .orderBy('code')
      .execute())
      findings[f.code] = Number(f.n);
    const planted: PlantedResult[] = plans
      .filter((p) => p.scenario !== 'normal')
      .map((p) => {
        const id = activityIds.get(p)!;
        const row = byActivity.get(id);
        const reasons = row ? (JSON.parse(row.reasons) as VerdictReason[]) : [];
        return {
          scenario: p.scenario,
          activityId: id,
          title: `${SUBJECTS[p.subject]!.name}${ACTIVITY_TYPE_NAMES[p.type].zh}`,
          date: p.date,
          expected: EXPECTED[p.scenario],
          actual: {
            verdict: (row?.verdict as Verdict | undefined) ?? null,
            codes: [...new Set(reasons.map((r) => r.code))].sort(),
          },
          ...(p.scenario === 'unlinked' ? { unlinkedRecordingIds: strayRecordings } : {}),
        };
      });
    const mismatches = planted.filter(
      (p) =>
        p.actual.verdict !== p.expected.verdict ||
        p.actual.codes.join(',') !== [...p.expected.codes].sort().join(','),
    );
    const count = (table: Counted) => countRows(z, table);
    return {
      unit: DEMO_UNIT_NAME,
      period: { from: first, to: addDays(today, -1), days },
      users,
      counts: {
        units: await count('units'),
        users: await count('users'),
        devices: await count('devices'),
        subjects: await count('enforcementSubjects'),
        cases: await count('cases'),
        activities: await count('activities'),
        recordings: await count('recordings'),
        imports: importCount,
      },
      verdicts,
      findings,
      planted,
      mismatches,
      elapsedMs: Date.now() - started,
    };
  } finally {
    await background?.stop({ abort: true });
    await fs.rm(work, { recursive: true, force: true });
  }
}
