import { createStore, del, get, set, values } from 'idb-keyval';
import { v7 as uuidv7 } from 'uuid';
import { ApiError, isNetworkError, request } from './api';

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
  /** Set once the upload succeeded, so a retry does not upload it again. */
  fileId?: string;
}
export interface QueuedItem {
  clientId: string;
  kind: 'patrol' | 'report';
  createdAt: string;
  /** One line shown in the waiting list (business and title). */
  label: string;
  body: Record<string, unknown>;
  photos: QueuedPhoto[];
  attempts: number;
  lastError?: string;
  /** The server refused it (4xx other than 401/409): kept for the user, not retried by itself. */
  rejected?: boolean;
  /** Set when the server answered; the record is then kept until deleted (see `sentLog`). */
}

const store = createStore('foodgrid-field', 'outbox');
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

export async function enqueue(item: Omit<QueuedItem, 'attempts' | 'createdAt' | 'clientId'> & { clientId?: string }): Promise<QueuedItem> {
  const full: QueuedItem = { ...item, clientId: item.clientId ?? newClientId(), createdAt: new Date().toISOString(), attempts: 0 };
  await set(full.clientId, full, store);
  await refresh();
  return full;
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
  for (const original of snapshot) {
    if (original.rejected) continue;
    const item: QueuedItem = { ...original, photos: original.photos.map((p) => ({ ...p })) };
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

async function sendItem(item: QueuedItem) {
  const fileIds: string[] = [];
  for (let i = 0; i < item.photos.length; i++) {
    const p = item.photos[i];
    if (!p.fileId) {
      const form = new FormData();
      form.append('file', p.blob, p.name);
      const r = await request<{ id: string }>('POST', '/api/v1/files', {
        body: form,
        headers: { 'Idempotency-Key': `${item.clientId}-photo-${i}` },
      });
      p.fileId = String(r.id);
      await save(item); // an upload done is never repeated, even if the next step fails
    }
    fileIds.push(p.fileId!);
  }
  if (item.kind === 'report') {
    await request('POST', '/api/v1/events', {
      body: { ...item.body, clientId: item.clientId, ...(fileIds.length ? { attachmentIds: fileIds } : {}) },
      headers: { 'Idempotency-Key': item.clientId },
    });
  } else {
    await request('POST', '/api/v1/patrols', {
      body: { ...item.body, clientId: item.clientId, ...(fileIds.length ? { attachmentIds: fileIds } : {}) },
      headers: { 'Idempotency-Key': item.clientId },
    });
  }
}

/** Send when the network comes back, when the app opens, and every minute while it is open. */
export function startAutoFlush() {
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
