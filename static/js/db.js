// IndexedDB: the outbox, cached API answers (read views offline) and small key/value state.
// Used by the page and by the service worker (no DOM here).
import { openDB } from '../vendor/idb/idb.js';

const DB_NAME = 'anxun';
let dbPromise = null;

export function db() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, 1, {
      upgrade(d) {
        const outbox = d.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
        outbox.createIndex('record_id', 'record_id');
        d.createObjectStore('cache', { keyPath: 'key' });
        d.createObjectStore('meta');
      },
      blocking() { dbPromise?.then((x) => x.close()); dbPromise = null; },
    });
  }
  return dbPromise;
}

export async function getMeta(key, fallback = null) {
  const v = await (await db()).get('meta', key);
  return v === undefined ? fallback : v;
}
export async function setMeta(key, value) {
  return (await db()).put('meta', value, key);
}
export async function delMeta(key) {
  return (await db()).delete('meta', key);
}

export async function cachePut(key, data) {
  return (await db()).put('cache', { key, data, at: new Date().toISOString() });
}
export async function cacheGet(key) {
  return (await db()).get('cache', key);
}
export async function cacheClear() {
  return (await db()).clear('cache');
}

/** A QuotaExceededError (or Safari's variant) raised by a write. */
export function isQuotaError(err) {
  return !!err && (err.name === 'QuotaExceededError' || err.name === 'NS_ERROR_DOM_QUOTA_REACHED' ||
    (err.inner && err.inner.name === 'QuotaExceededError'));
}
