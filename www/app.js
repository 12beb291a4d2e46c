// influence-rec page: loads the wasm module and the model bundle, ranks on the device.
// Every scraped string is untrusted: it reaches the DOM only through textContent.
import init, { Engine, categories, inferCategory } from './pkg/influence_rec.js';

const $ = (id) => document.getElementById(id);
const fmtInt = new Intl.NumberFormat('en-US');
const fmtMoney = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
let engine = null;
let labels = new Map();

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

// Plain words for the ranker's features (names as in the bundle's model file).
const FEATURE_LABELS = {
  cohesion: 'cohesion rating',
  category_match: 'same category',
  location_match: 'same location',
  shared_hashtags: 'shared hashtags',
  engagement_rate: 'engagement rate',
  followers: 'followers',
  mean_likes: 'mean likes',
  cost_per_post: 'cost per post',
  influencer_hashtags: 'hashtags used',
  brand_followers: 'your followers',
  brand_hashtags: 'your hashtags',
  factor_score: 'model score',
  influencer_brands_pct: 'brands engaged (percentile)',
  influencer_points_pct: 'interaction points (percentile)',
  brand_activity_pct: 'your activity (percentile)',
};

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
  if (c.category) chips.push(`category ${labels.get(c.category) ?? c.category} +${c.category_points}`);
  if (c.location) chips.push(`location ${c.location} +${c.location_points}`);
  if (c.shared_hashtags.length) chips.push(`hashtags ${c.shared_hashtags.map((t) => '#' + t).join(' ')} +${c.hashtag_points}`);
  chips.push(`engagement ${(c.engagement_rate * 100).toFixed(2)}% +${c.engagement_points.toFixed(3)}`);
  if (rec.interaction_points) chips.push(`your interactions +${rec.interaction_points}`);
  if (rec.model_score != null) chips.push(`model score ${rec.model_score.toFixed(2)}`);
  if (rec.ranker_score != null) chips.push(`ranker score ${rec.ranker_score.toFixed(3)}`);
  return chips;
}

function render(ranking) {
  const list = $('results');
  list.replaceChildren();
  const b = ranking.brand;
  const cat = b.category ? (labels.get(b.category) ?? b.category) : 'unknown category';
  $('results-summary').textContent =
    `${ranking.known ? 'Known' : 'New'} brand “${b.name}” · ${cat} · ${b.country || 'any country'}` +
    (b.hashtags.length ? ` · ${b.hashtags.map((t) => '#' + t).join(' ')}` : '') +
    ` · ranked by ${{ model: 'the learned model', ranker: 'the learned ranker' }[ranking.ranked_by] ?? 'rating'}`;
  for (const rec of ranking.recommendations) {
    const inf = rec.influencer;
    const li = el('li', undefined, 'card');
    li.dataset.influencer = inf.name;
    li.append(el('span', rec.score.toFixed(2), 'score'));
    li.append(el('h3', `${rec.rank}. ${inf.name}`));
    const cost = inf.cost_per_post != null ? ` · ${fmtMoney.format(inf.cost_per_post)}/post` : '';
    li.append(el('p', `${fmtInt.format(inf.followers)} followers · ${(inf.engagement_rate * 100).toFixed(2)}% engagement · ${inf.country || '?'} · ${labels.get(inf.category) ?? (inf.category || '?')}${cost}`, 'stats'));
    if (inf.description) li.append(el('p', inf.description, 'bio'));
    const why = el('ul', undefined, 'why');
    why.setAttribute('aria-label', 'Why this influencer');
    for (const chip of whyChips(rec)) why.append(el('li', chip));
    li.append(why);
    const contrib = contributionChips(rec);
    if (contrib.length) {
      const ul = el('ul', undefined, 'why contrib');
      ul.setAttribute('aria-label', `Ranker contributions (base ${ranking.ranker_expected?.toFixed(3)})`);
      for (const chip of contrib) ul.append(el('li', chip));
      li.append(ul);
    }
    list.append(li);
  }
}

function showError(err) {
  const p = $('results-summary');
  p.textContent = String(err?.message ?? err);
  p.className = 'error';
}

function clearError() {
  $('results-summary').className = '';
}

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

async function main() {
  await init();
  for (const c of categories()) {
    labels.set(c.slug, c.label);
    const o = el('option', c.label);
    o.value = c.slug;
    $('new-category').append(o);
  }
  const resp = await fetch('./pkg/model.bundle');
  if (!resp.ok) throw new Error(`model bundle: HTTP ${resp.status}`);
  engine = new Engine(new Uint8Array(await resp.arrayBuffer()));
  const info = engine.info();
  $('bundle-info').textContent =
    `Model bundle v${info.format_version} by ${info.writer}: ${fmtInt.format(info.influencers)} influencers, ${info.brands} brands, ${fmtInt.format(info.interactions)} interactions.`;
  // Offer only the orderings this bundle can do.
  for (const o of $('rank-by').options) {
    if ((o.value === 'model' && !engine.hasModel()) || (o.value === 'ranker' && !engine.hasRanker())) o.disabled = true;
  }
  const names = engine.brandNames();
  for (const n of names) $('brand-list').append(Object.assign(el('option'), { value: n }));
  $('status').textContent = 'Ready. Everything is ranked in your browser.';

  $('known-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearError();
    try {
      const k = Number($('known-k').value) || 10;
      render(engine.rankKnown($('brand-input').value, k, $('rank-by').value));
      $('pairing').textContent = '';
    } catch (e) { showError(e); }
  });
  $('new-description').addEventListener('input', () => {
    const inf = inferCategory($('new-description').value);
    $('inferred').textContent = inf ? `Inferred category: ${inf.label}` : '';
  });
  $('new-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearError();
    try {
      const nb = newBrandFromForm();
      render(engine.rankNew(nb, 10, $('rank-by').value));
      const row = engine.pairNewBrand(nb);
      $('pairing').textContent = row
        ? `New data row: ${row.brand} × ${row.influencer} (cohesion ${row.cohesion.toFixed(2)})`
        : '';
    } catch (e) { showError(e); }
  });

  // Start with the first known brand so the page shows a ranking at once.
  const first = new URLSearchParams(location.search).get('brand') ?? names[0];
  if (first) {
    $('brand-input').value = first;
    try { render(engine.rankKnown(first, 10, $('rank-by').value)); } catch (e) { showError(e); }
  }
}

main().catch((e) => {
  $('status').textContent = `Could not start: ${e?.message ?? e}`;
  $('status').className = 'error';
});
