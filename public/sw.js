// Synap Chat's service worker: keeps the app shell so the app opens without a network. The
// build is one self-contained index.html, so the shell is that page, the manifest and the
// icons. They are served from the cache at once and refreshed from the network behind it
// (a new version shows from the next load). Nothing else is touched: the Synap server's API
// (another origin) and everything the page stores itself (rooms, drafts, unsent messages)
// go their own way.
const CACHE_PREFIX = 'synap-chat-shell-';
const CACHE = `${CACHE_PREFIX}1`;
const SHELL = [
  './',
  './index.html',
  './manifest.webmanifest',
  './icon.svg',
  './icon-192.png',
  './icon-512.png',
  './icon-maskable-512.png',
];
const SHELL_URLS = new Set(SHELL.map((path) => new URL(path, self.registration.scope).href));

/**
 * Where the browser can route requests without waking the worker (the Static Routing API),
 * everything not from this origin, the Synap server's REST calls above all, goes straight to
 * the network; elsewhere the fetch handler below lets them pass.
 */
function routeOthersToNetwork(event) {
  if (typeof event.addRoutes !== 'function' || typeof URLPattern !== 'function') return;
  const here = new URLPattern({
    protocol: self.location.protocol.slice(0, -1),
    hostname: self.location.hostname,
    port: self.location.port,
  });
  event.waitUntil(
    event
      .addRoutes([{ condition: { not: { urlPattern: here } }, source: 'network' }])
      .catch(() => undefined),
  );
}

self.addEventListener('install', (event) => {
  routeOthersToNetwork(event);
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith(CACHE_PREFIX) && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

/**
 * The shell file a request is for, or null. A query string does not make another page, and a
 * room link's fragment (#/room/…), which a request's URL keeps, names no file.
 */
function shellKey(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  url.search = '';
  url.hash = '';
  return SHELL_URLS.has(url.href) ? url.href : null;
}

async function refresh(cache, key) {
  const response = await fetch(key, { cache: 'no-cache' });
  if (response.ok) await cache.put(key, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const key = shellKey(event.request);
  if (key === null) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const cached = await cache.match(key);
      const fresh = refresh(cache, key);
      if (cached) {
        // Offline, or the host is down: the cached copy stands.
        event.waitUntil(fresh.catch(() => undefined));
        return cached;
      }
      return fresh;
    })(),
  );
});
