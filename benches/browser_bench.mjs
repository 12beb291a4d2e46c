// Benchmark (not a test): scoring in the browser, the SIMD128 module side by side with the
// scalar fallback. Serves the built page with the real server, opens it in Debian's headless
// Chromium and times, inside the page, for each module: (a) the factorization model's scores
// for every influencer (`Engine.modelScores`, the dot-product loop plus the copy to a
// Float32Array), (b) top-10 by the model over every influencer with breakdowns
// (`Engine.rankKnown(brand, 10, "model")`), (c) by the ranker, (d) by the rating; and the JS
// heap plus wasm memory after loading. Prints ms per call and the scalar / SIMD ratio.
// Usage: .ci/start's build first (pkg/ and target/release), then
//   node benches/browser_bench.mjs [BUNDLE_DIR]    (default pkg/; playwright-core from
//   tests/e2e/node_modules). BUNDLE_DIR holds model.bundle, e.g. a 100,000-influencer one:
//   influence-rec generate --influencers 100000 --brands 1000 --out /tmp/big &&
//   influence-rec train --data /tmp/big --out /tmp/big/pkg/model.bundle
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'tests/e2e/package.json'));
const { chromium } = require('playwright-core');
const port = 18900 + (process.pid % 90);
const bundleDir = path.resolve(process.argv[2] ?? path.join(root, 'pkg'));
const server = spawn(path.join(root, 'target/release/influence-rec'), ['serve', '--root', root, '--bundle-dir', bundleDir, '--addr', `127.0.0.1:${port}`], { stdio: 'ignore' });
try {
  for (let i = 0; i < 150; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break; } catch { /* not up */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const results = {};
  for (const module of ['influence_rec_bg.wasm', 'influence_rec_scalar_bg.wasm']) {
    // A fresh page per module: one glue instance holds one module.
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/pkg/manifest.json`);
    results[module] = await page.evaluate(async (module) => {
      const m = await import('/pkg/influence_rec.js');
      const exports = await m.default({ module_or_path: `/pkg/${module}` });
      const bytes = new Uint8Array(await (await fetch('/pkg/model.bundle')).arrayBuffer());
      const t0 = performance.now();
      const e = new m.Engine(bytes);
      const load = performance.now() - t0;
      const names = e.brandNames();
      const time = (f, n) => { for (let i = 0; i < Math.min(n, 20); i++) f(i); const s = performance.now(); for (let i = 0; i < n; i++) f(i); return (performance.now() - s) / n; };
      const n = e.info().influencers > 20000 ? 50 : 500;
      const scoring = time((i) => e.modelScores(names[i % names.length]), n * 4);
      const ranking = time((i) => e.rankKnown(names[i % names.length], 10, 'model'), n);
      const ranker = time((i) => e.rankKnown(names[i % names.length], 10, 'ranker'), n);
      const rating = time((i) => e.rankKnown(names[i % names.length], 10, 'rating'), n);
      const heap = performance.memory ? performance.memory.usedJSHeapSize : NaN;
      return { simd: m.simd128(), influencers: e.info().influencers, bytes: bytes.length, load, scoring, ranking, ranker, rating, heap, wasmMemory: exports.memory.buffer.byteLength };
    }, module);
    await context.close();
  }
  const [a, b] = Object.values(results);
  if (process.env.BENCH_JSON) console.log('json ' + JSON.stringify(results));
  const mb = (x) => (x / 1048576).toFixed(1);
  console.log(`bundle ${a.bytes} bytes, ${a.influencers} influencers (${bundleDir})`);
  console.log(`${'per brand'.padEnd(34)} ${'SIMD128'.padStart(10)} ${'scalar'.padStart(10)} ${'scalar/SIMD'.padStart(12)}`);
  for (const [k, label] of [['load', 'Engine load (once)'], ['scoring', 'model scores, every influencer'], ['ranking', 'top-10 by model + breakdowns'], ['ranker', 'top-10 by ranker + breakdowns'], ['rating', 'top-10 by rating + breakdowns']]) {
    console.log(`${label.padEnd(34)} ${(a[k]).toFixed(3).padStart(7)} ms ${(b[k]).toFixed(3).padStart(7)} ms ${(b[k] / a[k]).toFixed(2).padStart(11)}x`);
  }
  console.log(`JS heap + wasm memory: SIMD ${mb(a.heap + a.wasmMemory)} MB (wasm ${mb(a.wasmMemory)}), scalar ${mb(b.heap + b.wasmMemory)} MB; modules report simd128() = ${a.simd} / ${b.simd}`);
  await browser.close();
} finally {
  server.kill();
}
