// The campaigns: each brand has its own, as many as it names, kept in IndexedDB (planning
// works offline); the open one's picks, totals, budget and reach charts, the exact
// fill-to-budget suggestion, and its CSV export. Switching brand switches campaigns.
// `ctx` connects it to the page: engine, store, catLabel, pool() (the current brand's top
// 100 names with the filters), onPick(inf) (records the add-to-campaign interaction),
// withDetails(name), onChange() (the cards and the shortlist chart follow the picks).
import { $, el, button } from './dom.js';
import { nameKey } from './key.js';
import { newId } from './store.js';
import { t } from './i18n.js';
import { countryName } from './countries.js';
import { fmtInt, fmtCompact, fmtMoney2, known, planCost, priceText, isEstimate } from './format.js';
import { drawBudget, drawComposition } from './charts.js';
import { expected } from './cards.js';

const postCost = (i) => planCost(i.cost_per_post, i.price_estimate);
const storyCost = (i) => planCost(i.cost_per_story, i.story_price_estimate);
// How a CSV says where a cost comes from: listed, or which estimate.
const costBasis = (listed, e) => (known(listed) ? 'listed' : e && known(e.typical) ? `estimate: ${e.basis}` : '');

function totals(infs) {
  const sum = (f) => infs.reduce((s, i) => s + (f(i) ?? 0), 0);
  return {
    reach: sum((i) => i.followers),
    engagements: sum(expected),
    // Costs are listed, else the typical estimate (counted in estimatedPost/Story).
    posts: sum(postCost),
    stories: sum(storyCost),
    estimatedPost: infs.filter((i) => isEstimate(i.cost_per_post, i.price_estimate)).length,
    estimatedStory: infs.filter((i) => isEstimate(i.cost_per_story, i.story_price_estimate)).length,
    unknownPost: infs.filter((i) => postCost(i) == null).length,
    // Totals are over known values; these say how many picks they leave out.
    unknownReach: infs.filter((i) => !known(i.followers)).length,
    unknownEngagements: infs.filter((i) => expected(i) == null).length,
  };
}

// The campaign's reach by category or country, largest first (ties by name).
function composition(infs, by, catLabel) {
  const groups = new Map();
  for (const i of infs) {
    const label = by === 'country' ? (countryName(i.country) || t('camp.unknown_country')) : (i.category ? catLabel(i.category) : t('camp.unknown_category'));
    const g = groups.get(label) ?? { label, count: 0, reach: 0 };
    g.count += 1;
    g.reach += known(i.followers) ? i.followers : 0;
    groups.set(label, g);
  }
  return [...groups.values()].sort((a, b) => b.reach - a.reach || a.label.localeCompare(b.label));
}

// A CSV cell: quoted, and one that starts like a spreadsheet formula (= + - @ tab CR, after
// any apostrophes) defused with a leading apostrophe, as the Rust writers do (text::csv_cell,
// OWASP's CSV-injection advice), so the product's readers take it back exactly.
export function csvCell(v) {
  let s = v == null ? '' : String(v);
  if (/^'*[=+\-@\t\r]/.test(s)) s = "'" + s;
  return '"' + s.replace(/"/g, '""') + '"';
}

const defaultName = () => t('camp.default_name');
const DEFAULT_BUDGET = 1000;

export class Campaign {
  constructor(ctx) {
    this.ctx = ctx;
    // The brand whose campaigns are open ({key, name}), its campaigns (oldest first), and
    // the open one. A campaign is stored once it has a pick, a name or a budget of its own.
    this.brand = null;
    this.list = [];
    this.state = this.blank();
    this.suggestion = null;
    // Settles when the brand's campaigns are read; changes wait for it.
    this.ready = Promise.resolve();
  }

  blank(name = defaultName()) {
    const now = Date.now();
    return { id: newId(), brand_key: this.brand?.key ?? '', brand: this.brand?.name ?? '', name, budget: DEFAULT_BUDGET, items: [], created_ms: now, updated_ms: now };
  }

  has(name) {
    return this.brand != null && this.state.items.some((i) => i.influencer === name);
  }

  rows() {
    return this.ctx.engine.influencersByName(this.state.items.map((i) => i.influencer));
  }

  // Opens `name`'s campaigns: the one it had open, else its first, else a new one. The
  // previous brand's picks, suggestion and messages leave the screen at once. A campaign no
  // brand owns yet (the device's single campaign before campaigns had brands) is adopted.
  forBrand(name) {
    const key = nameKey(name);
    if (this.brand?.key === key) return this.ready;
    this.brand = { key, name };
    this.list = [];
    this.open(this.blank());
    this.ready = (async () => {
      const { store } = this.ctx;
      let list = await store.campaigns(key);
      if (!list.length) {
        list = await store.campaigns('');
        for (const c of list) await store.putCampaign(Object.assign(c, { brand_key: key, brand: name }));
      }
      const opened = await store.getMeta('campaign_of:' + key);
      if (this.brand?.key !== key) return;
      this.list = list;
      this.open(list.find((c) => c.id === opened) ?? list[0] ?? this.state);
    })();
    return this.ready;
  }

  // Makes `c` the campaign on screen: the last one's suggestion leaves, the form and the
  // table show `c`.
  open(c) {
    this.state = c;
    this.hideSuggestion();
    this.fill();
    this.render();
  }

  // The open campaign into the form, and the brand's campaigns into the select.
  fill() {
    const on = this.brand != null;
    for (const c of $('campaign-form').elements) c.disabled = !on;
    $('campaign-brand').textContent = on
      ? t('camp.for_brand', { v: this.brand.name })
      : t('camp.pick_first');
    $('campaign-name').value = this.state.name;
    $('campaign-budget').value = this.state.budget;
    const all = this.list.some((c) => c.id === this.state.id) ? this.list : [...this.list, this.state];
    $('campaign-select').replaceChildren(...all.map((c) => Object.assign(el('option', c.name), { value: c.id, selected: c.id === this.state.id })));
    $('delete-campaign').disabled = !on || all.length === 0;
  }

  async save() {
    if (!this.brand) return;
    await this.ctx.store.putCampaign(this.state);
    if (!this.list.includes(this.state)) this.list.push(this.state);
    this.fill();
    this.render();
  }

  async switchTo(id) {
    await this.ready;
    const c = this.list.find((x) => x.id === id);
    if (!c || c === this.state) return;
    this.open(c);
    await this.ctx.store.setMeta('campaign_of:' + this.brand.key, id);
  }

  // A new, empty campaign for the brand, named "Campaign N" (the first N no campaign of the
  // brand has), opened with its name selected to be typed over.
  async create() {
    await this.ready;
    if (!this.brand) return;
    const names = new Set(this.list.map((c) => c.name));
    let n = this.list.length + 1;
    while (names.has(t('camp.numbered', { n }))) n += 1;
    if (!this.list.includes(this.state)) this.list.push(this.state);
    this.state = this.blank(t('camp.numbered', { n }));
    this.hideSuggestion();
    await this.save();
    $('campaign-name').select();
  }

  // Deletes the open campaign, after asking; its brand's next campaign opens (or a new one).
  async remove() {
    await this.ready;
    if (!this.brand) return;
    const n = this.state.items.length;
    if (!confirm(n ? t('camp.delete_with_picks', { name: this.state.name, n }) : t('camp.delete', { name: this.state.name }))) return;
    const gone = this.state;
    await this.ctx.store.deleteCampaign(gone.id);
    this.list = this.list.filter((c) => c !== gone);
    this.open(this.list[0] ?? this.blank());
    if (this.list.length) await this.ctx.store.setMeta('campaign_of:' + this.brand.key, this.state.id);
  }

  hideSuggestion() {
    this.suggestion = null;
    $('suggestion').hidden = true;
  }

  async add(infs) {
    await this.ready;
    if (!this.brand) return;
    for (const inf of infs) {
      if (this.has(inf.name)) continue;
      this.state.items.push({ influencer: inf.name });
      // Its details are fetched now, so the service worker holds them for offline planning.
      this.ctx.withDetails(inf.name).catch(() => {});
      await this.ctx.onPick(inf);
    }
    await this.save();
  }

  draw(infs, sum, budget) {
    $('campaign-charts').hidden = infs.length === 0;
    if (!infs.length) return;
    $('tile-count').textContent = fmtInt.format(infs.length);
    $('tile-reach').textContent = fmtCompact.format(sum.reach);
    $('tile-engagements').textContent = fmtCompact.format(Math.round(sum.engagements));
    drawBudget($('budget-chart'), sum.posts, budget);
    const by = document.querySelector('input[name="comp-by"]:checked')?.value ?? 'category';
    drawComposition($('composition-chart'), composition(infs, by, this.ctx.catLabel), by);
  }

  render() {
    if (!this.brand) {
      $('campaign-totals').textContent = '';
      $('campaign-charts').hidden = true;
      $('campaign-table').tBodies[0].replaceChildren();
      this.ctx.onChange();
      return;
    }
    const infs = this.rows();
    const sum = totals(infs);
    const budget = Number(this.state.budget) || 0;
    const est = (n) => (n ? ` ${t('camp.estimated', { n })}` : '');
    $('campaign-totals').textContent = infs.length
      ? [
        t('camp.influencers', { n: infs.length }),
        t('camp.reach', { v: fmtInt.format(sum.reach) }),
        t('camp.expected', { v: fmtInt.format(Math.round(sum.engagements)) }),
        t('camp.posts_each', { v: fmtMoney2.format(sum.posts) }) + est(sum.estimatedPost),
        t('camp.stories_each', { v: fmtMoney2.format(sum.stories) }) + est(sum.estimatedStory),
        t('camp.left', { v: fmtMoney2.format(budget - sum.posts) }),
        ...(sum.unknownPost ? [t('camp.unknown_post', { n: sum.unknownPost })] : []),
        ...(sum.unknownReach ? [t('camp.unknown_reach', { n: sum.unknownReach })] : []),
        ...(sum.unknownEngagements ? [t('camp.unknown_engagements', { n: sum.unknownEngagements })] : []),
      ].join(' · ')
      : t('camp.empty');
    this.draw(infs, sum, budget);
    this.ctx.onChange();
    const body = $('campaign-table').tBodies[0];
    body.replaceChildren();
    for (const inf of infs) {
      const tr = el('tr');
      const e = expected(inf);
      tr.append(el('th', inf.name), el('td', known(inf.followers) ? fmtInt.format(inf.followers) : t('detail.unknown')),
        el('td', e != null ? fmtInt.format(Math.round(e)) : t('detail.unknown')),
        el('td', priceText(inf.cost_per_post, inf.price_estimate, { fmt: fmtMoney2 }) ?? '?'),
        el('td', priceText(inf.cost_per_story, inf.story_price_estimate, { fmt: fmtMoney2 }) ?? '?'));
      tr.firstChild.scope = 'row';
      const td = el('td');
      const rm = button('', 'secondary rm', async () => {
        this.state.items = this.state.items.filter((i) => i.influencer !== inf.name);
        await this.save();
      });
      // The word, or a cross where a phone has no room for it (style.css); the label names both.
      rm.append(el('span', t('camp.remove'), 'rm-word'));
      rm.setAttribute('aria-label', t('camp.remove_label', { name: inf.name }));
      td.append(rm);
      tr.append(td);
      body.append(tr);
    }
  }

  // Suggests who to add so the campaign's post costs fill the budget with the most expected
  // engagements (an exact knapsack in wasm; never over budget), from the brand's top 100.
  fillToBudget() {
    if (!this.brand) return;
    const budget = Number($('campaign-budget').value);
    const spent = totals(this.rows()).posts;
    const left = budget - spent;
    $('suggestion').hidden = false;
    const nothing = (text) => {
      $('suggestion-summary').textContent = text;
      $('suggestion-list').replaceChildren();
      $('accept-suggestion').hidden = true;
    };
    if (!(left > 0)) {
      this.suggestion = null;
      nothing(t('camp.nothing_left', { spent: fmtMoney2.format(spent), budget: fmtMoney2.format(budget || 0) }));
      return;
    }
    const names = this.ctx.pool().filter((n) => !this.has(n));
    const plan = this.ctx.engine.fillToBudget(names, left);
    this.suggestion = plan;
    // What the plan could not weigh, said as the cause rather than blaming the budget.
    const unknowns = [
      plan.unknown_cost ? t('camp.no_cost', { n: plan.unknown_cost }) : '',
      plan.unknown_value ? t('camp.no_value', { n: plan.unknown_value }) : '',
    ].filter(Boolean).join('; ');
    if (!plan.chosen.length) {
      const weighable = names.length - plan.unknown_cost - plan.unknown_value;
      nothing(weighable === 0 && names.length
        ? t('camp.nothing_to_suggest', { n: names.length, why: unknowns })
        : t('camp.none_fits', { n: names.length, left: fmtMoney2.format(left), why: unknowns ? ` (${unknowns})` : '' }));
      return;
    }
    const estimated = new Set(plan.estimated);
    const priced = plan.estimated_cost.length;
    $('suggestion-summary').textContent = t('camp.suggestion', {
      left: fmtMoney2.format(left),
      n: plan.chosen.length,
      cost: fmtMoney2.format(plan.cost) + (priced ? ` ${t('camp.priced_by_estimate', { n: priced })}` : ''),
      expected: fmtInt.format(Math.round(plan.expected_engagements)) + (estimated.size ? ` ${t('camp.partly_estimated')}` : ''),
    }) + (plan.optimal ? '' : ` ${t('camp.not_optimal')}`) + '.' + (unknowns ? ` ${t('camp.left_out', { v: unknowns })}` : '');
    $('suggestion-list').replaceChildren(...plan.chosen.map((inf) => {
      const e = expected(inf);
      const value = e != null ? t('camp.expected_n', { v: fmtInt.format(Math.round(e)) }) : t('camp.expected_estimated');
      return el('li', `${inf.name} · ${priceText(inf.cost_per_post, inf.price_estimate, { fmt: fmtMoney2 })} · ${value}`);
    }));
    $('accept-suggestion').hidden = false;
  }

  async acceptSuggestion() {
    if (this.suggestion) await this.add(this.suggestion.chosen);
    $('suggestion').hidden = true;
  }

  exportCsv() {
    if (!this.brand) return;
    // An unknown value is an empty cell, and the last column names the unknown fields, so
    // a spreadsheet's sum never reads an unknown as 0 unawares. A cost the scrape does not
    // list is the typical estimate, and its basis column says so ("estimate: rate_card").
    const header = ['brand', 'campaign', 'influencer', 'country', 'category', 'followers', 'engagement_rate', 'expected_engagements', 'cost_per_post', 'cost_per_post_basis', 'cost_per_story', 'cost_per_story_basis', 'unknown'];
    const lines = [header.join(',')];
    for (const i of this.rows()) {
      const e = expected(i);
      const [post, story] = [postCost(i), storyCost(i)];
      const fields = { country: i.country || null, followers: i.followers, engagement_rate: i.engagement_rate, expected_engagements: e, cost_per_post: post, cost_per_story: story };
      const unknown = Object.entries(fields).filter(([, v]) => v == null || v === '').map(([k]) => k).join(';');
      lines.push([this.brand.name, this.state.name, i.name, i.country, i.category, i.followers, i.engagement_rate, e != null ? Math.round(e) : null,
        post, costBasis(i.cost_per_post, i.price_estimate),
        story, costBasis(i.cost_per_story, i.story_price_estimate), unknown].map(csvCell).join(','));
    }
    const blob = new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
    const a = el('a');
    a.href = URL.createObjectURL(blob);
    const file = (s) => s.replace(/[^\p{L}\p{N}.-]+/gu, '_').replace(/^[._]+|_+$/g, '');
    a.download = `${[file(this.brand.name), file(this.state.name)].filter(Boolean).join('-') || 'campaign'}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  // The form's name and budget, saved.
  async fromForm() {
    await this.ready;
    this.state.name = $('campaign-name').value.trim() || this.state.name;
    this.state.budget = Number($('campaign-budget').value) || 0;
    await this.save();
  }
}
