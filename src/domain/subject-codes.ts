// Identifiers of enforcement subjects (A14.1): the unified social credit code of an
// organisation (统一社会信用代码, GB 32100-2015) and the resident identity number of a
// person (公民身份号码, GB 11643-1999). A failed check says which rule and which character
// failed, so the person at the keyboard can correct exactly that character.

export type CodeRule = 'length' | 'alphabet' | 'region' | 'birth_date' | 'check_character';

export type CodeCheck =
  | { ok: true; value: string }
  | {
      ok: false;
      rule: CodeRule;
      /** 1-based character position the rule failed at (first of a range). */
      position?: number;
      expected?: string;
      actual?: string;
      /** The normalised input. */
      value: string;
    };

export type CodeKind = 'credit_code' | 'id_number';

/** GB 32100-2015 §4: the 31 characters a credit code may use (no I, O, Z, S, V). */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** Weights of positions 1–17: 3^(i) mod 31. */
export const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** GB 11643-1999 §8.2: weights of positions 1–17 (2^(18−i) mod 11) and the check mapping. */
export const ID_NUMBER_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
export const ID_NUMBER_CHECK = '10X98765432';

/** Province-level division codes (GB/T 2260), plus 81/82/83 of the Hong Kong, Macao and Taiwan residence permits. */
const PROVINCES = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
  '83',
]);

/** Trim, full-width → half-width (NFKC), upper case: what people paste from Word or a phone. */
export function normaliseCode(raw: string): string {
  return raw.normalize('NFKC').trim().toUpperCase();
}

/** The check character of a credit code's first 17 characters (which must be in the alphabet). */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CODE_ALPHABET.indexOf(first17[i]!);
    if (v < 0) throw new Error(`not a credit code character: ${first17[i]}`);
    sum += v * CREDIT_CODE_WEIGHTS[i]!;
  }
  return CREDIT_CODE_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** The check digit of an identity number's first 17 digits. */
export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const d = first17.charCodeAt(i) - 48;
    if (d < 0 || d > 9) throw new Error(`not a digit: ${first17[i]}`);
    sum += d * ID_NUMBER_WEIGHTS[i]!;
  }
  return ID_NUMBER_CHECK[sum % 11]!;
}

function fail(
  value: string,
  rule: CodeRule,
  extra: { position?: number; expected?: string; actual?: string } = {},
): CodeCheck {
  return { ok: false, rule, ...extra, value };
}

export function validateCreditCode(raw: string): CodeCheck {
  const value = normaliseCode(raw);
  const chars = Array.from(value);
  if (chars.length !== 18) return fail(value, 'length', { expected: '18', actual: String(chars.length) });
  const bad = chars.findIndex((c) => !CREDIT_CODE_ALPHABET.includes(c));
  if (bad >= 0) return fail(value, 'alphabet', { position: bad + 1, actual: chars[bad]! });
  // Positions 3–8: the administrative division code of the registering authority.
  for (let i = 2; i < 8; i++)
    if (!/[0-9]/.test(chars[i]!))
      return fail(value, 'region', { position: i + 1, expected: '0-9', actual: chars[i]! });
  const expected = creditCodeCheckChar(value.slice(0, 17));
  if (expected !== chars[17])
    return fail(value, 'check_character', { position: 18, expected, actual: chars[17]! });
  return { ok: true, value };
}

/** True for a real Gregorian date YYYYMMDD. */
function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/**
 * @param today 'YYYY-MM-DD' in the installation's time zone: a birth date after it is refused.
 */
export function validateIdNumber(raw: string, today: string): CodeCheck {
  const value = normaliseCode(raw);
  const chars = Array.from(value);
  // First-generation 15-digit numbers expired in 2013 and carry no check digit.
  if (chars.length !== 18) return fail(value, 'length', { expected: '18', actual: String(chars.length) });
  for (let i = 0; i < 18; i++) {
    const c = chars[i]!;
    const okChar = /[0-9]/.test(c) || (i === 17 && c === 'X');
    if (!okChar)
      return fail(value, 'alphabet', { position: i + 1, expected: i === 17 ? '0-9/X' : '0-9', actual: c });
  }
  // Foreigners' permanent residence ID cards (2023) start with 9 and carry the province at 2–3.
  const provinceAt = value[0] === '9' ? 1 : 0;
  const province = value.slice(provinceAt, provinceAt + 2);
  if (!PROVINCES.has(province) || (provinceAt === 1 && Number(province) > 71))
    return fail(value, 'region', { position: provinceAt + 1, actual: province });
  const birth = value.slice(6, 14);
  const y = Number(birth.slice(0, 4));
  const m = Number(birth.slice(4, 6));
  const d = Number(birth.slice(6, 8));
  const iso = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`;
  if (y < 1800 || !isRealDate(y, m, d) || iso > today)
    return fail(value, 'birth_date', { position: 7, actual: birth });
  const expected = idNumberCheckChar(value.slice(0, 17));
  if (expected !== chars[17])
    return fail(value, 'check_character', { position: 18, expected, actual: chars[17]! });
  return { ok: true, value };
}

/** Shows a character in a message; invisible ones as U+XXXX. */
function show(c: string | undefined): string {
  if (c === undefined) return '';
  return /^[\p{L}\p{N}\p{P}\p{S}]+$/u.test(c)
    ? c
    : Array.from(c)
        .map((x) => `U+${x.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`)
        .join(' ');
}

/** The zh-CN and English message for a failed check, naming the failing character. */
export function describeCodeFailure(
  kind: CodeKind,
  check: Extract<CodeCheck, { ok: false }>,
): { zh: string; en: string } {
  const what =
    kind === 'credit_code'
      ? { zh: '统一社会信用代码', en: 'unified social credit code' }
      : { zh: '公民身份号码', en: 'resident identity number' };
  const p = check.position;
  const a = show(check.actual);
  switch (check.rule) {
    case 'length':
      return {
        zh: `${what.zh}应为 18 位，实为 ${check.actual} 位`,
        en: `A ${what.en} has 18 characters; this one has ${check.actual}`,
      };
    case 'alphabet':
      return kind === 'credit_code'
        ? {
            zh: `${what.zh}第${p}位字符“${a}”不允许：只能使用数字和除 I、O、Z、S、V 以外的大写字母`,
            en: `Character ${p} "${a}" is not allowed in a ${what.en}: only digits and capital letters other than I, O, Z, S, V`,
          }
        : {
            zh: `${what.zh}第${p}位应为数字${p === 18 ? '或 X' : ''}，实为“${a}”`,
            en: `Character ${p} of a ${what.en} must be a digit${p === 18 ? ' or X' : ''}, not "${a}"`,
          };
    case 'region':
      return kind === 'credit_code'
        ? {
            zh: `${what.zh}第${p}位应为行政区划代码的数字，实为“${a}”`,
            en: `Character ${p} of a ${what.en} must be a digit of the administrative division code, not "${a}"`,
          }
        : {
            zh: `${what.zh}第${p}–${p! + 1}位“${a}”不是有效的省级行政区划代码`,
            en: `Characters ${p}–${p! + 1} "${a}" of a ${what.en} are not a valid province code`,
          };
    case 'birth_date':
      return {
        zh: `${what.zh}第7–14位出生日期“${a}”不是有效日期或晚于今天`,
        en: `Characters 7–14 "${a}" of a ${what.en} are not a real birth date, or lie in the future`,
      };
    case 'check_character':
      return {
        zh: `${what.zh}第18位校验码应为 ${check.expected}，实为 ${a}`,
        en: `Character 18 (check character) of the ${what.en} should be ${check.expected}, not ${a}`,
      };
  }
}
