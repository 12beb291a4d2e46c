// The page's pictures, drawn as inline SVG (no library, nothing fetched): the shortlist as
// followers against engagement rate, and the campaign's budget and composition. Every chart
// sits in a <figure> whose caption says in words what it shows; every mark a reader can reach
// with the keyboard has a name. Scraped names reach the SVG only as text nodes.
import { fmtCompact, fmtPercent, fmtMoney, fmtInt, known, followersText, rateText } from './format.js';
import { t } from './i18n.js';

const SVG = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// The 1-2-5 sequence (1, 2, 5 times powers of ten) from a decade below `lo` to one above `hi`.
function steps125(lo, hi) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
    for (const m of [1, 2, 5]) out.push(m * 10 ** e);
  }
  return out;
}

// Nice log-scale ticks: the 1-2-5 values within [lo, hi].
const logTicks = (lo, hi) => steps125(lo, hi).filter((v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9));

// A log axis's domain: the data's range widened to the nearest 1-2-5 ticks on each side (a
// single value gets one step either way), so every point lies inside the plot.
function logDomain(values, floor, ceil) {
  const vs = values.map((v) => Math.min(ceil, Math.max(floor, v)));
  let lo = Math.min(...vs);
  let hi = Math.max(...vs);
  const steps = steps125(floor, ceil);
  const down = (x) => steps.filter((s) => s <= x * (1 + 1e-12)).pop() ?? floor;
  const up = (x) => steps.find((s) => s >= x * (1 - 1e-12)) ?? ceil;
  lo = down(lo);
  hi = up(hi);
  if (hi <= lo) {
    lo = down(lo * 0.99);
    hi = up(hi * 1.01);
  }
  return [lo, hi];
}

// The shortlist: one point per influencer, followers (x, log) against engagement rate (y, log);
// the campaign's picks filled. Hover or keyboard focus shows the name; arrow keys move between
// points in follower order (one tab stop for the chart), Enter or a click calls onOpen(name).
// `points`: [{name, followers, rate, picked, rank}].
export function drawShortlist(figure, points, { onOpen, width }) {
  const body = figure.querySelector('.chart-body');
  const caption = figure.querySelector('figcaption');
  if (!points.length) {
    figure.hidden = true;
    body.replaceChildren();
    return;
  }
  figure.hidden = false;
  const W = Math.max(260, Math.round(width || 640));
  // Unknowns are drawn apart, never at a made-up value: an engagement rate the scrape did not
  // report goes in a band above the plot, an unknown follower count in a band left of it.
  const noRate = points.some((p) => !known(p.rate));
  const noFollowers = points.some((p) => !known(p.followers));
  const band = 26;
  const H = (W < 520 ? 230 : 270) + (noRate ? band : 0);
  const m = { l: 52 + (noFollowers ? band : 0), r: 14, t: 14 + (noRate ? band : 0), b: 42 };
  const followers = points.filter((p) => known(p.followers)).map((p) => Math.max(1, p.followers));
  const rates = points.filter((p) => known(p.rate)).map((p) => p.rate);
  const [x0, x1] = logDomain(followers.length ? followers : [1e3, 1e6], 1, 1e10);
  const [y0, y1] = logDomain(rates.length ? rates : [0.01, 0.1], 1e-4, 100);
  const xKnown = (v) => m.l + ((Math.log10(Math.min(x1, Math.max(x0, v))) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * (W - m.l - m.r);
  const yKnown = (v) => H - m.b - ((Math.log10(Math.min(y1, Math.max(y0, v))) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * (H - m.t - m.b);
  const x = (v) => (known(v) ? xKnown(Math.max(1, v)) : m.l - band / 2 - 4);
  const y = (v) => (known(v) ? yKnown(v) : m.t - band / 2 - 2);

  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'scatter', role: 'group' });
  svg.setAttribute('aria-labelledby', caption.id);
  const axes = svgEl('g', { class: 'axes', 'aria-hidden': 'true' });
  // Few enough ticks to keep the labels apart on a phone.
  const thin = (ts, n) => (ts.length <= n ? ts : ts.filter((t) => Number.isInteger(Math.log10(t) + 1e-9) || String(t).startsWith('1')));
  for (const v of thin(logTicks(x0, x1), W < 520 ? 5 : 9)) {
    const px = xKnown(v);
    axes.append(svgEl('line', { x1: px, x2: px, y1: m.t, y2: H - m.b, class: 'grid' }));
    axes.append(svgEl('text', { x: px, y: H - m.b + 14, 'text-anchor': 'middle', 'data-tick': 'x' }, fmtCompact.format(v)));
  }
  for (const v of thin(logTicks(y0, y1), 6)) {
    const py = yKnown(v);
    axes.append(svgEl('line', { x1: m.l, x2: W - m.r, y1: py, y2: py, class: 'grid' }));
    axes.append(svgEl('text', { x: m.l - 6, y: py + 4, 'text-anchor': 'end', 'data-tick': 'y' }, fmtPercent.format(v)));
  }
  axes.append(svgEl('text', { x: m.l + (W - m.l - m.r) / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-title' }, t('chart.x_title')));
  axes.append(svgEl('text', { x: 12, y: m.t + (H - m.t - m.b) / 2, 'text-anchor': 'middle', class: 'axis-title', transform: `rotate(-90 12 ${m.t + (H - m.t - m.b) / 2})` }, t('chart.y_title')));
  if (noRate) {
    axes.append(svgEl('rect', { x: m.l, y: 4, width: W - m.l - m.r, height: band - 4, class: 'unknown-band' }));
    axes.append(svgEl('text', { x: W - m.r - 4, y: 4 + (band - 4) / 2 + 4, 'text-anchor': 'end', class: 'axis-title' }, t('fmt.engagement_unknown')));
  }
  if (noFollowers) {
    const bx = m.l - band - 4;
    axes.append(svgEl('rect', { x: bx, y: noRate ? 4 : m.t, width: band - 4, height: H - m.b - (noRate ? 4 : m.t), class: 'unknown-band' }));
    axes.append(svgEl('text', { x: bx + (band - 4) / 2, y: H - m.b + 14, 'text-anchor': 'middle' }, '?'));
  }
  svg.append(axes);

  // Points in follower order, so the arrow keys walk the x axis; the picks drawn last (on top).
  const order = points.map((p, i) => i).sort((a, b) => (points[a].followers ?? -1) - (points[b].followers ?? -1) || points[a].rank - points[b].rank);
  const marks = svgEl('g', { class: 'marks' });
  const tip = svgEl('g', { class: 'tip', 'aria-hidden': 'true', visibility: 'hidden' });
  const tipBox = svgEl('rect', { rx: 4, height: 22 });
  const tipText = svgEl('text', {});
  tip.append(tipBox, tipText);
  const show = (p, cx, cy) => {
    tipText.textContent = p.name;
    tip.setAttribute('visibility', 'visible');
    const w = Math.min(W - 8, tipText.getComputedTextLength() + 14);
    const left = Math.min(W - w - 4, Math.max(4, cx - w / 2));
    const top = cy - 34 < 2 ? cy + 12 : cy - 34;
    tipBox.setAttribute('x', left);
    tipBox.setAttribute('y', top);
    tipBox.setAttribute('width', w);
    tipText.setAttribute('x', left + 7);
    tipText.setAttribute('y', top + 15);
  };
  const hide = () => tip.setAttribute('visibility', 'hidden');
  const circles = [];
  for (const [k, i] of order.entries()) {
    const p = points[i];
    const cx = x(p.followers);
    const cy = y(p.rate);
    const c = svgEl('circle', { cx: cx.toFixed(1), cy: cy.toFixed(1), r: p.picked ? 7 : 6, class: p.picked ? 'pick' : 'point', role: 'button', tabindex: k === 0 ? 0 : -1 });
    c.dataset.mark = '';
    c.dataset.influencer = p.name;
    c.setAttribute('aria-label', `${p.rank ? `${p.rank}. ` : ''}${p.name}: ${followersText(p.followers)}, ${rateText(p.rate)}${p.picked ? `, ${t('chart.on_campaign')}` : ''}`);
    c.addEventListener('mouseenter', () => show(p, cx, cy));
    c.addEventListener('mouseleave', () => { if (document.activeElement !== c) hide(); });
    c.addEventListener('focus', () => show(p, cx, cy));
    c.addEventListener('blur', hide);
    c.addEventListener('click', () => onOpen?.(p.name));
    c.addEventListener('keydown', (ev) => {
      const next = { ArrowRight: k + 1, ArrowUp: k + 1, ArrowLeft: k - 1, ArrowDown: k - 1, Home: 0, End: circles.length - 1 }[ev.key];
      if (next !== undefined) {
        ev.preventDefault();
        const to = circles[Math.min(circles.length - 1, Math.max(0, next))];
        for (const o of circles) o.setAttribute('tabindex', o === to ? 0 : -1);
        to.focus();
      } else if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        onOpen?.(p.name);
      }
    });
    circles.push(c);
  }
  // Picks on top; the tab order stays the follower order (tabindex is roving, not DOM order).
  for (const c of circles) if (!c.classList.contains('pick')) marks.append(c);
  for (const c of circles) if (c.classList.contains('pick')) marks.append(c);
  svg.append(marks, tip);
  body.replaceChildren(svg);
  const picked = points.filter((p) => p.picked).length;
  const range = (vs, f) => (vs.length ? t('chart.range', { lo: f.format(Math.min(...vs)), hi: f.format(Math.max(...vs)) }) : t('chart.none_known'));
  const unknownRates = points.filter((p) => !known(p.rate)).length;
  const unknownFollowers = points.filter((p) => !known(p.followers)).length;
  const apart = [unknownRates ? t('chart.rates_apart', { n: unknownRates }) : '', unknownFollowers ? t('chart.followers_apart', { n: unknownFollowers }) : ''].filter(Boolean);
  caption.textContent = [t('chart.caption', { n: points.length, followers: range(followers, fmtCompact), rates: range(rates, fmtPercent) }), ...apart,
    ...(picked ? [t('chart.picked', { n: picked })] : [])].join('; ') + t('chart.keys');
}

// The campaign: budget used against left, and the plan's reach by category or country.
// `groups`: [{label, count, reach}] largest first.
export function drawBudget(figure, used, budget) {
  const body = figure.querySelector('.chart-body');
  const caption = figure.querySelector('figcaption');
  if (!(budget > 0) && !(used > 0)) {
    figure.hidden = true;
    body.replaceChildren();
    return;
  }
  figure.hidden = false;
  const total = Math.max(budget, used);
  const over = used > budget;
  const svg = svgEl('svg', { viewBox: '0 0 100 8', preserveAspectRatio: 'none', class: 'bar', 'aria-hidden': 'true' });
  const usedW = (100 * Math.min(used, total)) / total;
  if (usedW > 0) svg.append(svgEl('rect', { x: 0, y: 0, width: usedW.toFixed(3), height: 8, class: over ? 'over' : 'used' }));
  if (usedW < 100) svg.append(svgEl('rect', { x: usedW.toFixed(3), y: 0, width: (100 - usedW).toFixed(3), height: 8, class: 'left' }));
  for (const r of svg.querySelectorAll('rect')) r.dataset.mark = '';
  body.replaceChildren(svg);
  caption.textContent = over
    ? t('chart.budget_over', { used: fmtMoney.format(used), budget: fmtMoney.format(budget), over: fmtMoney.format(used - budget) })
    : t('chart.budget', { used: fmtMoney.format(used), left: fmtMoney.format(budget - used), budget: fmtMoney.format(budget) });
}

export function drawComposition(figure, groups, what) {
  const body = figure.querySelector('.chart-body');
  const caption = figure.querySelector('figcaption');
  const reach = groups.reduce((s, g) => s + g.reach, 0);
  if (!groups.length || !(reach > 0)) {
    figure.hidden = true;
    body.replaceChildren();
    return;
  }
  figure.hidden = false;
  const rows = groups.map((g) => {
    const row = document.createElement('div');
    row.className = 'comp-row';
    const share = g.reach / reach;
    const label = document.createElement('span');
    label.className = 'comp-label';
    label.textContent = `${g.label} · ${fmtInt.format(g.count)} · ${t('chart.of_reach', { v: fmtPercent.format(share) })}`;
    const svg = svgEl('svg', { viewBox: '0 0 100 6', preserveAspectRatio: 'none', class: 'bar', 'aria-hidden': 'true' });
    const r = svgEl('rect', { x: 0, y: 0, width: Math.max(0.5, 100 * share).toFixed(3), height: 6, class: 'used' });
    r.dataset.mark = '';
    svg.append(r);
    row.append(label, svg);
    return row;
  });
  body.replaceChildren(...rows);
  caption.textContent = t(what === 'country' ? 'chart.by_country' : 'chart.by_category', { n: groups.length });
}
