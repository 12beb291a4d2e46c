// Which wasm module this browser runs. pkg/ holds two builds with one JS glue: the SIMD128 one
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
