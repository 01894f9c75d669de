/* Needs Passport service worker.
 * Caches the static files and the offline page, and nothing else: personal pages are
 * never stored (they also send Cache-Control: no-store). Navigations go to the network,
 * and fall back to the offline page when there is none.
 * It is served as a template (passport/views.py) that fills in the static files'
 * content-hashed names, and a version that changes with them: a new release replaces the
 * old cache. */
"use strict";

const VERSION = "np-{{ assets_version }}";
const OFFLINE_URL = "/offline";
const PRECACHE = [
  OFFLINE_URL,
  {%- for name in ["vendor/htmx.min.js", "app.js", "icons/icon.svg", "icons/icon-192.png"] %}
  {{ url_for("static", filename=name)|tojson }},
  {%- endfor %}
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(VERSION).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== VERSION).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request)
        .then((response) => {
          event.waitUntil(keepOfflinePageIn(response.headers.get("Content-Language")));
          return response;
        })
        .catch(() => caches.match(OFFLINE_URL, { ignoreSearch: true }))
    );
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Static files: a name never changes its content (it is content-hashed), so a cached
    // copy is always right.
    event.respondWith(
      caches.open(VERSION).then((cache) =>
        cache.match(request).then(
          (cached) =>
            cached ||
            fetch(request).then((response) => {
              if (response.ok) cache.put(request, response.clone());
              return response;
            })
        )
      )
    );
  }
});

// The offline page is kept in the language of the pages the person is reading: when one comes
// in another language (they chose it), the offline page is fetched again, in that language.
function keepOfflinePageIn(language) {
  if (!language) return Promise.resolve();
  return caches.open(VERSION).then((cache) =>
    cache.match(OFFLINE_URL).then((cached) => {
      if (cached && cached.headers.get("Content-Language") === language) return undefined;
      return fetch(OFFLINE_URL)
        .then((response) => {
          if (response.ok && response.headers.get("Content-Language") === language) {
            return cache.put(OFFLINE_URL, response);
          }
          return undefined;
        })
        .catch(() => undefined);
    })
  );
}
