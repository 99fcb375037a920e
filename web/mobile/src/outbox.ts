import { createStore, del, get, set, values } from 'idb-keyval';
import { v7 as uuidv7 } from 'uuid';
import { ApiError, getSavedUser, isNetworkError, request } from './api';

/**
 * E15 offline collection. Every patrol and report is first written to IndexedDB on the device
 * (photo blobs included), then sent by `flush()`. Each item carries a client id made when it was
 * created; the server keys on it (`clientId` on events, `Idempotency-Key` on patrols and
 * uploads), so an item whose answer was lost in a dropped connection is sent again safely and
 * recorded exactly once. An item is deleted from the device only after the server's 2xx.
 */
export interface QueuedPhoto {
  blob: Blob;
  name: string;
}
export interface QueuedItem {
  clientId: string;
  /** Who made it: it is sent only under that user's session (never under a colleague's). */
  userId: string;
  kind: 'patrol' | 'report';
  createdAt: string;
  /** One line shown in the waiting list (business and title). */
  label: string;
  body: Record<string, unknown>;
  photos: QueuedPhoto[];
  attempts: number;
  lastError?: string;
  /** The server refused it (4xx other than 401/408/429): kept for the user, not retried by itself. */
  rejected?: boolean;
  /** A report's event id once the server created it; the photos are attached after. */
  eventId?: string;
}

const store = createStore('foodgrid-field', 'outbox');
/** Who is signed in on this phone, for the service worker's background send (it has no localStorage). */
const meta = createStore('foodgrid-field-meta', 'kv');

export async function setDeviceUser(userId: string | null) {
  if (userId) await set('user', userId, meta);
  else await del('user', meta);
}

/**
 * Ask the browser to wake the service worker when the network is back, even if the app has been
 * closed meanwhile (Background Sync; Chromium-based browsers). Elsewhere the app sends on its next
 * start, on `online` and every minute while open.
 */
async function requestBackgroundSync() {
  try {
    const reg = await navigator.serviceWorker?.getRegistration('/m/');
    await (reg as any)?.sync?.register('foodgrid-outbox');
  } catch {
    /* not supported or not allowed: the app sends itself */
  }
}
const listeners = new Set<() => void>();
let snapshot: QueuedItem[] = [];

async function refresh() {
  const all = await values<QueuedItem>(store);
  snapshot = all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  listeners.forEach((f) => f());
}

export function subscribe(f: () => void) {
  listeners.add(f);
  return () => {
    listeners.delete(f);
  };
}
export function queued(): QueuedItem[] {
  return snapshot;
}
export async function loadQueue() {
  await refresh();
}

export function newClientId(): string {
  return uuidv7();
}

export async function enqueue(item: Omit<QueuedItem, 'attempts' | 'createdAt' | 'clientId' | 'userId'> & { clientId?: string }): Promise<QueuedItem> {
  const userId = getSavedUser()?.id;
  if (!userId) throw new Error('not signed in');
  const full: QueuedItem = { ...item, userId, clientId: item.clientId ?? newClientId(), createdAt: new Date().toISOString(), attempts: 0 };
  await set(full.clientId, full, store);
  await refresh();
  void requestBackgroundSync();
  return full;
}

/** Send a refused item again (after the server or the data was fixed). */
export async function retry(clientId: string) {
  const item = await get<QueuedItem>(clientId, store);
  if (!item) return;
  await set(clientId, { ...item, rejected: false, lastError: undefined }, store);
  await refresh();
  return flush();
}

export async function remove(clientId: string) {
  await del(clientId, store);
  await refresh();
}

async function save(item: QueuedItem) {
  // Only write back if it is still there (the user may have deleted it meanwhile).
  if (await get(item.clientId, store)) await set(item.clientId, item, store);
}

/** Outcome of a flush, for the UI and the tests. */
export interface FlushResult {
  sent: number;
  remaining: number;
  stoppedBy?: 'offline' | 'unauthorized' | 'busy';
}

let running: Promise<FlushResult> | null = null;

/**
 * Sends everything waiting, oldest first (a patrol before the report it raised). One flush at a
 * time in this page; across tabs a Web Lock serialises them where the browser has it.
 */
export function flush(): Promise<FlushResult> {
  if (running) return running;
  const run = async () => {
    const locks = (navigator as any).locks;
    if (locks?.request) return locks.request('foodgrid-outbox', () => flushOnce());
    return flushOnce();
  };
  running = run().finally(() => {
    running = null;
  });
  return running;
}

async function flushOnce(): Promise<FlushResult> {
  await refresh();
  let sent = 0;
  const me = getSavedUser()?.id;
  if (!me) return { sent, remaining: snapshot.length, stoppedBy: 'unauthorized' };
  for (const original of snapshot) {
    if (original.rejected || original.userId !== me) continue;
    const item: QueuedItem = { ...original };
    try {
      await sendItem(item);
      await del(item.clientId, store);
      sent++;
    } catch (e) {
      item.attempts++;
      if (isNetworkError(e)) {
        await save(item);
        await refresh();
        return { sent, remaining: snapshot.length, stoppedBy: 'offline' };
      }
      if (e instanceof ApiError && e.status === 401) {
        item.lastError = e.message;
        await save(item);
        await refresh();
        return { sent, remaining: snapshot.length, stoppedBy: 'unauthorized' };
      }
      // 5xx and 429 are retried on the next flush; other 4xx need the user.
      item.lastError = e instanceof ApiError ? (e.field ? `${e.message} (${e.field})` : e.message) : String(e);
      if (e instanceof ApiError && e.status < 500 && e.status !== 429 && e.status !== 408) item.rejected = true;
      await save(item);
    }
  }
  await refresh();
  return { sent, remaining: snapshot.length };
}

/**
 * One item, in steps that are each safe to repeat: the record itself (replayed by its client
 * id), then its photos in one atomic upload, made only if the event has none yet — so a lost
 * answer at any step never doubles anything.
 */
async function sendItem(item: QueuedItem) {
  if (item.kind === 'patrol') {
    await request('POST', '/api/v1/patrols', {
      body: { ...item.body, clientId: item.clientId },
      headers: { 'Idempotency-Key': item.clientId },
    });
    return;
  }
  if (!item.eventId) {
    const ev = await request<{ id: string }>('POST', '/api/v1/events', {
      body: { ...item.body, clientId: item.clientId },
      headers: { 'Idempotency-Key': item.clientId },
    });
    item.eventId = String(ev.id);
    await save(item);
  }
  if (item.photos.length) {
    const have = await request<{ items: unknown[] }>('GET', `/api/v1/events/${item.eventId}/attachments`);
    if (!have.items.length) {
      const form = new FormData();
      item.photos.forEach((p) => form.append('file', p.blob, p.name));
      await request('POST', `/api/v1/events/${item.eventId}/attachments`, { body: form, headers: { 'Idempotency-Key': `${item.clientId}-photos` } });
    }
  }
}

/** Send when the network comes back, when the app opens, and every minute while it is open. */
export function startAutoFlush() {
  // The service worker asks an open app to send (one sender, the page's) instead of doing it itself.
  navigator.serviceWorker?.addEventListener('message', (e) => {
    if (e.data?.type === 'foodgrid-outbox-flush') void flush();
  });
  const go = () => {
    if (navigator.onLine) void flush();
  };
  window.addEventListener('online', go);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && go());
  const timer = setInterval(go, 60_000);
  void loadQueue().then(go);
  return () => {
    window.removeEventListener('online', go);
    clearInterval(timer);
  };
}
