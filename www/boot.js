// Starts what the first ranking waits for (the bundle's download, the wasm module's download
// and compilation, the engine built from the bundle) as soon as this small module graph has
// loaded, before the page's other
// modules (app.js and the views it imports) are fetched and evaluated: the two overlap
// instead of adding up. app.js awaits the engine.
import init, { Engine } from './pkg/influence_rec.js';
import { wasmUrl } from './wasm.js';

// The marks let benches/page_bench.mjs say where the first ranking's time goes.
export const bundleBytes = fetch('pkg/model.bundle').then(async (r) => {
  if (!r.ok) throw new Error(`pkg/model.bundle: HTTP ${r.status}`);
  const b = new Uint8Array(await r.arrayBuffer());
  performance.mark('bundle-fetched');
  return b;
});
export const wasmReady = init({ module_or_path: wasmUrl(new URL('pkg/influence_rec.js', document.baseURI)) })
  .then(() => { performance.mark('wasm-ready'); });
export const engine = Promise.all([wasmReady, bundleBytes]).then(([, b]) => {
  const e = new Engine(b);
  performance.mark('engine-ready');
  return e;
});
// app.js handles a failure (it says what to do next); this keeps the browser from reporting
// it as unhandled before app.js has loaded.
engine.catch(() => {});
