{% autoescape off %}// 城管巡查 service worker: keeps the app shell so the app opens without a network.
// API answers are never cached: the outbox in the page sends reports when the network is back.
"use strict";

const VERSION = "{{ version }}";
const CACHE = "cg-mobile-" + VERSION;
const PAGE = {{ page }};
const FILES = {{ files }};
const NETWORK_WAIT_MS = 4000; // a weak signal: open the cached page rather than wait on it

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(FILES);
    await keepPage(cache, await fetch(PAGE, { credentials: "same-origin" }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("cg-mobile-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Only a real page, never the login page a lapsed session is redirected to.
async function keepPage(cache, response) {
  if (response.ok && !response.redirected && response.type === "basic") {
    await cache.put(PAGE, response);
  }
}

async function page(request) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then(async (response) => {
    await keepPage(cache, response.clone());
    return response;
  });
  network.catch(() => undefined); // a late failure after the cached copy was served
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
  } catch (error) {
    // offline: fall back to the copy below
  }
  const kept = await cache.match(PAGE);
  return kept || network;
}

// The shell's files from the cache; one missing (evicted, say) is fetched and kept again.
async function shellFile(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(page(request));
    return;
  }
  if (FILES.includes(url.pathname)) {
    event.respondWith(shellFile(request));
  }
  // Everything else, the API above all, goes to the network untouched.
});
{% endautoescape %}
