// Numbers as people read them, in the user's language (the browser's locale list): compact
// counts (16.2K, 1.2M), rates with one decimal (4.7%), money (costs are in US dollars, as
// scraped). Shared by the page and its charts.
const locales = (() => {
  const l = globalThis.navigator?.languages;
  try {
    if (l?.length) {
      new Intl.NumberFormat([...l]);
      return [...l];
    }
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
export const followersText = (n, fmt = fmtCompact) => (known(n) ? `${fmt.format(n)} followers` : 'followers unknown');
export const rateText = (r) => (known(r) ? `${fmtPercent.format(r)} engagement` : 'engagement unknown');
// Why a rate is unknown, said once on the card.
export const UNKNOWN_RATE = 'engagement unknown: the scrape has no likes';
