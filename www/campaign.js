// The campaign: the influencers picked for it (kept in IndexedDB, so planning works offline),
// its totals, budget and reach charts, the exact fill-to-budget suggestion, and its CSV
// export. `ctx` connects it to the page: engine, store, catLabel, hasBrand(), pool() (the
// current brand's top 100 names with the filters), onPick(inf) (records the
// add-to-campaign interaction), withDetails(name), onChange() (the chart of the shortlist
// fills the picks).
import { $, el, button } from './dom.js';
import { countryName } from './countries.js';
import { fmtInt, fmtCompact, fmtMoney2 } from './format.js';
import { drawBudget, drawComposition } from './charts.js';
import { expected } from './cards.js';

function totals(infs) {
  const sum = (f) => infs.reduce((s, i) => s + (f(i) ?? 0), 0);
  return {
    reach: sum((i) => i.followers),
    engagements: sum(expected),
    posts: sum((i) => i.cost_per_post),
    stories: sum((i) => i.cost_per_story),
    unknownPost: infs.filter((i) => i.cost_per_post == null).length,
  };
}

// The campaign's reach by category or country, largest first (ties by name).
function composition(infs, by, catLabel) {
  const groups = new Map();
  for (const i of infs) {
    const label = by === 'country' ? (countryName(i.country) || 'Unknown country') : (i.category ? catLabel(i.category) : 'Unknown category');
    const g = groups.get(label) ?? { label, count: 0, reach: 0 };
    g.count += 1;
    g.reach += i.followers;
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
      ? `${infs.length} influencer${infs.length === 1 ? '' : 's'} · reach ${fmtInt.format(t.reach)} · expected engagements ${fmtInt.format(Math.round(t.engagements))} · one post each ${fmtMoney2.format(t.posts)} · one story each ${fmtMoney2.format(t.stories)} · budget left after posts ${fmtMoney2.format(budget - t.posts)}` +
        (t.unknownPost ? ` · ${t.unknownPost} without a known post cost` : '')
      : 'No influencers on the campaign yet. Add them with “Add to campaign” on a card, or let “Fill to budget” suggest the set with the most expected engagements.';
    this.draw(infs, t, budget);
    this.ctx.onChange();
    const body = $('campaign-table').tBodies[0];
    body.replaceChildren();
    for (const inf of infs) {
      const tr = el('tr');
      tr.append(el('th', inf.name), el('td', fmtInt.format(inf.followers)), el('td', fmtInt.format(Math.round(expected(inf)))),
        el('td', inf.cost_per_post != null ? fmtMoney2.format(inf.cost_per_post) : '?'),
        el('td', inf.cost_per_story != null ? fmtMoney2.format(inf.cost_per_story) : '?'));
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
    if (!plan.chosen.length) {
      nothing(`No one in this brand’s top ${names.length} (with the filters) has a known post cost within the remaining ${fmtMoney2.format(left)}. Raise the budget, loosen the filters, or add influencers by hand.`);
      return;
    }
    $('suggestion-summary').textContent = `Suggestion for the remaining ${fmtMoney2.format(left)}: ${plan.chosen.length} influencers, ${fmtMoney2.format(plan.cost)}, expected engagements ${fmtInt.format(Math.round(plan.expected_engagements))}${plan.optimal ? '' : ' (the best found; the exact search stopped at its limit)'}.`;
    $('suggestion-list').replaceChildren(...plan.chosen.map((inf) => el('li', `${inf.name} · ${fmtMoney2.format(inf.cost_per_post)} · ${fmtInt.format(Math.round(expected(inf)))} expected engagements`)));
    $('accept-suggestion').hidden = false;
  }

  async acceptSuggestion() {
    if (this.suggestion) await this.add(this.suggestion.chosen);
    $('suggestion').hidden = true;
  }

  exportCsv() {
    const header = ['campaign', 'influencer', 'country', 'category', 'followers', 'engagement_rate', 'expected_engagements', 'cost_per_post', 'cost_per_story'];
    const lines = [header.join(',')];
    for (const i of this.rows()) {
      lines.push([this.state.name, i.name, i.country, i.category, i.followers, i.engagement_rate, Math.round(expected(i)), i.cost_per_post, i.cost_per_story].map(csvCell).join(','));
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
