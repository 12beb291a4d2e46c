// End-to-end: a real-shaped scrape with what real scrapes have (issue 27): accounts whose
// likes are hidden, an explore page ("Top Posts"), a shop's own account, a venue as the most
// frequent place. `init` builds the app from it; the page must say unknown where it does not
// know, never show a page as an influencer, and keep unknowns apart in the filters, the
// chart and the campaign with its CSV.
// Needs `target/release/influence-rec` and a built pkg/ (.ci/test builds both first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertAccessible } from './axe.mjs';
import { root, bin, shots, basePort, cleanup, waitUp, servedCopy, newPage, cardNames } from './harness.mjs';

const csvLine = (cells) => cells.map((c) => (/[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(',');
const HEADER = ['ownerUsername', 'followersCount', 'biography', 'caption', 'likesCount', 'commentsCount', 'locationName', 'url', 'isBusinessAccount', 'businessCategoryName', 'timestamp'];

// Per-post rows in an Apify-like export: 36 food and fitness creators in Spain and Mexico,
// 6 of them with hidden likes (empty likesCount on every post), an explore page, a shop.
function scrape() {
  const rows = [HEADER];
  const topics = [
    ['receta casera con aceite de oliva #recetas #comidacasera #foodie', 'Recetas y cocina de casa'],
    ['entreno de piernas en el gimnasio #fitness #gym #workout', 'Entrenador personal, fitness y salud'],
  ];
  const places = [['Madrid, España', 'Barcelona'], ['Ciudad de México', 'Guadalajara, Jalisco']];
  for (let a = 0; a < 36; a++) {
    const [caption, bio] = topics[a % 2];
    const [home, other] = places[(a >> 1) % 2];
    const followers = 5000 + 1731 * a * a;
    const hidden = a % 6 === 5;
    for (let p = 0; p < 3; p++) {
      const likes = hidden ? '' : Math.round(followers * (0.01 + 0.002 * ((a + p) % 7)));
      // A venue is this account's most frequent place text; its city is the place that resolves.
      const place = a === 0 ? (p < 2 ? 'Estadio Santiago Bernabéu' : home) : (p === 2 ? other : home);
      // A post a week, the newest a days before the scrape's last day (2026-11-30).
      const when = new Date(Date.UTC(2026, 10, 30 - a - 7 * p, 12)).toISOString();
      // Collaboration evidence (issue 28): every fourth account names @cocina.viva on its
      // newest post, every eighth as a paid partnership (#ad); the next names @pulsogym.
      const named = p > 0 ? '' : a % 4 === 0 ? ` con @cocina.viva${a % 8 === 0 ? ' #ad' : ''}` : a % 4 === 1 ? ' con @PulsoGym' : '';
      rows.push([`creator_${String(a).padStart(2, '0')}`, followers.toLocaleString('en-US'), bio, `${caption} ${p}${named}`, likes,
        hidden ? '' : 12 + a, place, `https://www.instagram.com/p/c${a}p${p}/`, 'false', 'Creator', when]);
    }
  }
  rows.push(['Top Posts', '0', '', 'a popular post #recetas #foodie', '5400', '', 'Madrid, España', 'https://www.instagram.com/p/top1/', '', '', '']);
  rows.push(['Top Posts', '0', '', 'another one #fitness #gym', '7100', '', '', 'https://www.instagram.com/p/top2/', '', '', '']);
  for (let p = 0; p < 2; p++) {
    rows.push(['tienda_fitgear', '88,000', 'Tienda online de ropa deportiva · envío gratis', `nueva colección #fitness #gym ${p}`, '900', '8',
      'Madrid, España', `https://www.instagram.com/p/shop${p}/`, 'true', 'Clothing Store', '']);
  }
  return rows.map(csvLine).join('\n') + '\n';
}

const BRANDS = ['user_Name,followers,user_Description,likes,post_Description,location,post_Location,hashtags,post_Url,engagement_rate,hashtags_translated,all_descriptions,translated,max_category',
  csvLine(['Cocina Viva', '40,000', 'Aceite de oliva para tu cocina. Madrid', '', 'Receta de la semana #recetas #comidacasera', 'Madrid, España', '', '#recetas #comidacasera', 'https://www.instagram.com/p/b1/', '', '', '', '', 'Food']),
  csvLine(['Pulso Gym', '60,000', 'Ropa y suplementos para el gimnasio. CDMX', '', 'Entrena con nosotros #fitness #gym', 'Ciudad de México', '', '#fitness #gym', 'https://www.instagram.com/p/b2/', '', '', '', '', 'Fitness']),
].join('\n') + '\n';

// `init` on the scrape in a served copy, `serve` on `port`, and a page on it: what `init`
// printed, the folder it wrote, and the page.
async function appOnScrape(prefix, port) {
  const dir = servedCopy(prefix);
  const mine = path.join(dir, 'mydata');
  const posts = path.join(dir, 'posts.csv');
  const brands = path.join(dir, 'brand_posts.csv');
  writeFileSync(posts, scrape());
  writeFileSync(brands, BRANDS);
  const out = execFileSync(bin, ['init', '--influencers', posts, '--brands', brands, '--out', mine], { encoding: 'utf8' });
  const db = path.join(mkdtempSync(path.join(tmpdir(), 'ir-db-')), 'collector.db');
  const proc = spawn(bin, ['serve', '--root', dir, '--bundle-dir', path.join(mine, 'pkg'), '--addr', `127.0.0.1:${port}`, '--db', db], { stdio: ['ignore', 'ignore', 'inherit'] });
  cleanup.push(() => proc.kill('SIGTERM'));
  await waitUp(`http://127.0.0.1:${port}/`);
  return { out, mine, dir, ...(await newPage(`http://127.0.0.1:${port}`)) };
}

test('a scrape with unknowns: cards say unknown, pages are not accounts, filters, chart and campaign keep unknowns apart', async () => {
  const { out, mine, context, page, errors } = await appOnScrape('ir-scrape-', basePort + 40);
  // The import report: the page left out in one line, the unknowns' share.
  assert.match(out, /left out 1 explore pages \(2 rows\)/, out);
  const table = readFileSync(path.join(mine, 'data/influencers.csv'), 'utf8');
  assert.ok(!/Top Posts/.test(table), 'the explore page is not a profile');
  // The venue is neither the country nor the place kept: the city that resolves is.
  const first = table.split('\n').find((l) => l.startsWith('creator_00,'));
  assert.match(first, /,ES,/, first);
  assert.doesNotMatch(first, /Bernab/, first);

  await page.fill('#brand-input', 'Cocina Viva');
  await page.fill('#known-k', '40');
  await page.click('#known-form button');
  await page.waitForFunction(() => document.querySelectorAll('#results > li').length >= 30);
  const names = await cardNames(page);
  assert.ok(!names.includes('Top Posts'), names.join(' '));
  assert.ok(names.includes('tienda_fitgear'), 'the shop is listed until creators only is asked for');

  // Cards: hidden likes say so, never 0 %.
  const stats = Object.fromEntries(await page.$$eval('#results > li', (lis) => lis.map((li) => [li.dataset.influencer, li.querySelector(':scope > p.stats').textContent])));
  const hidden = ['creator_05', 'creator_11', 'creator_17', 'creator_23', 'creator_29', 'creator_35'].filter((n) => stats[n]);
  assert.ok(hidden.length >= 3, Object.keys(stats).join(' '));
  for (const n of hidden) {
    assert.match(stats[n], /engagement unknown: the scrape has no likes/, stats[n]);
    assert.doesNotMatch(stats[n], /0% engagement/, stats[n]);
  }
  assert.match(stats.creator_01, /\d% engagement/, stats.creator_01);
  assert.match(stats.tienda_fitgear, /brand account/, stats.tienda_fitgear);
  // No prices in the scrape: every card gives an estimate from the rate card, never $0, and
  // its details say the range and what it rests on.
  for (const [n, line] of Object.entries(stats)) {
    assert.match(line, /about \$[\d,]+\/post \(estimate\)/, `${n}: ${line}`);
    assert.doesNotMatch(line, /\$0\b/, line);
  }
  // Recency from the post times: the last post's day on the card, posts a week and the
  // last 90 days' engagement in the details (creator_01 posted on 29, 22 and 15 November).
  const day = await page.evaluate(() => new Intl.DateTimeFormat(navigator.languages, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date('2026-11-29T00:00:00Z')));
  assert.ok(stats.creator_01.endsWith(`last post ${day}`), stats.creator_01);
  const recency = await page.$eval('#results > li[data-influencer="creator_01"] .details .recency', (p) => p.textContent);
  assert.match(recency, /1 post a week · engagement over the last 90 days \d/, recency);
  const hiddenRecency = await page.$eval(`#results > li[data-influencer="${hidden[0]}"] .details .recency`, (p) => p.textContent);
  assert.doesNotMatch(hiddenRecency, /90 days/, 'hidden likes have no recent engagement: ' + hiddenRecency);
  const note = await page.$eval('#results > li[data-influencer="creator_01"] .details .price-note', (p) => p.textContent);
  assert.match(note, /post \$10–\$100, from a public rate card by follower tier; story \$5–\$50/, note);
  // The venue is not the country: creator_00's country is Spain's, from the place that resolves.
  assert.match(stats.creator_00, /Spain/, stats.creator_00);
  const who = hidden[0];
  await page.click(`#results > li[data-influencer="${who}"] details.numbers summary`);
  // The chips are built on the disclosure's toggle event, which fires after the click returns.
  await page.waitForSelector(`#results > li[data-influencer="${who}"] details.numbers[open] .why li`);
  const chips = await page.$$eval(`#results > li[data-influencer="${who}"] .why li`, (l) => l.map((x) => x.textContent));
  assert.ok(chips.includes('engagement unknown: the scrape has no likes +0'), chips.join(' | '));

  // The chart keeps them in a band of their own, and its caption says so.
  await page.waitForSelector('#shortlist-chart:not([hidden]) svg .unknown-band');
  const caption = await page.textContent('#shortlist-caption');
  assert.match(caption, /with engagement unknown, in the band above/, caption);
  await page.screenshot({ path: path.join(shots, 'scrape-unknowns-cards.png'), fullPage: true });

  // A minimum engagement leaves unknowns out and says how many; the box keeps them.
  await page.fill('#f-min-engagement', '0.5');
  await page.click('#options-form button[type="submit"]');
  await page.waitForFunction(() => document.getElementById('results-summary').textContent.includes('with unknown followers or engagement left out'));
  const filtered = await cardNames(page);
  assert.ok(hidden.every((n) => !filtered.includes(n)), filtered.join(' '));
  const summary = await page.textContent('#results-summary');
  assert.match(summary, / 6 with unknown followers or engagement left out/, summary);
  await page.check('#f-include-unknown');
  await page.click('#options-form button[type="submit"]');
  await page.waitForFunction((h) => h.every((n) => document.querySelector(`#results > li[data-influencer="${n}"]`)), hidden);
  await page.screenshot({ path: path.join(shots, 'scrape-unknowns-filters.png') });
  await assertAccessible(page, 'scrape with unknowns, filtered');

  // Creators only: the shop's own account goes.
  await page.check('#f-creators-only');
  await page.click('#options-form button[type="submit"]');
  await page.waitForFunction(() => !document.querySelector('#results > li[data-influencer="tienda_fitgear"]'));
  assert.ok((await cardNames(page)).length > 20);

  // Sorting by engagement puts the unknowns last.
  await page.selectOption('#sort-by', 'engagement');
  const byRate = await cardNames(page);
  const firstHidden = Math.min(...hidden.map((n) => byRate.indexOf(n)));
  assert.ok(byRate.slice(firstHidden).every((n) => hidden.includes(n)), byRate.join(' '));

  // The campaign: totals over known values, the unknown said, the CSV with empty cells.
  await page.click(`#results > li[data-influencer="${who}"] [data-action="add_to_campaign"]`);
  await page.click('#results > li[data-influencer="creator_01"] [data-action="add_to_campaign"]');
  await page.waitForFunction(() => document.querySelectorAll('#campaign-table tbody tr').length === 2);
  const totals = await page.textContent('#campaign-totals');
  assert.match(totals, /1 with unknown engagement \(not in the expected engagements\)/, totals);
  assert.match(totals, /one post each \$[\d,.]+ \(2 estimated\)/, totals);
  const row = await page.$$eval(`#campaign-table tbody tr`, (trs, w) => trs.find((tr) => tr.querySelector('th').textContent === w).textContent, who);
  assert.match(row, /unknown/, row);
  assert.match(row, /about \$[\d,.]+ \(estimate\)/, row);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r\n/);
  assert.match(csv[0], /,"?unknown"?$/, csv[0]);
  const line = csv.find((l) => l.includes(`"${who}"`));
  assert.match(csv[0], /"?cost_per_post"?,"?cost_per_post_basis"?,"?cost_per_story"?,"?cost_per_story_basis"?/, csv[0]);
  // The cost is the typical estimate, marked as one; only truly unknown fields are listed.
  assert.match(line, /,"\d+(\.\d+)?","estimate: rate_card","\d+(\.\d+)?","estimate: rate_card","engagement_rate;expected_engagements"$/, line);
  assert.match(line, /,"",""/, 'unknown rate and expected engagements are empty cells: ' + line);
  await page.screenshot({ path: path.join(shots, 'scrape-unknowns-campaign.png'), fullPage: true });

  // Fill to budget plans on the typical estimates (this scrape has no prices) and says so.
  await page.click('#fill-budget');
  const suggestion = await page.textContent('#suggestion-summary');
  assert.match(suggestion, /Suggestion for the remaining .*\((\d+) priced by estimate\)/, suggestion);
  assert.doesNotMatch(suggestion, /Raise the budget|no known post cost/, suggestion);
  const picks = await page.$$eval('#suggestion-list li', (l) => l.map((x) => x.textContent));
  assert.ok(picks.length > 0 && picks.every((t) => /about \$[\d,.]+ \(estimate\)/.test(t)), picks.join(' | '));
  assert.deepEqual(errors, []);
  await context.close();
});

test('worked with: cards list the handles an account named, paid ones marked; filters find or hide them', async () => {
  const { out, context, page, errors } = await appOnScrape('ir-evidence-', basePort + 41);
  assert.match(out, /collaboration evidence: 18 accounts name other accounts in their posts, 18 account-to-handle pairs \(5 with paid posts\)/, out);
  await page.fill('#brand-input', 'Cocina Viva');
  await page.fill('#known-k', '40');
  await page.click('#known-form button');
  await page.waitForFunction(() => document.querySelectorAll('#results > li').length >= 30);
  const line = (n) => page.$eval(`#results > li[data-influencer="${n}"] .worked-with`, (p) => p.textContent);
  assert.equal(await line('creator_00'), 'worked with @cocina.viva · paid');
  assert.equal(await line('creator_04'), 'worked with @cocina.viva');
  assert.equal(await line('creator_01'), 'worked with @pulsogym');
  assert.equal(await page.$('#results > li[data-influencer="creator_02"] .worked-with'), null, 'no evidence, no line');
  await assertAccessible(page, 'worked with on the cards');

  // A competitor's collaborators only, then exclusivity.
  await page.fill('#f-worked-with', '@PulsoGym');
  await page.click('#options-form button[type="submit"]');
  await page.waitForFunction(() => [...document.querySelectorAll('#results > li')].every((li) => li.querySelector('.worked-with')?.textContent.includes('pulsogym')));
  const only = await cardNames(page);
  assert.deepEqual([...only].sort(), ['creator_01', 'creator_05', 'creator_09', 'creator_13', 'creator_17', 'creator_21', 'creator_25', 'creator_29', 'creator_33']);
  await page.fill('#f-worked-with', '');
  await page.fill('#f-not-worked-with', 'cocina.viva, @pulsogym');
  await page.click('#options-form button[type="submit"]');
  await page.waitForFunction(() => !document.querySelector('#results .worked-with'));
  const rest = await cardNames(page);
  assert.ok(rest.length > 10 && rest.every((n) => Number(n.slice(-2)) % 4 > 1 || !n.startsWith('creator_')), rest.join(' '));
  await page.screenshot({ path: path.join(shots, 'evidence-exclusivity.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('worked with in the widget: from the precomputed list and from the engine, as the cards say it', async () => {
  const { mine, dir, context, page, errors } = await appOnScrape('ir-widget-evidence-', basePort + 42);
  const { default_ordering: fallback } = JSON.parse(readFileSync(path.join(mine, 'pkg/manifest.json'), 'utf8'));
  const other = fallback === 'rating' ? 'model' : 'rating';
  // A partner's page on the same origin: the default ordering answers from the brand's
  // precomputed list, another ordering loads the engine.
  writeFileSync(path.join(dir, 'www/partner.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>
<script type="module" src="widget.js"></script></head><body><main><h1>Partner</h1>
<influencer-recs id="list" brand="Cocina Viva" k="20"></influencer-recs>
<influencer-recs id="engine" brand="Cocina Viva" k="20" by="${other}"></influencer-recs></main></body></html>`);
  await page.goto(new URL('partner.html', page.url()).href);
  await page.waitForFunction(() => [...document.querySelectorAll('influencer-recs')].every((w) => w.dataset.mode), null, { timeout: 20000 });
  const shown = await page.evaluate(() => [...document.querySelectorAll('influencer-recs')].map((w) => ({
    id: w.id,
    mode: w.dataset.mode,
    rows: [...w.shadowRoot.querySelectorAll('li')].map((li) => [li.querySelector('.name').textContent, li.querySelector('.worked-with')?.textContent ?? null]),
  })));
  assert.deepEqual(shown.map((w) => [w.id, w.mode]), [['list', 'list'], ['engine', 'wasm']]);
  // What the scrape's posts named: every fourth creator @cocina.viva (every eighth as #ad),
  // the next one @pulsogym, the rest nobody.
  const expected = (name) => {
    const a = Number(name.slice('creator_'.length));
    if (!name.startsWith('creator_')) return null;
    return a % 4 === 0 ? `worked with @cocina.viva${a % 8 === 0 ? ' · paid' : ''}` : a % 4 === 1 ? 'worked with @pulsogym' : null;
  };
  for (const w of shown) {
    assert.ok(w.rows.length >= 10, `${w.id}: ${w.rows.length} rows`);
    assert.ok(w.rows.some(([, line]) => line), `${w.id}: some account worked with a brand`);
    for (const [name, line] of w.rows) assert.equal(line, expected(name), `${w.id}: ${name}`);
  }
  await assertAccessible(page, 'worked with in the widget');
  assert.deepEqual(errors, []);
  await context.close();
});
