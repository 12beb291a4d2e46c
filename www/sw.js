// Service worker: after one visit the page works with no network. The app shell, pkg/ and the
// bundle are precached in a cache named after the shell version (a new shell version deletes
// the old cache). Requests go to the network first, so a newly published bundle or page is
// used at once and replaces the cached copy (same URL, one entry: the old version is gone),
// and fall back to the cache when the network fails or does not answer in time.
// SHELL is every file the page loads (tests/e2e/app.test.mjs checks it against what the page
// requests) plus the widget's. Both wasm builds: a browser without SIMD loads the scalar one.
const SHELL_VERSION = 'v8';
const CACHE = `influence-rec-${SHELL_VERSION}`;
const SHELL = ['./', 'index.html', 'style.css', 'boot.js', 'app.js', 'published.js', 'key.js', 'confusables.js', 'dom.js', 'links.js', 'cards.js', 'picker.js', 'orderings.js', 'filters.js', 'campaign.js', 'i18n.js', 'i18n/en.js', 'i18n/es.js', 'i18n/pt.js', 'i18n/fr.js', 'i18n/it.js', 'i18n/de.js',
  'store.js', 'sync.js', 'countries.js', 'format.js', 'explain.js', 'charts.js', 'wasm.js', 'widget.js',
  'pkg/influence_rec.js', 'pkg/influence_rec_bg.wasm', 'pkg/influence_rec_scalar_bg.wasm', 'pkg/manifest.json', 'pkg/model.bundle'];
const NETWORK_TIMEOUT_MS = 4000;

async function precache() {
  const cache = await caches.open(CACHE);
  await cache.addAll(SHELL.map((p) => new Request(p, { cache: 'reload' })));
}

self.addEventListener('install', (ev) => {
  ev.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith('influence-rec-') && k !== CACHE) await caches.delete(k);
    await self.clients.claim();
  })());
});

function withTimeout(p, ms) {
  return Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error('network timeout')), ms))]);
}

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  const url = new URL(req.url);
  // Only this origin's GETs; the collector's POSTs and everything else go straight through.
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.includes('/api/')) return;
  ev.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const resp = await withTimeout(fetch(req), NETWORK_TIMEOUT_MS);
      if (resp.ok && resp.type === 'basic') await cache.put(req, resp.clone());
      return resp;
    } catch (e) {
      const hit = await cache.match(req, { ignoreSearch: url.pathname.endsWith('/') || url.pathname.endsWith('.html') });
      if (hit) return hit;
      throw e;
    }
  })());
});
