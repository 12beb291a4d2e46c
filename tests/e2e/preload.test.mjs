// The page's loading order (www/index.html), read from the files (no browser): the first
// ranking waits for boot.js's work (the module, the bundle, the engine) and for every module
// app.js imports, and a browser keeps only a few connections per host.
// - boot.js is an async module script: it runs as soon as its own imports are in, without
//   waiting for the rest of the page's modules or the end of parsing;
// - boot.js and its imports are the first modules asked for (the boot script, then their
//   preloads, before any other module script or preload), so they come in the browser's first
//   round of requests;
// - every module the page loads (the graphs of its module scripts) is a module script or is
//   preloaded: one found only when its importer runs costs a round trip on the critical path
//   (confusables.js was);
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

test('boot.js and its imports are the first modules the page asks for', () => {
  const bootGraph = [...graph('boot.js')].filter((f) => f !== 'boot.js');
  assert.ok(bootGraph.includes('pkg/influence_rec.js'), `boot.js imports ${bootGraph}`);
  const bootAt = position('script', 'boot.js');
  const modules = tags.filter((t) => t.kind === 'preload' || (t.kind === 'script' && /type="module"/.test(t.attrs)));
  const firstOther = Math.min(...modules.filter((t) => t.href !== 'boot.js' && !bootGraph.includes(t.href)).map((t) => tags.indexOf(t)));
  assert.ok(bootAt < firstOther, 'the boot script comes before every other module');
  for (const f of bootGraph) {
    const at = position('preload', f);
    assert.ok(at >= 0, `${f} (imported by boot.js) is preloaded`);
    assert.ok(at < firstOther, `${f} is preloaded before the page's other modules`);
  }
});

test('every module the page loads is a module script or preloaded, and nothing else is preloaded', () => {
  const scripts = tags.filter((t) => t.kind === 'script' && /type="module"/.test(t.attrs)).map((t) => t.href);
  assert.ok(scripts.includes('app.js') && scripts.includes('boot.js'), `module scripts: ${scripts}`);
  const loads = new Set(scripts.flatMap((s) => [...graph(s)]));
  for (const s of scripts) for (const d of importsOf(s).dynamics) for (const f of graph(d)) loads.add(f);
  for (const s of scripts) loads.delete(s);
  for (const f of loads) assert.ok(preloads.includes(f), `${f} is loaded by the page but not preloaded`);
  for (const p of preloads) assert.ok(loads.has(p), `${p} is preloaded but the page does not load it`);
  assert.equal(new Set(preloads).size, preloads.length, 'each module is preloaded once');
});
