// The page's and the widget's words, in the user's language: one message catalogue per
// language (www/i18n/<lang>.js, the lexicon's six languages), chosen once per load from the
// language picked on this device, else the browser's `navigator.languages`. Messages take
// named values ("{n} brands"); a message whose words depend on a number is a set of plural
// forms chosen by `Intl.PluralRules` (one, few, many, other). A key a catalogue lacks falls back
// to English and is counted in `missing` (the e2e suite fails on any). The CLI stays English.
import en from './i18n/en.js';

// The languages, each named in itself (the picker shows these).
export const LANGS = { en: 'English', es: 'Español', pt: 'Português', fr: 'Français', it: 'Italiano', de: 'Deutsch' };
const SAVED = 'influence-rec:lang';

// The first of `prefs` (BCP 47 tags) whose language we have, else English.
export function chooseLang(prefs) {
  for (const p of prefs ?? []) {
    const l = String(p ?? '').toLowerCase().split(/[-_]/)[0];
    if (Object.hasOwn(LANGS, l)) return l;
  }
  return 'en';
}

function saved() {
  try { return globalThis.localStorage?.getItem(SAVED) ?? null; } catch { return null; }
}

// The language picked on this device (the page's picker), remembered for the next visit.
export function saveLang(l) {
  try { globalThis.localStorage?.setItem(SAVED, l); } catch { /* storage off: this visit only */ }
}

const nav = globalThis.navigator?.languages ?? [];
export const lang = chooseLang([saved(), ...nav].filter(Boolean));
// Number and date formats follow the language, in the browser's own region for it when it has
// one ("fr-CA" for a Canadian French browser showing French), else the language alone.
export const locales = [...nav.filter((p) => chooseLang([p]) === lang && p.includes('-')).slice(0, 1), lang];

const catalogue = lang === 'en' ? en : (await import(`./i18n/${lang}.js`)).default;
const plurals = new Intl.PluralRules(lang);
export const missing = new Set();
// Whether the catalogues have `key` (a category of a custom lexicon has none: its own label).
export const has = (key) => Object.hasOwn(en, key);

// The message `key` with its values filled in; `n` chooses among plural forms.
export function t(key, values = {}) {
  let m = catalogue[key];
  if (m === undefined) {
    missing.add(key);
    m = en[key];
    if (m === undefined) return key;
  }
  if (typeof m === 'object') m = m[plurals.select(Number(values.n ?? 0))] ?? m.other;
  return m.replace(/\{(\w+)\}/g, (all, k) => (Object.hasOwn(values, k) ? String(values[k]) : all));
}

// The static page's words: an element's text from `data-i18n`, attributes from
// `data-i18n-<attribute>` (placeholder, aria-label, title); the document's `lang`.
// Only what differs is written: in English the page is already in its words, and writing
// them again would lay the page out again before the first ranking.
export function translatePage(root = document) {
  if (document.documentElement.lang !== lang) document.documentElement.lang = lang;
  for (const e of root.querySelectorAll('[data-i18n]')) {
    const v = t(e.dataset.i18n);
    if (e.textContent !== v) e.textContent = v;
  }
  for (const attr of ['placeholder', 'aria-label', 'title']) {
    for (const e of root.querySelectorAll(`[data-i18n-${attr}]`)) {
      const v = t(e.getAttribute(`data-i18n-${attr}`));
      if (e.getAttribute(attr) !== v) e.setAttribute(attr, v);
    }
  }
}
