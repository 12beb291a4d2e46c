// End-to-end: the page in each of its six languages, in Debian's headless Chromium. The
// browser's language chooses it (Playwright sets navigator.languages); every key is
// translated, `lang` is set, nothing overflows and every select shows its option whole at
// phone width and at 1280 px, and axe-core finds nothing, in the states a brand manager goes
// through. The picker switches the language and remembers it. Screenshots in every language.
// Needs `target/release/influence-rec` and a built pkg/ (.ci/test builds both first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { assertAccessible } from './axe.mjs';
import { assertLaidOut } from './layout.mjs';
import { basePort, browser, realServer, shots, pickFirstBrand, ready } from './harness.mjs';

const LOCALES = { en: 'en-US', es: 'es-ES', pt: 'pt-BR', fr: 'fr-FR', it: 'it-IT', de: 'de-DE' };
const port = basePort + 16;
const base = `http://127.0.0.1:${port}`;
let served = null;
const serve = () => (served ??= realServer(port));

for (const [lang, locale] of Object.entries(LOCALES)) {
  test(`the page in ${locale}: every key translated, laid out at phone width and 1280 px, audited`, async () => {
    await serve();
    const cat = (await import(`../../www/i18n/${lang}.js`)).default;
    const context = await browser.newContext({ locale, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(base + '/');
    await ready(page);
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    assert.equal(await page.textContent('#status'), cat['status.ready']);
    assert.equal(await page.textContent('#results-summary'), cat['summary.choose']);
    assert.equal(await page.inputValue('#lang-select'), lang);
    const check = async (state) => {
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        await assertLaidOut(page, `${locale} ${state} at ${width} px`);
        await assertAccessible(page, `${locale} ${state} at ${width} px`);
      }
    };
    await check('the choice');
    // A brand, a card's details and numbers open, picks on the campaign, the fill-to-budget
    // suggestion, an interaction waiting to be shown.
    await pickFirstBrand(page);
    await page.click('#results > li:first-child [data-action="check_info"]');
    await page.waitForSelector('#results > li:first-child .bio');
    await page.click('#results > li:first-child details.numbers summary');
    await page.waitForSelector('#results > li:first-child details.numbers[open] .why li');
    for (const n of [1, 2]) await page.click(`#results > li:nth-child(${n}) [data-action="add_to_campaign"]`);
    await page.waitForFunction(() => document.querySelectorAll('#campaign-table tbody tr').length === 2);
    await page.click('#fill-budget');
    await page.waitForSelector('#suggestion:not([hidden])');
    assert.ok(await page.isVisible('#pending'));
    await check('a brand ranked, details open, a campaign');
    // The ranker's order: its contributions by family, in words of this language.
    await page.selectOption('#rank-by', 'ranker');
    await page.waitForFunction((t) => document.getElementById('results-summary').textContent.includes(t), cat['summary.ranked_by.ranker']);
    await check('ranked by the ranker');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: path.join(shots, `locale-${lang}-desktop.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(shots, `locale-${lang}-phone.png`), fullPage: true });
    // More like this; no influencer passing the filters; a brand nobody knows; a new brand;
    // the dark theme.
    await page.click('#results > li:first-child [data-action="similar"]');
    await page.waitForSelector('#more-like:not([hidden])');
    await check('more like this');
    await page.click('#back-to-ranking');
    await page.fill('#f-min-followers', '1000000000000');
    await page.click('#options-form button[type="submit"]');
    await page.waitForSelector('#results-empty:not([hidden])');
    await check('no influencer passes the filters');
    await page.click('#empty-clear');
    await page.waitForFunction(() => document.querySelectorAll('#results > li').length > 0);
    await page.fill('#brand-input', 'No Such Brand');
    await page.press('#brand-input', 'Enter');
    await page.waitForSelector('#results-summary.error');
    assert.equal(await page.textContent('#results-summary'), cat['error.unknown_brand'].replace('{name}', 'No Such Brand'));
    await check('an unknown brand');
    await page.fill('#new-name', 'Trailhead Gear');
    await page.fill('#new-description', 'Outdoor equipment for hiking and camping in the mountains');
    await page.click('#new-form button[type="submit"]');
    await page.waitForFunction((t) => document.getElementById('results-summary').textContent.startsWith(t), cat['summary.new'].split('{name}')[0]);
    await check('a new brand');
    await page.emulateMedia({ colorScheme: 'dark' });
    await check('the dark theme');
    // Nothing fell back to English.
    assert.equal(await page.evaluate(() => document.documentElement.dataset.i18nMissing), '');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the language picker switches the page and is remembered; the browser’s language is the default', async () => {
  await serve();
  const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(base + '/');
  await ready(page);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'it');
  await pickFirstBrand(page);
  const names = await page.$$eval('#results > li', (l) => l.map((x) => x.dataset.influencer));
  await Promise.all([page.waitForEvent('load'), page.selectOption('#lang-select', 'de')]);
  await ready(page);
  const de = (await import('../../www/i18n/de.js')).default;
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
  assert.equal(await page.textContent('#results-h'), de['results.h']);
  // The same brand and list, in German; the numbers written the German way.
  assert.deepEqual(await page.$$eval('#results > li', (l) => l.map((x) => x.dataset.influencer)), names);
  assert.match(await page.textContent('#results > li:first-child .stats'), /\d,\d+\s?% Engagement|\d+\s?% Engagement/);
  await page.reload();
  await ready(page);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de', 'remembered');
  await context.close();
});
