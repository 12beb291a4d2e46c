// Benchmark (not a test): scoring in the browser. Serves the built page with the real server,
// opens it in Debian's headless Chromium and times, inside the page, (a) the factorization
// model's scores for every bundled influencer (`Engine.modelScores`, the dot-product loop plus
// the copy to a Float32Array) and (b) a full top-10 ranking by the model with breakdowns
// (`Engine.rankKnown(brand, 10, "model")`). Prints ms per call (target: scoring < 1 ms).
// Usage: .ci/start's build first (pkg/ and target/release), then
//   node benches/browser_bench.mjs    (playwright-core from tests/e2e/node_modules)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'tests/e2e/package.json'));
const { chromium } = require('playwright-core');
const port = 18900 + (process.pid % 90);
const server = spawn(path.join(root, 'target/release/influence-rec'), ['serve', '--root', root, '--addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
try {
  for (let i = 0; i < 150; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break; } catch { /* not up */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  const r = await page.evaluate(async () => {
    const m = await import('/pkg/influence_rec.js');
    await m.default();
    const bytes = new Uint8Array(await (await fetch('/pkg/model.bundle')).arrayBuffer());
    const t0 = performance.now();
    const e = new m.Engine(bytes);
    const load = performance.now() - t0;
    const names = e.brandNames();
    const time = (f, n) => { for (let i = 0; i < 50; i++) f(i); const s = performance.now(); for (let i = 0; i < n; i++) f(i); return (performance.now() - s) / n; };
    const scoring = time((i) => e.modelScores(names[i % names.length]), 2000);
    const ranking = time((i) => e.rankKnown(names[i % names.length], 10, 'model'), 500);
    const rating = time((i) => e.rankKnown(names[i % names.length], 10, 'rating'), 500);
    return { influencers: e.info().influencers, bytes: bytes.length, load, scoring, ranking, rating };
  });
  console.log(`bundle ${r.bytes} bytes, ${r.influencers} influencers; Engine load ${r.load.toFixed(1)} ms`);
  console.log(`model scores for all influencers: ${(r.scoring * 1000).toFixed(1)} µs per brand (target < 1 ms)`);
  console.log(`top-10 by model with breakdowns:  ${(r.ranking * 1000).toFixed(1)} µs per brand`);
  console.log(`top-10 by rating with breakdowns: ${(r.rating * 1000).toFixed(1)} µs per brand`);
  await browser.close();
} finally {
  server.kill();
}
