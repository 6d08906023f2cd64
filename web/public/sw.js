// Minimal service worker: makes the portal installable and shows the last page shell when offline.
// It never touches /api (or any other request than page navigations), so no account data is cached.
const SHELL = "oc-shell-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.mode !== "navigate" || url.origin !== self.location.origin) return;
  if (
    url.pathname.startsWith("/api/") ||
    url.pathname.startsWith("/console") ||
    url.pathname.startsWith("/dev/")
  )
    return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(SHELL).then((cache) => cache.put("/", copy));
        }
        return response;
      })
      .catch(() => caches.match("/").then((cached) => cached ?? Response.error())),
  );
});
