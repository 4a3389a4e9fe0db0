// Service worker of the field app: keeps the app shell so the app opens with
// no signal. API calls are never cached (actions queue in the page instead).
const SHELL = "birlik-field-v2";
const ASSETS = [
  "/field",
  "/static/css/app.css",
  "/static/js/app.js",
  "/static/js/live.js",
  "/static/js/field.js",
  "/static/icon.svg",
  "/vendor/socket.io-client/dist/socket.io.min.js",
  "/vendor/idiomorph/dist/idiomorph.min.js",
  "/vendor/leaflet/dist/leaflet.js",
  "/vendor/leaflet/dist/leaflet.css",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.pathname.startsWith("/api/") || url.pathname.startsWith("/socket.io")) {
    return;
  }
  // Network first, so a fresh page wins; the cached shell when offline.
  event.respondWith(
    fetch(event.request)
      .then((resp) => {
        if (resp.ok && ASSETS.includes(url.pathname)) {
          const copy = resp.clone();
          caches.open(SHELL).then((cache) => cache.put(url.pathname, copy));
        }
        return resp;
      })
      .catch(() => caches.match(url.pathname)),
  );
});
