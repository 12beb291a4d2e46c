// The brand picker: a combobox over the known brands that searches as you type (the WAI-ARIA
// 1.2 combobox pattern with a list popup: the focus stays in the input, the arrow keys move
// the active option, Enter picks it, Escape closes the list). A brand matches when every
// word typed starts a word of its name, handle, category or country, compared by the
// catalog's name key (case, width and look-alike letters folded) with accents dropped, so
// "loreal" finds "L'Oréal". Names are scraped text: they reach the DOM through textContent.
import { nameKey } from './key.js';

// At most this many options are shown: the list is for finding, not browsing 100,000 names.
export const MAX_OPTIONS = 8;

// The search key: the name key without accents and with punctuation as word breaks.
export const searchKey = (s) => nameKey(s).normalize('NFD').replace(/\p{M}+/gu, '').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

// The brands matching `query`, best first: a name that starts with the query, then one with
// a word that does, then matches on the other fields; ties keep the catalog's (sorted) order.
// An empty query lists the first brands.
export function search(entries, query, limit = MAX_OPTIONS) {
  const q = searchKey(query);
  if (!q) return entries.slice(0, limit).map((e) => e.brand);
  const words = q.split(' ');
  const hits = [];
  for (const e of entries) {
    const nameWords = e.name.split(' ');
    const startsWord = (w, ws) => ws.some((x) => x.startsWith(w));
    let rank;
    if (e.name.startsWith(q)) rank = 0;
    else if (words.every((w) => startsWord(w, nameWords) || e.joined.startsWith(w))) rank = 1;
    else if (words.every((w) => startsWord(w, e.all))) rank = 2;
    else continue;
    hits.push({ rank, e });
  }
  hits.sort((a, b) => a.rank - b.rank || a.e.order - b.e.order);
  return hits.slice(0, limit).map((h) => h.e.brand);
}

// The search entries of the brands: keys made once, not per keystroke.
export function entriesOf(brands, describe) {
  return brands.map((brand, order) => {
    const name = searchKey(brand.name);
    return { brand, order, name, joined: name.replace(/ /g, ''), all: searchKey(`${brand.name} ${brand.handle} ${describe(brand)}`).split(' ') };
  });
}

export class Picker {
  // input: the combobox's <input>; list: its <ul role="listbox">; brands: [{name, category,
  // country, handle}]; describe(brand): the secondary text of an option ("Fashion · Spain");
  // onPick(name): called when an option is chosen.
  constructor(input, list, brands, { describe, onPick }) {
    this.input = input;
    this.list = list;
    this.describe = describe;
    this.onPick = onPick;
    this.entries = entriesOf(brands, describe);
    this.shown = [];
    this.active = -1;
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', list.id);
    input.setAttribute('aria-expanded', 'false');
    list.setAttribute('role', 'listbox');
    input.addEventListener('input', () => this.open());
    input.addEventListener('focus', () => { if (!input.value) this.open(); });
    input.addEventListener('blur', () => this.close());
    input.addEventListener('keydown', (ev) => this.key(ev));
    // A pointer press would blur the input (closing the list) before the click lands.
    list.addEventListener('mousedown', (ev) => ev.preventDefault());
    list.addEventListener('click', (ev) => {
      const li = ev.target.closest('[role="option"]');
      if (li) this.pick(Number(li.dataset.index));
    });
  }

  open() {
    this.shown = search(this.entries, this.input.value);
    this.active = -1;
    this.list.replaceChildren(...this.shown.map((b, i) => {
      const li = document.createElement('li');
      li.id = `${this.list.id}-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.dataset.index = String(i);
      const name = document.createElement('span');
      name.className = 'option-name';
      name.textContent = b.name;
      const more = document.createElement('span');
      more.className = 'option-more';
      more.textContent = this.describe(b);
      li.append(name, more);
      return li;
    }));
    const any = this.shown.length > 0;
    this.list.hidden = !any;
    this.input.setAttribute('aria-expanded', String(any));
    this.input.removeAttribute('aria-activedescendant');
  }

  close() {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  get expanded() { return !this.list.hidden; }

  setActive(i) {
    const items = this.list.children;
    if (this.active >= 0 && items[this.active]) items[this.active].setAttribute('aria-selected', 'false');
    this.active = i;
    if (i < 0) { this.input.removeAttribute('aria-activedescendant'); return; }
    items[i].setAttribute('aria-selected', 'true');
    items[i].scrollIntoView({ block: 'nearest' });
    this.input.setAttribute('aria-activedescendant', items[i].id);
  }

  key(ev) {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      if (!this.expanded) this.open();
      if (!this.shown.length) return;
      const step = ev.key === 'ArrowDown' ? 1 : -1;
      this.setActive(this.active < 0 ? (step > 0 ? 0 : this.shown.length - 1) : (this.active + step + this.shown.length) % this.shown.length);
    } else if (ev.key === 'Enter' && this.expanded && this.active >= 0) {
      // Enter on an active option picks it; without one it submits the form as typed.
      ev.preventDefault();
      this.pick(this.active);
    } else if (ev.key === 'Escape' && this.expanded) {
      ev.preventDefault();
      this.close();
    }
  }

  pick(i) {
    const b = this.shown[i];
    if (!b) return;
    this.input.value = b.name;
    this.close();
    this.onPick(b.name);
  }
}
