// The orderings explained: the one the bundle starts from, in one sentence from the
// evaluation figures train stored with it, and why an ordering the bundle lacks is greyed out.
import { fmtInt } from './format.js';

// One sentence: the bundle's default ordering and the held-out evidence train chose it on.
const ORDERING_NAMES = { rating: 'the rating', model: 'the learned model', ranker: 'the learned ranker' };
function orderingSentence(o) {
  const ndcg = (by) => o.figures.find((f) => f.by === by)?.ndcg_at_25 ?? 0;
  const brands = (n) => `${fmtInt.format(n)} ${n === 1 ? 'brand' : 'brands'}`;
  if (o.basis === 'too_little_evidence') {
    return `Starts from the rating: ${brands(o.targets)} have mentions or interactions to test the learned orderings on, and ${o.needed} are needed to tell which is better.`;
  }
  if (o.basis !== 'measured') return 'Starts from the rating: this bundle has no learned ordering to compare it with.';
  if (o.by !== 'rating') {
    return `Starts from ${ORDERING_NAMES[o.by]}: with the mentions and interactions of ${brands(o.targets)} hidden, it found them better than the rating (NDCG@25 ${ndcg(o.by).toFixed(2)} against ${ndcg('rating').toFixed(2)}).`;
  }
  const best = Math.max(...o.figures.filter((f) => f.by !== 'rating').map((f) => f.ndcg_at_25));
  return `Starts from the rating: with the mentions and interactions of ${brands(o.targets)} hidden, no learned ordering found them clearly better (NDCG@25 ${ndcg('rating').toFixed(2)}, best learned ${best.toFixed(2)}).`;
}

// Greys out the orderings the bundle lacks (select: the Rank by <select>) and writes the
// sentence and the reasons into `why`.
export function explainOrderings(engine, select, why) {
  const missing = {
    model: !engine.hasModel() && 'this bundle has no learned model (trained with --no-model, or nothing to learn from)',
    ranker: !engine.hasRanker() && 'the learned ranker needs interactions or mentions from 10 brands',
  };
  const unavailable = [];
  for (const o of select.options) {
    const reason = missing[o.value];
    if (!reason) continue;
    o.disabled = true;
    o.textContent += ' (unavailable)';
    unavailable.push(reason);
  }
  why.textContent = [orderingSentence(engine.ordering()), ...unavailable.map((w) => `Unavailable: ${w}.`)].join(' ');
}
