// The device's own data, in IndexedDB: every interaction row (with its sync state), the new
// brands described here, the campaign, and the sync bookkeeping. It survives reloads, closed
// tabs and being offline. Nothing here leaves the device except through sync.js.
//
// Object stores:
//   events  keyPath event_id, index "state": rows {event_id, brand, influencer, kind, points,
//           timestamp_ms, bundle_version, state: "queued" | "synced" | "rejected", reason?}
//   meta    keyPath key: {key: "device_id"}, {key: "pending_batch"}, {key: "campaign"},
//           {key: "brand:<name key>", profile}
import { nameKey } from './key.js';

const DB_NAME = 'influence-rec';
const DB_VERSION = 1;

function promisify(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

// A random version-4 UUID. crypto.randomUUID exists only in secure contexts (HTTPS,
// localhost): on plain HTTP from a LAN address it is missing and recording an interaction
// would throw. crypto.getRandomValues exists in every context.
export function newId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// The name key of a new brand's saved profile: the catalog's own key (key.js).
export const brandKey = nameKey;

export class Store {
  static async open() {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      const events = db.createObjectStore('events', { keyPath: 'event_id' });
      events.createIndex('state', 'state');
      db.createObjectStore('meta', { keyPath: 'key' });
    };
    return new Store(await promisify(req));
  }

  constructor(db) { this.db = db; }

  async getMeta(key) {
    const tx = this.db.transaction('meta');
    const v = await promisify(tx.objectStore('meta').get(key));
    return v?.value;
  }

  async setMeta(key, value) {
    const tx = this.db.transaction('meta', 'readwrite');
    if (value === undefined) tx.objectStore('meta').delete(key);
    else tx.objectStore('meta').put({ key, value });
    await done(tx);
  }

  // A random id for this browser profile: it lets the collector tell devices apart without
  // knowing anything about the person.
  async deviceId() {
    let id = await this.getMeta('device_id');
    if (!id) {
      id = newId();
      await this.setMeta('device_id', id);
    }
    return id;
  }

  // Records one row, queued for sync. The event id is made here, once, so every retry and
  // every device-side copy carries the same id.
  async record({ brand, influencer, kind, points, bundle_version }) {
    const row = {
      event_id: newId(),
      brand: String(brand),
      influencer: String(influencer),
      kind,
      points,
      timestamp_ms: Date.now(),
      bundle_version,
      state: 'queued',
    };
    const tx = this.db.transaction('events', 'readwrite');
    tx.objectStore('events').add(row);
    await done(tx);
    return row;
  }

  async events() {
    const tx = this.db.transaction('events');
    return promisify(tx.objectStore('events').getAll());
  }

  async byState(state, limit) {
    const tx = this.db.transaction('events');
    return promisify(tx.objectStore('events').index('state').getAll(state, limit));
  }

  async rows(ids) {
    const tx = this.db.transaction('events');
    const s = tx.objectStore('events');
    const got = await Promise.all(ids.map((id) => promisify(s.get(id))));
    return got.filter((r) => r && r.state === 'queued');
  }

  // Applies the collector's acknowledgement in one transaction: acknowledged rows leave the
  // queue (state "synced"), rejected ones are kept with the reason, the pending batch is
  // cleared. Rows the answer does not mention stay queued.
  async acknowledge(ack) {
    const tx = this.db.transaction(['events', 'meta'], 'readwrite');
    const s = tx.objectStore('events');
    const mark = async (id, state, reason) => {
      const row = await promisify(s.get(id));
      if (row && row.state === 'queued') s.put({ ...row, state, ...(reason ? { reason } : {}) });
    };
    for (const id of [...ack.accepted, ...ack.duplicates]) await mark(id, 'synced');
    for (const r of ack.rejected) await mark(r.event_id, 'rejected', String(r.reason));
    tx.objectStore('meta').delete('pending_batch');
    await done(tx);
  }

  async saveBrand(profile) {
    await this.setMeta('brand:' + brandKey(profile.name), profile);
  }

  async brandProfiles(names) {
    const out = [];
    for (const n of new Set(names.map(brandKey))) {
      const p = await this.getMeta('brand:' + n);
      if (p) out.push(p);
    }
    return out;
  }
}
