// What a deployment publishes beside the page and the bundle (wasm.js starts the engine from
// those), loaded the same way by the page and the widget: the manifest (which bundle is
// current, its detail shards and top lists), the detail shards a card's details need, and a
// brand's precomputed top list. `base` is the URL the files are under (the page's address,
// or the widget script's origin on a partner page).
import { nameKey, fnv1a64 } from './key.js';

// A number the scrape may not know: finite, or null for unknown.
const numberOrNull = (v) => v === null || Number.isFinite(v);
// A list entry's "worked with": absent (files published before it), or handles with counts.
const workedWith = (w) => w === undefined || (Array.isArray(w) && w.every((x) => typeof x?.handle === 'string'
  && (x.brand == null || typeof x.brand === 'string') && Number.isInteger(x.posts) && Number.isInteger(x.sponsored_posts)));

// A load that is shared while it runs and kept once it succeeded; a failure is not kept, so
// the next call tries again (a page that was offline for a moment recovers).
function retrying(load) {
  let pending = null;
  return () => {
    pending ??= load().catch((e) => { pending = null; throw e; });
    return pending;
  };
}

export class Published {
  constructor(base) {
    this.base = base;
    this.manifest = retrying(async () => {
      const r = await fetch(new URL('pkg/manifest.json', base), { cache: 'no-cache' });
      if (!r.ok) throw new Error(`pkg/manifest.json: HTTP ${r.status}`);
      return r.json();
    });
    this.shards = new Map();
    this.topFiles = new Map();
    this.allTopLists = null;
  }

  // Detail shard k of the manifest into `engine` (which checks the manifest's checksum, the
  // artifact and the bundle version). A failed fetch is tried again next time.
  loadShard(engine, k) {
    if (!this.shards.has(k)) {
      this.shards.set(k, (async () => {
        const m = await this.manifest();
        const ref = m.detail_shards?.[k];
        if (!ref) throw new Error(`the manifest lists no detail shard ${k}`);
        const r = await fetch(new URL(`pkg/${m.details_dir}/${ref.file}`, this.base));
        if (!r.ok) throw new Error(`${ref.file}: HTTP ${r.status}`);
        engine.addDetails(new Uint8Array(await r.arrayBuffer()), ref.checksum);
      })().catch((e) => { this.shards.delete(k); throw e; }));
    }
    return this.shards.get(k);
  }

  // The influencer's record with its details (bio, post links).
  async withDetails(engine, name) {
    await this.loadShard(engine, engine.detailShard(name));
    return engine.influencersByName([name])[0];
  }

  // A brand's precomputed list in manifest `m`, or null when the published files have none
  // for it: the one file its name hashes to (pkg/<top_dir>/<FNV-1a 64 of its key>.json), of
  // this manifest's version. A manifest without top_dir (published before per-brand files)
  // has every list in one file. A file of another version (a publish under way) or not a
  // list of lists (a broken upload) is not used, and not kept.
  async topList(m, brand) {
    const key = nameKey(brand);
    if (!m.top_dir) {
      this.allTopLists ??= retrying(async () => {
        const r = await fetch(new URL(`pkg/${m.top_lists}`, this.base));
        if (!r.ok) throw new Error(`top lists: HTTP ${r.status}`);
        return r.json();
      });
      return (await this.allTopLists()).find((l) => nameKey(l.brand) === key) ?? null;
    }
    const name = `${fnv1a64(key)}.json`;
    if (!this.topFiles.has(name)) {
      this.topFiles.set(name, (async () => {
        const r = await fetch(new URL(`pkg/${m.top_dir}/${name}?v=${encodeURIComponent(m.version)}`, this.base));
        if (!r.ok) return null;
        const file = await r.json().catch(() => null);
        const lists = file?.version === m.version && Array.isArray(file.lists) ? file.lists : null;
        return lists?.every((l) => typeof l?.brand === 'string' && Array.isArray(l.influencers)
          && l.influencers.every((i) => typeof i?.name === 'string' && numberOrNull(i.followers)
            && numberOrNull(i.engagement_rate) && workedWith(i.worked_with))) ? file : null;
      })().catch(() => null));
    }
    const file = await this.topFiles.get(name);
    if (!file) this.topFiles.delete(name);
    return file?.lists.find((l) => nameKey(l.brand) === key) ?? null;
  }
}
