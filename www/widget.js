// The embeddable widget: one script tag and one element on a partner's page.
//
//   <script type="module" src="https://OUR-HOST/widget.js"></script>
//   <influencer-recs brand="Atlas Co" k="5"></influencer-recs>
//
// Attributes: brand (a known brand's name), k (1 to the published top-list length, 20 by
// default; pkg/manifest.json says), by (rating | model | ranker; default: the bundle's
// default ordering, which the page starts from too). Theme with CSS custom properties on the element or any ancestor:
// --ir-font, --ir-fg, --ir-bg, --ir-muted, --ir-accent, --ir-border, --ir-radius.
// Everything is loaded from the origin that served this script. A known brand ranked by the
// default ordering needs only its precomputed list: one small file, pkg/top/<hash>.json,
// of the manifest's bundle version (a few kilobytes, not the engine and the whole bundle).
// Other orders and unknown names load the engine (wasm + bundle); if the host page's
// Content-Security-Policy forbids WebAssembly, the precomputed list answers instead. Scraped
// text is rendered as text only.
import { countryName } from './countries.js';
import { fmtInt, followersText, rateText, priceText, workedWithText } from './format.js';
import { Published } from './published.js';
import { startEngine } from './wasm.js';
import { t, lang } from './i18n.js';

const BASE = new URL('.', import.meta.url);

const STYLE = `
:host { display: block; font-family: var(--ir-font, system-ui, sans-serif); color: var(--ir-fg, #1b1b1f);
  background: var(--ir-bg, #fff); border: 1px solid var(--ir-border, #d4d4dc); border-radius: var(--ir-radius, .5rem);
  padding: .75rem 1rem; max-width: 40rem; box-sizing: border-box; }
h2 { font-size: 1rem; margin: 0 0 .5rem; }
ol { margin: 0; padding-left: 1.4rem; display: grid; gap: .35rem; }
li { overflow-wrap: anywhere; }
.name { unicode-bidi: isolate; font-weight: 600; color: var(--ir-accent, #1d4ed8); }
.meta, .note, .worked-with { color: var(--ir-muted, #4a4a55); font-size: .85rem; }
.worked-with { display: block; overflow-wrap: anywhere; }
.error { color: #b91c1c; }
`;

// One engine and one set of published files per page, shared by every widget on it.
const published = new Published(BASE);
let engine = null;
function loadEngine() {
  // The partner page's address does not choose the module (only the browser's support does),
  // and the bundle is fetched once the module runs (startEngine without overlap).
  engine ??= import(new URL('pkg/influence_rec.js', BASE).href)
    .then((glue) => startEngine(glue, BASE, { overlap: false }).engine)
    .catch((e) => { engine = null; throw e; });
  return engine;
}

class InfluencerRecs extends HTMLElement {
  static observedAttributes = ['brand', 'k', 'by'];

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    this.body = document.createElement('div');
    this.body.setAttribute('aria-live', 'polite');
    this.body.lang = lang;
    this.root.append(style, this.body);
  }

  connectedCallback() { this.update(); }
  attributeChangedCallback() { if (this.isConnected) this.update(); }

  // The asked-for k, between 1 and the published top-list length.
  k(maxK) {
    const k = Number.parseInt(this.getAttribute('k') ?? '5', 10);
    return Number.isFinite(k) ? Math.min(maxK, Math.max(1, k)) : Math.min(5, maxK);
  }

  async update() {
    const brand = this.getAttribute('brand') ?? '';
    const token = (this.token = {});
    this.show(null, t('widget.loading'));
    let rows;
    let note = '';
    let shownName = brand;
    let k;
    let m;
    let by = this.getAttribute('by') || '';
    try {
      m = await published.manifest();
      k = this.k(m.top_list_len);
      // Without a `by`, the bundle's default ordering: the page's, chosen by train on held-out
      // evidence. Its order of a known brand is published: no engine needed. A list that
      // cannot be fetched is no reason to fail: the engine ranks.
      by ||= m.default_ordering || 'rating';
      const publishedBy = m.default_ordering || 'rating';
      const list = by === publishedBy ? await published.topList(m, brand).catch(() => null) : null;
      if (list) {
        if (token === this.token) {
          this.dataset.mode = 'list';
          this.show(list.influencers.slice(0, k), '', false, list.brand);
        }
        return;
      }
    } catch (err) {
      if (token === this.token) this.show(null, String(err?.message ?? err), true);
      this.dataset.mode = 'error';
      return;
    }
    try {
      const e = await loadEngine();
      const r = e.rankKnown(brand, k, by);
      rows = r.recommendations.map((x) => x.influencer);
      shownName = r.brand.name;
      this.dataset.mode = 'wasm';
    } catch (err) {
      // No WebAssembly here (a CSP without 'wasm-unsafe-eval', an old browser) or an unknown
      // brand: the precomputed lists answer for known brands.
      try {
        const list = await published.topList(m, brand);
        if (!list) throw new Error(t('widget.none', { name: brand }));
        rows = list.influencers.slice(0, k);
        shownName = list.brand;
        note = t(`widget.precomputed.${['model', 'ranker'].includes(list.ranked_by) ? list.ranked_by : 'rating'}`);
        this.dataset.mode = 'precomputed';
      } catch (err2) {
        if (token === this.token) this.show(null, String(err2?.message ?? err2), true);
        this.dataset.mode = 'error';
        return;
      }
    }
    if (token === this.token) this.show(rows, note, false, shownName);
  }

  show(rows, note, isError = false, brand = '') {
    const parts = [];
    if (rows) {
      const h = document.createElement('h2');
      h.textContent = t('widget.title', { name: brand });
      const ol = document.createElement('ol');
      for (const inf of rows) {
        const li = document.createElement('li');
        const name = document.createElement('span');
        name.className = 'name';
        name.textContent = inf.name;
        const meta = document.createElement('span');
        meta.className = 'meta';
        // Numbers in the reader's locale (format.js), as on the page.
        // The price as on the page's cards: listed, or "about $X/post (estimate)".
        const price = priceText(inf.cost_per_post, inf.price_estimate, { unit: 'post' });
        meta.textContent = ` · ${followersText(inf.followers, fmtInt)} · ${rateText(inf.engagement_rate)} · ${countryName(inf.country) || t('card.country_unknown')}${price ? ` · ${price}` : ''}`;
        li.append(name, meta);
        // The brands its posts named, as the page's cards list them (issue 28).
        if (inf.worked_with?.length) {
          const worked = document.createElement('span');
          worked.className = 'worked-with';
          worked.textContent = `${t('card.worked_with')} ${inf.worked_with.map(workedWithText).join(', ')}`;
          li.append(worked);
        }
        ol.append(li);
      }
      parts.push(h, ol);
    }
    if (note) {
      const p = document.createElement('p');
      p.className = isError ? 'note error' : 'note';
      p.textContent = note;
      parts.push(p);
    }
    this.body.replaceChildren(...parts);
  }
}

if (!customElements.get('influencer-recs')) customElements.define('influencer-recs', InfluencerRecs);
