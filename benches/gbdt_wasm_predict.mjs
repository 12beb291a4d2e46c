// Times tree evaluation in WebAssembly: Node runs the page's wasm module built with the
// `lightgbm-text` feature (`source .ci/lib.sh; setup_wasm_toolchain;
// build_pkg target/pkg-lightgbm lightgbm-text`), which adds the `Trees` class.
// Usage: node benches/gbdt_wasm_predict.mjs MODEL.txt ROWS.csv [REPEAT]
// ROWS.csv: a header line, then feature values (empty = missing). Prints the raw scores'
// checksum and `predict_seconds=<best of REPEAT> rows=<n>` on stderr.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import init, { Trees } from '../target/pkg-lightgbm/influence_rec.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const [modelPath, rowsPath, repeatArg] = process.argv.slice(2);
await init({ module_or_path: readFileSync(path.join(here, '../target/pkg-lightgbm/influence_rec_bg.wasm')) });
const trees = Trees.fromLightgbmText(readFileSync(modelPath, 'utf8'));
const lines = readFileSync(rowsPath, 'utf8').split('\n').slice(1).filter((l) => l.length);
const nf = trees.numFeatures();
const values = new Float64Array(lines.length * nf);
lines.forEach((l, i) => {
  l.split(',').forEach((c, j) => { values[i * nf + j] = c === '' || c === 'nan' ? NaN : Number(c); });
});
let best = Infinity;
let out;
for (let r = 0; r < Number(repeatArg ?? 3); r++) {
  const t = process.hrtime.bigint();
  out = trees.predictRaw(values);
  best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
}
let sum = 0;
for (const v of out) sum += v;
console.log(`sum=${sum}`);
console.error(`predict_seconds=${best.toFixed(6)} rows=${lines.length}`);
