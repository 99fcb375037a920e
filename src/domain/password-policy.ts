import { invalid } from './errors.js';

/**
 * 等保 2.0 level 3 identity: at least 8 characters, at least three of the four character
 * classes, not containing the username, not one of the commonest passwords.
 */
const COMMON = new Set(['password', 'password1', '12345678', '123456789', 'qwerty123', 'abc12345', 'admin123', 'aa123456', 'a1234567', 'p@ssw0rd', 'Passw0rd', 'Password1']);

export interface PolicyResult {
  ok: boolean;
  reasons: string[];
}

export function checkPassword(password: string, username?: string): PolicyResult {
  const reasons: string[] = [];
  if (password.length < 8) reasons.push('too_short');
  if (password.length > 128) reasons.push('too_long');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (classes < 3) reasons.push('too_simple');
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) reasons.push('contains_username');
  if (COMMON.has(password) || COMMON.has(password.toLowerCase())) reasons.push('too_common');
  return { ok: reasons.length === 0, reasons };
}

const ZH: Record<string, string> = {
  too_short: '至少 8 位',
  too_long: '不超过 128 位',
  too_simple: '须包含大写字母、小写字母、数字、符号中的至少三类',
  contains_username: '不得包含用户名',
  too_common: '过于常见',
};

export function assertPassword(password: string, username?: string, field = 'password'): void {
  const r = checkPassword(password, username);
  if (!r.ok) {
    throw invalid(
      'weak_password',
      field,
      `密码不符合安全要求：${r.reasons.map((x) => ZH[x]).join('；')}`,
      `password does not meet the policy: ${r.reasons.join(', ')}`,
      { reasons: r.reasons },
    );
  }
}
