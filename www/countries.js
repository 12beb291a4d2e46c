// Country display, shared by the page and the widget. Countries are ISO 3166 codes when the
// place resolved (else the scraped text): shown as the country's name in the user's language,
// from the browser's own tables (no name tables of ours).
import { locales } from './i18n.js';

const regionNames = (() => {
  try { return new Intl.DisplayNames(locales, { type: 'region' }); } catch { return null; }
})();

export function countryName(c) {
  if (!c) return '';
  if (/^[A-Z]{2}$/.test(c)) {
    try { return regionNames?.of(c) ?? c; } catch { return c; }
  }
  return c;
}
