// The password policy, stated once: at least 10 characters, at most 128, characters
// from at least 3 of 4 classes (lower, upper, digit, symbol), not containing the
// username, not a commonly used password, not the current one.

export const PASSWORD_POLICY = { minLength: 10, maxLength: 128, minClasses: 3 } as const;

export type PasswordRule =
  'min_length' | 'max_length' | 'char_classes' | 'contains_username' | 'common' | 'same_as_current';

const COMMON = new Set([
  'password1!',
  'password123',
  'password@123',
  'p@ssw0rd123',
  'qwerty12345',
  'admin@12345',
  'admin123456',
  'abc@1234567',
  'abcd@123456',
  '1qaz2wsx3edc',
  '1qaz@wsx3edc',
  'zaq12wsx!@',
  'woaini1314!',
  'aa123456789',
  'a123456789!',
  'iloveyou123',
  'welcome@123',
  'changeme123',
]);

export const PASSWORD_RULE_MESSAGES: Record<PasswordRule, { zh: string; en: string }> = {
  min_length: {
    zh: `密码至少 ${PASSWORD_POLICY.minLength} 个字符`,
    en: `Password must be at least ${PASSWORD_POLICY.minLength} characters`,
  },
  max_length: {
    zh: `密码不能超过 ${PASSWORD_POLICY.maxLength} 个字符`,
    en: `Password must be at most ${PASSWORD_POLICY.maxLength} characters`,
  },
  char_classes: {
    zh: '密码须包含小写字母、大写字母、数字、符号中的至少三类',
    en: 'Password must mix at least three of: lower-case, upper-case, digits, symbols',
  },
  contains_username: { zh: '密码不能包含用户名', en: 'Password must not contain the username' },
  common: { zh: '该密码过于常见，请换一个', en: 'This password is too common; choose another' },
  same_as_current: {
    zh: '新密码不能与当前密码相同',
    en: 'The new password must differ from the current one',
  },
};

/** Returns the first rule the password breaks, or null when it is acceptable. */
export function checkPassword(password: string, username: string, current?: string): PasswordRule | null {
  const length = [...password].length;
  if (length < PASSWORD_POLICY.minLength) return 'min_length';
  if (length > PASSWORD_POLICY.maxLength) return 'max_length';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (classes < PASSWORD_POLICY.minClasses) return 'char_classes';
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase()))
    return 'contains_username';
  if (COMMON.has(password.toLowerCase())) return 'common';
  if (current !== undefined && password === current) return 'same_as_current';
  return null;
}

/** A one-time password that satisfies the policy: 4 groups from an unambiguous alphabet. */
export function generateOneTimePassword(randomBytes: (n: number) => Uint8Array): string {
  const lower = 'abcdefghjkmnpqrstuvwxyz';
  const upper = 'ABCDEFGHJKMNPQRSTUVWXYZ';
  const digits = '23456789';
  const all = lower + upper + digits;
  const bytes = randomBytes(16);
  const pick = (alphabet: string, i: number) => alphabet[bytes[i]! % alphabet.length]!;
  const chars = [pick(lower, 0), pick(upper, 1), pick(digits, 2)];
  for (let i = 3; i < 16; i++) chars.push(pick(all, i));
  const s = chars.join('');
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}`;
}
