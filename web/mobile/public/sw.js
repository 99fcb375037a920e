// Placeholder service worker for the field app (scope /m/); replaced by the field-app engineer.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
