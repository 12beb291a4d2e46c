// End-to-end: what is published beside the page, in Debian's headless Chromium: the widget
// on a second origin (one small file per brand, the engine for other orders, the fallback
// under a CSP without wasm), stale or broken top-list files, the SIMD and scalar modules, and
// detail shards fetched when a card needs them.
// Needs `target/release/influence-rec` and a built pkg/ (.ci/test builds both first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { assertAccessible } from './axe.mjs';
import { basePort, bin, browser, cardNames, cleanup, cli, newPage, ready, realServer, root, servedCopy, shots, stubCollector } from './harness.mjs';
import { nameKey, fnv1a64 } from '../../www/key.js';

test('widget on a second origin: one small file per brand, the engine for other orders, and the fallback under a CSP without wasm', async () => {
  const port = basePort + 3;
  const hostPort = basePort + 4;
  await realServer(port);
  const origin = `http://127.0.0.1:${port}`;
  // Without `by` the widget starts from the bundle's default ordering (the manifest says
  // which, and the CLI without --by agrees); another ordering loads the engine.
  const { default_ordering: fallback } = JSON.parse(readFileSync(path.join(root, 'pkg/manifest.json'), 'utf8'));
  const other = fallback === 'model' ? 'ranker' : 'model';
  const top = (by) => cli(['recommend', '--brand', 'Atlas Co', '-k', '5', ...(by ? ['--by', by] : [])]).recommendations.map((r) => r.name);
  const [byDefault, byOther] = [top(null), top(other)];
  assert.deepEqual(byDefault, top(fallback), 'the CLI without --by uses the default');
  assert.notDeepEqual(byDefault, byOther, 'the two orders differ, so the test tells them apart');
  // The brand spelled with other case and spacing (a no-break space): found by its key.
  // A well-formed partner page (language, a main landmark), so the accessibility audit
  // judges the widget, not the test's page.
  const page = (csp, by) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
${csp ? `<meta http-equiv="Content-Security-Policy" content="${csp}">` : ''}
<title>Partner</title><script type="module" src="${origin}/widget.js"></script>
<style>influencer-recs { --ir-accent: rgb(200, 0, 100); --ir-radius: 0; }</style></head>
<body><main><h1>A partner's page</h1><influencer-recs brand="  ATLAS\u00a0co " k="5"${by ? ` by="${by}"` : ''}></influencer-recs></main></body></html>`;
  const host = createServer((req, res) => {
    const strict = req.url.startsWith('/strict');
    const by = req.url.includes('other') ? other : '';
    res.writeHead(200, { 'content-type': 'text/html' }).end(page(strict ? `default-src 'none'; script-src ${origin}; connect-src ${origin}; style-src 'unsafe-inline'` : '', by));
  });
  await new Promise((r) => host.listen(hostPort, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => host.close(r)));
  for (const [route, mode, want, viewport, shot] of [
    ['/', 'list', byDefault, { width: 1280, height: 800 }, 'widget-desktop.png'],
    ['/', 'list', byDefault, { width: 390, height: 700 }, 'widget-phone.png'],
    ['/other', 'wasm', byOther, { width: 1280, height: 800 }, null],
    ['/strict-other', 'precomputed', byDefault, { width: 1280, height: 800 }, 'widget-csp-fallback.png'],
  ]) {
    const context = await browser.newContext({ viewport });
    const p = await context.newPage();
    const errors = [];
    const fetched = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('requestfinished', async (req) => {
      const size = (await req.sizes().catch(() => null))?.responseBodySize ?? 0;
      fetched.push({ path: new URL(req.url()).pathname, size });
    });
    await p.goto(`http://127.0.0.1:${hostPort}${route}`);
    await p.waitForFunction(() => document.querySelector('influencer-recs')?.dataset.mode, null, { timeout: 20000 });
    const got = await p.evaluate(() => {
      const w = document.querySelector('influencer-recs');
      return { mode: w.dataset.mode, title: w.shadowRoot.querySelector('h2').textContent, names: [...w.shadowRoot.querySelectorAll('li .name')].map((x) => x.textContent), color: getComputedStyle(w.shadowRoot.querySelector('.name')).color };
    });
    assert.equal(got.mode, mode, route);
    assert.equal(got.title, 'Influencers for Atlas Co', 'the brand as the data spells it');
    assert.deepEqual(got.names, want, `${route}: the top 5, as natively`);
    assert.equal(got.color, 'rgb(200, 0, 100)', 'themed by the host through CSS variables');
    assert.equal(await p.evaluate(() => document.querySelectorAll('body li').length), 0, 'rendered inside the shadow root');
    if (mode === 'list') {
      // One brand's list: neither the engine nor the bundle nor every brand's lists.
      await p.waitForTimeout(200);
      const paths = fetched.map((f) => f.path);
      assert.ok(!paths.some((x) => /model\.bundle|\.wasm$|topk\.json/.test(x)), paths.join(' '));
      const file = fetched.find((f) => f.path.includes('/pkg/top/'));
      assert.ok(file, paths.join(' '));
      assert.ok(file.size > 0 && file.size < 8 * 1024, `the brand's file is ${file.size} bytes`);
    }
    if (mode === 'precomputed') {
      // WebAssembly cannot run here: the bundle it would need is not downloaded either.
      await p.waitForTimeout(200);
      assert.ok(!fetched.some((f) => /model\.bundle/.test(f.path)), fetched.map((f) => f.path).join(' '));
    }
    if (shot) await p.screenshot({ path: path.join(shots, shot) });
    if (shot) await assertAccessible(p, `widget (${shot})`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('a top-list file of another bundle version, or not a list at all, is not used', async () => {
  // The manifest says one version, Atlas Co's file another (a publish under way), with the
  // list reversed; every other brand's file is not JSON. The widget shows neither: it ranks
  // with the engine instead.
  const dir = servedCopy('ir-topver-');
  cpSync(path.join(root, 'pkg'), path.join(dir, 'pkg'), { recursive: true });
  const m = JSON.parse(readFileSync(path.join(dir, 'pkg/manifest.json'), 'utf8'));
  const topDir = path.join(dir, 'pkg', m.top_dir);
  let other = null;
  for (const f of readdirSync(topDir)) {
    const file = JSON.parse(readFileSync(path.join(topDir, f), 'utf8'));
    if (file.lists.some((l) => l.brand === 'Atlas Co')) {
      file.version = '0000000000000000';
      for (const l of file.lists) l.influencers.reverse();
      writeFileSync(path.join(topDir, f), JSON.stringify(file));
    } else {
      other ??= file.lists[0].brand;
      writeFileSync(path.join(topDir, f), '{"format": "influence-rec/top-list/1", "lists": [{"brand": ');
    }
  }
  const port = basePort + 14;
  const hostPort = basePort + 15;
  await realServer(port, dir);
  const origin = `http://127.0.0.1:${port}`;
  const attr = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const host = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><meta charset="utf-8"><title>Partner</title>
<script type="module" src="${origin}/widget.js"></script><influencer-recs brand="Atlas Co" k="5"></influencer-recs><influencer-recs brand="${attr(other)}" k="5"></influencer-recs>`);
  });
  await new Promise((r) => host.listen(hostPort, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => host.close(r)));
  const want = (b) => cli(['recommend', '--brand', b, '-k', '5']).recommendations.map((r) => r.name);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.1:${hostPort}/`);
  await page.waitForFunction(() => [...document.querySelectorAll('influencer-recs')].every((w) => w.dataset.mode && w.dataset.mode !== 'list'), null, { timeout: 20000 });
  const got = await page.evaluate(() => [...document.querySelectorAll('influencer-recs')].map((w) => (
    { mode: w.dataset.mode, names: [...w.shadowRoot.querySelectorAll('li .name')].map((x) => x.textContent) })));
  assert.deepEqual(got.map((g) => g.mode), ['wasm', 'wasm']);
  assert.deepEqual(got[0].names, want('Atlas Co'));
  assert.deepEqual(got[1].names, want(other));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the SIMD module where the browser has it, the scalar one forced, the same rankings', async () => {
  const port = basePort + 16;
  await realServer(port);
  const scores = async (query) => {
    const { context, page, errors } = await newPage(`http://127.0.0.1:${port}`, query);
    const out = {};
    for (const by of ['model', 'ranker']) {
      await page.selectOption('#rank-by', by);
      await page.waitForFunction((b) => document.getElementById('results-summary').textContent.includes(b === 'model' ? 'learned model' : 'learned ranker'), by);
      out[by] = await page.$$eval('#results > li', (l) => l.map((li) => `${li.dataset.influencer} ${li.querySelector('.score').textContent}`));
    }
    // The module app.js instantiated (the same module instance: one module map per page).
    const simd = await page.evaluate(async () => (await import('/pkg/influence_rec.js')).simd128());
    assert.deepEqual(errors, []);
    await context.close();
    return { out, simd };
  };
  const simd = await scores('');
  const scalar = await scores('?wasm=scalar');
  assert.equal(simd.simd, true, 'Chromium validates SIMD128: the SIMD module');
  assert.equal(scalar.simd, false, '?wasm=scalar: the fallback module');
  assert.ok(simd.out.model.length >= 10 && simd.out.ranker.length >= 10);
  assert.deepEqual(scalar.out, simd.out, 'both modules rank and score alike');
});

test('details come in shards when a card needs them, are checked, and what was seen works offline', async () => {
  const port = basePort + 17;
  const dir = servedCopy('ir-shards-');
  cpSync(path.join(root, 'data'), path.join(dir, 'data'), { recursive: true });
  execFileSync(bin, ['train', '--data', path.join(dir, 'data'), '--out', path.join(dir, 'pkg/model.bundle')], { stdio: 'ignore' });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'pkg/manifest.json'), 'utf8'));
  assert.ok(manifest.detail_shards.length >= 2, 'the bundled catalog spans several shards');
  const server = await realServer(port, dir);
  const shardsFetched = [];
  const { context, page, errors } = await newPage(`http://127.0.0.1:${port}`);
  page.on('request', (r) => { if (r.url().includes('/pkg/details/')) shardsFetched.push(new URL(r.url()).pathname); });
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10000 });
  const brand = await page.inputValue('#brand-input');
  const recs = cli(['recommend', '--brand', brand, '-k', '2400'], path.join(dir, 'pkg/model.bundle')).recommendations;
  const shardOf = (name) => Math.floor(recs.find((r) => r.name === name).id / manifest.detail_shard_rows);
  const shown = await cardNames(page);
  assert.deepEqual(shardsFetched, [], 'the first ranking fetches no details');
  const first = shown[0];
  const other = shown.find((n) => shardOf(n) !== shardOf(first));
  assert.ok(other, `a card in another shard among ${shown}`);
  const card = (n) => `#results > li[data-influencer="${n}"]`;
  await page.click(`${card(first)} [data-action="check_info"]`);
  await page.waitForSelector(`${card(first)} .bio`);
  assert.deepEqual(shardsFetched, [`/pkg/details/${manifest.detail_shards[shardOf(first)].file}`]);
  await assertAccessible(page, 'details open');
  assert.ok((await page.textContent(`${card(first)} .bio`)).length > 0);

  // Offline (the server gone), after a reload: the shard seen before comes from the service
  // worker's cache; a shard never fetched says the bio needs a connection, nothing breaks.
  const gone = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await gone;
  await page.reload();
  await ready(page);
  await page.click(`${card(first)} [data-action="check_info"]`);
  await page.waitForSelector(`${card(first)} .bio`);
  await page.click(`${card(other)} [data-action="check_info"]`);
  await page.waitForSelector(`${card(other)} .note`);
  assert.equal(await page.$(`${card(other)} .bio`), null);
  assert.deepEqual(errors, []);
  await context.close();
  await realServer(port, dir);

  // A shard that is not the one the manifest lists (another shard's bytes under its name):
  // the engine refuses it against the manifest's checksum, the card says so, the page runs on.
  const k = shardOf(other);
  const victim = path.join(dir, 'pkg/details', manifest.detail_shards[k].file);
  cpSync(path.join(dir, 'pkg/details', manifest.detail_shards[(k + 1) % manifest.detail_shards.length].file), victim);
  const again = await newPage(`http://127.0.0.1:${port}`);
  await again.page.click(`${card(other)} [data-action="check_info"]`);
  await again.page.waitForSelector(`${card(other)} .note`);
  assert.equal(await again.page.$(`${card(other)} .bio`), null);
  assert.deepEqual(again.errors, []);
  await again.context.close();
});

test('the widget writes numbers in the reader\'s locale, and tries a failed manifest again', async () => {
  const dir = servedCopy('ir-widget-locale-');
  for (const f of ['manifest.json', 'top']) cpSync(path.join(root, 'pkg', f), path.join(dir, 'pkg', f), { recursive: true });
  writeFileSync(path.join(dir, 'www/partner.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title>
<script type="module" src="widget.js"></script></head><body><main><influencer-recs brand="Atlas Co" k="3"></influencer-recs></main></body></html>`);
  const port = basePort + 19;
  const stub = stubCollector(port, dir);
  await stub.start();
  const url = `http://127.0.0.1:${port}/partner.html`;
  // The brand's published list, as the widget reads it.
  const m = JSON.parse(readFileSync(path.join(dir, 'pkg/manifest.json'), 'utf8'));
  const file = JSON.parse(readFileSync(path.join(dir, 'pkg', m.top_dir, `${fnv1a64(nameKey('Atlas Co'))}.json`), 'utf8'));
  const rows = file.lists.find((l) => l.brand === 'Atlas Co').influencers.slice(0, 3);
  const widgetMetas = (p) => p.evaluate(() => [...document.querySelector('influencer-recs').shadowRoot.querySelectorAll('li .meta')].map((x) => x.textContent));
  const seen = new Map();
  for (const locale of ['en-US', 'de-DE', 'fr-FR']) {
    const context = await browser.newContext({ locale });
    const p = await context.newPage();
    await p.goto(url);
    await p.waitForFunction(() => document.querySelector('influencer-recs')?.dataset.mode === 'list', null, { timeout: 20000 });
    const metas = await widgetMetas(p);
    // What this locale writes, from the browser's own Intl with the locale named.
    const want = await p.evaluate(([loc, rs]) => rs.map((r) => [new Intl.NumberFormat(loc).format(r.followers),
      new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 1 }).format(r.engagement_rate)]), [locale, rows]);
    assert.equal(metas.length, 3);
    // ... in the words of its language (the widget's catalogue, www/i18n/<lang>.js).
    const cat = (await import(`../../www/i18n/${locale.slice(0, 2)}.js`)).default;
    const say = (key, v) => (typeof cat[key] === 'string' ? cat[key] : cat[key].other).replace('{v}', v);
    for (const [i, [followers, rate]] of want.entries()) {
      assert.ok(metas[i].includes(say('fmt.followers', followers)) && metas[i].includes(say('fmt.engagement', rate)), `${locale}: ${metas[i]} (want ${followers}, ${rate})`);
    }
    assert.equal(await p.evaluate(() => document.querySelector('influencer-recs').shadowRoot.querySelector('h2').textContent), say('widget.title', '').replace('{name}', 'Atlas Co'));
    assert.equal(await p.evaluate(() => document.querySelector('influencer-recs').shadowRoot.querySelector('div').lang), locale.slice(0, 2));
    seen.set(locale, metas.join('|'));
    await context.close();
  }
  assert.equal(new Set(seen.values()).size, 3, 'three locales, three ways of writing the numbers');

  // The manifest cannot be had: the widget says so. Once it can, the next update loads it.
  const manifest = path.join(dir, 'pkg/manifest.json');
  renameSync(manifest, `${manifest}.off`);
  const context = await browser.newContext();
  const p = await context.newPage();
  await p.goto(url);
  await p.waitForFunction(() => document.querySelector('influencer-recs')?.dataset.mode === 'error', null, { timeout: 20000 });
  renameSync(`${manifest}.off`, manifest);
  await p.evaluate(() => document.querySelector('influencer-recs').setAttribute('k', '2'));
  await p.waitForFunction(() => document.querySelector('influencer-recs')?.dataset.mode === 'list', null, { timeout: 20000 });
  assert.equal((await widgetMetas(p)).length, 2);
  await context.close();
});
