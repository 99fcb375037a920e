/*
 * FoodGrid field app service worker (scope /m/). Makes the app open without network (E15):
 * - the app shell (/m/ index.html) is fetched network-first and kept as the offline fallback for
 *   every page under /m/;
 * - /assets/* bundles are content-hashed, so cache-first is always correct;
 * - /api/* is never cached here: the app keeps its own data and outbox in IndexedDB, and a
 *   queued write must reach the server, not a cache.
 */
const VERSION = 'fg-m-v1';
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
