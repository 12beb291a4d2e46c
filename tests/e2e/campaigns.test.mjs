// End-to-end: campaigns belong to brands. Each brand has its own named campaigns in
// IndexedDB; switching brand switches them (the last brand's picks and messages leave the
// screen); they survive a reload and work offline; the CSV names the brand and the campaign;
// the device's single campaign from before (database version 1) is kept, for the brand that
// made it. Needs `target/release/influence-rec` and a built pkg/ (.ci/test builds both first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertAccessible } from './axe.mjs';
import { basePort, browser, realServer, newPage, ready, cardNames, until, cli } from './harness.mjs';

const picks = (page) => page.$$eval('#campaign-table tbody th', (l) => l.map((x) => x.textContent));
const campaignNames = (page) => page.$$eval('#campaign-select option', (o) => o.map((x) => x.textContent));
const openCampaign = (page) => page.$eval('#campaign-select', (s) => s.selectedOptions[0]?.textContent);
const add = async (page, n) => {
  const who = (await cardNames(page))[n];
  const before = (await picks(page)).length;
  await page.click(`#results > li[data-influencer="${who}"] [data-action="add_to_campaign"]`);
  await page.waitForFunction((k) => document.querySelectorAll('#campaign-table tbody tr').length === k, before + 1);
  return who;
};
// Opens a known brand by typing its name and pressing Enter (the form's submit).
const openBrand = async (page, name) => {
  await page.fill('#brand-input', name);
  await page.press('#brand-input', 'Enter');
  await page.waitForFunction((n) => document.getElementById('campaign-brand').textContent.startsWith(`For ${n}.`), name);
};
const onCampaign = (page) => page.$$eval('#results > li [data-action="add_to_campaign"]', (b) => b.filter((x) => x.textContent === 'On the campaign').length);

test('each brand has its own campaigns, across a reload and offline, and the CSV names both', async () => {
  const port = basePort + 14;
  const base = `http://127.0.0.1:${port}`;
  const server = await realServer(port);
  const { context, page, errors } = await newPage(base);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  const a = await page.inputValue('#brand-input');
  const a1 = [await add(page, 0), await add(page, 1)];
  // A second campaign for the same brand, named by the user.
  await page.click('#new-campaign');
  await page.waitForFunction(() => document.getElementById('campaign-select').options.length === 2);
  assert.equal(await page.inputValue('#campaign-name'), 'Campaign 2');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'campaign-name');
  await page.fill('#campaign-name', 'Spring launch');
  await page.press('#campaign-name', 'Tab');
  await page.waitForFunction(() => [...document.getElementById('campaign-select').options].some((o) => o.textContent === 'Spring launch'));
  assert.equal(await onCampaign(page), 0, 'a new campaign starts empty');
  const a2 = [await add(page, 2)];
  assert.deepEqual(await campaignNames(page), ['My campaign', 'Spring launch']);
  await page.click('#fill-budget');
  assert.equal(await page.isVisible('#suggestion'), true);

  // Another brand: its own (empty) campaign; the first brand's picks and suggestion are gone.
  const b = 'Zephyr Works';
  await openBrand(page, b);
  assert.deepEqual(await picks(page), []);
  assert.deepEqual(await campaignNames(page), ['My campaign']);
  assert.equal(await page.isVisible('#suggestion'), false, 'the last brand’s suggestion left');
  assert.equal(await onCampaign(page), 0);
  assert.match(await page.textContent('#campaign-totals'), /^No influencers on the campaign yet/);
  const b1 = [await add(page, 3)];
  await assertAccessible(page, 'a second brand’s campaign');

  // A reload opens the last brand used, with its campaign.
  await page.reload();
  await ready(page);
  assert.equal(await page.inputValue('#brand-input'), b);
  await page.waitForFunction(() => document.querySelectorAll('#campaign-table tbody tr').length === 1);
  assert.deepEqual(await picks(page), b1);

  // Offline: the server is gone, the worker serves the page, and the first brand's two
  // campaigns are there, the one it had open first.
  server.kill('SIGTERM');
  await until('the server to stop', async () => { try { await fetch(base); return false; } catch { return true; } });
  await page.reload();
  await ready(page);
  await openBrand(page, a);
  await page.waitForFunction(() => document.getElementById('campaign-select').options.length === 2);
  assert.equal(await openCampaign(page), 'Spring launch');
  assert.deepEqual(await picks(page), a2);
  assert.equal(await onCampaign(page), 1, 'the cards follow the open campaign');
  await page.selectOption('#campaign-select', { label: 'My campaign' });
  await page.waitForFunction(() => document.querySelectorAll('#campaign-table tbody tr').length === 2);
  assert.deepEqual((await picks(page)).sort(), [...a1].sort());
  assert.equal(await onCampaign(page), 2);

  // The CSV carries the brand and the campaign.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  assert.ok(csv[0].startsWith('brand,campaign,influencer,'), csv[0]);
  assert.deepEqual(csv.slice(1).map((l) => l.split(',').slice(0, 2).join(',')), [`"${a}","My campaign"`, `"${a}","My campaign"`]);
  assert.equal(download.suggestedFilename(), `${a.replace(/ /g, '_')}-My_campaign.csv`);

  // Deleting asks first; a dismissed question keeps the campaign.
  page.once('dialog', (d) => d.dismiss());
  await page.click('#delete-campaign');
  assert.deepEqual(await campaignNames(page), ['My campaign', 'Spring launch']);
  page.once('dialog', (d) => { assert.match(d.message(), /^Delete the campaign “My campaign” and its 2 picks\?/); d.accept(); });
  await page.click('#delete-campaign');
  await page.waitForFunction(() => document.getElementById('campaign-select').options.length === 1);
  assert.equal(await openCampaign(page), 'Spring launch');
  assert.deepEqual(await picks(page), a2);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the device’s campaign from before campaigns had brands is kept, for the brand that made it', async () => {
  const port = basePort + 15;
  const base = `http://127.0.0.1:${port}`;
  await realServer(port);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const a = 'Atlas Group';
  const [x, y] = cli(['recommend', '--brand', a, '-k', '2']).recommendations.map((r) => r.name);
  // The page's database as version 1 left it (made on a same-origin file before the page
  // opens it): one campaign, and the events that filled it.
  await page.goto(`${base}/pkg/manifest.json`);
  await page.evaluate(async ([brand, xNew, xOld]) => {
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open('influence-rec', 1);
      r.onupgradeneeded = () => {
        r.result.createObjectStore('events', { keyPath: 'event_id' }).createIndex('state', 'state');
        r.result.createObjectStore('meta', { keyPath: 'key' });
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const tx = db.transaction(['events', 'meta'], 'readwrite');
    const ev = (id, b, influencer, t) => tx.objectStore('events').put({ event_id: id, brand: b, influencer, kind: 'add_to_campaign', points: 5, timestamp_ms: t, bundle_version: '', state: 'synced' });
    ev('00000000-0000-4000-8000-000000000001', 'Zephyr Works', xOld, 1);
    ev('00000000-0000-4000-8000-000000000002', brand, xNew, 2);
    tx.objectStore('meta').put({ key: 'campaign', value: { name: 'Holiday push', budget: 750, items: [{ influencer: xNew }, { influencer: xOld }] } });
    await new Promise((resolve) => { tx.oncomplete = resolve; });
    db.close();
  }, [a, x, y]);
  await page.goto(`${base}/`);
  await ready(page);
  await page.fill('#brand-input', a);
  await page.press('#brand-input', 'Enter');
  await page.waitForFunction(() => document.getElementById('campaign-select').options[0]?.textContent === 'Holiday push');
  assert.equal(await page.inputValue('#campaign-budget'), '750');
  assert.deepEqual(await picks(page), [x, y]);
  assert.equal(await onCampaign(page), 2);
  const kept = await page.evaluate(() => new Promise((resolve) => {
    indexedDB.open('influence-rec').onsuccess = (e) => {
      e.target.result.transaction('campaigns').objectStore('campaigns').getAll().onsuccess = (g) => resolve(g.target.result);
    };
  }));
  assert.equal(kept.length, 1);
  assert.equal(kept[0].brand, a, 'the brand that added its latest pick');
  assert.deepEqual(kept[0].items.map((i) => i.influencer), [x, y]);
  assert.equal(await page.evaluate(() => new Promise((resolve) => {
    indexedDB.open('influence-rec').onsuccess = (e) => {
      e.target.result.transaction('meta').objectStore('meta').get('campaign').onsuccess = (g) => resolve(g.target.result ?? null);
    };
  })), null, 'the old record moved, not copied');
  assert.deepEqual(errors, []);
  await context.close();
});
