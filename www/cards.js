// The result cards and the shortlist chart: one card per influencer (score, reasons in
// words, a bar of the score's parts, the numbers under a Details disclosure built when
// opened, the bio once its detail shard is loaded) and the log-log chart of what the list
// shows. What stays open (a card's details or numbers) survives re-renders. Scraped text
// reaches the DOM only through textContent.
import { $, el, button } from './dom.js';
import { countryName } from './countries.js';
import { fmtInt, fmtMoney2, fmtPercent, fmtRate1, known, followersText, rateText, unknownRate, priceText, priceRange, isEstimate, dayText, workedWithText } from './format.js';
import { featureLabel, familyLabel, reasons, scoreParts, scoreSentence } from './explain.js';
import { t } from './i18n.js';
import { drawShortlist } from './charts.js';
import { bioLinks, externalLink, postLinks, profileLink } from './links.js';

// Interaction kinds (their button labels are catalogue keys kind.<kind>); their points come
// from the bundle.
export const KINDS = { click: {}, check_info: {}, add_to_campaign: {}, collaboration: {} };
const pickLabel = (on) => t(on ? 'card.on_campaign' : 'kind.add_to_campaign');

// Expected engagements of one post; null when the followers or the rate are unknown.
export const expected = (inf) => (known(inf.followers) && known(inf.engagement_rate) ? inf.followers * inf.engagement_rate : null);

// An account's kind when it is not a creator (a brand's or a medium's own account).
const KIND_LABELS = ['brand', 'media'];

function fmtValue(v) {
  if (v == null || Number.isNaN(v)) return t('card.missing');
  if (Number.isInteger(v)) return fmtInt.format(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3);
}

// The ranker's largest contributions (TreeSHAP), signed, beside the cohesion breakdown.
function contributionChips(rec, n = 4) {
  return (rec.contributions ?? [])
    .filter((c) => c.contribution !== 0)
    .slice(0, n)
    .map((c) => `${featureLabel(c.feature)} = ${fmtValue(c.value)}: ${c.contribution >= 0 ? '+' : '−'}${Math.abs(c.contribution).toFixed(3)}`);
}

function whyChips(rec, catLabel) {
  const c = rec.cohesion;
  const chips = [];
  if (c.category) chips.push(t('chip.category', { v: catLabel(c.category), p: c.category_points }));
  if (c.location) chips.push(t('chip.location', { v: countryName(c.location), p: c.location_points }));
  if (c.shared_hashtags.length) chips.push(t('chip.hashtags', { v: c.shared_hashtags.map((x) => '#' + x).join(' '), p: c.hashtag_points }));
  chips.push(known(c.engagement_rate)
    ? t('chip.engagement', { v: `${(c.engagement_rate * 100).toFixed(2)}%`, p: c.engagement_points.toFixed(3) })
    : `${unknownRate()} +0`);
  if (rec.interaction_points) chips.push(t('chip.interactions', { p: rec.interaction_points }));
  if (rec.model_score != null) chips.push(t('chip.model_score', { v: rec.model_score.toFixed(2) }));
  if (rec.ranker_score != null) chips.push(t('chip.ranker_score', { v: rec.ranker_score.toFixed(3) }));
  return chips;
}

// The ranker's contributions summed by family, signed ("track record with brands like yours
// +0.164").
function familyChips(rec) {
  return (rec.families ?? []).filter((f) => f.contribution !== 0)
    .map((f) => `${familyLabel(f.family)} ${f.contribution >= 0 ? '+' : '−'}${Math.abs(f.contribution).toFixed(3)}`);
}

// The score of the ordering the list is in: the rating, the model's score or the ranker's.
function shownScore(rec, rankedBy) {
  const [value, digits, what] = rankedBy === 'ranker' && rec.ranker_score != null
    ? [rec.ranker_score, 3, t('score.ranker')]
    : rankedBy === 'model' && rec.model_score != null
      ? [rec.model_score, 3, t('score.model')]
      : [rec.score, 2, t('score.rating')];
  const span = el('span', value.toFixed(digits), 'score');
  span.title = what;
  return span;
}

// A card's score bar: one segment per part of the rating, as wide as its points against the
// largest score on the list (so bars compare across cards). Its words are the bar's name.
function scoreBar(rec, maxScore) {
  const bar = el('div', undefined, 'scorebar');
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', scoreSentence(rec));
  for (const p of scoreParts(rec)) {
    const seg = el('span', undefined, `seg part-${p.key}`);
    seg.style.width = `${Math.min(100, (100 * p.points) / maxScore).toFixed(2)}%`;
    seg.title = `${p.label}: ${p.points.toFixed(2)}`;
    bar.append(seg);
  }
  return bar;
}

function statsLine(inf, catLabel) {
  const price = priceText(inf.cost_per_post, inf.price_estimate, { unit: 'post' });
  const cost = ` · ${price ?? t('card.cost_unknown')}`;
  const kind = KIND_LABELS.includes(inf.kind) ? ` · ${t(`card.kind.${inf.kind}`)}` : '';
  const day = dayText(inf.last_post);
  const last = day ? ` · ${t('card.last_post', { v: day })}` : '';
  return `${followersText(inf.followers)} · ${known(inf.engagement_rate) ? rateText(inf.engagement_rate) : unknownRate()} · ${countryName(inf.country) || t('card.country_unknown')} · ${catLabel(inf.category)}${cost}${kind}${last}`;
}

// "Worked with": the handles the account's posts named, most recent first, a paid
// partnership marked, a known brand by its name. Text only (handles come from the scrape).
function workedWith(list) {
  const p = el('p', t('card.worked_with') + ' ', 'worked-with');
  list.forEach((w, i) => {
    if (i) p.append(', ');
    const day = dayText(w.last_seen);
    const span = el('span', workedWithText(w), w.sponsored_posts > 0 ? 'paid' : undefined);
    span.title = [t('card.posts', { n: w.posts }), w.sponsored_posts ? t('card.paid_posts', { n: w.sponsored_posts }) : '', day ? t('card.last_seen', { v: day }) : ''].filter(Boolean).join(', ');
    p.append(span);
  });
  return p;
}

// A deterministic avatar: the handle's initials on a hue from its FNV-1a hash, so an
// influencer looks the same on every visit and device, and the page fetches no image (its
// CSP allows none from elsewhere). Decorative: the name beside it is the accessible text.
function avatar(name) {
  const words = name.replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').filter(Boolean);
  const first = (w) => [...(w ?? '')].slice(0, 1).join('');
  const initials = (words.length > 1 ? first(words[0]) + first(words[1]) : [...(words[0] ?? '?')].slice(0, 2).join('')).toUpperCase();
  let h = 0x811c9dc5;
  for (const c of name) {
    h ^= c.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const span = el('span', initials, 'avatar');
  span.setAttribute('aria-hidden', 'true');
  span.style.backgroundColor = `hsl(${h % 360} 65% 80%)`;
  return span;
}

// What a card's details show: the bio (from the detail shard, once loaded), hashtags, likes,
// expected engagements and story cost; `note` says why the bio is missing.
function fillDetails(box, inf, note) {
  const parts = [];
  // The account's profile, on the platform its post links are on.
  const profile = profileLink(inf.name, inf.post_urls);
  if (profile) {
    const p = el('p', undefined, 'links profile');
    p.append(externalLink(profile.href, t('card.profile_on', { v: profile.platform })), ` ${t('card.new_tab')}`);
    parts.push(p);
  }
  if (inf.description) parts.push(el('p', inf.description, 'bio'));
  // The contact e-mail and website the bio gives, as links, said to come from the bio.
  const contacts = bioLinks(inf.description);
  if (contacts.length) {
    const p = el('p', `${t('card.from_bio')} `, 'links bio-links');
    contacts.forEach((c, k) => p.append(...(k ? [' · '] : []), externalLink(c.href, c.text, c.kind)));
    parts.push(p);
  }
  const posts = postLinks(inf.post_urls);
  if (posts.length) {
    const list = el('ul', undefined, 'links posts');
    list.setAttribute('aria-label', t('card.posts_by', { v: inf.name }));
    posts.slice(0, 12).forEach((href, k) => {
      const li = el('li');
      li.append(externalLink(href, t('card.post_n', { n: k + 1 })));
      list.append(li);
    });
    parts.push(list);
  }
  if (inf.hashtags.length) parts.push(el('p', inf.hashtags.map((t) => '#' + t).join(' '), 'tags'));
  const e = expected(inf);
  parts.push(el('p', [
    followersText(inf.followers, fmtInt),
    known(inf.engagement_rate) ? t('detail.engagement', { v: `${(inf.engagement_rate * 100).toFixed(2)}%` }) : unknownRate(),
    known(inf.mean_likes) ? t('detail.mean_likes', { v: fmtInt.format(Math.round(inf.mean_likes)) }) : t('detail.likes_unknown'),
    t('detail.expected', { v: e != null ? fmtInt.format(Math.round(e)) : t('detail.unknown') }),
    t('detail.story', { v: priceText(inf.cost_per_story, inf.story_price_estimate, { fmt: fmtMoney2 }) ?? t('card.cost_unknown') }),
  ].join(' · '), 'stats'));
  // Recency, where the scrape dates its posts.
  const recency = [
    dayText(inf.last_post) && t('card.last_post', { v: dayText(inf.last_post) }),
    known(inf.posts_per_week) && t('detail.per_week', { n: inf.posts_per_week, v: fmtRate1.format(inf.posts_per_week) }),
    known(inf.recent_engagement_rate) && t('detail.recent', { v: fmtPercent.format(inf.recent_engagement_rate) }),
  ].filter(Boolean);
  if (recency.length) parts.push(el('p', recency.join(' · '), 'stats recency'));
  // An estimated price says its range and what it rests on.
  const ranges = [['post', inf.cost_per_post, inf.price_estimate], ['story', inf.cost_per_story, inf.story_price_estimate]]
    .filter(([, listed, e]) => isEstimate(listed, e))
    .map(([what, , e]) => `${t(`detail.range_${what}`)} ${priceRange(e)}`);
  if (ranges.length) parts.push(el('p', t('detail.price_estimate', { v: ranges.join('; ') }), 'note price-note'));
  if (note) parts.push(el('p', note, 'note'));
  box.replaceChildren(...parts);
}

// The numbers behind a card's reasons: the cohesion breakdown, the scores, the ranker's
// families and its largest feature contributions.
function numberLists(rec, ranking, catLabel) {
  const lists = [];
  const why = el('ul', undefined, 'why');
  why.setAttribute('aria-label', t('detail.breakdown'));
  for (const chip of whyChips(rec, catLabel)) why.append(el('li', chip));
  lists.push(why);
  const fam = familyChips(rec);
  if (fam.length) {
    const ul = el('ul', undefined, 'why families');
    ul.setAttribute('aria-label', t('detail.families'));
    for (const chip of fam) ul.append(el('li', chip));
    lists.push(ul);
  }
  const contrib = contributionChips(rec);
  if (contrib.length) {
    const ul = el('ul', undefined, 'why contrib');
    ul.setAttribute('aria-label', t('detail.contributions', { v: ranking.ranker_expected?.toFixed(3) ?? t('detail.unknown') }));
    for (const chip of contrib) ul.append(el('li', chip));
    lists.push(ul);
  }
  return lists;
}

// The list of cards in #results and the shortlist chart. `ctx` connects them to the page:
// catLabel(slug), inCampaign(name), onInteract(inf, kind),
// onAdd([inf]), onMoreLike(inf), withDetails(name) (a promise of the record with its bio).
export class Cards {
  constructor(ctx) {
    this.ctx = ctx;
    // Influencers whose details are open (they stay open when the list re-renders), and why
    // a bio could not be loaded; cards whose "Details" disclosure is open.
    this.openDetails = new Set();
    this.detailNotes = new Map();
    this.openNumbers = new Set();
    // What the chart shows (redrawn when the campaign or the page's width changes), and the
    // width it has (from a ResizeObserver: reading it during a render would force a layout
    // of the whole page in the middle of building the list).
    this.shown = [];
    this.chartWidth = 0;
  }

  setChartWidth(w) {
    if (w !== this.chartWidth) {
      this.chartWidth = w;
      this.drawShown();
    }
  }

  // The shortlist chart of what the list shows; a point opens (focuses) its card.
  drawShown() {
    // Before the first layout the width is unknown: the observer draws it then, before the
    // first paint.
    if (!this.chartWidth) return;
    drawShortlist($('shortlist-chart'), this.shown.map(({ rec, inf }) => ({
      name: inf.name, followers: inf.followers, rate: inf.engagement_rate, picked: this.ctx.inCampaign(inf.name), rank: rec?.rank,
    })), {
      width: this.chartWidth,
      onOpen: (name) => {
        const card = [...$('results').children].find((c) => c.dataset.influencer === name);
        card?.scrollIntoView({ block: 'center' });
        card?.querySelector('.name')?.focus({ preventScroll: true });
      },
    });
  }

  clear() {
    this.shown = [];
    this.drawShown();
    $('score-legend').hidden = true;
    $('results').replaceChildren();
  }

  // `items`: {rec, inf} of a ranking, or {inf, similarity} of "more like this".
  render(items, ranking) {
    const { ctx } = this;
    const list = $('results');
    const focused = document.activeElement?.dataset?.action
      ? { action: document.activeElement.dataset.action, who: document.activeElement.closest('li')?.dataset.influencer }
      : null;
    list.replaceChildren();
    this.shown = items;
    this.drawShown();
    const maxScore = Math.max(1e-9, ...items.map(({ rec }) => (rec && Number.isFinite(rec.score) ? rec.score : 0)));
    $('score-legend').hidden = !items.some(({ rec }) => rec);
    const rctx = { categoryLabel: ctx.catLabel, countryName, rankedBy: ranking?.ranked_by };
    for (const { rec, inf, similarity } of items) {
      const li = el('li', undefined, 'card');
      li.dataset.influencer = inf.name;
      li.dataset.followers = known(inf.followers) ? String(inf.followers) : '';
      li.append(rec ? shownScore(rec, ranking?.ranked_by) : el('span', t('card.alike', { v: (similarity * 100).toFixed(0) }), 'score'));
      const h = el('h3');
      h.append(avatar(inf.name));
      if (rec) h.append(el('span', `${rec.rank}. `));
      // The name opens the account's profile (a click, recorded) where the platform is known.
      const profile = profileLink(inf.name, inf.post_urls, ctx.platform?.());
      let name;
      if (profile) {
        name = externalLink(profile.href, inf.name, 'name');
        name.addEventListener('click', () => ctx.onInteract(inf, 'click'));
        name.setAttribute('aria-label', t('card.name_profile', { name: inf.name, v: profile.platform }));
      } else {
        name = button(inf.name, 'name', () => ctx.onInteract(inf, 'click'));
        name.setAttribute('aria-label', t('card.name_open', { name: inf.name }));
      }
      name.dataset.action = 'click';
      h.append(name);
      li.append(h, el('p', statsLine(inf, ctx.catLabel), 'stats'));
      if (inf.worked_with?.length) li.append(workedWith(inf.worked_with));
      if (rec) {
        const why = el('ul', undefined, 'reasons');
        why.setAttribute('aria-label', t('card.why', { name: inf.name }));
        for (const r of reasons(rec, rctx)) {
          const item = el('li', r.text);
          item.dataset.kind = r.kind;
          why.append(item);
        }
        li.append(why, scoreBar(rec, maxScore));
      }
      // The details open below the buttons: their bio arrives later (a shard), and what
      // grows under the pointer must not push the button being used.
      const details = el('div', undefined, 'details');
      details.hidden = !this.openDetails.has(inf.name);
      fillDetails(details, inf, inf.description ? undefined : this.detailNotes.get(inf.name));
      const actions = el('div', undefined, 'card-actions');
      const add = (action, text, fn) => {
        const b = button(text, 'secondary', fn);
        b.dataset.action = action;
        b.setAttribute('aria-label', `${text}: ${inf.name}`);
        actions.append(b);
      };
      add('check_info', t('kind.check_info'), () => this.checkInfo(inf, details));
      add('add_to_campaign', pickLabel(ctx.inCampaign(inf.name)), () => ctx.onAdd([inf]));
      add('collaboration', t('kind.collaboration'), () => ctx.onInteract(inf, 'collaboration'));
      add('similar', t('card.more_like'), () => ctx.onMoreLike(inf));
      li.append(actions, details);
      if (rec) li.append(this.numbers(rec, ranking, inf.name));
      list.append(li);
    }
    if (focused) {
      const again = [...list.children].find((li) => li.dataset.influencer === focused.who)?.querySelector(`[data-action="${focused.action}"]`);
      again?.focus({ preventScroll: true });
    }
  }

  // The cards' campaign buttons as the campaign is now (the list itself holds still).
  refreshPicks() {
    for (const li of $('results').children) {
      const b = li.querySelector('[data-action="add_to_campaign"]');
      if (!b) continue;
      const text = pickLabel(this.ctx.inCampaign(li.dataset.influencer));
      b.textContent = text;
      b.setAttribute('aria-label', `${text}: ${li.dataset.influencer}`);
    }
  }

  // Check info: the details open, the interaction is recorded, and the bio fills the card.
  checkInfo(inf, details) {
    details.hidden = false;
    this.openDetails.add(inf.name);
    this.ctx.onInteract(inf, 'check_info');
    const box = () => [...$('results').children].find((c) => c.dataset.influencer === inf.name)?.querySelector('.details') ?? details;
    this.ctx.withDetails(inf.name).then((full) => {
      this.detailNotes.delete(inf.name);
      fillDetails(box(), full ?? inf);
    }).catch(() => {
      this.detailNotes.set(inf.name, t('card.bio_offline'));
      fillDetails(box(), inf, this.detailNotes.get(inf.name));
    });
  }

  // The "Details" disclosure, filled when first opened: a re-rank then builds ten summaries,
  // not ten sets of chips.
  numbers(rec, ranking, name) {
    const box = el('details', undefined, 'numbers');
    box.append(el('summary', t('card.details')));
    let filled = false;
    const fill = () => {
      if (!filled) box.append(...numberLists(rec, ranking, this.ctx.catLabel));
      filled = true;
    };
    if (this.openNumbers.has(name)) {
      fill();
      box.open = true;
    }
    box.addEventListener('toggle', () => {
      if (box.open) {
        fill();
        this.openNumbers.add(name);
      } else this.openNumbers.delete(name);
    });
    return box;
  }
}
