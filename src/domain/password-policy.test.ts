import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkPassword,
  generateOneTimePassword,
  PASSWORD_POLICY,
  PASSWORD_RULE_MESSAGES,
  type PasswordRule,
} from './password-policy.js';

const USER = 'zhangsan';
const GOOD = 'Kx7-mountain-river';

describe('password policy: constants and messages', () => {
  it('states the policy: 10..128 characters, 3 of 4 classes', () => {
    expect(PASSWORD_POLICY).toEqual({ minLength: 10, maxLength: 128, minClasses: 3 });
  });

  it('every rule has a zh and an en message', () => {
    const rules: PasswordRule[] = [
      'min_length',
      'max_length',
      'char_classes',
      'contains_username',
      'common',
      'same_as_current',
    ];
    expect(Object.keys(PASSWORD_RULE_MESSAGES).sort()).toEqual([...rules].sort());
    for (const r of rules) {
      expect(PASSWORD_RULE_MESSAGES[r].zh, r).toMatch(/[\u4e00-\u9fff]/);
      expect(PASSWORD_RULE_MESSAGES[r].en.trim(), r).not.toBe('');
    }
    expect(PASSWORD_RULE_MESSAGES.min_length.en).toContain('10');
    expect(PASSWORD_RULE_MESSAGES.max_length.zh).toContain('128');
  });
});

describe('password policy: acceptable passwords', () => {
  it.each([
    GOOD,
    'Abcdefgh12',
    'abcdefgh1!',
    'ABCDEFGH1!',
    'Abcdefghi!',
    'Tr0ub4dor&3',
    'correct-Horse-battery',
  ])('%j is accepted', (p) => {
    expect(checkPassword(p, USER)).toBeNull();
  });

  it('is accepted when different from the current one', () => {
    expect(checkPassword(GOOD, USER, 'Other-Passw0rd')).toBeNull();
  });
});

describe('password policy: min_length', () => {
  it.each(['', 'a', 'Ab1!', 'Abcdef12!'])('%j (under 10) → min_length', (p) => {
    expect(checkPassword(p, USER)).toBe('min_length');
  });

  it('exactly 10 characters passes the length rule', () => {
    expect(checkPassword('Abcdefg12!', USER)).toBeNull();
    expect(checkPassword('Abcdefg1!', USER)).toBe('min_length');
  });

  it('counts code points, not UTF-16 units: 9 characters in 15 UTF-16 units are too short', () => {
    const nineEmoji = 'Aa1😀😀😀😀😀😀';
    expect(nineEmoji.length).toBe(15);
    expect([...nineEmoji].length).toBe(9);
    expect(checkPassword(nineEmoji, USER)).toBe('min_length');
    expect(checkPassword(nineEmoji + '😀', USER)).toBeNull();
  });

  it('length is checked first, before the character classes', () => {
    expect(checkPassword('aaa', USER)).toBe('min_length');
  });
});

describe('password policy: max_length', () => {
  it('128 characters is fine, 129 is too long', () => {
    const base = 'Aa1!';
    expect(checkPassword(base + 'x'.repeat(124), USER)).toBeNull();
    expect(checkPassword(base + 'x'.repeat(125), USER)).toBe('max_length');
  });

  it('counts Chinese characters by code point (128 Chinese characters are allowed)', () => {
    const zh = 'Aa1' + '密'.repeat(125);
    expect([...zh].length).toBe(128);
    expect(checkPassword(zh, USER)).toBeNull();
    expect(checkPassword(zh + '码', USER)).toBe('max_length');
  });

  it('counts astral characters by code point (128 emoji = 256 UTF-16 units are allowed)', () => {
    const emoji = 'Aa1' + '🔒'.repeat(125);
    expect(emoji.length).toBe(253);
    expect(checkPassword(emoji, USER)).toBeNull();
  });
});

describe('password policy: char_classes', () => {
  it.each([
    ['only lower', 'abcdefghijkl'],
    ['only upper', 'ABCDEFGHIJKL'],
    ['only digits', '123456789012'],
    ['only symbols', '!@#$%^&*()_+'],
    ['lower + upper', 'abcdefGHIJKL'],
    ['lower + digits', 'abcdef123456'],
    ['upper + symbols', 'ABCDEF!@#$%^'],
    ['digits + symbols', '123456!@#$%^'],
  ])('%s → char_classes', (_label, p) => {
    expect(checkPassword(p, USER)).toBe('char_classes');
  });

  it.each([
    ['lower + upper + digit', 'abcdefGHI1'],
    ['lower + upper + symbol', 'abcdefGHI!'],
    ['lower + digit + symbol', 'abcdef123!'],
    ['upper + digit + symbol', 'ABCDEF123!'],
    ['all four', 'abcDEF123!'],
  ])('%s → accepted', (_label, p) => {
    expect(checkPassword(p, USER)).toBeNull();
  });

  it('a space counts as a symbol', () => {
    expect(checkPassword('abcd efgh 12', USER)).toBeNull();
  });

  it('Chinese characters count as symbols (not letters)', () => {
    expect(checkPassword('执法记录仪密码abc1', USER)).toBeNull(); // lower + digit + "symbol"
    expect(checkPassword('执法记录仪密码执法记录', USER)).toBe('char_classes'); // only "symbols"
    expect(checkPassword('执法记录仪密码abcd', USER)).toBe('char_classes'); // lower + "symbol"
    expect(checkPassword('执法记录仪Abcde', USER)).toBeNull(); // lower + upper + "symbol"
  });

  it('full-width letters and digits count as symbols, not as ASCII classes', () => {
    expect(checkPassword('ＡＢＣ１２３ａｂｃｄ', USER)).toBe('char_classes');
  });
});

describe('password policy: contains_username', () => {
  it('refuses a password containing the username', () => {
    expect(checkPassword('Zhangsan-2024!', USER)).toBe('contains_username');
    expect(checkPassword('my-zhangsan-Pass1', USER)).toBe('contains_username');
  });

  it('is case-insensitive both ways', () => {
    expect(checkPassword('ZHANGSAN-pass1', USER)).toBe('contains_username');
    expect(checkPassword('xx-zhangsan-Pass1', 'ZhangSan')).toBe('contains_username');
  });

  it('ignores usernames shorter than 3 characters', () => {
    expect(checkPassword('Abcdefgh12', 'ab')).toBeNull();
    expect(checkPassword('Abcdefgh12', 'a')).toBeNull();
    expect(checkPassword('Abcdefgh12', '')).toBeNull();
  });

  it('checks 3-character usernames', () => {
    expect(checkPassword('Abcdefgh12', 'abc')).toBe('contains_username');
    expect(checkPassword('Abcdefgh12', 'fgh')).toBe('contains_username');
  });

  it('checks Chinese usernames of 3 characters or more', () => {
    expect(checkPassword('Pass1-张三丰-x', '张三丰')).toBe('contains_username');
  });

  it('a password that only resembles the username is fine', () => {
    expect(checkPassword('Zhang-san-2024!', USER)).toBeNull();
  });

  it('length and classes are checked before the username', () => {
    expect(checkPassword('zhangsan', USER)).toBe('min_length');
    expect(checkPassword('zhangsan12345', USER)).toBe('char_classes');
  });
});

describe('password policy: common', () => {
  // The list in password-policy.ts, written out here; each in a form that passes the
  // length and class rules, so only the common-password rule can refuse it.
  const COMMON_VARIANTS = [
    'Password1!',
    'Password123',
    'Password@123',
    'P@ssw0rd123',
    'Qwerty12345',
    'Admin@12345',
    'Admin123456',
    'Abc@1234567',
    'Abcd@123456',
    '1Qaz2wsx3edc',
    '1qaz@WSX3edc',
    'ZAQ12wsx!@',
    'Woaini1314!',
    'Aa123456789',
    'A123456789!',
    'Iloveyou123',
    'Welcome@123',
    'Changeme123',
  ];

  it.each(COMMON_VARIANTS)('%j → common (case-insensitive)', (p) => {
    expect(checkPassword(p, USER)).toBe('common');
  });

  it('a common password with something added is no longer in the list', () => {
    expect(checkPassword('Password123x', USER)).toBeNull();
  });
});

describe('password policy: same_as_current', () => {
  it('refuses the current password', () => {
    expect(checkPassword(GOOD, USER, GOOD)).toBe('same_as_current');
  });

  it('compares exactly (case matters)', () => {
    expect(checkPassword(GOOD, USER, GOOD.toUpperCase())).toBeNull();
  });

  it('is not checked when no current password is given', () => {
    expect(checkPassword(GOOD, USER)).toBeNull();
    expect(checkPassword(GOOD, USER, undefined)).toBeNull();
  });

  it('the other rules come first', () => {
    expect(checkPassword('short', USER, 'short')).toBe('min_length');
  });
});

describe('password policy: generateOneTimePassword', () => {
  const SHAPE = /^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/;
  const AMBIGUOUS = /[0O1lIi]/;

  it('always has the XXXX-XXXX-XXXX-XXXX shape and satisfies the policy (1000 runs)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const p = generateOneTimePassword((n) => randomBytes(n));
      expect(p).toMatch(SHAPE);
      expect(p).not.toMatch(AMBIGUOUS);
      // 'admin' contains 'i', which the alphabet leaves out, so it can never appear by chance.
      expect(checkPassword(p, 'admin'), p).toBeNull();
      expect(p).toMatch(/[a-z]/);
      expect(p).toMatch(/[A-Z]/);
      expect(p).toMatch(/[2-9]/);
      seen.add(p);
    }
    expect(seen.size).toBe(1000);
  });

  it('satisfies the policy even for the most lopsided random bytes', () => {
    for (const fill of [0, 1, 22, 23, 255]) {
      const p = generateOneTimePassword((n) => new Uint8Array(n).fill(fill));
      expect(p).toMatch(SHAPE);
      expect(checkPassword(p, 'admin'), `fill ${fill}: ${p}`).toBeNull();
    }
  });

  it('asks for 16 bytes and is determined by them', () => {
    const requested: number[] = [];
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    const a = generateOneTimePassword((n) => {
      requested.push(n);
      return bytes;
    });
    expect(requested).toEqual([16]);
    expect(generateOneTimePassword(() => bytes)).toBe(a);
  });

  it('pins the mapping for all-zero bytes', () => {
    // lower[0], upper[0], digits[0], then 13 × (lower + upper + digits)[0] = 'a'.
    expect(generateOneTimePassword((n) => new Uint8Array(n))).toBe('aA2a-aaaa-aaaa-aaaa');
  });
});
