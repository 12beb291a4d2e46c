// The campaign: the influencers picked for it (kept in IndexedDB, so planning works offline),
// its totals, budget and reach charts, the exact fill-to-budget suggestion, and its CSV
// export. `ctx` connects it to the page: engine, store, catLabel, hasBrand(), pool() (the
// current brand's top 100 names with the filters), onPick(inf) (records the
// add-to-campaign interaction), withDetails(name), onChange() (the chart of the shortlist
// fills the picks).
import { $, el, button } from './dom.js';
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
    const label = by === 'country' ? (countryName(i.country) || 'Unknown country') : (i.category ? catLabel(i.category) : 'Unknown category');
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

export class Campaign {
  constructor(ctx) {
    this.ctx = ctx;
    this.state = { name: 'My campaign', budget: 1000, items: [] };
    this.suggestion = null;
  }

  has(name) {
    return this.state.items.some((i) => i.influencer === name);
  }

  rows() {
    return this.ctx.engine.influencersByName(this.state.items.map((i) => i.influencer));
  }

  // The saved campaign (from IndexedDB) onto the defaults and into the form.
  load(saved) {
    this.state = { ...this.state, ...(saved ?? {}) };
    $('campaign-name').value = this.state.name;
    $('campaign-budget').value = this.state.budget;
  }

  async save() {
    await this.ctx.store.setMeta('campaign', this.state);
    this.render();
  }

  async add(infs) {
    for (const inf of infs) {
      if (this.has(inf.name)) continue;
      this.state.items.push({ influencer: inf.name });
      // Its details are fetched now, so the service worker holds them for offline planning.
      this.ctx.withDetails(inf.name).catch(() => {});
      await this.ctx.onPick(inf);
    }
    await this.save();
  }

  draw(infs, t, budget) {
    $('campaign-charts').hidden = infs.length === 0;
    if (!infs.length) return;
    $('tile-count').textContent = fmtInt.format(infs.length);
    $('tile-reach').textContent = fmtCompact.format(t.reach);
    $('tile-engagements').textContent = fmtCompact.format(Math.round(t.engagements));
    drawBudget($('budget-chart'), t.posts, budget);
    const by = document.querySelector('input[name="comp-by"]:checked')?.value ?? 'category';
    drawComposition($('composition-chart'), composition(infs, by, this.ctx.catLabel), by);
  }

  render() {
    const infs = this.rows();
    const t = totals(infs);
    const budget = Number(this.state.budget) || 0;
    $('campaign-totals').textContent = infs.length
      ? `${infs.length} influencer${infs.length === 1 ? '' : 's'} · reach ${fmtInt.format(t.reach)} · expected engagements ${fmtInt.format(Math.round(t.engagements))} · one post each ${fmtMoney2.format(t.posts)}${t.estimatedPost ? ` (${t.estimatedPost} estimated)` : ''} · one story each ${fmtMoney2.format(t.stories)}${t.estimatedStory ? ` (${t.estimatedStory} estimated)` : ''} · budget left after posts ${fmtMoney2.format(budget - t.posts)}` +
        (t.unknownPost ? ` · ${t.unknownPost} without a known or estimated post cost` : '') +
        (t.unknownReach ? ` · ${t.unknownReach} with unknown followers (not in the reach)` : '') +
        (t.unknownEngagements ? ` · ${t.unknownEngagements} with unknown engagement (not in the expected engagements)` : '')
      : 'No influencers on the campaign yet. Add them with “Add to campaign” on a card, or let “Fill to budget” suggest the set with the most expected engagements.';
    this.draw(infs, t, budget);
    this.ctx.onChange();
    const body = $('campaign-table').tBodies[0];
    body.replaceChildren();
    for (const inf of infs) {
      const tr = el('tr');
      const e = expected(inf);
      tr.append(el('th', inf.name), el('td', known(inf.followers) ? fmtInt.format(inf.followers) : 'unknown'),
        el('td', e != null ? fmtInt.format(Math.round(e)) : 'unknown'),
        el('td', priceText(inf.cost_per_post, inf.price_estimate, { fmt: fmtMoney2 }) ?? '?'),
        el('td', priceText(inf.cost_per_story, inf.story_price_estimate, { fmt: fmtMoney2 }) ?? '?'));
      tr.firstChild.scope = 'row';
      const td = el('td');
      const rm = button('Remove', 'secondary', async () => {
        this.state.items = this.state.items.filter((i) => i.influencer !== inf.name);
        await this.save();
      });
      rm.setAttribute('aria-label', `Remove ${inf.name} from the campaign`);
      td.append(rm);
      tr.append(td);
      body.append(tr);
    }
  }

  // Suggests who to add so the campaign's post costs fill the budget with the most expected
  // engagements (an exact knapsack in wasm; never over budget), from the brand's top 100.
  fillToBudget() {
    if (!this.ctx.hasBrand()) { $('campaign-totals').textContent = 'Rank influencers for a brand first.'; return; }
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
      nothing(`Nothing left to fill: the posts already cost ${fmtMoney2.format(spent)} of ${fmtMoney2.format(budget || 0)}.`);
      return;
    }
    const names = this.ctx.pool().filter((n) => !this.has(n));
    const plan = this.ctx.engine.fillToBudget(names, left);
    this.suggestion = plan;
    // What the plan could not weigh, said as the cause rather than blaming the budget.
    const unknowns = [
      plan.unknown_cost ? `${plan.unknown_cost} of them ha${plan.unknown_cost === 1 ? 's' : 've'} no known post cost and no followers to estimate one from` : '',
      plan.unknown_value ? `${plan.unknown_value} ha${plan.unknown_value === 1 ? 's' : 've'} unknown followers` : '',
    ].filter(Boolean).join('; ');
    if (!plan.chosen.length) {
      const weighable = names.length - plan.unknown_cost - plan.unknown_value;
      nothing(weighable === 0 && names.length
        ? `Nothing to suggest: of this brand’s top ${names.length} (with the filters), ${unknowns}. Add influencers by hand.`
        : `No one in this brand’s top ${names.length} (with the filters) has a post cost within the remaining ${fmtMoney2.format(left)}${unknowns ? ` (${unknowns})` : ''}. Raise the budget, loosen the filters, or add influencers by hand.`);
      return;
    }
    const estimated = new Set(plan.estimated);
    const priced = plan.estimated_cost.length;
    $('suggestion-summary').textContent = `Suggestion for the remaining ${fmtMoney2.format(left)}: ${plan.chosen.length} influencers, ${fmtMoney2.format(plan.cost)}${priced ? ` (${priced} priced by estimate)` : ''}, expected engagements ${fmtInt.format(Math.round(plan.expected_engagements))}${estimated.size ? ' (partly estimated)' : ''}${plan.optimal ? '' : ' (the best found; the exact search stopped at its limit)'}.${unknowns ? ` Left out: ${unknowns}.` : ''}`;
    $('suggestion-list').replaceChildren(...plan.chosen.map((inf) => {
      const e = expected(inf);
      const value = e != null ? `${fmtInt.format(Math.round(e))} expected engagements` : 'expected engagements estimated from the usual rate for their size (engagement unknown)';
      return el('li', `${inf.name} · ${priceText(inf.cost_per_post, inf.price_estimate, { fmt: fmtMoney2 })} · ${value}`);
    }));
    $('accept-suggestion').hidden = false;
  }

  async acceptSuggestion() {
    if (this.suggestion) await this.add(this.suggestion.chosen);
    $('suggestion').hidden = true;
  }

  exportCsv() {
    // An unknown value is an empty cell, and the last column names the unknown fields, so
    // a spreadsheet's sum never reads an unknown as 0 unawares. A cost the scrape does not
    // list is the typical estimate, and its basis column says so ("estimate: rate_card").
    const header = ['campaign', 'influencer', 'country', 'category', 'followers', 'engagement_rate', 'expected_engagements', 'cost_per_post', 'cost_per_post_basis', 'cost_per_story', 'cost_per_story_basis', 'unknown'];
    const lines = [header.join(',')];
    for (const i of this.rows()) {
      const e = expected(i);
      const [post, story] = [postCost(i), storyCost(i)];
      const fields = { country: i.country || null, followers: i.followers, engagement_rate: i.engagement_rate, expected_engagements: e, cost_per_post: post, cost_per_story: story };
      const unknown = Object.entries(fields).filter(([, v]) => v == null || v === '').map(([k]) => k).join(';');
      lines.push([this.state.name, i.name, i.country, i.category, i.followers, i.engagement_rate, e != null ? Math.round(e) : null,
        post, costBasis(i.cost_per_post, i.price_estimate),
        story, costBasis(i.cost_per_story, i.story_price_estimate), unknown].map(csvCell).join(','));
    }
    const blob = new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
    const a = el('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${this.state.name.replace(/[^\w.-]+/g, '_') || 'campaign'}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  // The form's name and budget, saved.
  async fromForm() {
    this.state.name = $('campaign-name').value || 'My campaign';
    this.state.budget = Number($('campaign-budget').value) || 0;
    await this.save();
  }
}
