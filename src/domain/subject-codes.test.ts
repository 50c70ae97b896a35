import { describe, expect, it } from 'vitest';
import {
  creditCodeCheckChar,
  describeCodeFailure,
  idNumberCheckChar,
  normaliseCode,
  validateCreditCode,
  validateIdNumber,
  type CodeCheck,
} from './subject-codes.js';

// A second, deliberately plain implementation of both check characters, written from the
// standards' formulas rather than from the tables above: the weights are computed, not copied.
const indep = {
  credit(code17: string): string {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    let sum = 0;
    let weight = 1;
    for (const ch of code17) {
      sum += alphabet.indexOf(ch) * weight;
      weight = (weight * 3) % 31; // W_i = 3^(i-1) mod 31
    }
    const c = 31 - (sum % 31);
    return alphabet.charAt(c === 31 ? 0 : c);
  },
  id(digits17: string): string {
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(digits17[i]) * (2 ** (17 - i) % 11); // W_i = 2^(18-i) mod 11
    const r = (12 - (sum % 11)) % 11; // a_18 such that Σ + a_18 ≡ 1 (mod 11); 10 is written X
    return r === 10 ? 'X' : String(r);
  },
};

const TODAY = '2026-08-04';
const failed = (c: CodeCheck) => {
  if (c.ok) throw new Error(`expected a failure for ${c.value}`);
  return c;
};

describe('unified social credit code (GB 32100-2015)', () => {
  // The standard's own example, and codes as printed on published business licences.
  const valid = [
    '91350100M000100Y43',
    '91440300708461136T',
    '91110108551385082Q',
    '91310000MA1FL1MMXL',
    '12100000400010398P',
  ];

  it.each(valid)('%s is valid, by both implementations', (code) => {
    expect(indep.credit(code.slice(0, 17))).toBe(code[17]);
    expect(creditCodeCheckChar(code.slice(0, 17))).toBe(code[17]);
    expect(validateCreditCode(code)).toEqual({ ok: true, value: code });
  });

  it('91110000100000589B (often quoted) fails: its check character would be A', () => {
    expect(indep.credit('91110000100000589')).toBe('A');
    const f = failed(validateCreditCode('91110000100000589B'));
    expect(f).toMatchObject({ rule: 'check_character', position: 18, expected: 'A', actual: 'B' });
    expect(describeCodeFailure('credit_code', f).zh).toBe('统一社会信用代码第18位校验码应为 A，实为 B');
  });

  it('names the expected check character when it is wrong', () => {
    const f = failed(validateCreditCode('91350100M000100Y44'));
    expect(f).toMatchObject({ rule: 'check_character', position: 18, expected: '3', actual: '4' });
    expect(describeCodeFailure('credit_code', f).en).toContain('should be 3, not 4');
  });

  it.each(['I', 'O', 'Z', 'S', 'V'])('refuses the letter %s', (letter) => {
    const code = `91350100M0001${letter}0Y43`;
    expect(failed(validateCreditCode(code))).toMatchObject({
      rule: 'alphabet',
      position: 14,
      actual: letter,
    });
    expect(describeCodeFailure('credit_code', failed(validateCreditCode(code))).zh).toContain(
      `第14位字符“${letter}”`,
    );
  });

  it('refuses the wrong length', () => {
    expect(failed(validateCreditCode('91350100M000100Y4'))).toMatchObject({
      rule: 'length',
      expected: '18',
      actual: '17',
    });
    expect(failed(validateCreditCode('91350100M000100Y433'))).toMatchObject({ rule: 'length', actual: '19' });
    expect(failed(validateCreditCode(''))).toMatchObject({ rule: 'length', actual: '0' });
  });

  it('needs digits for the administrative division code (positions 3–8)', () => {
    const code17 = '91A50100M000100Y4';
    const code = code17 + indep.credit(code17);
    expect(failed(validateCreditCode(code))).toMatchObject({ rule: 'region', position: 3, actual: 'A' });
  });

  it('normalises spaces, lower case and full-width characters before checking', () => {
    expect(validateCreditCode('  ９１３５０１００ｍ０００１００ｙ４３\u3000')).toEqual({
      ok: true,
      value: '91350100M000100Y43',
    });
    expect(normaliseCode(' 91350100m000100y43 ')).toBe('91350100M000100Y43');
  });

  it('shows an invisible character by its code point', () => {
    const f = failed(validateCreditCode('91350100M000\u200b00Y43'));
    expect(f.rule).toBe('alphabet');
    expect(describeCodeFailure('credit_code', f).zh).toContain('U+200B');
  });

  it('agrees with the independent implementation on many generated codes', () => {
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    for (let k = 0; k < 2000; k++) {
      let s = '91' + String(rnd(1_000_000)).padStart(6, '0');
      for (let i = 0; i < 9; i++) s += alphabet[rnd(31)];
      expect(creditCodeCheckChar(s)).toBe(indep.credit(s));
      expect(validateCreditCode(s + indep.credit(s)).ok).toBe(true);
    }
  });
});

describe('resident identity number (GB 11643-1999)', () => {
  // The two examples printed in the standard.
  const valid = ['11010519491231002X', '440524188001010014'];

  it.each(valid)('%s is valid, by both implementations', (id) => {
    expect(indep.id(id.slice(0, 17))).toBe(id[17]);
    expect(idNumberCheckChar(id.slice(0, 17))).toBe(id[17]);
    expect(validateIdNumber(id, TODAY)).toEqual({ ok: true, value: id });
  });

  it('accepts a lower-case x and full-width digits', () => {
    expect(validateIdNumber('11010519491231002x', TODAY)).toEqual({ ok: true, value: '11010519491231002X' });
    expect(validateIdNumber('１１０１０５１９４９１２３１００２Ｘ', TODAY).ok).toBe(true);
  });

  it('names the expected check digit when it is wrong', () => {
    const f = failed(validateIdNumber('110105194912310023', TODAY));
    expect(f).toMatchObject({ rule: 'check_character', position: 18, expected: 'X', actual: '3' });
    expect(describeCodeFailure('id_number', f).zh).toBe('公民身份号码第18位校验码应为 X，实为 3');
  });

  it('refuses an impossible birth date (13th month) even with a matching check digit', () => {
    const id17 = '11010519491331002';
    const f = failed(validateIdNumber(id17 + indep.id(id17), TODAY));
    expect(f).toMatchObject({ rule: 'birth_date', position: 7, actual: '19491331' });
    expect(failed(validateIdNumber('11010519491331002X', TODAY)).rule).toBe('birth_date');
  });

  it('refuses 29 February of a common year and a birth date after today', () => {
    const feb = '11010520230229001';
    expect(failed(validateIdNumber(feb + indep.id(feb), TODAY)).rule).toBe('birth_date');
    const leap = '11010520240229001';
    expect(validateIdNumber(leap + indep.id(leap), TODAY).ok).toBe(true);
    const future = '11010520260805001';
    expect(failed(validateIdNumber(future + indep.id(future), TODAY)).rule).toBe('birth_date');
    const todayBorn = '11010520260804001';
    expect(validateIdNumber(todayBorn + indep.id(todayBorn), TODAY).ok).toBe(true);
  });

  it('refuses letters, a misplaced X and the old 15-digit numbers', () => {
    expect(failed(validateIdNumber('1101051949123100X2', TODAY))).toMatchObject({
      rule: 'alphabet',
      position: 17,
      actual: 'X',
    });
    expect(failed(validateIdNumber('11010519491231A02X', TODAY))).toMatchObject({
      rule: 'alphabet',
      position: 15,
    });
    expect(failed(validateIdNumber('110105491231002', TODAY))).toMatchObject({
      rule: 'length',
      actual: '15',
    });
  });

  it('refuses an unknown province code', () => {
    const id17 = '00010519491231002';
    const f = failed(validateIdNumber(id17 + indep.id(id17), TODAY));
    expect(f).toMatchObject({ rule: 'region', position: 1, actual: '00' });
    expect(describeCodeFailure('id_number', f).zh).toContain('省级行政区划代码');
  });

  it('accepts a foreigner’s permanent residence number (9 + province) and a Hong Kong residence permit', () => {
    const foreign = '94115619800101001';
    expect(validateIdNumber(foreign + indep.id(foreign), TODAY).ok).toBe(true);
    const hk = '81000019800101001';
    expect(validateIdNumber(hk + indep.id(hk), TODAY).ok).toBe(true);
    const badForeign = '99915619800101001';
    expect(failed(validateIdNumber(badForeign + indep.id(badForeign), TODAY))).toMatchObject({
      rule: 'region',
      position: 2,
    });
  });

  it('agrees with the independent implementation on many generated numbers', () => {
    for (let k = 0; k < 2000; k++) {
      const id17 = `4111${String(k % 100).padStart(2, '0')}19${String(50 + (k % 50))}0${1 + (k % 9)}1${k % 10}${String(k % 1000).padStart(3, '0')}`;
      expect(id17).toHaveLength(17);
      expect(idNumberCheckChar(id17)).toBe(indep.id(id17));
      expect(validateIdNumber(id17 + indep.id(id17), TODAY).ok).toBe(true);
    }
  });
});
