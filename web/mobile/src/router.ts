import { useSyncExternalStore } from 'react';

/** A few screens do not need a router library: history API under the `/m` base. */
export const BASE = '/m';
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((f) => f());
window.addEventListener('popstate', notify);

export function navigate(to: string, replace = false) {
  const url = BASE + (to.startsWith('/') ? to : `/${to}`);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.scrollTo(0, 0);
  notify();
}

function current(): string {
  return location.pathname + location.search;
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const full = useSyncExternalStore((f) => {
    listeners.add(f);
    return () => listeners.delete(f);
  }, current);
  const [p, q = ''] = full.split('?');
  let path = p.startsWith(BASE) ? p.slice(BASE.length) : p;
  if (!path || path === '/index.html') path = '/';
  return { path, query: new URLSearchParams(q) };
}

/** `/events/:id` style matching; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) params[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return params;
}
