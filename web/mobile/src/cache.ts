import { createStore, get, set } from 'idb-keyval';
import { useCallback, useEffect, useState } from 'react';
import { api, errorText, isNetworkError } from './api';

/**
 * Read-through cache for what a grid worker needs offline (their businesses, the catalogue,
 * their events): the last good answer per URL is kept in IndexedDB and shown when the network
 * is gone, marked with when it was fetched.
 */
const store = createStore('foodgrid-field-cache', 'responses');

export interface Cached<T> {
  data?: T;
  loading: boolean;
  error: string | null;
  /** When the shown data came from the device cache: the time it was fetched. */
  cachedAt: string | null;
  reload: () => void;
}

export async function cachedGet<T>(url: string): Promise<{ data: T; cachedAt: string | null }> {
  try {
    const data = await api.get<T>(url);
    await set(url, { data, at: new Date().toISOString() }, store).catch(() => {});
    return { data, cachedAt: null };
  } catch (e) {
    if (isNetworkError(e)) {
      const hit = await get<{ data: T; at: string }>(url, store);
      if (hit) return { data: hit.data, cachedAt: hit.at };
    }
    throw e;
  }
}

export function useCached<T>(url: string | null): Cached<T> {
  const [state, setState] = useState<{ data?: T; loading: boolean; error: string | null; cachedAt: string | null }>({
    loading: !!url,
    error: null,
    cachedAt: null,
  });
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!url) return;
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    cachedGet<T>(url).then(
      (r) => live && setState({ data: r.data, loading: false, error: null, cachedAt: r.cachedAt }),
      (e) => live && setState((s) => ({ ...s, loading: false, error: errorText(e) })),
    );
    return () => {
      live = false;
    };
  }, [url, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { ...state, reload };
}
