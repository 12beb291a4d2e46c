// The page's loading order (www/index.html), read from the files (no browser): the first
// ranking waits for boot.js's work (the module, the bundle, the engine) and for every module
// app.js imports, and a browser keeps only a few connections per host.
// - boot.js is an async module script: it runs as soon as its own imports are in, without
//   waiting for the rest of the page's modules or the end of parsing;
// - boot.js's imports are preloaded, and listed before the boot script and before any other
//   module, so they are asked for first;
// - every module the page loads (app.js's imports, transitively, and what boot.js imports
//   after starting the engine) is preloaded: one found only when its importer runs costs a
//   round trip on the critical path (confusables.js was);
// - nothing is preloaded that the page does not load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const www = path.join(root, 'www');
const html = readFileSync(path.join(www, 'index.html'), 'utf8');

// Module specifiers a file imports: static ones (`import ... from './x.js'`, `import './x.js'`)
// and, separately, dynamic ones with a literal path (`import('./x.js')`).
function importsOf(file) {
  const src = readFileSync(path.join(www, file), 'utf8');
  const rel = (s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s));
  const statics = [...src.matchAll(/^import\s+(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm)].map((m) => rel(m[1]));
  const dynamics = [...src.matchAll(/\bimport\('([^']+)'\)/g)].map((m) => rel(m[1]));
  return { statics, dynamics };
}

// The static import graph from `entry` (the wasm-bindgen glue under pkg/ imports nothing).
function graph(entry) {
  const seen = new Set();
  const walk = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    if (!f.startsWith('pkg/')) for (const g of importsOf(f).statics) walk(g);
  };
  walk(entry);
  return seen;
}

// Tags of the head in document order: {kind: 'preload' | 'script', href, attrs}.
const tags = [...html.matchAll(/<(link|script)\b([^>]*)>/g)].map((m) => {
  const attrs = m[2];
  const href = /\b(?:href|src)="([^"]+)"/.exec(attrs)?.[1];
  const kind = m[1] === 'script' ? 'script' : /rel="modulepreload"/.test(attrs) ? 'preload' : 'other';
  return { kind, href, attrs };
});
const preloads = tags.filter((t) => t.kind === 'preload').map((t) => t.href);
const position = (kind, href) => tags.findIndex((t) => t.kind === kind && t.href === href);

test('boot.js is an async module script', () => {
  const boot = tags.find((t) => t.kind === 'script' && t.href === 'boot.js');
  assert.ok(boot, 'index.html loads boot.js');
  assert.match(boot.attrs, /type="module"/);
  assert.match(boot.attrs, /\basync\b/, 'boot.js waits for no other module and not for parsing');
});

test("boot.js's imports are preloaded before it and before every other module", () => {
  const bootGraph = [...graph('boot.js')].filter((f) => f !== 'boot.js');
  assert.ok(bootGraph.length >= 3, `boot.js imports ${bootGraph}`);
  const bootAt = position('script', 'boot.js');
  const others = preloads.filter((p) => !bootGraph.includes(p));
  const firstOther = Math.min(...others.map((p) => position('preload', p)));
  for (const f of bootGraph) {
    const at = position('preload', f);
    assert.ok(at >= 0, `${f} (imported by boot.js) is preloaded`);
    assert.ok(at < bootAt, `${f} is preloaded before the boot script`);
    assert.ok(at < firstOther, `${f} is preloaded before the page's other modules`);
  }
});

test('every module the page loads is preloaded, and nothing else', () => {
  const loads = new Set([...graph('boot.js'), ...graph('app.js')]);
  for (const d of importsOf('boot.js').dynamics) for (const f of graph(d)) loads.add(f);
  for (const f of ['boot.js', 'app.js']) loads.delete(f);
  for (const f of loads) assert.ok(preloads.includes(f), `${f} is loaded by the page but not preloaded`);
  for (const p of preloads) assert.ok(loads.has(p), `${p} is preloaded but the page does not load it`);
  assert.equal(new Set(preloads).size, preloads.length, 'each module is preloaded once');
});
