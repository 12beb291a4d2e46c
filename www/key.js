// The catalog's comparison key for names, the one the page, the widget and the Rust crate
// (text::key) share: NFKC, lower case, split on Unicode White_Space as Rust defines it (not
// JS's \s, which splits on U+FEFF and not on U+0085), joined by one space.
import { PROTOTYPES } from './confusables.js';

// tests/e2e/key.test.mjs checks it against the Rust key on a table of hostile names
// (tests/fixtures/name_keys.json, which a Rust test checks too).
const WHITE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
// Unicode's Default_Ignorable_Code_Point, the list Rust's text::is_default_ignorable has (zero
// widths and joiners, the BOM, the soft hyphen, bidi controls, variation selectors, tags):
// dropped, so a name with a hidden character is the same name.
const IGNORABLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\u{1bca0}-\u{1bca3}\u{1d173}-\u{1d17a}\u{e0000}-\u{e0fff}]/gu;

// Look-alikes of Latin letters (Unicode TR39's confusables whose prototype is ASCII: Cyrillic
// "а" is "a"), the table Rust's text::latin_prototype folds.
const LATIN = new Map(PROTOTYPES);
const fold = (s) => Array.from(s, (c) => (c.charCodeAt(0) < 0x80 ? c : LATIN.get(c.codePointAt(0)) ?? c)).join('');

export const nameKey = (s) => fold(String(s).normalize('NFKC').toLowerCase().replace(IGNORABLE, '')).split(WHITE).filter(Boolean).join(' ');

// FNV-1a 64 of the UTF-8 bytes, 16 hex digits (Rust's random::fnv1a64): a brand's published
// top-list file is named after its key's hash.
export function fnv1a64(s) {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) {
    h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
