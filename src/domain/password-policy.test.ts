import { describe, expect, it } from 'vitest';
import { assertPassword, checkPassword } from './password-policy.js';
import { DomainError } from './errors.js';

describe('password policy (I1, 等保 2.0)', () => {
  it.each([
    ['Short1!', 'too_short'],
    ['alllowercase1', 'too_simple'],
    ['ALLUPPER123', 'too_simple'],
    ['NoDigitsOrSymbols', 'too_simple'],
    ['Password1', 'too_common'],
    ['zhang.wei#2026', 'contains_username'],
  ])('When the password is %s, then it is refused as %s', (pw, reason) => {
    const r = checkPassword(pw, 'zhang.wei');
    expect(r.ok).toBe(false);
    expect(r.reasons).toContain(reason);
  });

  it.each(['Demo@2026', 'Tr1cky-Passphrase', 'abc123!@#xyz', 'Grid#Worker9'])('When the password is %s, then it is accepted', (pw) => {
    expect(checkPassword(pw, 'zhang.wei')).toEqual({ ok: true, reasons: [] });
  });

  it('When the password is 128+ characters, then it is too long', () => {
    expect(checkPassword('Aa1!'.repeat(33)).reasons).toContain('too_long');
  });

  it('When asserting a weak password, then the error names the field given', () => {
    try {
      assertPassword('weak', undefined, 'newPassword');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).field).toBe('newPassword');
      expect((e as DomainError).code).toBe('weak_password');
    }
  });
});
