// Numbers as people read them, in the page's language (i18n.js): compact counts (16.2K,
// 1.2M), rates with one decimal (4.7%), money (costs are in US dollars, as scraped). Shared by
// the page, its charts and the widget.
import { t, locales as wanted } from './i18n.js';

const locales = (() => {
  try {
    new Intl.NumberFormat(wanted);
    return wanted;
  } catch { /* a locale the browser cannot format: fall back to its default */ }
  return undefined;
})();

const nf = (opts) => new Intl.NumberFormat(locales, opts);
export const fmtInt = nf();
export const fmtCompact = nf({ notation: 'compact', maximumFractionDigits: 1 });
export const fmtPercent = nf({ style: 'percent', maximumFractionDigits: 1 });
export const fmtMoney = nf({ style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
export const fmtMoney2 = nf({ style: 'currency', currency: 'USD' });
// Compact money for chart labels ($1.2K).
export const fmtMoneyCompact = nf({ style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });

// A scrape can lack followers or likes: an unknown number is said to be unknown, never shown
// as 0 (the bundle carries it as null).
export const known = (v) => v != null && Number.isFinite(v);
export const followersText = (n, fmt = fmtCompact) => (known(n) ? t('fmt.followers', { n, v: fmt.format(n) }) : t('fmt.followers_unknown'));
export const rateText = (r) => (known(r) ? t('fmt.engagement', { v: fmtPercent.format(r) }) : t('fmt.engagement_unknown'));
// Why a rate is unknown, said once on the card.
export const unknownRate = () => t('fmt.unknown_rate');

// Prices: a listed cost is stated plainly; where the scrape lists none, the engine's
// estimate (`{low, typical, high, basis}`, from the bundle's price models or the rate card)
// is said to be one. `planCost` is what a plan counts: the listed cost, else the typical
// estimate, else null (nothing to estimate from: no followers).
export const planCost = (listed, estimate) => (known(listed) ? listed : known(estimate?.typical) ? estimate.typical : null);
export const isEstimate = (listed, estimate) => !known(listed) && known(estimate?.typical);
// "$98/post", "about $120/post (estimate)", or null.
// `unit`: 'post' for "$98/post", else none.
export function priceText(listed, estimate, { fmt = fmtMoney, unit = '' } = {}) {
  const v = (x) => (unit ? t(`fmt.per_${unit}`, { v: fmt.format(x) }) : fmt.format(x));
  if (known(listed)) return v(listed);
  if (known(estimate?.typical)) return t('fmt.about_estimate', { v: v(estimate.typical) });
  return null;
}
// An estimate's range and what it rests on: "$100–$500, from a public rate card by follower tier".
const BASES = ['listed', 'quantile_model', 'rate_card'];
export const priceRange = (e) => t('fmt.price_range', {
  low: fmtMoney.format(e.low), high: fmtMoney.format(e.high), basis: t(BASES.includes(e.basis) ? `fmt.basis.${e.basis}` : 'fmt.basis.other'),
});

// "Worked with", as the page's and the widget's cards say it: each handle an account's posts
// named (a known brand's name before its handle), "paid" where a paid post credited it.
export const workedWithText = (w) => (w.brand ? `${w.brand} (@${w.handle})` : `@${w.handle}`) + (w.sponsored_posts > 0 ? ` · ${t('card.paid')}` : '');

// Recency (from the scrape's post times): the newest post's day as the reader writes dates
// ("20 Nov 2026"), posts a week to one decimal. Dates are calendar days, so UTC throughout.
const fmtDay = new Intl.DateTimeFormat(locales, { dateStyle: 'medium', timeZone: 'UTC' });
export const dayText = (iso) => (/^\d{4}-\d{2}-\d{2}$/.test(iso ?? '') ? fmtDay.format(new Date(`${iso}T00:00:00Z`)) : null);
export const fmtRate1 = nf({ maximumFractionDigits: 1 });
