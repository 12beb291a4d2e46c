// End-to-end: offline and sync in Debian's headless Chromium: offline after one visit
// (service worker), a newly published bundle replacing the cached one, rows queued offline
// reaching the real collector exactly once and a retrain publishing them, and the sync
// backoff against a stub collector that cuts the network and loses acknowledgements.
// Needs `target/release/influence-rec` and a built pkg/ (.ci/test builds both first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { assertAccessible } from './axe.mjs';
import { root, bin, shots, basePort, realServer, stubCollector, servedCopy, newPage, ready, cardNames, localRows, until, cli } from './harness.mjs';

test('offline after one visit, and queued rows reach the collector exactly once', async () => {
  const port = basePort + 2;
  const base = `http://127.0.0.1:${port}`;
  const stub = stubCollector(port);
  await stub.start();
  const { context, page, errors } = await newPage(base);
  // The service worker installs (precaching everything) and takes control of the page.
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  await page.click('#results > li:nth-child(2) [data-action="check_info"]');
  // Synced means acknowledged on the device, not only stored by the collector: cutting the
  // network between the two would leave the row queued (and counted below).
  await until('the first row to sync', async () => stub.stored.size === 1 && (await localRows(page)).every((r) => r.state === 'synced'));

  // Cut the network: the page still loads from the service worker and still ranks.
  await stub.stop();
  await page.reload();
  await ready(page);
  assert.equal((await cardNames(page)).length, 10, 'rankings offline');
  await page.click('#results > li:nth-child(3) [data-action="add_to_campaign"]');
  await page.click('#results > li:nth-child(4) [data-action="click"]');
  await page.fill('#new-name', 'Offline Brand');
  await page.fill('#new-description', 'vegan recipes and baking');
  await page.click('#new-form button');
  await page.waitForFunction(() => document.getElementById('pairing').textContent.startsWith('New data row'));
  await page.click('#results > li:nth-child(1) [data-action="collaboration"]');
  const queued = (await localRows(page)).filter((r) => r.state === 'queued');
  assert.equal(queued.length, 4, 'two interactions, the pairing row and a new brand interaction queued offline');
  await page.screenshot({ path: path.join(shots, 'offline-desktop.png') });
  await assertAccessible(page, 'offline');

  // The network returns, but the collector's first answer is lost after it stored the rows.
  stub.dropAnswerNext = 1;
  stub.failNext = 1;
  await stub.start();
  await context.setOffline(true);
  await page.waitForFunction(() => !navigator.onLine);
  await context.setOffline(false); // fires 'online' in the page
  await until('every queued row to be acknowledged', async () => (await localRows(page)).every((r) => r.state === 'synced'), 60000);
  const all = await localRows(page);
  assert.equal(all.length, 5);
  assert.equal(stub.stored.size, 5, 'each row stored once');
  for (const r of all) assert.deepEqual(stub.stored.get(r.event_id).kind, r.kind);
  // Every retry of a batch carried the same idempotency key and the same rows.
  const byKey = new Map();
  for (const { key, batch } of stub.requests) {
    assert.equal(key, batch.batch_id);
    assert.equal(batch.format, 'influence-rec/interactions');
    assert.equal(batch.version, 1);
    const ids = batch.rows.map((r) => r.event_id).sort().join();
    if (byKey.has(key)) assert.equal(byKey.get(key), ids, 'a retried batch is the same batch');
    byKey.set(key, ids);
  }
  assert.ok(stub.requests.length >= 4, 'the refused and the lost attempts were retried');
  // A new brand's description travels with its rows (the collector cannot know it otherwise).
  for (const { batch } of stub.requests) {
    const newBrandRows = batch.rows.filter((r) => r.brand === 'Offline Brand');
    assert.deepEqual(batch.brands.map((b) => b.name), newBrandRows.length ? ['Offline Brand'] : []);
  }
  const pairing = [...stub.stored.values()].find((r) => r.kind === 'pairing');
  assert.equal(pairing.points, 0);
  assert.equal(pairing.brand, 'Offline Brand');
  // Nothing more to send: another pass posts nothing.
  const n = stub.requests.length;
  await page.evaluate(() => new Promise((r) => { document.dispatchEvent(new Event('visibilitychange')); setTimeout(r, 500); }));
  await page.reload();
  await ready(page);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(stub.requests.length, n);
  assert.match(await page.textContent('#sync-status'), /^0 interactions waiting to sync/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a newly published bundle replaces the cached one, and stays available offline', async () => {
  const dir = servedCopy('ir-sw-');
  const train = (...w) => {
    execFileSync(bin, ['train', '--data', path.join(root, 'data'), '--out', path.join(dir, 'pkg/model.bundle'), ...w], { stdio: 'ignore' });
    return JSON.parse(readFileSync(path.join(dir, 'pkg/manifest.json'), 'utf8')).version;
  };
  const v1 = train();
  const port = basePort + 8;
  const stub = stubCollector(port, dir);
  await stub.start();
  const base = `http://127.0.0.1:${port}`;
  const { context, page, errors } = await newPage(base);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  const shown = () => page.textContent('#bundle-info');
  assert.match(await shown(), new RegExp(`\\(version ${v1}\\)`));
  const cachedBundles = () => page.evaluate(async () => {
    const out = [];
    for (const name of await caches.keys()) {
      const c = await caches.open(name);
      for (const req of await c.keys()) if (req.url.includes('.bundle')) out.push({ name, url: req.url, bytes: (await (await c.match(req)).arrayBuffer()).byteLength });
    }
    return out;
  });
  assert.equal((await cachedBundles()).length, 1);
  const v2 = train('--w-location', '7');
  assert.notEqual(v2, v1);
  await page.reload();
  await ready(page);
  assert.match(await shown(), new RegExp(`\\(version ${v2}\\)`), 'the new bundle is used at once');
  const cached = await cachedBundles();
  assert.equal(cached.length, 1, 'the old version is gone from the cache');
  assert.equal(cached[0].bytes, statSync(path.join(dir, 'pkg/model.bundle')).size);
  await stub.stop();
  await page.reload();
  await ready(page);
  assert.match(await shown(), new RegExp(`\\(version ${v2}\\)`), 'offline, the new version from the cache');
  assert.equal((await cardNames(page)).length, 10);
  assert.deepEqual(errors, []);
  await context.close();
});

test('collector: rows queued offline arrive when the server comes up, retrain publishes, the page shows them', async () => {
  const dir = servedCopy('ir-loop-');
  cpSync(path.join(root, 'data'), path.join(dir, 'data'), { recursive: true });
  execFileSync(bin, ['train', '--data', path.join(dir, 'data'), '--out', path.join(dir, 'pkg/model.bundle')], { stdio: 'ignore' });
  const version = () => JSON.parse(readFileSync(path.join(dir, 'pkg/manifest.json'), 'utf8')).version;
  const v1 = version();
  const db = path.join(dir, 'collector.db');
  const port = basePort + 9;
  let server = await realServer(port, dir, db);
  const { context, page, errors } = await newPage(`http://127.0.0.1:${port}`);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  const brand = await page.inputValue('#brand-input');
  // The server goes away; the brand works offline and marks a collaboration.
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  await page.reload();
  await ready(page);
  const who = (await cardNames(page))[9];
  await page.click(`#results > li[data-influencer="${who}"] [data-action="collaboration"]`);
  assert.equal((await localRows(page)).filter((r) => r.state === 'queued').length, 1);
  // The server comes up; the connection returns; the row arrives.
  server = await realServer(port, dir, db);
  await context.setOffline(true);
  await page.waitForFunction(() => !navigator.onLine);
  await context.setOffline(false);
  await until('the row to be acknowledged', async () => (await localRows(page)).every((r) => r.state === 'synced'));
  const out = path.join(dir, 'export');
  execFileSync(bin, ['export', '--db', db, '--bundle', path.join(dir, 'pkg/model.bundle'), '--out', out], { stdio: 'ignore' });
  const exported = readFileSync(path.join(out, 'interactions.csv'), 'utf8').trim().split('\n');
  assert.equal(exported.length, 2, exported.join('\n'));
  assert.ok(exported[1].includes(`,${who},collaboration,`), exported[1]);
  // Retrain: one device at one address cannot decide a comparison (--min-holdout-sources),
  // so the published bundle is kept ...
  const retrain = (extra) => execFileSync(bin, ['retrain', '--data', path.join(dir, 'data'), '--db', db, '--out', path.join(dir, 'pkg/model.bundle'), '--min-holdout', '1', ...extra], { encoding: 'utf8' });
  const kept = retrain([]);
  assert.match(kept, /too few sources to compare fairly: the held-out interactions come from 1 sources/);
  assert.match(kept, /not published: keeping the published bundle/);
  assert.equal(version(), v1);
  // ... unless the operator says so: compared on the held-out row, published.
  const report = retrain(['--min-holdout-sources', '1', '--force']);
  assert.match(report, /new bundle: +NDCG@10 [\d.]+/);
  assert.match(report, /published bundle: NDCG@10 [\d.]+/);
  assert.match(report, /^published /m);
  const v2 = version();
  assert.notEqual(v2, v1);
  await page.reload();
  await ready(page);
  assert.match(await page.textContent('#bundle-info'), new RegExp(`\\(version ${v2}\\)`));
  // The collaboration is in the bundle now: the influencer climbs, with its points counted
  // once (the bundle's), not again from the device.
  const native = cli(['recommend', '--brand', brand, '-k', '10'], path.join(dir, 'pkg/model.bundle'));
  const mine = native.recommendations.find((r) => r.name === who);
  assert.ok(mine && mine.rank <= 3, `${who} ranks ${mine?.rank} after retraining`);
  assert.deepEqual(await cardNames(page), native.recommendations.map((r) => r.name));
  await page.click(`#results > li[data-influencer="${who}"] details.numbers summary`);
  await page.waitForSelector(`#results > li[data-influencer="${who}"] details.numbers[open] .why li`);
  const chips = await page.$$eval(`#results > li[data-influencer="${who}"] .why li`, (l) => l.map((x) => x.textContent));
  assert.ok(chips.includes(`your interactions +${mine.interaction_points}`), chips.join(' | '));
  assert.deepEqual(errors, []);
  await context.close();
});

test('sync: every answer moves the backoff, Retry-After is honoured, a row refused for good leaves the queue', async () => {
  const port = basePort + 13;
  const base = `http://127.0.0.1:${port}`;
  const stub = stubCollector(port);
  await stub.start();
  const json = (status, body, headers = {}) => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const record = async (page, nth, kind = 'click') => {
    const who = (await cardNames(page))[nth];
    await page.click(`#results > li[data-influencer="${who}"] [data-action="${kind}"]`);
    return who;
  };
  const posts = () => stub.requests.length;
  const rowsOf = async (page) => until('rows saved', async () => { const r = await localRows(page); return r.length ? r : null; });

  // 400 without per-row verdicts (what the collector says of a body that is not JSON).
  stub.answer = () => json(400, { accepted: [], duplicates: [], rejected: [], error: 'body is not JSON' });
  let { context, page, errors } = await newPage(base);
  await record(page, 1);
  await until('the first post', async () => posts() >= 1);
  await new Promise((r) => setTimeout(r, 3500));
  assert.ok(posts() >= 2 && posts() <= 4, `backoff after 400: ${posts()} posts in 3.5 s`);
  assert.match(await page.textContent('#sync-status'), /HTTP 400: body is not JSON/);
  await context.close();

  // 429 with Retry-After: the next attempt waits at least that long, then succeeds.
  stub.requests.length = 0;
  let limited = 1;
  stub.answer = () => (limited-- > 0 ? json(429, { accepted: [], duplicates: [], rejected: [], error: 'slow down' }, { 'retry-after': '3' }) : null);
  ({ context, page, errors } = await newPage(base));
  await record(page, 2);
  await until('the first post', async () => posts() >= 1);
  // Another interaction while the retry waits: it queues, and does not jump the wait.
  await record(page, 3);
  await until('every row to be stored', async () => (await localRows(page)).every((r) => r.state === 'synced'), 15000);
  assert.ok(posts() >= 2 && posts() <= 3, `${posts()} posts`);
  assert.ok(stub.requests[1].at - stub.requests[0].at >= 2900, `Retry-After honoured: ${stub.requests[1].at - stub.requests[0].at} ms`);
  await context.close();

  // 5xx: backed off, then stored.
  stub.requests.length = 0;
  let failing = 2;
  stub.answer = () => (failing-- > 0 ? { status: 502 } : null);
  ({ context, page, errors } = await newPage(base));
  await record(page, 3);
  await until('stored after two 502s', async () => (await localRows(page)).every((r) => r.state === 'synced'), 15000);
  assert.equal(posts(), 3);
  assert.ok(stub.requests[2].at - stub.requests[1].at >= 900, 'the second retry waited longer');
  await context.close();

  // A row too large on its own (413) and a row refused for good (a verdict) leave the queue
  // with their reasons; the rows behind them are stored.
  stub.requests.length = 0;
  let big = null;
  stub.answer = (batch) => (batch.rows.some((r) => r.influencer === big) ? { status: 413 } : null);
  ({ context, page, errors } = await newPage(base));
  // Named before the click: the page posts the row as soon as it is recorded, possibly before
  // the click's promise resolves here.
  big = (await cardNames(page))[4];
  assert.equal(await record(page, 4), big);
  await rowsOf(page);
  const behind = await record(page, 5, 'collaboration');
  await until('the queue to drain', async () => (await localRows(page)).every((r) => r.state !== 'queued'), 20000);
  let rows = await localRows(page);
  assert.equal(rows.find((r) => r.influencer === big).state, 'rejected');
  assert.match(rows.find((r) => r.influencer === big).reason, /413/);
  assert.equal(rows.find((r) => r.influencer === behind && r.kind === 'collaboration').state, 'synced');
  assert.ok(posts() <= 6, `${posts()} posts`);
  stub.answer = (batch) => json(200, { accepted: [], duplicates: [], rejected: batch.rows.map((r) => ({ event_id: r.event_id, reason: 'influencer: unknown' })) });
  const refused = await record(page, 6);
  await until('the refused row to leave the queue', async () => (await localRows(page)).every((r) => r.state !== 'queued'), 10000);
  rows = await localRows(page);
  assert.equal(rows.find((r) => r.influencer === refused && r.kind === 'click').reason, 'influencer: unknown');
  // A batch refused as a whole: the reason comes once, and every row of the batch leaves
  // the queue with it.
  stub.answer = () => json(400, { accepted: [], duplicates: [], rejected: [], error: 'version: expected 2, found 1', batch_refused: true });
  const wholesale = await record(page, 7);
  await until('the refused batch to leave the queue', async () => (await localRows(page)).every((r) => r.state !== 'queued'), 10000);
  rows = await localRows(page);
  assert.equal(rows.find((r) => r.influencer === wholesale && r.kind === 'click').reason, 'batch refused: version: expected 2, found 1');
  const n = posts();
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(posts(), n, 'nothing left to send, nothing sent');
  stub.answer = null;
  assert.deepEqual(errors, []);
  await context.close();
});
