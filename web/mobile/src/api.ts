import { ApiError, api, auth, onUnauthenticated, request, type Me } from '../../shared/api';
import { t } from '../../shared/i18n';

/**
 * The field app uses the shared client (session cookie, `{error:{code,message,field}}` errors).
 * The signed-in user's profile (not the secret) is kept on the device so the app opens offline;
 * the httpOnly session cookie is what authorises queued items when they are sent later.
 */
export { ApiError, api, auth, onUnauthenticated, request };
export type User = Me;

const USER_KEY = 'foodgrid.m.user';

export function getSavedUser(): User | null {
  try {
    const s = localStorage.getItem(USER_KEY);
    return s ? (JSON.parse(s) as User) : null;
  } catch {
    return null;
  }
}
export function saveUser(user: User) {
  localStorage.setItem(USER_KEY, JSON.stringify(user));
}
export function clearUser() {
  localStorage.removeItem(USER_KEY);
}

/** The request never reached the server (offline, connection reset). */
export const isNetworkError = (e: unknown): boolean => e instanceof ApiError && e.status === 0;

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 409) return t('有人已先处理，请刷新', 'Someone acted first — reload');
    return e.field ? `${e.message}（${e.field}）` : e.message;
  }
  return String((e as Error)?.message ?? e);
}
