/*
 * FoodGrid field app service worker (scope /m/). Makes the app open without network (E15):
 * - the app shell (/m/ index.html) is fetched network-first and kept as the offline fallback for
 *   every page under /m/;
 * - /assets/* bundles are content-hashed, so cache-first is always correct;
 * - /api/* is never cached here: the app keeps its own data and outbox in IndexedDB, and a
 *   queued write must reach the server, not a cache.
 */
const VERSION = 'fg-m-v2';
const SHELL = '/m/';

async function cacheShell() {
  const cache = await caches.open(VERSION);
  const res = await fetch(SHELL, { cache: 'no-cache' });
  if (!res.ok) return;
  await cache.put(SHELL, res.clone());
  // Pre-cache the bundles the shell names, so the first offline start works too.
  const html = await res.text();
  const assets = Array.from(html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g), (m) => m[1]);
  await Promise.all(
    [...new Set([...assets, '/m/manifest.webmanifest', '/m/icon-192.png'])].map((u) =>
      fetch(u).then((r) => (r.ok ? cache.put(u, r) : undefined)).catch(() => undefined),
    ),
  );
}

self.addEventListener('install', (e) => {
  e.waitUntil(cacheShell().catch(() => undefined).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('fg-m-') && k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;

  if (req.mode === 'navigate' && url.pathname.startsWith('/m/')) {
    e.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) caches.open(VERSION).then((c) => c.put(SHELL, res.clone()));
          return res;
        })
        .catch(() => caches.match(SHELL).then((r) => r || new Response('离线 Offline', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } }))),
    );
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    e.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ||
          fetch(req).then((res) => {
            if (res.ok) {
              const copy = res.clone();
              caches.open(VERSION).then((c) => c.put(req, copy));
            }
            return res;
          }),
      ),
    );
    return;
  }
  if (url.pathname.startsWith('/m/')) {
    // Manifest and icons: fresh when online, cached when not.
    e.respondWith(fetch(req).catch(() => caches.match(req).then((r) => r || Response.error())));
  }
});

/*
 * Background Sync (E15): the phone regained network while the app was closed. With the app open
 * the page sends (it owns the outbox logic in src/outbox.ts); otherwise this worker sends the
 * signed-in user's queued items itself, in the same repeat-safe steps: the record with its client
 * id, then the photos only if the event has none. Under the same Web Lock as the page.
 */
const OUTBOX = ['foodgrid-field', 'outbox'];
const META = ['foodgrid-field-meta', 'kv'];

function idb([dbName, storeName], mode, fn) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onupgradeneeded = () => open.result.createObjectStore(storeName);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(storeName, mode);
      const r = fn(tx.objectStore(storeName));
      tx.oncomplete = () => resolve(r && 'result' in r ? r.result : undefined);
      tx.onerror = tx.onabort = () => reject(tx.error);
    };
  });
}

class Offline extends Error {}

async function call(method, url, body, headers) {
  let res;
  try {
    res = await fetch(url, { method, body, headers: { 'accept-language': 'zh-CN', ...headers }, credentials: 'same-origin' });
  } catch {
    throw new Offline('network');
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new Error((data && data.error && data.error.message) || `HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return data;
}

async function sendOne(item) {
  const json = { 'content-type': 'application/json', 'Idempotency-Key': item.clientId };
  if (item.kind === 'patrol') {
    await call('POST', '/api/v1/patrols', JSON.stringify({ ...item.body, clientId: item.clientId }), json);
    return;
  }
  if (!item.eventId) {
    const ev = await call('POST', '/api/v1/events', JSON.stringify({ ...item.body, clientId: item.clientId }), json);
    item.eventId = String(ev.id);
    await idb(OUTBOX, 'readwrite', (s) => s.put(item, item.clientId));
  }
  if (item.photos && item.photos.length) {
    const have = await call('GET', `/api/v1/events/${item.eventId}/attachments`, undefined, {});
    if (!have.items.length) {
      const form = new FormData();
      item.photos.forEach((p) => form.append('file', p.blob, p.name));
      await call('POST', `/api/v1/events/${item.eventId}/attachments`, form, { 'Idempotency-Key': `${item.clientId}-photos` });
    }
  }
}

async function sendAll() {
  const me = await idb(META, 'readonly', (s) => s.get('user'));
  if (!me) return;
  const all = (await idb(OUTBOX, 'readonly', (s) => s.getAll())) || [];
  const mine = all.filter((i) => i.userId === me && !i.rejected).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const item of mine) {
    try {
      await sendOne(item);
      await idb(OUTBOX, 'readwrite', (s) => s.delete(item.clientId));
    } catch (e) {
      if (e instanceof Offline) throw e; // the browser fires the sync again later
      if (e.status === 401) return; // signed out or session expired: the app sends after sign-in
      item.attempts = (item.attempts || 0) + 1;
      item.lastError = e.message;
      if (e.status < 500 && e.status !== 429 && e.status !== 408) item.rejected = true;
      await idb(OUTBOX, 'readwrite', (s) => s.put(item, item.clientId));
    }
  }
}

async function backgroundSend() {
  const windows = await self.clients.matchAll({ type: 'window' });
  if (windows.length) {
    windows.forEach((c) => c.postMessage({ type: 'foodgrid-outbox-flush' }));
    return;
  }
  const locks = self.navigator && self.navigator.locks;
  return locks ? locks.request('foodgrid-outbox', sendAll) : sendAll();
}

self.addEventListener('sync', (e) => {
  if (e.tag === 'foodgrid-outbox') e.waitUntil(backgroundSend());
});
