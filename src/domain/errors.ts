/**
 * Domain errors carry a stable code, the HTTP-neutral kind, a message in Chinese and English,
 * and the field at fault when there is one. `http/errors.ts` maps kinds to status codes.
 */
export type ErrorKind =
  | 'invalid' // 400/422: bad input
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404 (also: outside the caller's jurisdiction)
  | 'conflict' // 409
  | 'locked' // 423
  | 'too_large' // 413
  | 'rate_limited' // 429
  | 'unavailable'; // 503

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    readonly zh: string,
    readonly en: string,
    readonly field?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(en);
    this.name = 'DomainError';
  }
}

export const invalid = (code: string, field: string | undefined, zh: string, en: string, extra?: Record<string, unknown>) =>
  new DomainError('invalid', code, zh, en, field, extra);
export const notFound = (what: string, whatZh: string, field?: string) =>
  new DomainError('not_found', 'not_found', `${whatZh}不存在或不在您的管辖范围内`, `${what} not found`, field);
export const forbidden = (zh: string, en: string, code = 'forbidden') => new DomainError('forbidden', code, zh, en);
export const conflict = (code: string, zh: string, en: string, field?: string, extra?: Record<string, unknown>) =>
  new DomainError('conflict', code, zh, en, field, extra);
export const unauthenticated = (code = 'unauthenticated', zh = '请先登录', en = 'Sign-in required') =>
  new DomainError('unauthenticated', code, zh, en);
