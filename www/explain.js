// Why an influencer is recommended, in words a marketer reads: two or three reasons built from
// the cohesion breakdown (same category, same country, shared hashtags), the ranker's
// contributions summed into families (track record with brands like this one), the brand's own
// interactions and the influencer's engagement against others of their size. Pure functions
// of a recommendation (no DOM): the page renders what they return as text.
import { fmtPercent, known, UNKNOWN_RATE } from './format.js';

// Plain words for the ranker's features (names as in the bundle's model file).
export const FEATURE_LABELS = {
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

// The ranker's feature families (`ranker::Family` in the crate).
export const FAMILY_LABELS = {
  fit: 'fit with your brand',
  audience: 'their audience',
  price: 'price',
  track_record: 'track record with brands like yours',
  your_brand: 'your brand’s profile',
};

// How far above the median engagement of their size an influencer must be to say so.
export const ABOVE_PEERS = 1.2;
// The shared hashtags a reason names; the rest are counted.
const TAGS_NAMED = 3;

// The parts of a card's score (the rating: cohesion + interaction points), in bar order.
export const SCORE_PARTS = [
  { key: 'category', label: 'same category', points: (r) => r.cohesion.category_points },
  { key: 'location', label: 'same country', points: (r) => r.cohesion.location_points },
  { key: 'hashtags', label: 'shared hashtags', points: (r) => r.cohesion.hashtag_points },
  { key: 'engagement', label: 'engagement', points: (r) => r.cohesion.engagement_points },
  { key: 'interactions', label: 'your interactions', points: (r) => r.interaction_points },
];

// The parts of `rec.score` with their points (only the positive ones: every part is ≥ 0 by the
// rating's definition, a hostile value is left out rather than drawn backwards).
export function scoreParts(rec) {
  return SCORE_PARTS.map((p) => ({ key: p.key, label: p.label, points: Number(p.points(rec)) || 0 }))
    .filter((p) => p.points > 0 && Number.isFinite(p.points));
}

// Does the ranker say brands like this one engaged with the influencer? Its track-record family
// must add to the score and be the largest or second-largest addition among the families that
// differ between influencers (the brand's own profile is the same for all of a list).
function trackRecordCounts(rec) {
  const adding = (rec.families ?? []).filter((f) => f.family !== 'your_brand' && f.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution);
  const i = adding.findIndex((f) => f.family === 'track_record');
  return i >= 0 && i < 2;
}

// Up to `max` reasons, most telling first: [{kind, text}]. `ctx`: {categoryLabel(slug),
// countryName(code), rankedBy}. There is always at least one.
export function reasons(rec, ctx, max = 3) {
  const c = rec.cohesion;
  const inf = rec.influencer;
  const out = [];
  if (c.category) out.push({ kind: 'category', text: `Same category: ${ctx.categoryLabel(c.category)}` });
  if (c.location) out.push({ kind: 'location', text: `Same country: ${ctx.countryName(c.location) || c.location}` });
  const tags = c.shared_hashtags ?? [];
  if (tags.length) {
    const named = tags.slice(0, TAGS_NAMED).map((t) => '#' + t).join(' ');
    const more = tags.length > TAGS_NAMED ? ` and ${tags.length - TAGS_NAMED} more` : '';
    out.push({ kind: 'hashtags', text: `${tags.length} shared hashtag${tags.length === 1 ? '' : 's'}: ${named}${more}` });
  }
  if (trackRecordCounts(rec)) out.push({ kind: 'track_record', text: 'Brands like yours worked with them' });
  else if (ctx.rankedBy === 'model' && !(rec.families ?? []).length) {
    out.push({ kind: 'track_record', text: 'The model matches them to brands like yours' });
  }
  const peer = rec.peer_engagement;
  if (peer > 0 && known(inf.engagement_rate) && inf.engagement_rate >= ABOVE_PEERS * peer) {
    out.push({ kind: 'engagement', text: `Above-average engagement for their size: ${fmtPercent.format(inf.engagement_rate)} (usual ${fmtPercent.format(peer)})` });
  }
  if (rec.interaction_points > 0) out.push({ kind: 'interactions', text: 'You engaged with them before' });
  if (!out.length) {
    // Nothing of the brand's matched: say what the order rests on.
    const best = (rec.families ?? []).find((f) => f.family !== 'your_brand' && f.contribution > 0);
    out.push(best
      ? { kind: 'family', text: `Strong on ${FAMILY_LABELS[best.family] ?? best.family}` }
      : { kind: 'engagement', text: known(inf.engagement_rate) ? `Engagement ${fmtPercent.format(inf.engagement_rate)}` : UNKNOWN_RATE[0].toUpperCase() + UNKNOWN_RATE.slice(1) });
  }
  return out.slice(0, max);
}

// The score's make-up in one sentence (the bar's text alternative).
export function scoreSentence(rec, fmt = (x) => x.toFixed(2)) {
  const parts = scoreParts(rec).map((p) => `${p.label} ${fmt(p.points)}`);
  return `Score ${fmt(rec.score)}${parts.length ? ': ' + parts.join(', ') : ''}`;
}
