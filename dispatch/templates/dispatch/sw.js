// Service worker of the Sigap 123 technician app (scope {{ home }}): keeps the app shell so the app opens
// without network; job steps taken offline wait in the page's queue (IndexedDB) until the network returns.
"use strict";
var CACHE = "sigap-tech-{{ version }}";
var HOME = "{{ home }}";
var SHELL = {{ shell_json|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.concat([HOME]).map(function (url) {
      return cache.add(new Request(url, { credentials: "same-origin", cache: "reload" })).catch(function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("sigap-tech-") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname === HOME) {
    // The page: network first (fresh CSRF token and strings), the kept copy when offline.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(HOME, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(HOME).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});
