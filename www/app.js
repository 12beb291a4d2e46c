// influence-rec page: loads the wasm module and the model bundle, ranks on the device, keeps
// the brand's interactions and campaign in IndexedDB and syncs the rows to the collector.
// Every scraped string is untrusted: it reaches the DOM only through textContent.
import { categories, inferCategory } from './pkg/influence_rec.js';
import { engine as engineLoad } from './boot.js';
import { Store } from './store.js';
import { Syncer } from './sync.js';
import { countryName } from './countries.js';
// Counts and rates as people read them (16.2K followers, 4.7%) in the user's language; exact
// values are in a card's details.
import { fmtInt, fmtCompact, fmtPercent, fmtMoney, fmtMoney2 } from './format.js';
import { FEATURE_LABELS, FAMILY_LABELS, reasons, scoreParts, scoreSentence } from './explain.js';
import { drawShortlist, drawBudget, drawComposition } from './charts.js';

const $ = (id) => document.getElementById(id);

// Interaction kinds and their button labels; their points come from the bundle
// (engine.info().points), so the page counts exactly what the model was trained with.
const KINDS = {
  click: { label: 'Click' },
  check_info: { label: 'Check info' },
  add_to_campaign: { label: 'Add to campaign' },
  collaboration: { label: 'Mark collaboration' },
};
const FOLD_IN_STEPS = 5;

const app = {
  engine: null,
  store: null,
  syncer: null,
  version: '',
  // Points per interaction kind, from the bundle.
  points: null,
  labels: new Map(),
  // The brand being looked at: {known: true, name} or {known: false, brand: {...}}.
  current: null,
  ranking: null,
  similarOf: null,
  campaign: { name: 'My campaign', budget: 1000, items: [] },
  suggestion: null,
  // Influencers whose details are open (they stay open when the list re-renders), and why a
  // bio could not be loaded.
  openDetails: new Set(),
  detailNotes: new Map(),
  // Cards whose "Details" disclosure (the numbers behind the reasons) is open.
  openNumbers: new Set(),
  // What the shortlist chart shows (redrawn when the campaign or the page's width changes),
  // and the width it has (from a ResizeObserver: reading it during a render would force a
  // layout of the whole page in the middle of building the list).
  shown: [],
  chartWidth: 0,
};

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function button(text, className, onClick) {
  const b = el('button', text, className);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

function fmtValue(v) {
  if (v == null || Number.isNaN(v)) return 'missing';
  if (Number.isInteger(v)) return fmtInt.format(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3);
}

// The ranker's largest contributions (TreeSHAP), signed, beside the cohesion breakdown.
function contributionChips(rec, n = 4) {
  return (rec.contributions ?? [])
    .filter((c) => c.contribution !== 0)
    .slice(0, n)
    .map((c) => `${FEATURE_LABELS[c.feature] ?? c.feature} = ${fmtValue(c.value)}: ${c.contribution >= 0 ? '+' : '−'}${Math.abs(c.contribution).toFixed(3)}`);
}

function whyChips(rec) {
  const c = rec.cohesion;
  const chips = [];
  if (c.category) chips.push(`category ${app.labels.get(c.category) ?? c.category} +${c.category_points}`);
  if (c.location) chips.push(`location ${countryName(c.location)} +${c.location_points}`);
  if (c.shared_hashtags.length) chips.push(`hashtags ${c.shared_hashtags.map((t) => '#' + t).join(' ')} +${c.hashtag_points}`);
  chips.push(`engagement ${(c.engagement_rate * 100).toFixed(2)}% +${c.engagement_points.toFixed(3)}`);
  if (rec.interaction_points) chips.push(`your interactions +${rec.interaction_points}`);
  if (rec.model_score != null) chips.push(`model score ${rec.model_score.toFixed(2)}`);
  if (rec.ranker_score != null) chips.push(`ranker score ${rec.ranker_score.toFixed(3)}`);
  return chips;
}

// The ranker's contributions summed by family, signed ("track record with brands like yours
// +0.164").
function familyChips(rec) {
  return (rec.families ?? []).filter((f) => f.contribution !== 0)
    .map((f) => `${FAMILY_LABELS[f.family] ?? f.family} ${f.contribution >= 0 ? '+' : '−'}${Math.abs(f.contribution).toFixed(3)}`);
}

// A card's score bar: one segment per part of the rating, as wide as its points against the
// largest score on the list (so bars compare across cards). Its words are the bar's name.
function scoreBar(rec, maxScore) {
  const bar = el('div', undefined, 'scorebar');
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', scoreSentence(rec));
  for (const p of scoreParts(rec)) {
    const seg = el('span', undefined, `seg part-${p.key}`);
    seg.style.width = `${Math.min(100, (100 * p.points) / maxScore).toFixed(2)}%`;
    seg.title = `${p.label}: ${p.points.toFixed(2)}`;
    bar.append(seg);
  }
  return bar;
}

const expected = (inf) => inf.followers * inf.engagement_rate;
const catLabel = (slug) => app.labels.get(slug) ?? (slug || '?');

function statsLine(inf) {
  const cost = inf.cost_per_post != null ? ` · ${fmtMoney.format(inf.cost_per_post)}/post` : ' · cost unknown';
  return `${fmtCompact.format(inf.followers)} followers · ${fmtPercent.format(inf.engagement_rate)} engagement · ${countryName(inf.country) || '?'} · ${catLabel(inf.category)}${cost}`;
}

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
  return {
    countries: country ? [country] : [],
    min_followers: intOrUndef(num('min_followers')),
    max_followers: intOrUndef(num('max_followers')),
    min_engagement: num('min_engagement', 0.01),
    max_cost: num('max_cost'),
  };
}

const rankBy = () => $('rank-by').value;
const howMany = () => Math.min(100, Math.max(1, Number($('known-k').value) || 10));

function rankCurrent(k = howMany()) {
  const opts = { filter: filterFromForm() };
  const c = app.current;
  return c.known
    ? app.engine.rankKnown(c.name, k, rankBy(), opts)
    : app.engine.rankNew(c.brand, k, rankBy(), opts);
}

function sorted(recs) {
  const by = $('sort-by').value;
  const key = {
    followers: (r) => -r.influencer.followers,
    engagement: (r) => -r.influencer.engagement_rate,
    cost: (r) => r.influencer.cost_per_post ?? Infinity,
  }[by];
  if (!key) return recs;
  return [...recs].sort((a, b) => key(a) - key(b) || a.rank - b.rank);
}

function show() {
  if (!app.current) return;
  clearError();
  try {
    app.similarOf = null;
    app.ranking = rankCurrent();
    render(app.ranking);
  } catch (e) { showError(e, { clearList: true }); }
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
    (ranking.recommendations.length ? '' : ' · no influencer passes the filters');
  $('results-empty').hidden = ranking.recommendations.length > 0;
  renderCards(sorted(ranking.recommendations).map((rec) => ({ rec, inf: rec.influencer })), ranking);
}

// The shortlist chart of what the list shows; a point opens (focuses) its card.
function drawShown() {
  const figure = $('shortlist-chart');
  // Before the first layout the width is unknown: the observer draws it then, before the
  // first paint.
  if (!app.chartWidth) return;
  drawShortlist(figure, app.shown.map(({ rec, inf }) => ({
    name: inf.name, followers: inf.followers, rate: inf.engagement_rate, picked: inCampaign(inf.name), rank: rec?.rank,
  })), {
    width: app.chartWidth,
    onOpen: (name) => {
      const card = [...$('results').children].find((c) => c.dataset.influencer === name);
      card?.scrollIntoView({ block: 'center' });
      card?.querySelector('button.name')?.focus({ preventScroll: true });
    },
  });
}

// A deterministic avatar: the handle's initials on a hue from its FNV-1a hash, so an
// influencer looks the same on every visit and device, and the page fetches no image (its
// CSP allows none from elsewhere). Decorative: the name beside it is the accessible text.
function avatar(name) {
  const words = name.replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').filter(Boolean);
  const first = (w) => [...(w ?? '')].slice(0, 1).join('');
  const initials = (words.length > 1 ? first(words[0]) + first(words[1]) : [...(words[0] ?? '?')].slice(0, 2).join('')).toUpperCase();
  let h = 0x811c9dc5;
  for (const c of name) {
    h ^= c.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const span = el('span', initials, 'avatar');
  span.setAttribute('aria-hidden', 'true');
  span.style.backgroundColor = `hsl(${h % 360} 65% 80%)`;
  return span;
}

function renderCards(items, ranking) {
  const list = $('results');
  const focused = document.activeElement?.dataset?.action
    ? { action: document.activeElement.dataset.action, who: document.activeElement.closest('li')?.dataset.influencer }
    : null;
  list.replaceChildren();
  app.shown = items;
  drawShown();
  const maxScore = Math.max(1e-9, ...items.map(({ rec }) => (rec && Number.isFinite(rec.score) ? rec.score : 0)));
  $('score-legend').hidden = !items.some(({ rec }) => rec);
  const ctx = { categoryLabel: catLabel, countryName, rankedBy: ranking?.ranked_by };
  for (const { rec, inf, similarity } of items) {
    const li = el('li', undefined, 'card');
    li.dataset.influencer = inf.name;
    li.dataset.followers = String(inf.followers);
    li.append(el('span', rec ? rec.score.toFixed(2) : `${(similarity * 100).toFixed(0)}% alike`, 'score'));
    const h = el('h3');
    h.append(avatar(inf.name));
    if (rec) h.append(el('span', `${rec.rank}. `));
    const name = button(inf.name, 'name', () => interact(inf, 'click'));
    name.dataset.action = 'click';
    name.setAttribute('aria-label', `${inf.name}: open`);
    h.append(name);
    li.append(h);
    li.append(el('p', statsLine(inf), 'stats'));
    if (rec) {
      const why = el('ul', undefined, 'reasons');
      why.setAttribute('aria-label', `Why ${inf.name}`);
      for (const r of reasons(rec, ctx)) {
        const item = el('li', r.text);
        item.dataset.kind = r.kind;
        why.append(item);
      }
      li.append(why, scoreBar(rec, maxScore));
    }
    const details = el('div', undefined, 'details');
    details.hidden = !app.openDetails.has(inf.name);
    fillDetails(details, inf, inf.description ? undefined : app.detailNotes.get(inf.name));
    li.append(details);
    const actions = el('div', undefined, 'card-actions');
    const add = (action, text, fn) => {
      const b = button(text, 'secondary', fn);
      b.dataset.action = action;
      b.setAttribute('aria-label', `${text}: ${inf.name}`);
      actions.append(b);
    };
    add('check_info', KINDS.check_info.label, () => {
      details.hidden = false;
      app.openDetails.add(inf.name);
      interact(inf, 'check_info');
      // The interaction re-ranks and re-renders: fill the card that is on screen then.
      const box = () => [...$('results').children].find((c) => c.dataset.influencer === inf.name)?.querySelector('.details') ?? details;
      withDetails(inf.name).then((full) => {
        app.detailNotes.delete(inf.name);
        fillDetails(box(), full ?? inf);
      }).catch(() => {
        app.detailNotes.set(inf.name, 'The bio loads with a connection (it is not on this device yet).');
        fillDetails(box(), inf, app.detailNotes.get(inf.name));
      });
    });
    add('add_to_campaign', inCampaign(inf.name) ? 'On the campaign' : KINDS.add_to_campaign.label, () => addToCampaign([inf]));
    add('collaboration', KINDS.collaboration.label, () => interact(inf, 'collaboration'));
    add('similar', 'More like this', () => moreLike(inf));
    li.append(actions);
    if (rec) li.append(numbers(rec, ranking, inf.name));
    list.append(li);
  }
  if (focused) {
    const again = [...list.children].find((li) => li.dataset.influencer === focused.who)?.querySelector(`[data-action="${focused.action}"]`);
    again?.focus({ preventScroll: true });
  }
}

// The numbers behind a card's reasons, under a "Details" disclosure: the cohesion breakdown,
// the scores, the ranker's families and its largest feature contributions.
// Filled when first opened: a re-rank then builds ten summaries, not ten sets of chips.
function numbers(rec, ranking, name) {
  const box = el('details', undefined, 'numbers');
  box.append(el('summary', 'Details'));
  let filled = false;
  const fill = () => {
    if (!filled) box.append(...numberLists(rec, ranking));
    filled = true;
  };
  if (app.openNumbers.has(name)) {
    fill();
    box.open = true;
  }
  box.addEventListener('toggle', () => {
    if (box.open) {
      fill();
      app.openNumbers.add(name);
    } else app.openNumbers.delete(name);
  });
  return box;
}

function numberLists(rec, ranking) {
  const lists = [];
  const why = el('ul', undefined, 'why');
  why.setAttribute('aria-label', 'Score breakdown');
  for (const chip of whyChips(rec)) why.append(el('li', chip));
  lists.push(why);
  const fam = familyChips(rec);
  if (fam.length) {
    const ul = el('ul', undefined, 'why families');
    ul.setAttribute('aria-label', 'Ranker score by family');
    for (const chip of fam) ul.append(el('li', chip));
    lists.push(ul);
  }
  const contrib = contributionChips(rec);
  if (contrib.length) {
    const ul = el('ul', undefined, 'why contrib');
    ul.setAttribute('aria-label', `Ranker contributions (base ${ranking.ranker_expected?.toFixed(3) ?? 'unknown'})`);
    for (const chip of contrib) ul.append(el('li', chip));
    lists.push(ul);
  }
  return lists;
}

// What a card's details show: the bio (from the detail shard, once loaded), hashtags, likes,
// expected engagements and story cost; `note` says why the bio is missing.
function fillDetails(box, inf, note) {
  const parts = [];
  if (inf.description) parts.push(el('p', inf.description, 'bio'));
  if (inf.hashtags.length) parts.push(el('p', inf.hashtags.map((t) => '#' + t).join(' '), 'tags'));
  parts.push(el('p', `${fmtInt.format(inf.followers)} followers · engagement ${(inf.engagement_rate * 100).toFixed(2)}% · mean likes ${fmtInt.format(Math.round(inf.mean_likes))} · expected engagements per post ${fmtInt.format(Math.round(expected(inf)))} · story ${inf.cost_per_story != null ? fmtMoney2.format(inf.cost_per_story) : 'cost unknown'}`, 'stats'));
  if (note) parts.push(el('p', note, 'note'));
  box.replaceChildren(...parts);
}

// ---- details: the bundle's detail shards (bio, post links, scraped place), fetched when a card
// needs one, checked by the engine against the manifest's checksum and the bundle's version,
// and cached by the service worker (so what was seen, and the campaign's influencers, work
// offline).

let manifestLoad = null;
function manifest() {
  manifestLoad ??= fetch('pkg/manifest.json', { cache: 'no-cache' }).then((r) => {
    if (!r.ok) throw new Error(`pkg/manifest.json: HTTP ${r.status}`);
    return r.json();
  }).catch((e) => { manifestLoad = null; throw e; });
  return manifestLoad;
}

const shardLoads = new Map();
function loadShard(k) {
  if (!shardLoads.has(k)) {
    shardLoads.set(k, (async () => {
      const m = await manifest();
      const ref = m.detail_shards?.[k];
      if (!ref) throw new Error(`the manifest lists no detail shard ${k}`);
      const r = await fetch(`pkg/${m.details_dir}/${ref.file}`);
      if (!r.ok) throw new Error(`${ref.file}: HTTP ${r.status}`);
      app.engine.addDetails(new Uint8Array(await r.arrayBuffer()), ref.checksum);
    })().catch((e) => { shardLoads.delete(k); throw e; }));
  }
  return shardLoads.get(k);
}

// The influencer's record with its details.
async function withDetails(name) {
  await loadShard(app.engine.detailShard(name));
  return app.engine.influencersByName([name])[0];
}

function moreLike(inf) {
  clearError();
  try {
    const got = app.engine.similar(inf.name, howMany(), { filter: filterFromForm() });
    app.similarOf = inf.name;
    $('results-summary').textContent = `More like ${inf.name} (${app.engine.hasModel() ? 'the model’s influencer vectors' : 'cohesion: category, location, hashtags'})`;
    $('more-like').hidden = false;
    $('results-empty').hidden = true;
    if (!got.length) $('results-summary').textContent += ': none passes the filters. Clear or widen them to see more.';
    renderCards(got.map((s) => ({ inf: s.influencer, similarity: s.similarity })));
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
  app.shown = [];
  drawShown();
  $('score-legend').hidden = true;
  $('results').replaceChildren();
}

function clearError() {
  $('results-summary').className = '';
}

// ---- interactions ----------------------------------------------------------------------

const brandRef = () => (app.current.known ? app.current.name : app.current.brand);
const brandName = () => (app.current.known ? app.current.name : app.current.brand.name);

// Records an interaction of the current brand: a row in IndexedDB (queued for sync), its
// points in the rating, a fold-in step of the model vector, then the list re-ranked.
async function interact(inf, kind) {
  if (!app.current) return;
  const points = app.points[kind];
  const row = await app.store.record({ brand: brandName(), influencer: inf.name, kind, points, bundle_version: app.version });
  performance.mark('rerank-start');
  app.engine.addLocalInteractions([row]);
  if (app.engine.hasModel() && points >= app.points.check_info) app.engine.foldIn(brandRef(), [inf.name], FOLD_IN_STEPS);
  if (app.similarOf == null) show();
  performance.measure('rerank', 'rerank-start');
  updateSyncStatus();
  app.syncer.sync();
}

// Puts the device's own rows (read while the engine loaded) into the engine: their points,
// and a fold-in of each brand's vector towards what it engaged with.
async function replayLocal(events) {
  const rows = events.filter((r) => r.kind in KINDS && (r.state === 'queued' || (r.state === 'synced' && r.bundle_version === app.version)));
  app.engine.addLocalInteractions(rows);
  if (!app.engine.hasModel()) return;
  const byBrand = new Map();
  for (const r of rows) {
    if (r.points < app.points.check_info) continue;
    if (!byBrand.has(r.brand)) byBrand.set(r.brand, new Set());
    byBrand.get(r.brand).add(r.influencer);
  }
  const known = new Set(app.engine.brandNames());
  for (const [brand, infs] of byBrand) {
    const ref = known.has(brand) ? brand : (await app.store.brandProfiles([brand]))[0];
    if (ref) app.engine.foldIn(ref, [...infs], FOLD_IN_STEPS);
  }
}

async function updateSyncStatus(extra = '') {
  const queued = (await app.store.byState('queued')).length;
  const rejected = (await app.store.byState('rejected')).length;
  $('sync-status').textContent = `${queued} interaction${queued === 1 ? '' : 's'} waiting to sync` +
    (rejected ? ` · ${rejected} refused by the collector` : '') + (extra ? ` · ${extra}` : '');
}

// ---- campaign --------------------------------------------------------------------------

const inCampaign = (name) => app.campaign.items.some((i) => i.influencer === name);

async function saveCampaign() {
  await app.store.setMeta('campaign', app.campaign);
  renderCampaign();
}

async function addToCampaign(infs) {
  for (const inf of infs) {
    if (inCampaign(inf.name)) continue;
    app.campaign.items.push({ influencer: inf.name });
    // Its details are fetched now, so the service worker holds them for offline planning.
    withDetails(inf.name).catch(() => {});
    await interact(inf, 'add_to_campaign');
  }
  await saveCampaign();
}

function campaignRows() {
  const names = app.campaign.items.map((i) => i.influencer);
  return app.engine.influencersByName(names);
}

function totals(infs) {
  const sum = (f) => infs.reduce((s, i) => s + (f(i) ?? 0), 0);
  return {
    reach: sum((i) => i.followers),
    engagements: sum(expected),
    posts: sum((i) => i.cost_per_post),
    stories: sum((i) => i.cost_per_story),
    unknownPost: infs.filter((i) => i.cost_per_post == null).length,
  };
}

// The campaign's reach by category or country, largest first (ties by name).
function composition(infs, by) {
  const groups = new Map();
  for (const i of infs) {
    const label = by === 'country' ? (countryName(i.country) || 'Unknown country') : (i.category ? catLabel(i.category) : 'Unknown category');
    const g = groups.get(label) ?? { label, count: 0, reach: 0 };
    g.count += 1;
    g.reach += i.followers;
    groups.set(label, g);
  }
  return [...groups.values()].sort((a, b) => b.reach - a.reach || a.label.localeCompare(b.label));
}

function drawCampaign(infs, t, budget) {
  $('campaign-charts').hidden = infs.length === 0;
  if (!infs.length) return;
  $('tile-count').textContent = fmtInt.format(infs.length);
  $('tile-reach').textContent = fmtCompact.format(t.reach);
  $('tile-engagements').textContent = fmtCompact.format(Math.round(t.engagements));
  drawBudget($('budget-chart'), t.posts, budget);
  const by = document.querySelector('input[name="comp-by"]:checked')?.value ?? 'category';
  drawComposition($('composition-chart'), composition(infs, by), by);
}

function renderCampaign() {
  const infs = campaignRows();
  const t = totals(infs);
  const budget = Number(app.campaign.budget) || 0;
  $('campaign-totals').textContent = infs.length
    ? `${infs.length} influencer${infs.length === 1 ? '' : 's'} · reach ${fmtInt.format(t.reach)} · expected engagements ${fmtInt.format(Math.round(t.engagements))} · one post each ${fmtMoney2.format(t.posts)} · one story each ${fmtMoney2.format(t.stories)} · budget left after posts ${fmtMoney2.format(budget - t.posts)}` +
      (t.unknownPost ? ` · ${t.unknownPost} without a known post cost` : '')
    : 'No influencers on the campaign yet. Add them with “Add to campaign” on a card, or let “Fill to budget” suggest the set with the most expected engagements.';
  drawCampaign(infs, t, budget);
  // The shortlist chart fills the campaign's picks.
  if (app.shown.length) drawShown();
  const body = $('campaign-table').tBodies[0];
  body.replaceChildren();
  for (const inf of infs) {
    const tr = el('tr');
    tr.append(el('th', inf.name), el('td', fmtInt.format(inf.followers)), el('td', fmtInt.format(Math.round(expected(inf)))),
      el('td', inf.cost_per_post != null ? fmtMoney2.format(inf.cost_per_post) : '?'),
      el('td', inf.cost_per_story != null ? fmtMoney2.format(inf.cost_per_story) : '?'));
    tr.firstChild.scope = 'row';
    const td = el('td');
    const rm = button('Remove', 'secondary', async () => {
      app.campaign.items = app.campaign.items.filter((i) => i.influencer !== inf.name);
      await saveCampaign();
    });
    rm.setAttribute('aria-label', `Remove ${inf.name} from the campaign`);
    td.append(rm);
    tr.append(td);
    body.append(tr);
  }
}

// Suggests who to add so the campaign's post costs fill the budget with the most expected
// engagements (an exact knapsack in wasm; never over budget), from the brand's top 100.
function fillToBudget() {
  if (!app.current) { $('campaign-totals').textContent = 'Rank influencers for a brand first.'; return; }
  const budget = Number($('campaign-budget').value);
  const spent = totals(campaignRows()).posts;
  const left = budget - spent;
  const box = $('suggestion');
  box.hidden = false;
  if (!(left > 0)) {
    app.suggestion = null;
    $('suggestion-summary').textContent = `Nothing left to fill: the posts already cost ${fmtMoney2.format(spent)} of ${fmtMoney2.format(budget || 0)}.`;
    $('suggestion-list').replaceChildren();
    $('accept-suggestion').hidden = true;
    return;
  }
  const pool = rankCurrent(100).recommendations.map((r) => r.name).filter((n) => !inCampaign(n));
  const plan = app.engine.fillToBudget(pool, left);
  app.suggestion = plan;
  if (!plan.chosen.length) {
    $('suggestion-summary').textContent = `No one in this brand’s top ${pool.length} (with the filters) has a known post cost within the remaining ${fmtMoney2.format(left)}. Raise the budget, loosen the filters, or add influencers by hand.`;
    $('suggestion-list').replaceChildren();
    $('accept-suggestion').hidden = true;
    return;
  }
  $('suggestion-summary').textContent = `Suggestion for the remaining ${fmtMoney2.format(left)}: ${plan.chosen.length} influencers, ${fmtMoney2.format(plan.cost)}, expected engagements ${fmtInt.format(Math.round(plan.expected_engagements))}${plan.optimal ? '' : ' (the best found; the exact search stopped at its limit)'}.`;
  const ul = $('suggestion-list');
  ul.replaceChildren(...plan.chosen.map((inf) => el('li', `${inf.name} · ${fmtMoney2.format(inf.cost_per_post)} · ${fmtInt.format(Math.round(expected(inf)))} expected engagements`)));
  $('accept-suggestion').hidden = plan.chosen.length === 0;
}

// A CSV cell: quoted, and a leading = + - @ (spreadsheet formula) defused with a quote.
function csvCell(v) {
  let s = v == null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return '"' + s.replace(/"/g, '""') + '"';
}

function exportCsv() {
  const infs = campaignRows();
  const header = ['campaign', 'influencer', 'country', 'category', 'followers', 'engagement_rate', 'expected_engagements', 'cost_per_post', 'cost_per_story'];
  const lines = [header.join(',')];
  for (const i of infs) {
    lines.push([app.campaign.name, i.name, i.country, i.category, i.followers, i.engagement_rate, Math.round(expected(i)), i.cost_per_post, i.cost_per_story].map(csvCell).join(','));
  }
  const blob = new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  const a = el('a');
  a.href = URL.createObjectURL(blob);
  a.download = `${app.campaign.name.replace(/[^\w.-]+/g, '_') || 'campaign'}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ---- start -----------------------------------------------------------------------------

function newBrandFromForm() {
  const f = new FormData($('new-form'));
  return {
    name: String(f.get('name') ?? ''),
    category: String(f.get('category') ?? ''),
    country: String(f.get('country') ?? ''),
    hashtags: String(f.get('hashtags') ?? ''),
    description: String(f.get('description') ?? ''),
  };
}

async function loadEngine() {
  // boot.js started both downloads, the module's compilation and the engine while this
  // module's imports loaded (index.html preloads the downloads, so they start while the page
  // parses); the service worker answers from its cache when the network is gone.
  app.engine = await engineLoad;
  const info = app.engine.info();
  app.version = info.version;
  app.points = info.points;
}

async function main() {
  // IndexedDB is read while the wasm module and the bundle load; the first ranking does not
  // wait for it (on a first visit it is slower to open than the engine is to load): the
  // page ranks as soon as the engine is ready and ranks again once local interactions or a
  // saved campaign change the picture. Interactions are handled only once it is open.
  const local = Store.open().then(async (store) => ({ store, events: await store.events(), campaign: await store.getMeta('campaign') }));
  local.then(() => performance.mark('local-ready'), () => {});
  await loadEngine();
  const engine = app.engine;
  // Only what the first ranking reads comes before it (the category labels, the first
  // brand's name); the controls' options are filled right after it.
  const cats = categories();
  for (const c of cats) app.labels.set(c.slug, c.label);
  const names = engine.brandNames();

  // Charts are drawn to the width they have: once it is known, and again when it changes.
  new ResizeObserver((entries) => {
    const w = Math.floor(entries[entries.length - 1].contentRect.width);
    if (w !== app.chartWidth) {
      app.chartWidth = w;
      drawShown();
    }
  }).observe($('shortlist-chart').parentElement);

  // Start with the brand in the address, else the first known brand, so the page shows a
  // ranking at once.
  const first = new URLSearchParams(location.search).get('brand') ?? names[0];
  if (first) {
    $('brand-input').value = first;
    app.current = { known: true, name: first };
    show();
    performance.mark('first-ranking');
  }
  for (const c of cats) {
    const o = el('option', c.label);
    o.value = c.slug;
    $('new-category').append(o);
  }
  const countries = engine.countries().map((c) => [countryName(c), c]).sort((a, b) => a[0].localeCompare(b[0]));
  for (const [name, c] of countries) $('f-country').append(Object.assign(el('option', name), { value: c }));
  const info = engine.info();
  $('bundle-info').textContent =
    `Model bundle v${info.format_version} by ${info.writer} (version ${app.version}): ${fmtInt.format(info.influencers)} influencers, ${info.brands} brands, ${fmtInt.format(info.interactions)} interactions.`;
  for (const o of $('rank-by').options) {
    if ((o.value === 'model' && !engine.hasModel()) || (o.value === 'ranker' && !engine.hasRanker())) o.disabled = true;
  }
  for (const n of names) $('brand-list').append(Object.assign(el('option'), { value: n }));

  const { store, events, campaign } = await local;
  app.store = store;
  // The campaign's influencers' details are fetched (and so cached) as soon as the page can.
  for (const item of campaign?.items ?? []) {
    try { loadShard(engine.detailShard(item.influencer)).catch(() => {}); } catch { /* not in this bundle */ }
  }
  await replayLocal(events);
  app.campaign = { ...app.campaign, ...(campaign ?? {}) };
  $('campaign-name').value = app.campaign.name;
  $('campaign-budget').value = app.campaign.budget;
  if (first && (events.length || campaign?.items?.length)) show();
  renderCampaign();
  $('status').textContent = 'Ready. Everything is ranked in your browser.';

  $('known-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    app.current = { known: true, name: $('brand-input').value };
    $('pairing').textContent = '';
    show();
  });
  $('new-description').addEventListener('input', () => {
    const inf = inferCategory($('new-description').value);
    $('inferred').textContent = inf ? `Inferred category: ${inf.label}` : '';
  });
  $('new-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const nb = newBrandFromForm();
    app.current = { known: false, brand: nb };
    show();
    try {
      await store.saveBrand(nb);
      // The design's randomly paired row: this new brand with one influencer chosen at random.
      const row = engine.pairNewBrand(nb);
      if (row) {
        await store.record({ brand: nb.name, influencer: row.influencer, kind: 'pairing', points: 0, bundle_version: app.version });
        $('pairing').textContent = `New data row: ${row.brand} × ${row.influencer} (cohesion ${row.cohesion.toFixed(2)})`;
        updateSyncStatus();
        app.syncer.sync();
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
  for (const r of document.querySelectorAll('input[name="comp-by"]')) r.addEventListener('change', renderCampaign);

  $('rank-by').addEventListener('change', show);
  $('sort-by').addEventListener('change', () => { if (app.ranking && app.similarOf == null) render(app.ranking); });
  $('back-to-ranking').addEventListener('click', show);
  $('fill-budget').addEventListener('click', () => { try { fillToBudget(); } catch (e) { showError(e); } });
  $('accept-suggestion').addEventListener('click', async () => {
    if (app.suggestion) await addToCampaign(app.suggestion.chosen);
    $('suggestion').hidden = true;
  });
  $('export-csv').addEventListener('click', exportCsv);
  $('campaign-form').addEventListener('change', async () => {
    app.campaign.name = $('campaign-name').value || 'My campaign';
    app.campaign.budget = Number($('campaign-budget').value) || 0;
    await saveCampaign();
  });

  // Sync: now, whenever the connection returns, and when the page is hidden (a keepalive
  // request survives the tab closing).
  const endpoint = new URL(document.querySelector('meta[name="influence-rec:collector"]')?.content ?? 'api/interactions', location.href).href;
  app.syncer = new Syncer({
    store,
    endpoint,
    siteKey: document.querySelector('meta[name="influence-rec:site-key"]')?.content ?? '',
    onChange: (s) => updateSyncStatus(s.state === 'retrying' ? `not synced (${s.reason}), retrying in ${Math.round(s.delay_ms / 1000)} s` : ''),
  });
  addEventListener('online', () => app.syncer.sync({ fresh: true }));
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') app.syncer.sync({ keepalive: true }); });
  updateSyncStatus();
  app.syncer.sync();
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('sw.js').catch(() => { /* offline support is a bonus */ });
}

main().catch((e) => {
  $('status').textContent = `Could not start: ${e?.message ?? e}. Check the connection and reload the page; after one visit the page also works offline.`;
  $('status').className = 'error';
});
