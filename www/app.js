// influence-rec page: loads the wasm module and the model bundle, ranks on the device, keeps
// the brand's interactions and campaign in IndexedDB and syncs the rows to the collector.
// Its rooms: boot.js and published.js (the engine, the manifest, detail shards; shared with
// the widget), picker.js (the brand picker), orderings.js (why this ordering), cards.js (the list and its chart), campaign.js
// (each brand's campaigns), sync.js and store.js (the device's rows). This module ranks and
// wires them together.
// Every scraped string is untrusted: it reaches the DOM only through textContent.
import { categories, inferCategory } from './pkg/influence_rec.js';
import { engine as engineLoad } from './boot.js';
import { Published } from './published.js';
import { Store } from './store.js';
import { Syncer } from './sync.js';
import { countryName } from './countries.js';
import { fmtInt, planCost } from './format.js';
import { $, el } from './dom.js';
import { Cards, KINDS } from './cards.js';
import { Campaign } from './campaign.js';
import { Picker } from './picker.js';
import { explainOrderings } from './orderings.js';
import { nameKey } from './key.js';

const FOLD_IN_STEPS = 5;

const published = new Published(document.baseURI);
const labels = new Map();
const catLabel = (slug) => labels.get(slug) ?? (slug || '?');
const page = {
  engine: null,
  store: null,
  syncer: null,
  version: '',
  // Points per interaction kind, from the bundle (engine.info().points), so the page counts
  // exactly what the model was trained with.
  points: null,
  // The brand being looked at: {known: true, name} or {known: false, brand: {...}}.
  current: null,
  ranking: null,
  similarOf: null,
  // Interactions recorded since the list on screen was ranked: the list holds still (nothing
  // moves under the pointer) until the user asks for the update or the next ranking.
  pending: 0,
};
const withDetails = (name) => published.withDetails(page.engine, name);

const cards = new Cards({
  labels,
  catLabel,
  inCampaign: (name) => campaign.has(name),
  platform: () => page.platform,
  onInteract: (inf, kind) => interact(inf, kind),
  onAdd: (infs) => campaign.add(infs),
  onMoreLike: (inf) => moreLike(inf),
  withDetails,
});
const campaign = new Campaign({
  get engine() { return page.engine; },
  get store() { return page.store; },
  catLabel,
  pool: () => rankCurrent(100).recommendations.map((r) => r.name),
  onPick: (inf) => interact(inf, 'add_to_campaign'),
  withDetails,
  // The cards' campaign buttons and the shortlist chart follow the open campaign's picks.
  onChange: () => {
    cards.refreshPicks();
    if (cards.shown.length) cards.drawShown();
  },
});

// ---- ranking ---------------------------------------------------------------------------

function filterFromForm() {
  const f = new FormData($('options-form'));
  const num = (name, scale = 1) => {
    const v = String(f.get(name) ?? '').trim();
    if (v === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n * scale : undefined;
  };
  const country = String(f.get('country') ?? '');
  const intOrUndef = (v) => (v === undefined ? undefined : Math.max(0, Math.round(v)));
  // "@a, b c" -> ["a", "b", "c"]; the engine refuses what is no handle, by name.
  const handles = (name) => String(f.get(name) ?? '').split(/[\s,;]+/).map((h) => h.replace(/^@+/, '')).filter(Boolean);
  return {
    countries: country ? [country] : [],
    min_followers: intOrUndef(num('min_followers')),
    max_followers: intOrUndef(num('max_followers')),
    min_engagement: num('min_engagement', 0.01),
    max_cost: num('max_cost'),
    include_unknown: f.get('include_unknown') === 'on',
    creators_only: f.get('creators_only') === 'on',
    worked_with: handles('worked_with'),
    not_worked_with: handles('not_worked_with'),
  };
}

const rankBy = () => $('rank-by').value;

const howMany = () => Math.min(100, Math.max(1, Number($('known-k').value) || 10));

function rankCurrent(k = howMany()) {
  const opts = { filter: filterFromForm() };
  const c = page.current;
  return c.known
    ? page.engine.rankKnown(c.name, k, rankBy(), opts)
    : page.engine.rankNew(c.brand, k, rankBy(), opts);
}

// The shown list re-sorted; unknown values go last, in rank order.
function sorted(recs) {
  const last = (v) => v ?? Infinity;
  const key = {
    followers: (r) => last(r.influencer.followers == null ? null : -r.influencer.followers),
    engagement: (r) => last(r.influencer.engagement_rate == null ? null : -r.influencer.engagement_rate),
    // Listed costs and typical estimates sort together (the card marks an estimate).
    cost: (r) => last(planCost(r.influencer.cost_per_post, r.influencer.price_estimate)),
  }[$('sort-by').value];
  if (!key) return recs;
  return [...recs].sort((a, b) => (key(a) === key(b) ? 0 : key(a) < key(b) ? -1 : 1) || a.rank - b.rank);
}

// Ranks the current brand; false when that failed (the error is shown).
function show() {
  if (!page.current) return false;
  clearError();
  notePending(0);
  try {
    page.similarOf = null;
    page.ranking = rankCurrent();
    render(page.ranking);
    return true;
  } catch (e) {
    showError(e, { clearList: true });
    return false;
  }
}

// Opens a brand: {known: true, name} or {known: false, brand}. It is ranked, remembered on
// the device for the next visit, and its campaigns replace the last brand's. A brand that
// cannot be ranked (a name the bundle does not know) changes nothing else.
function selectBrand(ref) {
  page.current = ref;
  $('pairing').textContent = '';
  if (!show()) return false;
  // The catalog's spelling, not the typed one: rows, campaigns and memory use one name.
  if (ref.known) page.current = { known: true, name: page.ranking.brand.name };
  Store.rememberBrand(page.current);
  if (page.store) campaign.forBrand(brandName());
  return true;
}

function render(ranking) {
  $('more-like').hidden = true;
  const b = ranking.brand;
  const cat = b.category ? catLabel(b.category) : 'unknown category';
  const by = { model: 'the learned model', ranker: 'the learned ranker' }[ranking.ranked_by] ?? 'rating';
  $('results-summary').textContent =
    `${ranking.known ? 'Known' : 'New'} brand “${b.name}” · ${cat} · ${countryName(b.country) || 'any country'}` +
    (b.hashtags.length ? ` · ${b.hashtags.map((t) => '#' + t).join(' ')}` : '') +
    ` · ranked by ${by}${ranking.folded_in ? ' (adapted to your interactions)' : ''}` +
    (ranking.recommendations.length ? '' : ' · no influencer passes the filters') +
    (ranking.unknown_left_out ? ` · ${ranking.unknown_left_out} with unknown followers or engagement left out by the bounds (tick “Keep accounts whose followers or engagement are unknown” to see them)` : '');
  $('results-empty').hidden = ranking.recommendations.length > 0;
  cards.render(sorted(ranking.recommendations).map((rec) => ({ rec, inf: rec.influencer })), ranking);
}

function moreLike(inf) {
  clearError();
  try {
    const got = page.engine.similar(inf.name, howMany(), { filter: filterFromForm() });
    page.similarOf = inf.name;
    $('results-summary').textContent = `More like ${inf.name} (${page.engine.hasModel() ? 'the model’s influencer vectors' : 'cohesion: category, location, hashtags'})`;
    $('more-like').hidden = false;
    $('results-empty').hidden = true;
    if (!got.length) $('results-summary').textContent += ': none passes the filters. Clear or widen them to see more.';
    cards.render(got.map((s) => ({ inf: s.influencer, similarity: s.similarity })));
    $('results-h').focus();
  } catch (e) { showError(e); }
}

// An error in words with what to do next. The engine's message names what went wrong; the
// page adds the next step for the errors a user can fix.
// A failed ranking (`clearList`) also empties the list and its chart: what is shown must not
// look like the answer to the request that failed.
function showError(err, { clearList = false } = {}) {
  const p = $('results-summary');
  const msg = String(err?.message ?? err);
  const next = /unknown brand/.test(msg)
    ? ' Check the spelling or pick a brand from the list; a brand we do not know yet goes under “A new brand”, described by its category, country and hashtags.'
    : /filter|min_|max_/.test(msg) ? ' Check the filters, or clear them.' : '';
  p.textContent = next && !/[.!?]$/.test(msg) ? `${msg}.${next}` : msg + next;
  p.className = 'error';
  if (!clearList) return;
  $('results-empty').hidden = true;
  cards.clear();
}

function clearError() {
  $('results-summary').className = '';
}

// ---- interactions ----------------------------------------------------------------------

const brandRef = () => (page.current.known ? page.current.name : page.current.brand);
const brandName = () => (page.current.known ? page.current.name : page.current.brand.name);

// "Updated with your N interactions": shown while the list on screen lags behind them.
function notePending(n) {
  page.pending = n;
  $('pending').hidden = n === 0;
  $('pending-text').textContent = n ? `Updated with your ${n} ${n === 1 ? 'interaction' : 'interactions'}.` : '';
}

// Records an interaction of the current brand: a row in IndexedDB (queued for sync), its
// points in the rating, a fold-in step of the model vector. The list on screen holds still
// (focus and scroll stay where they are); the update is offered, and the next ranking has it.
async function interact(inf, kind) {
  if (!page.current) return;
  const points = page.points[kind];
  const row = await page.store.record({ brand: brandName(), influencer: inf.name, kind, points, bundle_version: page.version });
  page.engine.addLocalInteractions([row]);
  if (page.engine.hasModel() && points >= page.points.check_info) page.engine.foldIn(brandRef(), [inf.name], FOLD_IN_STEPS);
  if (page.similarOf == null) notePending(page.pending + 1);
  cards.refreshPicks();
  updateSyncStatus();
  page.syncer.sync();
}

// Puts the device's own rows (read while the engine loaded) into the engine: their points,
// and a fold-in of each brand's vector towards what it engaged with.
async function replayLocal(events) {
  const { engine } = page;
  const rows = events.filter((r) => r.kind in KINDS && (r.state === 'queued' || (r.state === 'synced' && r.bundle_version === page.version)));
  engine.addLocalInteractions(rows);
  if (!engine.hasModel()) return;
  const byBrand = new Map();
  for (const r of rows) {
    if (r.points < page.points.check_info) continue;
    if (!byBrand.has(r.brand)) byBrand.set(r.brand, new Set());
    byBrand.get(r.brand).add(r.influencer);
  }
  const known = new Set(engine.brandNames());
  for (const [brand, infs] of byBrand) {
    const ref = known.has(brand) ? brand : (await page.store.brandProfiles([brand]))[0];
    if (ref) engine.foldIn(ref, [...infs], FOLD_IN_STEPS);
  }
}

async function updateSyncStatus(extra = '') {
  const queued = (await page.store.byState('queued')).length;
  const rejected = (await page.store.byState('rejected')).length;
  $('sync-status').textContent = `${queued} interaction${queued === 1 ? '' : 's'} waiting to sync` +
    (rejected ? ` · ${rejected} refused by the collector` : '') + (extra ? ` · ${extra}` : '');
}

// ---- start -----------------------------------------------------------------------------

function newBrandFromForm() {
  const f = new FormData($('new-form'));
  const field = (name) => String(f.get(name) ?? '');
  return { name: field('name'), category: field('category'), country: field('country'), hashtags: field('hashtags'), description: field('description') };
}

// The controls the first ranking does not read: category, country and brand options, the
// bundle line, the orderings without a model.
function fillControls(engine, cats, names) {
  for (const c of cats) $('new-category').append(Object.assign(el('option', c.label), { value: c.slug }));
  const countries = engine.countries().map((c) => [countryName(c), c]).sort((a, b) => a[0].localeCompare(b[0]));
  for (const [name, c] of countries) $('f-country').append(Object.assign(el('option', name), { value: c }));
  const info = engine.info();
  $('bundle-info').textContent =
    `Model bundle v${info.format_version} by ${info.writer} (version ${page.version}): ${fmtInt.format(info.influencers)} influencers, ${info.brands} brands, ${fmtInt.format(info.interactions)} interactions.`;
  explainOrderings(engine, $('rank-by'), $('ordering-why'));
  const describe = (b) => [b.category ? catLabel(b.category) : '', countryName(b.country), b.handle ? '@' + b.handle : ''].filter(Boolean).join(' · ');
  page.picker = new Picker($('brand-input'), $('brand-options'), engine.brands(), {
    describe,
    onPick: (name) => selectBrand({ known: true, name }),
  });
  $('brand-hint').textContent = `Type to search the ${fmtInt.format(names.length)} known ${names.length === 1 ? 'brand' : 'brands'} by name, handle, category or country`;
}

// A new brand's profile into its form (the remembered one, on a return visit).
function fillNewForm(b) {
  for (const [id, v] of [['new-name', b.name], ['new-category', b.category], ['new-country', b.country], ['new-hashtags', b.hashtags], ['new-description', b.description]]) $(id).value = v;
}

function wireForms(store, engine) {
  $('known-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    page.picker.close();
    selectBrand({ known: true, name: $('brand-input').value });
  });
  $('new-description').addEventListener('input', () => {
    const inf = inferCategory($('new-description').value);
    $('inferred').textContent = inf ? `Inferred category: ${inf.label}` : '';
  });
  $('new-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const nb = newBrandFromForm();
    // The influencers the brand already likes: its first rows, folded in before it is
    // ranked. An unknown name refuses them all, naming it.
    const likes = $('new-like').value.split(/[,\n]/).map((x) => x.trim().replace(/^@/, '')).filter(Boolean);
    let liked = [];
    try {
      liked = likes.length ? engine.like(nb, likes) : [];
    } catch (e) {
      showError(e);
      return;
    }
    if (!selectBrand({ known: false, brand: nb })) return;
    try {
      await store.saveBrand(nb);
      for (const influencer of liked) {
        await store.record({ brand: nb.name, influencer, kind: 'add_to_campaign', points: page.points.add_to_campaign, bundle_version: page.version });
      }
      // The design's randomly paired row: this new brand with one influencer chosen at random.
      const row = engine.pairNewBrand(nb);
      if (row) {
        await store.record({ brand: nb.name, influencer: row.influencer, kind: 'pairing', points: 0, bundle_version: page.version });
        $('pairing').textContent = `New data row: ${row.brand} × ${row.influencer} (cohesion ${row.cohesion.toFixed(2)})`;
      }
      if (row || liked.length) {
        updateSyncStatus();
        page.syncer.sync();
      }
    } catch (e) { showError(e); }
  });
  $('options-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    performance.mark('filter-start');
    show();
    performance.measure('filter', 'filter-start');
  });
  $('options-form').addEventListener('reset', () => setTimeout(show));
  $('empty-clear').addEventListener('click', () => {
    $('options-form').reset();
    $('f-min-followers').focus();
  });
  for (const r of document.querySelectorAll('input[name="comp-by"]')) r.addEventListener('change', () => campaign.render());
  $('rank-by').addEventListener('change', show);
  $('sort-by').addEventListener('change', () => { if (page.ranking && page.similarOf == null) render(page.ranking); });
  $('back-to-ranking').addEventListener('click', show);
  $('show-updates').addEventListener('click', () => {
    performance.mark('rerank-start');
    show();
    performance.measure('rerank', 'rerank-start');
    $('results').querySelector('li button')?.focus({ preventScroll: true });
  });
  $('fill-budget').addEventListener('click', () => { try { campaign.fillToBudget(); } catch (e) { showError(e); } });
  $('accept-suggestion').addEventListener('click', () => campaign.acceptSuggestion());
  $('export-csv').addEventListener('click', () => campaign.exportCsv());
  $('new-campaign').addEventListener('click', () => campaign.create());
  $('delete-campaign').addEventListener('click', () => campaign.remove());
  $('campaign-form').addEventListener('change', (ev) => (ev.target.id === 'campaign-select' ? campaign.switchTo(ev.target.value) : campaign.fromForm()));
}

// Sync: now, whenever the connection returns, and when the page is hidden (a keepalive
// request survives the tab closing).
function startSync(store) {
  const meta = (name) => document.querySelector(`meta[name="influence-rec:${name}"]`)?.content;
  page.syncer = new Syncer({
    store,
    endpoint: new URL(meta('collector') ?? 'api/interactions', location.href).href,
    siteKey: meta('site-key') ?? '',
    onChange: (s) => updateSyncStatus(s.state === 'retrying' ? `not synced (${s.reason}), retrying in ${Math.round(s.delay_ms / 1000)} s` : ''),
  });
  addEventListener('online', () => page.syncer.sync({ fresh: true }));
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') page.syncer.sync({ keepalive: true }); });
  updateSyncStatus();
  page.syncer.sync();
}

async function main() {
  // IndexedDB is read while the wasm module and the bundle load; the first ranking does not
  // wait for it (on a first visit it is slower to open than the engine is to load): the
  // page ranks as soon as the engine is ready and ranks again once local interactions or a
  // saved campaign change the picture. Interactions are handled only once it is open.
  const local = Store.open().then(async (store) => ({ store, events: await store.events(), campaigns: await store.allCampaigns() }));
  local.then(() => performance.mark('local-ready'), () => {});
  // boot.js started both downloads, the module's compilation and the engine while this
  // module's imports loaded; the service worker answers from its cache when offline.
  const engine = (page.engine = await engineLoad);
  const info = engine.info();
  page.version = info.version;
  page.points = info.points;
  page.platform = info.platform ?? '';
  // Only what the first ranking reads comes before it (the category labels, the first
  // brand's name); the controls' options are filled right after it.
  const cats = categories();
  for (const c of cats) labels.set(c.slug, c.label);
  const names = engine.brandNames();
  // The first ranking starts from the bundle's default ordering (the widget's too).
  $('rank-by').value = engine.ordering().by;

  // Charts are drawn to the width they have: once it is known, and again when it changes.
  new ResizeObserver((entries) => cards.setChartWidth(Math.floor(entries[entries.length - 1].contentRect.width)))
    .observe($('shortlist-chart').parentElement);

  // Start with the brand in the address, else the last brand used on this device (when the
  // bundle still has it), else with the choice: pick a known brand or describe a new one.
  const asked = new URLSearchParams(location.search).get('brand');
  const keys = new Set(names.map(nameKey));
  const remembered = Store.rememberedBrand();
  const first = asked != null ? { known: true, name: asked } : remembered && (!remembered.known || keys.has(nameKey(remembered.name))) ? remembered : null;
  if (first) {
    if (first.known) $('brand-input').value = first.name;
    if (selectBrand(first)) performance.mark('first-ranking');
  } else {
    $('results-summary').textContent = 'Pick a brand we know, or describe a new brand, to see the influencers that fit it.';
  }
  fillControls(engine, cats, names);
  if (first && !first.known) fillNewForm(first.brand);
  campaign.fill();
  campaign.render();

  const { store, events, campaigns } = await local;
  page.store = store;
  // Every campaign's influencers' details are fetched (and so cached) as soon as the page
  // can: planning works offline, for any brand.
  for (const name of new Set(campaigns.flatMap((c) => c.items.map((i) => i.influencer)))) {
    try { published.loadShard(engine, engine.detailShard(name)).catch(() => {}); } catch { /* not in this bundle */ }
  }
  await replayLocal(events);
  if (page.current && page.ranking) {
    if (events.length) show();
    await campaign.forBrand(brandName());
  }
  $('status').textContent = 'Ready. Everything is ranked in your browser.';
  wireForms(store, engine);
  startSync(store);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => { /* offline support is a bonus */ });
}

main().catch((e) => {
  $('status').textContent = `Could not start: ${e?.message ?? e}. Check the connection and reload the page; after one visit the page also works offline.`;
  $('status').className = 'error';
});
