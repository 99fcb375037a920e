/**
 * The one HTTP client of the three web apps (API.md conventions).
 *
 * - Session: `POST /api/v1/auth/login` sets the httpOnly `fg_session` cookie, so same-origin
 *   requests are signed in without the page ever seeing a secret. The field app may also keep
 *   the returned token in memory (`setBearerToken`) — it is sent as `Authorization: Bearer`.
 * - Errors: `{error:{code,message,field}}` becomes an `ApiError` carrying `status`, `code`,
 *   `field` (for form fields) and the server's message (already in the Accept-Language sent).
 * - 401 calls the handler set by `onUnauthenticated` (the console goes to its sign-in page).
 * - 409 means someone acted first: `isConflict(e)` and `CONFLICT_MESSAGE`.
 */
import { getLang } from './i18n';

export interface ApiErrorBody {
  error: { code: string; message: string; field?: string; [k: string]: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly body?: ApiErrorBody,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const CONFLICT_MESSAGE = { zh: '有人已先处理，请刷新', en: 'Someone acted first — reload' } as const;

export const isConflict = (e: unknown): e is ApiError => e instanceof ApiError && e.status === 409;
export const isNotFound = (e: unknown): e is ApiError => e instanceof ApiError && e.status === 404;
export const isForbidden = (e: unknown): e is ApiError => e instanceof ApiError && e.status === 403;
/** 404 for a route the server does not have (yet) — screens show an empty state, not an error. */
export const isMissingRoute = (e: unknown): e is ApiError => e instanceof ApiError && e.code === 'route_not_found';
export const isPasswordChangeRequired = (e: unknown): e is ApiError =>
  e instanceof ApiError && e.status === 403 && e.code === 'password_change_required';

let bearer: string | null = null;
let unauthenticatedHandler: ((e: ApiError) => void) | null = null;

export function setBearerToken(token: string | null) {
  bearer = token;
}
export function onUnauthenticated(handler: ((e: ApiError) => void) | null) {
  unauthenticatedHandler = handler;
}

export type Query = Record<string, string | number | boolean | null | undefined | Array<string | number>>;

/** `?a=1&b=x` from an object; empty, null and undefined values are left out. */
export function toQuery(q?: Query): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, String(x)));
    else p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not call the 401 handler (the sign-in page probing `/me`). */
  quiet401?: boolean;
}

export async function request<T = unknown>(method: string, url: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': getLang() === 'en' ? 'en' : 'zh-CN', ...opts.headers };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData || opts.body instanceof Blob) body = opts.body;
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let res: Response;
  try {
    res = await fetch(url + toQuery(opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', getLang() === 'en' ? 'Network unavailable' : '网络不可用，请检查连接');
  }
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('application/json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const err = (data as ApiErrorBody | null)?.error;
    const e = new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? `HTTP ${res.status}`,
      err?.field,
      (data as ApiErrorBody | null) ?? undefined,
    );
    if (res.status === 401 && !opts.quiet401) unauthenticatedHandler?.(e);
    throw e;
  }
  return (data ?? (undefined as unknown)) as T;
}

export const api = {
  get: <T = unknown>(url: string, query?: Query, opts: Omit<RequestOptions, 'query'> = {}) => request<T>('GET', url, { ...opts, query }),
  post: <T = unknown>(url: string, body?: unknown, opts: RequestOptions = {}) => request<T>('POST', url, { ...opts, body: body ?? {} }),
  put: <T = unknown>(url: string, body?: unknown, opts: RequestOptions = {}) => request<T>('PUT', url, { ...opts, body: body ?? {} }),
  patch: <T = unknown>(url: string, body?: unknown, opts: RequestOptions = {}) => request<T>('PATCH', url, { ...opts, body: body ?? {} }),
  delete: <T = unknown>(url: string, opts: RequestOptions = {}) => request<T>('DELETE', url, opts),
};

/** A list page as API.md defines it. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Me {
  id: string;
  username: string;
  displayName: string;
  role: string;
  roleLabel?: { zh: string; en: string };
  regionId: string | null;
  organizationId: string | null;
  organizationType?: string | null;
  phone?: string | null;
  scope?: string[];
  mustChangePassword?: boolean;
}

export interface LoginAnswer {
  token: string;
  user: Me;
  expiresAt: string;
}

export const auth = {
  login: (username: string, password: string) => api.post<LoginAnswer>('/api/v1/auth/login', { username, password }, { quiet401: true }),
  logout: () => api.post<{ ok: true }>('/api/v1/auth/logout', {}, { quiet401: true }),
  me: () => api.get<Me>('/api/v1/me', undefined, { quiet401: true }),
  changePassword: (currentPassword: string, newPassword: string) => api.post<{ ok: true }>('/api/v1/auth/password', { currentPassword, newPassword }),
};

/** A URL with the current filters, for links the browser downloads itself (Excel exports). */
export function downloadUrl(url: string, query?: Query): string {
  return url + toQuery(query);
}
