// Imported by the service worker Workbox generates (web/vite.config.ts): shows a VIP host's
// guest arrivals (Web Push, sent by src/services/push) and opens the order page when tapped.
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: 'Velvet', body: event.data ? event.data.text() : '' };
  }
  const shown = self.registration.showNotification(data.title || 'Velvet', {
    body: data.body || '',
    // One notification per arrival, even if it is delivered twice.
    tag: data.tag,
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    data: { url: data.url || '/' },
  });
  // An open order page refreshes its guest list at once.
  const told = self.clients
    .matchAll({ type: 'window' })
    .then((list) => list.forEach((c) => c.postMessage({ type: 'velvet-push', payload: data })));
  event.waitUntil(Promise.all([shown, told]));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((list) => {
      const open = list.find((c) => c.url.split('#')[0] === url);
      return open ? open.focus() : self.clients.openWindow(url);
    }),
  );
});
