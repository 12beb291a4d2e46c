// The service worker's precache list (www/sw.js SHELL) against what the page really loads in
// Chromium: every file the page requests on a visit (with the SIMD module and with the scalar
// one) must be precached, or the page breaks offline when that file was not fetched online
// first; and every precached file must exist, or the worker's install fails and nothing is
// cached at all. Needs `target/release/influence-rec` and a built pkg/ (.ci/test builds both).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root, basePort, browser, realServer, pickFirstBrand, ready } from './harness.mjs';

const base = `http://127.0.0.1:${basePort + 18}/`;
before(() => realServer(basePort + 18));

// SHELL as the worker declares it (a literal array of quoted paths).
function shell() {
  const src = readFileSync(path.join(root, 'www/sw.js'), 'utf8');
  const m = src.match(/const SHELL = \[([\s\S]*?)\];/);
  assert.ok(m, 'www/sw.js declares const SHELL = [...]');
  return [...m[1].matchAll(/'([^']*)'/g)].map((x) => x[1]);
}

// The same-origin files a visit to `query` requests, as paths relative to the page ('./' for
// the page itself). The collector's API, detail shards and per-brand top lists are fetched
// on demand and cached when they are (README: offline), so they are not part of the shell.
async function loaded(query) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = new Set();
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.origin !== new URL(base).origin || r.method() !== 'GET') return;
    const p = u.pathname.replace(/^\//, '') || './';
    if (/^(api\/|pkg\/details\/|pkg\/top\/)/.test(p) || p === 'sw.js') return;
    seen.add(p === 'index.html' ? './' : p);
  });
  await page.goto(base + query);
  await ready(page);
  await pickFirstBrand(page);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await context.close();
  return seen;
}

test('every file the page loads is precached by the service worker', async () => {
  const precached = new Set(shell());
  for (const query of ['', '?wasm=scalar']) {
    const got = await loaded(query);
    assert.ok(got.has('app.js') && got.has('pkg/model.bundle'), `the visit loaded the page: ${[...got]}`);
    const wasm = query ? 'pkg/influence_rec_scalar_bg.wasm' : 'pkg/influence_rec_bg.wasm';
    assert.ok(got.has(wasm), `${query || 'default'}: ${wasm} loaded`);
    const missing = [...got].filter((p) => !precached.has(p));
    assert.deepEqual(missing, [], `${query || 'default'} visit loads files the worker does not precache`);
  }
});

test('every precached file exists', async () => {
  for (const p of shell()) {
    const r = await fetch(new URL(p, base));
    assert.equal(r.status, 200, `${p}: HTTP ${r.status}`);
  }
});
