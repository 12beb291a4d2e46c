// End-to-end: the real page, served by the real server, in Debian's headless Chromium.
// Needs `target/release/influence-rec` and a built pkg/ (.ci/test builds both first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { assertAccessible, violations } from './axe.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'target/release/influence-rec');
const port = 18000 + (process.pid % 1000);
const base = `http://127.0.0.1:${port}`;
const shots = path.join(root, 'tests/e2e/screenshots');
let server;
let browser;

function cli(args) {
  return JSON.parse(execFileSync(bin, [...args, '--json', '--bundle', path.join(root, 'pkg/model.bundle')], { encoding: 'utf8' }));
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  // A fresh collector database: the page's sync talks to the real collector.
  const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'ir-page-')), 'collector.db');
  server = spawn(bin, ['serve', '--root', root, '--addr', `127.0.0.1:${port}`, '--db', db], { stdio: ['ignore', 'pipe', 'inherit'] });
  const deadline = Date.now() + 15000;
  for (;;) {
    try { if ((await fetch(base + '/')).ok) break; } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

async function openPage(query = '', viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(base + '/' + query);
  await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Ready'));
  return { page, errors };
}

const cardNames = (page) => page.$$eval('#results > li', (lis) => lis.map((li) => li.dataset.influencer));
const cardScores = (page) => page.$$eval('#results > li > .score', (s) => s.map((x) => x.textContent));

test('known brand: the page shows the same top 10 as the native CLI', async () => {
  const { page, errors } = await openPage();
  const brand = await page.inputValue('#brand-input');
  assert.ok(brand.length > 0, 'a known brand is preselected');
  const native = cli(['recommend', '--brand', brand, '-k', '10']);
  assert.deepEqual(await cardNames(page), native.recommendations.map((r) => r.name));
  assert.deepEqual(await cardScores(page), native.recommendations.map((r) => r.score.toFixed(2)));
  assert.match(await page.textContent('#results-summary'), /^Known brand/);
  const manifest = JSON.parse(readFileSync(path.join(root, 'pkg/manifest.json'), 'utf8'));
  assert.match(await page.textContent('#bundle-info'), new RegExp(`Model bundle v${manifest.format_version} by influence-rec \\d+\\.\\d+\\.\\d+ \\(version ${manifest.version}\\): 2,400 influencers, 120 brands`));
  await page.screenshot({ path: path.join(shots, 'known-brand-desktop.png'), fullPage: false });
  await assertAccessible(page, 'known brand (the start)');
  assert.deepEqual(errors, []);
  await page.close();
});

test('known brand chosen by the user, and an unknown one gives a clear error', async () => {
  const { page } = await openPage();
  const names = await page.$$eval('#brand-list option', (o) => o.map((x) => x.value));
  const pick = names[names.length - 1];
  await page.fill('#brand-input', pick);
  await page.fill('#known-k', '5');
  await page.click('#known-form button');
  const native = cli(['recommend', '--brand', pick, '-k', '5']);
  assert.deepEqual(await cardNames(page), native.recommendations.map((r) => r.name));
  await page.fill('#brand-input', 'No Such Brand');
  await page.click('#known-form button');
  assert.match(await page.textContent('#results-summary'), /unknown brand: "No Such Brand"/);
  await page.close();
});

test('new brand: category inferred as you type, cold-start ranking, random pairing row', async () => {
  const { page, errors } = await openPage();
  const nb = { name: 'Trailhead Gear', country: 'Spain', hashtags: '#hiking #camping',
    description: 'Outdoor equipment for hiking and camping in the mountains' };
  await page.fill('#new-name', nb.name);
  await page.fill('#new-country', nb.country);
  await page.fill('#new-hashtags', nb.hashtags);
  await page.fill('#new-description', nb.description);
  assert.equal(await page.textContent('#inferred'), 'Inferred category: Nature');
  await page.click('#new-form button');
  await page.waitForFunction(() => document.getElementById('results-summary').textContent.startsWith('New brand'));
  const native = cli(['recommend', '--name', nb.name, '--country', nb.country, '--hashtags', nb.hashtags,
    '--description', nb.description, '-k', '10']);
  assert.deepEqual(await cardNames(page), native.recommendations.map((r) => r.name));
  assert.match(await page.textContent('#pairing'), /^New data row: Trailhead Gear × .+ \(cohesion \d+\.\d\d\)$/);
  await page.screenshot({ path: path.join(shots, 'new-brand-desktop.png') });
  await assertAccessible(page, 'new brand');
  assert.deepEqual(errors, []);
  await page.close();
});

test('rank by the learned model: same top 10 as the native CLI', async () => {
  const { page, errors } = await openPage();
  const brand = await page.inputValue('#brand-input');
  await page.selectOption('#rank-by', 'model');
  await page.click('#known-form button');
  await page.waitForFunction(() => document.getElementById('results-summary').textContent.endsWith('ranked by the learned model'));
  const native = cli(['recommend', '--brand', brand, '-k', '10', '--by', 'model']);
  assert.equal(native.ranked_by, 'model');
  assert.deepEqual(await cardNames(page), native.recommendations.map((r) => r.name));
  const chips = await page.$$eval('#results > li:first-child .why li', (l) => l.map((x) => x.textContent));
  assert.ok(chips.some((c) => c.startsWith('model score ')), chips.join(' | '));
  // A new brand by the model: its vector comes from its content features (cold start).
  const nb = { name: 'Glow Lab', country: 'France', hashtags: '#skincare', description: 'clean skincare and makeup' };
  await page.fill('#new-name', nb.name);
  await page.fill('#new-country', nb.country);
  await page.fill('#new-hashtags', nb.hashtags);
  await page.fill('#new-description', nb.description);
  await page.click('#new-form button');
  await page.waitForFunction(() => document.getElementById('results-summary').textContent.startsWith('New brand “Glow Lab”'));
  const coldNative = cli(['recommend', '--name', nb.name, '--country', nb.country, '--hashtags', nb.hashtags,
    '--description', nb.description, '-k', '10', '--by', 'model']);
  assert.equal(coldNative.ranked_by, 'model');
  assert.deepEqual(await cardNames(page), coldNative.recommendations.map((r) => r.name));
  assert.deepEqual(errors, []);
  await page.close();
});

test('rank by the learned ranker: same top 10 as the native CLI, with contributions', async () => {
  const { page, errors } = await openPage();
  const brand = await page.inputValue('#brand-input');
  await page.selectOption('#rank-by', 'ranker');
  await page.click('#known-form button');
  await page.waitForFunction(() => document.getElementById('results-summary').textContent.endsWith('ranked by the learned ranker'));
  const native = cli(['recommend', '--brand', brand, '-k', '10', '--by', 'ranker']);
  assert.equal(native.ranked_by, 'ranker');
  assert.deepEqual(await cardNames(page), native.recommendations.map((r) => r.name));
  // The first card explains the ranker beside the cohesion breakdown: its score and its
  // largest TreeSHAP contributions, in the order the native build gives them.
  const chips = await page.$$eval('#results > li:first-child .why li', (l) => l.map((x) => x.textContent));
  assert.ok(chips.some((c) => c.startsWith('ranker score ')), chips.join(' | '));
  const contrib = await page.$$eval('#results > li:first-child .why.contrib li', (l) => l.map((x) => x.textContent));
  const top = native.recommendations[0].contributions.filter((c) => c.contribution !== 0).slice(0, 4);
  assert.equal(contrib.length, top.length);
  for (const [i, c] of top.entries()) {
    const sign = c.contribution >= 0 ? '+' : '−';
    assert.ok(contrib[i].endsWith(`: ${sign}${Math.abs(c.contribution).toFixed(3)}`), `${contrib[i]} vs ${JSON.stringify(c)}`);
  }
  await page.screenshot({ path: path.join(shots, 'ranker-desktop.png') });
  await assertAccessible(page, 'ranked by the learned ranker');
  assert.deepEqual(errors, []);
  await page.close();
});

test('untrusted text renders as inert text', async () => {
  const { page } = await openPage();
  const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await page.fill('#new-name', payload);
  await page.fill('#new-description', 'fashion');
  await page.click('#new-form button');
  await page.waitForFunction(() => document.getElementById('results-summary').textContent.startsWith('New brand'));
  assert.ok((await page.textContent('#results-summary')).includes(payload), 'shown literally');
  assert.equal(await page.$$eval('main img, main script', (x) => x.length), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await page.close();
});

test('dark theme: the system setting turns the page dark, and it passes the audit', async () => {
  const { page, errors } = await openPage();
  const light = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  assert.notEqual(dark, light);
  // Dark means dark: the background's channels are low and the text's high.
  const channels = (c) => c.match(/\d+/g).slice(0, 3).map(Number);
  assert.ok(channels(dark).every((x) => x < 60), dark);
  const fg = await page.evaluate(() => getComputedStyle(document.body).color);
  assert.ok(channels(fg).every((x) => x > 180), fg);
  await page.click('#results > li:first-child [data-action="check_info"]');
  await page.waitForSelector('#results > li:first-child .bio');
  await page.screenshot({ path: path.join(shots, 'known-brand-dark.png') });
  await assertAccessible(page, 'dark theme, details open');
  assert.deepEqual(errors, []);
  await page.close();
});

test('avatars: initials and a colour from the name, the same on every render, no image', async () => {
  const { page, errors } = await openPage();
  const read = () => page.$$eval('#results > li', (lis) => lis.map((li) => {
    const a = li.querySelector('.avatar');
    return [li.dataset.influencer, a.textContent, getComputedStyle(a).backgroundColor, a.getAttribute('aria-hidden')];
  }));
  const before = await read();
  assert.ok(before.length > 0);
  for (const [name, initials, colour, hidden] of before) {
    assert.match(initials, /^\S{1,2}$/u, name);
    assert.equal(initials, initials.toUpperCase());
    assert.match(colour, /^rgb\(\d+, \d+, \d+\)$/);
    assert.equal(hidden, 'true');
  }
  assert.ok(new Set(before.map((x) => x[2])).size > 1, 'names give different colours');
  // Another render (another ordering) and another page: the same avatar for the same name.
  await page.selectOption('#rank-by', 'model');
  await page.waitForFunction(() => document.getElementById('results-summary').textContent.includes('learned model'));
  const again = new Map((await read()).map((x) => [x[0], x.slice(1)]));
  for (const [name, ...rest] of before) if (again.has(name)) assert.deepEqual(again.get(name), rest);
  assert.equal(await page.$$eval('#results img', (x) => x.length), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('numbers as people read them: compact followers and one-decimal rates on the card, exact in the details', async () => {
  const { page, errors } = await openPage();
  const cards = await page.$$eval('#results > li', (lis) => lis.map((li) => [Number(li.dataset.followers), li.querySelector(':scope > p.stats').textContent]));
  assert.ok(cards.length > 0);
  for (const [followers, line] of cards) {
    const m = /^(\d+(?:\.\d)?)([KMB]?) followers · (\d+(?:\.\d)?)% engagement · /.exec(line);
    assert.ok(m, line);
    const scale = { '': 1, K: 1e3, M: 1e6, B: 1e9 }[m[2]];
    assert.equal(m[2] === '', followers < 1000, line);
    assert.ok(Math.abs(Number(m[1]) * scale - followers) <= 0.05 * scale, `${line} for ${followers}`);
  }
  // Details show the exact count with separators.
  await page.click('#results > li:first-child [data-action="check_info"]');
  await page.waitForSelector('#results > li:first-child .details:not([hidden])');
  const exact = await page.textContent('#results > li:first-child .details p.stats');
  assert.ok(exact.startsWith(`${cards[0][0].toLocaleString('en-US')} followers · engagement `), exact);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the accessibility audit sees a violation when there is one', async () => {
  const { page } = await openPage();
  await assertAccessible(page, 'the start');
  // An image without a text alternative and an input without a label.
  await page.evaluate(() => {
    const main = document.querySelector('main');
    main.append(Object.assign(document.createElement('img'), { src: 'data:,' }));
    main.append(document.createElement('input'));
  });
  const rules = (await violations(page)).map((v) => v.rule).sort();
  assert.ok(rules.includes('image-alt') && rules.includes('label'), rules.join(' '));
  await page.close();
});

test('phone width: one column, nothing overflows horizontally', async () => {
  const { page } = await openPage('', { width: 390, height: 844 });
  await page.waitForSelector('#results > li');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await page.screenshot({ path: path.join(shots, 'known-brand-phone.png'), fullPage: true });
  await assertAccessible(page, 'phone width');
  await page.close();
});
