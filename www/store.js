// The device's own data, in IndexedDB: every interaction row (with its sync state), the new
// brands described here, each brand's campaigns, and the sync bookkeeping. It survives
// reloads, closed tabs and being offline. Nothing here leaves the device except through
// sync.js. The last brand used is in localStorage, which the first ranking can read without
// waiting for IndexedDB to open.
//
// Object stores:
//   events     keyPath event_id, index "state": rows {event_id, brand, influencer, kind,
//              points, timestamp_ms, bundle_version, state: "queued" | "synced" | "rejected",
//              reason?}
//   meta       keyPath key: {key: "device_id"}, {key: "pending_batch"},
//              {key: "brand:<name key>", profile}, {key: "campaign_of:<name key>", id}
//   campaigns  keyPath id, index "brand_key": {id, brand_key, brand, name, budget,
//              items: [{influencer}], created_ms, updated_ms}; brand_key "" is a campaign
//              no brand owns yet (kept from version 1, adopted by the next brand opened)
import { nameKey } from './key.js';

const DB_NAME = 'influence-rec';
const DB_VERSION = 2;
const LAST_BRAND = 'influence-rec:last-brand';

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
    req.onupgradeneeded = (ev) => {
      const db = req.result;
      if (ev.oldVersion < 1) {
        const events = db.createObjectStore('events', { keyPath: 'event_id' });
        events.createIndex('state', 'state');
        db.createObjectStore('meta', { keyPath: 'key' });
      }
      if (ev.oldVersion < 2) {
        db.createObjectStore('campaigns', { keyPath: 'id' }).createIndex('brand_key', 'brand_key');
        if (ev.oldVersion >= 1) migrateCampaign(req.transaction);
      }
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

  // ---- campaigns ----

  async campaigns(key) {
    const tx = this.db.transaction('campaigns');
    const got = await promisify(tx.objectStore('campaigns').index('brand_key').getAll(key));
    return got.sort((a, b) => a.created_ms - b.created_ms || (a.id < b.id ? -1 : 1));
  }

  async allCampaigns() {
    return promisify(this.db.transaction('campaigns').objectStore('campaigns').getAll());
  }

  // Saves a campaign and makes it its brand's open one, in one transaction.
  async putCampaign(c) {
    const tx = this.db.transaction(['campaigns', 'meta'], 'readwrite');
    tx.objectStore('campaigns').put({ ...c, updated_ms: Date.now() });
    tx.objectStore('meta').put({ key: 'campaign_of:' + c.brand_key, value: c.id });
    await done(tx);
  }

  async deleteCampaign(id) {
    const tx = this.db.transaction('campaigns', 'readwrite');
    tx.objectStore('campaigns').delete(id);
    await done(tx);
  }

  // ---- the last brand used (localStorage; a browser without it simply forgets) ----

  static rememberBrand(ref) {
    try { localStorage.setItem(LAST_BRAND, JSON.stringify(ref)); } catch { /* storage off or full */ }
  }

  // {known: true, name} or {known: false, brand: {name, category, country, hashtags,
  // description}}, or null. What does not have that shape is forgotten.
  static rememberedBrand() {
    let v;
    try { v = JSON.parse(localStorage.getItem(LAST_BRAND) ?? 'null'); } catch { return null; }
    const str = (x) => typeof x === 'string';
    if (v?.known === true && str(v.name) && v.name) return { known: true, name: v.name };
    const b = v?.brand;
    if (v?.known === false && b && ['name', 'category', 'country', 'hashtags', 'description'].every((k) => str(b[k])) && b.name) {
      return { known: false, brand: { name: b.name, category: b.category, country: b.country, hashtags: b.hashtags, description: b.description } };
    }
    return null;
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

// Version 1 kept one campaign for the whole device (meta "campaign"). It goes to the brand
// that added its latest pick (the events say which), else to no brand yet ("", adopted by
// the next brand opened): a plan made before the upgrade is never lost.
function migrateCampaign(tx) {
  const meta = tx.objectStore('meta');
  meta.get('campaign').onsuccess = (e) => {
    const old = e.target.result?.value;
    if (!old) return;
    meta.delete('campaign');
    const items = Array.isArray(old.items) ? old.items.filter((i) => typeof i?.influencer === 'string') : [];
    const picked = new Set(items.map((i) => i.influencer));
    tx.objectStore('events').getAll().onsuccess = (ev) => {
      const adds = ev.target.result.filter((r) => r.kind === 'add_to_campaign' && picked.has(r.influencer));
      const last = adds.sort((a, b) => b.timestamp_ms - a.timestamp_ms)[0];
      const now = Date.now();
      const brandKey = last ? nameKey(last.brand) : '';
      tx.objectStore('campaigns').put({
        id: newId(),
        brand_key: brandKey,
        brand: last?.brand ?? '',
        name: typeof old.name === 'string' && old.name ? old.name : 'My campaign',
        budget: Number.isFinite(Number(old.budget)) ? Number(old.budget) : 1000,
        items,
        created_ms: now,
        updated_ms: now,
      });
    };
  };
}
