// influence-rec page: loads the wasm module and the model bundle, ranks on the device, keeps
// the brand's interactions and campaign in IndexedDB and syncs the rows to the collector.
// Its rooms: boot.js and published.js (the engine, the manifest, detail shards; shared with
// the widget), picker.js (the brand picker), orderings.js (why this ordering), filters.js
// (the options form read), cards.js (the list and its chart), campaign.js
// (each brand's campaigns), sync.js and store.js (the device's rows). This module ranks and
// wires them together.
// Every scraped string is untrusted: it reaches the DOM only through textContent.
import { categories, inferCategory } from './pkg/influence_rec.js';
import { engine as engineLoad } from './boot.js';
import { Published } from './published.js';
import { Store } from './store.js';
import { Syncer } from './sync.js';
import { countryName } from './countries.js';
import { fmtInt } from './format.js';
import { $, el } from './dom.js';
import { Cards, KINDS } from './cards.js';
import { Campaign } from './campaign.js';
import { Picker } from './picker.js';
import { filterFromForm, sorted } from './filters.js';
import { explainOrderings } from './orderings.js';
import { nameKey } from './key.js';
import { t, has, lang, LANGS, saveLang, translatePage, missing } from './i18n.js';


const published = new Published(document.baseURI);
const labels = new Map();
// A category's label in the page's language: the catalogue's word for a built-in category
// (no call into the module, so the first ranking need not wait for the lexicon); a category
// of a custom lexicon keeps its own label (`labels`, filled with the controls).
const catLabel = (slug) => (has(`category.${slug}`) ? t(`category.${slug}`) : labels.get(slug) ?? (slug || '?'));
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

const rankBy = () => $('rank-by').value;

const howMany = () => Math.min(100, Math.max(1, Number($('known-k').value) || 10));

function rankCurrent(k = howMany()) {
  const opts = { filter: filterFromForm() };
  const c = page.current;
  return c.known
    ? page.engine.rankKnown(c.name, k, rankBy(), opts)
    : page.engine.rankNew(c.brand, k, rankBy(), opts);
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
  const by = ['model', 'ranker'].includes(ranking.ranked_by) ? ranking.ranked_by : 'rating';
  $('results-summary').textContent = [
    t(ranking.known ? 'summary.known' : 'summary.new', { name: b.name }),
    b.category ? catLabel(b.category) : t('summary.unknown_category'),
    countryName(b.country) || t('summary.any_country'),
    ...(b.hashtags.length ? [b.hashtags.map((x) => '#' + x).join(' ')] : []),
    t(`summary.ranked_by.${by}`) + (ranking.folded_in ? ` ${t('summary.folded_in')}` : ''),
    ...(ranking.recommendations.length ? [] : [t('summary.none_passes')]),
    ...(ranking.unknown_left_out ? [t('summary.unknown_left_out', { n: ranking.unknown_left_out, box: t('options.include_unknown') })] : []),
  ].join(' · ');
  $('results-empty').hidden = ranking.recommendations.length > 0;
  cards.render(sorted(ranking.recommendations).map((rec) => ({ rec, inf: rec.influencer })), ranking);
}

function moreLike(inf) {
  clearError();
  try {
    const got = page.engine.similar(inf.name, howMany(), { filter: filterFromForm() });
    page.similarOf = inf.name;
    $('results-summary').textContent = t(page.engine.hasModel() ? 'summary.more_like_model' : 'summary.more_like_cohesion', { name: inf.name });
    $('more-like').hidden = false;
    $('results-empty').hidden = true;
    if (!got.length) $('results-summary').textContent += t('summary.more_like_none');
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
  p.textContent = errorText(String(err?.message ?? err));
  p.className = 'error';
  if (!clearList) return;
  $('results-empty').hidden = true;
  cards.clear();
}

// The engine's message in the page's language where it is one a user can act on (a name the
// bundle does not know), with the next step; else the engine's own words (English, naming
// the field) and the next step.
function errorText(msg) {
  const unknown = /^unknown (brand|influencer the brand likes|influencer): ("(?:[^"\\]|\\.)*")$/.exec(msg);
  if (unknown) {
    let name = unknown[2];
    try { name = JSON.parse(name); } catch { /* shown as quoted */ }
    return unknown[1] === 'brand' ? t('error.unknown_brand', { name }) : t('error.unknown_influencer', { name });
  }
  const next = /filter|min_|max_/.test(msg) ? ` ${t('error.check_filters')}` : '';
  return next && !/[.!?]$/.test(msg) ? `${msg}.${next}` : msg + next;
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
  $('pending-text').textContent = n ? t('pending', { n }) : '';
}

// Records an interaction of the current brand: a row in IndexedDB (queued for sync), its
// points in the rating, a fold-in step of the model vector. The list on screen holds still
// (focus and scroll stay where they are); the update is offered, and the next ranking has it.
async function interact(inf, kind) {
  if (!page.current) return;
  const points = page.points[kind];
  const row = await page.store.record({ brand: brandName(), influencer: inf.name, kind, points, bundle_version: page.version });
  page.engine.addLocalInteractions([row]);
  // The brand's vector follows its points on this device (the same again after a reload).
  if (page.engine.hasModel()) page.engine.foldIn(brandRef());
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
  const known = new Set(engine.brandNames());
  for (const brand of new Set(rows.map((r) => r.brand))) {
    const ref = known.has(brand) ? brand : (await page.store.brandProfiles([brand]))[0];
    if (ref) engine.foldIn(ref);
  }
}

async function updateSyncStatus(extra = '') {
  const queued = (await page.store.byState('queued')).length;
  const rejected = (await page.store.byState('rejected')).length;
  $('sync-status').textContent = [t('sync.waiting', { n: queued }), ...(rejected ? [t('sync.refused', { n: rejected })] : []), ...(extra ? [extra] : [])].join(' · ');
}

// ---- start -----------------------------------------------------------------------------

function newBrandFromForm() {
  const f = new FormData($('new-form'));
  const field = (name) => String(f.get(name) ?? '');
  return { name: field('name'), category: field('category'), country: field('country'), hashtags: field('hashtags'), description: field('description') };
}

// The controls the first ranking does not read: category, country and brand options, the
// bundle line, the orderings without a model.
function fillControls(engine, names) {
  const cats = categories();
  for (const c of cats) labels.set(c.slug, c.label);
  for (const c of cats) $('new-category').append(Object.assign(el('option', catLabel(c.slug)), { value: c.slug }));
  const countries = engine.countries().map((c) => [countryName(c), c]).sort((a, b) => a[0].localeCompare(b[0]));
  for (const [name, c] of countries) $('f-country').append(Object.assign(el('option', name), { value: c }));
  const info = engine.info();
  $('bundle-info').textContent = t('bundle.info', {
    format: info.format_version, writer: info.writer, version: page.version,
    influencers: fmtInt.format(info.influencers), brands: fmtInt.format(info.brands), interactions: fmtInt.format(info.interactions),
  });
  explainOrderings(engine, $('rank-by'), $('ordering-why'));
  const describe = (b) => [b.category ? catLabel(b.category) : '', countryName(b.country), b.handle ? '@' + b.handle : ''].filter(Boolean).join(' · ');
  page.picker = new Picker($('brand-input'), $('brand-options'), engine.brands(), {
    describe,
    onPick: (name) => selectBrand({ known: true, name }),
  });
  $('brand-hint').textContent = t('known.hint', { n: names.length, v: fmtInt.format(names.length) });
  // The language: the browser's, or the one picked here (remembered; the page reloads in it).
  const langs = $('lang-select');
  for (const [code, name] of Object.entries(LANGS)) langs.append(Object.assign(el('option', name), { value: code, lang: code, selected: code === lang }));
  langs.addEventListener('change', () => {
    saveLang(langs.value);
    location.reload();
  });
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
    $('inferred').textContent = inf ? t('new.inferred', { v: catLabel(inf.slug) }) : '';
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
        $('pairing').textContent = t('new.pairing', { brand: row.brand, influencer: row.influencer, v: row.cohesion.toFixed(2) });
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
    onChange: (s) => updateSyncStatus(s.state === 'retrying' ? t('sync.retrying', { reason: s.reason, n: Math.round(s.delay_ms / 1000) }) : ''),
  });
  addEventListener('online', () => page.syncer.sync({ fresh: true }));
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') page.syncer.sync({ keepalive: true }); });
  updateSyncStatus();
  page.syncer.sync();
}

async function main() {
  // The page's modules have loaded and run (benches/page_bench.mjs reports the marks).
  performance.mark('page-modules');
  translatePage();
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
  // Only what the first ranking reads comes before it (the brands' names); the controls'
  // options are filled right after it.
  const names = engine.brandNames();
  // The first ranking starts from the bundle's default ordering (the widget's too).
  $('rank-by').value = engine.ordering().by;

  // Charts are drawn to the width they have: once it is known, and again when it changes.
  new ResizeObserver((entries) => cards.setChartWidth(Math.floor(entries[entries.length - 1].contentRect.width)))
    .observe($('shortlist-chart').parentElement);

  // Start with the brand in the address, else the last brand used on this device (when the
  // bundle still has it), else with the choice: pick a known brand or describe a new one.
  const asked = new URLSearchParams(location.search).get('brand');
  const stillKnown = (r) => !r.known || names.some((n) => nameKey(n) === nameKey(r.name));
  const remembered = asked == null ? Store.rememberedBrand() : null;
  const first = asked != null ? { known: true, name: asked } : remembered && stillKnown(remembered) ? remembered : null;
  if (first) {
    if (first.known) $('brand-input').value = first.name;
    if (selectBrand(first)) performance.mark('first-ranking');
  } else {
    $('results-summary').textContent = t('summary.choose');
  }
  fillControls(engine, names);
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
  $('status').textContent = t('status.ready');
  $('status').dataset.state = 'ready';
  // For the e2e suite: the catalogue keys this language lacked (none, in every language).
  document.documentElement.dataset.i18nMissing = [...missing].join(' ');
  wireForms(store, engine);
  startSync(store);
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => { /* offline support is a bonus */ });
}

main().catch((e) => {
  $('status').textContent = t('status.failed', { v: e?.message ?? e });
  $('status').className = 'error';
});
