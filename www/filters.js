// The options form read: the filter the engine applies (countries, follower and engagement
// bounds, a cost cap, unknowns kept or not, creators only, worked with or not), and the shown
// list's sort order.
import { $ } from './dom.js';
import { planCost } from './format.js';

// The filter as the engine takes it (`Filter` in the crate); an empty field is no bound.
export function filterFromForm(form = $('options-form')) {
  const f = new FormData(form);
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

// The shown list re-sorted; unknown values go last, in rank order.
export function sorted(recs, by = $('sort-by').value) {
  const last = (v) => v ?? Infinity;
  const key = {
    followers: (r) => last(r.influencer.followers == null ? null : -r.influencer.followers),
    engagement: (r) => last(r.influencer.engagement_rate == null ? null : -r.influencer.engagement_rate),
    // Listed costs and typical estimates sort together (the card marks an estimate).
    cost: (r) => last(planCost(r.influencer.cost_per_post, r.influencer.price_estimate)),
  }[by];
  if (!key) return recs;
  return [...recs].sort((a, b) => (key(a) === key(b) ? 0 : key(a) < key(b) ? -1 : 1) || a.rank - b.rank);
}
