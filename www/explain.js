// Why an influencer is recommended, in words a marketer reads: two or three reasons built from
// the cohesion breakdown (same category, same country, shared hashtags), the ranker's
// contributions summed into families (track record with brands like this one), the brand's own
// interactions and the influencer's engagement against others of their size. Pure functions
// of a recommendation (no DOM): the page renders what they return as text.
import { fmtPercent, known, unknownRate } from './format.js';
import { t } from './i18n.js';

// Plain words for the ranker's features (names as in the bundle's model file; catalogue keys
// feature.<name>); a feature the catalogue does not name is shown by its name.
const FEATURES = ['cohesion', 'category_match', 'location_match', 'shared_hashtags', 'engagement_rate', 'followers', 'mean_likes',
  'cost_per_post', 'influencer_hashtags', 'brand_followers', 'brand_hashtags', 'factor_score', 'influencer_brands_pct',
  'influencer_points_pct', 'brand_activity_pct', 'brands_named', 'category_brands_named', 'handles_named', 'sponsored_posts'];
export const featureLabel = (f) => (FEATURES.includes(f) ? t(`feature.${f}`) : f);

// The ranker's feature families (`ranker::Family` in the crate).
const FAMILIES = ['fit', 'audience', 'price', 'track_record', 'your_brand'];
export const familyLabel = (f) => (FAMILIES.includes(f) ? t(`family.${f}`) : f);

// How far above the median engagement of their size an influencer must be to say so.
export const ABOVE_PEERS = 1.2;
// The shared hashtags a reason names; the rest are counted.
const TAGS_NAMED = 3;

// The parts of a card's score (the rating: cohesion + interaction points), in bar order.
export const SCORE_PARTS = [
  { key: 'category', points: (r) => r.cohesion.category_points },
  { key: 'location', points: (r) => r.cohesion.location_points },
  { key: 'hashtags', points: (r) => r.cohesion.hashtag_points },
  { key: 'engagement', points: (r) => r.cohesion.engagement_points },
  { key: 'interactions', points: (r) => r.interaction_points },
];

// The parts of `rec.score` with their points (only the positive ones: every part is ≥ 0 by the
// rating's definition, a hostile value is left out rather than drawn backwards).
export function scoreParts(rec) {
  return SCORE_PARTS.map((p) => ({ key: p.key, label: t(`part.${p.key}`), points: Number(p.points(rec)) || 0 }))
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
  if (c.category) out.push({ kind: 'category', text: t('reason.category', { v: ctx.categoryLabel(c.category) }) });
  if (c.location) out.push({ kind: 'location', text: t('reason.location', { v: ctx.countryName(c.location) || c.location }) });
  const tags = c.shared_hashtags ?? [];
  if (tags.length) {
    const named = tags.slice(0, TAGS_NAMED).map((x) => '#' + x).join(' ');
    const more = tags.length > TAGS_NAMED ? t('reason.hashtags_more', { n: tags.length - TAGS_NAMED }) : '';
    out.push({ kind: 'hashtags', text: t('reason.hashtags', { n: tags.length, tags: named, more }) });
  }
  if (trackRecordCounts(rec)) out.push({ kind: 'track_record', text: t('reason.track_record') });
  else if (ctx.rankedBy === 'model' && !(rec.families ?? []).length) {
    out.push({ kind: 'track_record', text: t('reason.model_match') });
  }
  const peer = rec.peer_engagement;
  if (peer > 0 && known(inf.engagement_rate) && inf.engagement_rate >= ABOVE_PEERS * peer) {
    out.push({ kind: 'engagement', text: t('reason.above_peers', { v: fmtPercent.format(inf.engagement_rate), usual: fmtPercent.format(peer) }) });
  }
  if (rec.interaction_points > 0) out.push({ kind: 'interactions', text: t('reason.interactions') });
  if (!out.length) {
    // Nothing of the brand's matched: say what the order rests on.
    const best = (rec.families ?? []).find((f) => f.family !== 'your_brand' && f.contribution > 0);
    const unknown = unknownRate();
    out.push(best
      ? { kind: 'family', text: t('reason.strong_on', { v: familyLabel(best.family) }) }
      : { kind: 'engagement', text: known(inf.engagement_rate) ? t('reason.engagement', { v: fmtPercent.format(inf.engagement_rate) }) : unknown[0].toUpperCase() + unknown.slice(1) });
  }
  return out.slice(0, max);
}

// The score's make-up in one sentence (the bar's text alternative).
export function scoreSentence(rec, fmt = (x) => x.toFixed(2)) {
  const parts = scoreParts(rec).map((p) => `${p.label} ${fmt(p.points)}`);
  return parts.length ? t('score.sentence', { v: fmt(rec.score), parts: parts.join(', ') }) : t('score.only', { v: fmt(rec.score) });
}
