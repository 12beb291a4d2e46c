// The e2e suite's harness, shared by its files (app, sync, published): one headless Chromium
// per file (started and closed by the hooks registered here), the real server and a stub
// collector on loopback, served copies of the site, and small helpers.
// Needs `target/release/influence-rec` and a built pkg/ (.ci/test builds both first).
import { before, after } from 'node:test';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, cpSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { assertAccessible } from './axe.mjs';
import { pickFirstBrand, ready } from './pick.mjs';

export { pickFirstBrand, ready };

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = path.join(root, 'target/release/influence-rec');
export const shots = path.join(root, 'tests/e2e/screenshots');
export const basePort = 19000 + (process.pid % 500) * 2;
export let browser;
export const cleanup = [];

before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  for (const f of cleanup.reverse()) await f();
  await browser?.close();
});

export async function waitUp(url) {
  const deadline = Date.now() + 15000;
  for (;;) {
    try { if ((await fetch(url)).ok) return; } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The real server on its own port, serving `dir` (www/ and pkg/ inside), its collector
// database in a temporary folder unless `db` names one.
export async function realServer(port, dir = root, db = path.join(mkdtempSync(path.join(tmpdir(), 'ir-db-')), 'collector.db')) {
  const proc = spawn(bin, ['serve', '--root', dir, '--addr', `127.0.0.1:${port}`, '--db', db], { stdio: ['ignore', 'ignore', 'inherit'] });
  cleanup.push(() => proc.kill('SIGTERM'));
  await waitUp(`http://127.0.0.1:${port}/`);
  return proc;
}

export const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

// A stub collector that also serves the page (same origin, as the CSP asks). It stores rows by
// event id (a repeated id is a duplicate, as the real collector's UNIQUE key makes it), can
// refuse requests or drop the answer after storing, and records every request it saw.
export function stubCollector(port, dir = root) {
  const stub = { stored: new Map(), requests: [], failNext: 0, dropAnswerNext: 0, server: null, sockets: new Set() };
  const handler = (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'POST' && url.pathname === '/api/interactions') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const batch = JSON.parse(body);
        stub.requests.push({ key: req.headers['idempotency-key'], batch, at: Date.now() });
        if (stub.failNext > 0) { stub.failNext -= 1; res.writeHead(503).end(); return; }
        // A scripted answer ({status, headers, body}) instead of storing, when the test sets one.
        const scripted = stub.answer?.(batch);
        if (scripted) { res.writeHead(scripted.status, scripted.headers ?? {}).end(scripted.body ?? ''); return; }
        const ack = { accepted: [], duplicates: [], rejected: [] };
        for (const r of batch.rows) {
          if (stub.stored.has(r.event_id)) ack.duplicates.push(r.event_id);
          else { stub.stored.set(r.event_id, r); ack.accepted.push(r.event_id); }
        }
        // Stored, but the answer is lost on the way back: the client must not lose or repeat.
        if (stub.dropAnswerNext > 0) { stub.dropAnswerNext -= 1; req.socket.destroy(); return; }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ack));
      });
      return;
    }
    let file = url.pathname.startsWith('/pkg/') ? path.join(dir, url.pathname) : path.join(dir, 'www', url.pathname);
    if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
    try {
      const bytes = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }).end(bytes);
    } catch { res.writeHead(404).end(); }
  };
  stub.start = () => new Promise((resolve) => {
    stub.server = createServer(handler);
    stub.server.on('connection', (s) => { stub.sockets.add(s); s.on('close', () => stub.sockets.delete(s)); });
    stub.server.listen(port, '127.0.0.1', resolve);
  });
  // Cuts the network: the port stops answering and open connections die.
  stub.stop = () => new Promise((resolve) => {
    for (const s of stub.sockets) s.destroy();
    stub.server.close(() => resolve());
  });
  cleanup.push(() => stub.server?.listening && stub.stop());
  return stub;
}

// A copy of the page and pkg/ (wasm module and glue; the bundle trained by the caller) in a
// temporary folder, to serve data the repository does not have.
export function servedCopy(prefix) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanup.push(() => execFileSync('rm', ['-rf', dir]));
  cpSync(path.join(root, 'www'), path.join(dir, 'www'), { recursive: true });
  mkdirSync(path.join(dir, 'pkg'));
  for (const f of readdirSync(path.join(root, 'pkg'))) {
    if (statSync(path.join(root, 'pkg', f)).isFile() && f.startsWith('influence_rec')) cpSync(path.join(root, 'pkg', f), path.join(dir, 'pkg', f));
  }
  return dir;
}

// A fresh visit (no brand in the address, none remembered) opens on the choice; `pick` opens
// the first known brand through the picker, as a user would, where the tests want a list.
export async function newPage(base, query = '', viewport = { width: 1280, height: 900 }, { pick = !/[?&]brand=/.test(query) } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + '/' + query);
  await ready(page);
  if (pick) await pickFirstBrand(page);
  return { context, page, errors };
}


export const cardNames = (page) => page.$$eval('#results > li', (lis) => lis.map((li) => li.dataset.influencer));
export const localRows = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open('influence-rec');
  open.onsuccess = () => {
    const req = open.result.transaction('events').objectStore('events').getAll();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  };
  open.onerror = () => reject(open.error);
}));

export async function until(what, f, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function cli(args, bundle = path.join(root, 'pkg/model.bundle')) {
  return JSON.parse(execFileSync(bin, [...args, '--json', '--bundle', bundle], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}
