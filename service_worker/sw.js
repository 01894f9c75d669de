/* Needs Passport service worker.
 * Caches the static files and the offline page, and nothing else: personal pages are
 * never stored (they also send Cache-Control: no-store). Navigations go to the network,
 * and fall back to the offline page when there is none. */
"use strict";

const VERSION = "np-v1";
const OFFLINE_URL = "/offline";
const PRECACHE = [
  OFFLINE_URL,
  "/static/vendor/govuk-frontend.min.css",
  "/static/vendor/htmx.min.js",
  "/static/app.css",
  "/static/app.js",
  "/static/icons/icon.svg",
  "/static/icons/icon-192.png",
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
      fetch(request).catch(() => caches.match(OFFLINE_URL, { ignoreSearch: true }))
    );
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Static files: cache first, refreshed in the background.
    event.respondWith(
      caches.open(VERSION).then((cache) =>
        cache.match(request).then((cached) => {
          const network = fetch(request).then((response) => {
            if (response.ok) cache.put(request, response.clone());
            return response;
          });
          if (cached) {
            // Refresh in the background; offline, keep the cached copy without an error.
            event.waitUntil(network.catch(() => undefined));
            return cached;
          }
          return network;
        })
      )
    );
  }
});
