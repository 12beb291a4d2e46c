// Which wasm module this browser runs, and the engine started from it and the bundle (the page's
// boot.js and the widget). This file imports nothing, so the page's first module graph is
// three files the browser fetches at once. pkg/ holds two builds with one JS glue: the SIMD128 one
// (the model's scoring kernel as f32x4 multiply-add) and a scalar fallback for browsers that
// do not validate SIMD instructions; their scores are equal bit for bit (the wasm tests pin
// the kernels together). `?wasm=scalar` on the page's address forces the fallback (the e2e
// suite compares the two).

// A module whose one function returns i8x16.popcnt(i8x16.splat(0)): valid only with SIMD128.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
  10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

export function simdSupported() {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// The address of the module to instantiate, beside `glueUrl` (pkg/influence_rec.js).
export function wasmUrl(glueUrl, search = globalThis.location?.search ?? '') {
  const forced = new URLSearchParams(search).get('wasm');
  const simd = forced === 'scalar' ? false : simdSupported();
  return new URL(simd ? 'influence_rec_bg.wasm' : 'influence_rec_scalar_bg.wasm', glueUrl);
}

// The bundle's download, the module's instantiation and the engine built from both. `glue` is
// the wasm-bindgen module (pkg/influence_rec.js), already imported; `search` chooses the
// module only on the page (`?wasm=scalar`): a partner page's address never does. With
// `overlap` (the page) the bundle downloads while the module compiles; without it (the widget)
// the bundle is fetched only once the module runs, so a partner page whose CSP forbids
// WebAssembly does not download a bundle it cannot use (its precomputed list answers). The
// marks let benches/page_bench.mjs say where the time goes.
export function startEngine(glue, base, { search = '', overlap = true } = {}) {
  const wasmReady = glue.default({ module_or_path: wasmUrl(new URL('pkg/influence_rec.js', base), search) })
    .then(() => { performance.mark('wasm-ready'); });
  const fetchBundle = () => fetch(new URL('pkg/model.bundle', base)).then(async (r) => {
    if (!r.ok) throw new Error(`pkg/model.bundle: HTTP ${r.status}`);
    const b = new Uint8Array(await r.arrayBuffer());
    performance.mark('bundle-fetched');
    return b;
  });
  const bundleBytes = overlap ? fetchBundle() : wasmReady.then(fetchBundle);
  const engine = Promise.all([wasmReady, bundleBytes]).then(([, b]) => {
    const e = new glue.Engine(b);
    performance.mark('engine-ready');
    return e;
  });
  return { bundleBytes, wasmReady, engine };
}
