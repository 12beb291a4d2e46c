// Sync: queued interaction rows go to the collector in batches (the contract is in README.md,
// "Sync batch format"). A batch is persisted with its idempotency key before it is sent, and
// is re-sent with the same key until the collector answers, so a lost answer never makes a
// second copy; a row leaves the queue only when the answer acknowledges it.
import { newId } from './store.js';
import { t } from './i18n.js';

export const BATCH_FORMAT = 'influence-rec/interactions';
export const BATCH_VERSION = 1;

export class Syncer {
  // store: a Store (store.js); endpoint: the collector's URL; onChange(status) reports.
  // siteKey: the deployment's write key (serve --site-key), sent as X-Site-Key when set.
  constructor({ store, endpoint, siteKey = '', batchSize = 100, onChange = () => {}, random = Math.random }) {
    this.store = store;
    this.endpoint = endpoint;
    this.siteKey = siteKey;
    this.batchSize = batchSize;
    this.onChange = onChange;
    this.random = random;
    this.attempt = 0;
    this.timer = null;
    this.running = null;
    // While a retry is scheduled, nothing is sent before it (a new interaction or a hidden
    // page must not jump a backoff or a Retry-After); a returning connection starts over.
    this.notBefore = 0;
  }

  // Runs one sync pass unless one is running; resolves when the queue is empty or a retry
  // is scheduled. `fresh` (the connection just came back) starts the backoff over.
  sync({ keepalive = false, fresh = false } = {}) {
    if (fresh) {
      this.attempt = 0;
      this.notBefore = 0;
    }
    if (Date.now() < this.notBefore) return Promise.resolve();
    if (!this.running) {
      this.running = this.#pass(keepalive).finally(() => { this.running = null; });
    }
    return this.running;
  }

  async #batch() {
    let pending = await this.store.getMeta('pending_batch');
    if (!pending) {
      const rows = await this.store.byState('queued', this.batchSize);
      if (rows.length === 0) return null;
      pending = { batch_id: newId(), event_ids: rows.map((r) => r.event_id) };
      await this.store.setMeta('pending_batch', pending);
    }
    const rows = await this.store.rows(pending.event_ids);
    if (rows.length === 0) {
      await this.store.setMeta('pending_batch', undefined);
      return this.#batch();
    }
    return { pending, rows };
  }

  async #pass(keepalive) {
    clearTimeout(this.timer);
    for (;;) {
      const next = await this.#batch();
      if (!next) {
        this.attempt = 0;
        this.onChange({ state: 'idle', queued: 0 });
        return;
      }
      const { pending, rows } = next;
      const body = {
        format: BATCH_FORMAT,
        version: BATCH_VERSION,
        batch_id: pending.batch_id,
        device_id: await this.store.deviceId(),
        sent_at_ms: Date.now(),
        brands: await this.store.brandProfiles(rows.map((r) => r.brand)),
        rows: rows.map(({ event_id, brand, influencer, kind, points, timestamp_ms }) =>
          ({ event_id, brand, influencer, kind, points, timestamp_ms })),
      };
      let resp;
      try {
        resp = await fetch(this.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': pending.batch_id, ...(this.siteKey ? { 'x-site-key': this.siteKey } : {}) },
          body: JSON.stringify(body),
          keepalive,
          cache: 'no-store',
        });
      } catch (e) {
        return this.#retry(`network: ${e?.message ?? e}`);
      }
      if (resp.status === 413 && rows.length > 1) {
        // Too large for the collector: the same rows go again in smaller batches (new keys;
        // the collector still stores each event id once), at most its row limit when it
        // names one.
        let limit = NaN;
        try { limit = Number((await resp.json())?.max_rows); } catch { /* a bare 413 */ }
        const half = Math.max(1, Math.floor(rows.length / 2));
        this.batchSize = Number.isInteger(limit) && limit >= 1 ? Math.min(half, limit) : half;
        await this.store.setMeta('pending_batch', undefined);
        continue;
      }
      if (resp.status === 413) {
        // One row alone is too large: it can never be stored, so it leaves the queue with
        // the reason instead of blocking every row behind it.
        await this.store.acknowledge({ accepted: [], duplicates: [], rejected: [{ event_id: rows[0].event_id, reason: t('sync.too_large') }] });
        this.onChange({ state: 'sent', accepted: 0, rejected: 1 });
        continue;
      }
      let ack = null;
      if (resp.ok || resp.status === 400 || resp.status === 422) {
        try { ack = normaliseAck(await resp.json()); } catch { ack = null; }
      }
      if (ack && resp.status === 400 && ack.batchRefused) {
        // The batch was refused as a whole, its reason sent once: every row of it is
        // refused with that reason.
        const reason = t('sync.batch_refused', { v: ack.error });
        ack.rejected = rows.map((r) => ({ event_id: r.event_id, reason }));
      }
      // Progress is an answer about at least one row of this batch. Anything else (429,
      // 5xx, 403, a 400 without per-row verdicts, an answer about other rows) moves the
      // backoff forward, honouring Retry-After: the same batch never goes again at once.
      const ids = new Set(rows.map((r) => r.event_id));
      const about = ack ? [...ack.accepted, ...ack.duplicates, ...ack.rejected.map((r) => r.event_id)].filter((id) => ids.has(id)) : [];
      if (about.length === 0) return this.#retry(`HTTP ${resp.status}${ack?.error ? `: ${ack.error}` : ''}`, retryAfterMs(resp));
      await this.store.acknowledge(ack);
      this.attempt = 0;
      this.onChange({ state: 'sent', accepted: ack.accepted.length + ack.duplicates.length, rejected: ack.rejected.length });
      // Rows the answer did not mention stay queued; go on with the next batch.
    }
  }

  // Exponential backoff with jitter: 1 s, 2 s, 4 s ... at most 5 minutes, times 0.5-1; never
  // sooner than the collector's Retry-After.
  #retry(reason, atLeastMs = 0) {
    const base = Math.min(300_000, 1000 * 2 ** this.attempt);
    const delay = Math.max(atLeastMs, Math.round(base * (0.5 + this.random() / 2)));
    this.attempt += 1;
    this.notBefore = Date.now() + delay;
    this.onChange({ state: 'retrying', reason, delay_ms: delay });
    this.timer = setTimeout(() => {
      this.notBefore = 0;
      this.sync();
    }, delay);
  }
}

// Retry-After as milliseconds: delta-seconds or an HTTP date; 0 when absent or unreadable,
// at most an hour (a hostile or broken answer cannot park the queue for longer).
function retryAfterMs(resp) {
  const v = resp.headers.get('retry-after');
  if (!v) return 0;
  const secs = /^\s*\d+\s*$/.test(v) ? Number(v) : (Date.parse(v) - Date.now()) / 1000;
  return Number.isFinite(secs) && secs > 0 ? Math.min(3600, secs) * 1000 : 0;
}

// The collector's answer: {accepted: [event_id], duplicates: [event_id],
// rejected: [{event_id, reason}], error?, batch_refused?}; anything else is not an
// acknowledgement.
function normaliseAck(j) {
  const ids = (v) => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : null);
  const accepted = ids(j?.accepted);
  const duplicates = ids(j?.duplicates ?? []);
  const rejected = Array.isArray(j?.rejected)
    ? j.rejected.filter((r) => typeof r?.event_id === 'string').map((r) => ({ event_id: r.event_id, reason: String(r.reason ?? '') }))
    : [];
  if (!accepted || !duplicates) return null;
  return { accepted, duplicates, rejected, batchRefused: j?.batch_refused === true, error: typeof j?.error === 'string' ? j.error.slice(0, 200) : '' };
}
