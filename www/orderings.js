// The orderings explained: the one the bundle starts from, in one sentence from the
// evaluation figures train stored with it, and why an ordering the bundle lacks is greyed out.
import { fmtInt } from './format.js';
import { t } from './i18n.js';

// One sentence: the bundle's default ordering and the held-out evidence train chose it on.
function orderingSentence(o) {
  const ndcg = (by) => (o.figures.find((f) => f.by === by)?.ndcg_at_25 ?? 0).toFixed(2);
  const n = o.targets;
  if (o.basis === 'too_little_evidence') return t('ordering.too_little', { n, v: fmtInt.format(n), needed: o.needed });
  if (o.basis !== 'measured') return t('ordering.none');
  if (o.by === 'model' || o.by === 'ranker') return t(`ordering.chosen.${o.by}`, { n, v: fmtInt.format(n), ndcg: ndcg(o.by), rating: ndcg('rating') });
  const best = Math.max(...o.figures.filter((f) => f.by !== 'rating').map((f) => f.ndcg_at_25));
  return t('ordering.rating', { n, v: fmtInt.format(n), rating: ndcg('rating'), best: best.toFixed(2) });
}

// Greys out the orderings the bundle lacks (select: the Rank by <select>) and writes the
// sentence and the reasons into `why`.
export function explainOrderings(engine, select, why) {
  const missing = {
    model: !engine.hasModel() && t('ordering.no_model'),
    ranker: !engine.hasRanker() && t('ordering.no_ranker'),
  };
  const unavailable = [];
  for (const o of select.options) {
    const reason = missing[o.value];
    if (!reason) continue;
    o.disabled = true;
    o.textContent += ` ${t('ordering.unavailable')}`;
    unavailable.push(reason);
  }
  why.textContent = [orderingSentence(engine.ordering()), ...unavailable.map((w) => t('ordering.unavailable_why', { v: w }))].join(' ');
}
