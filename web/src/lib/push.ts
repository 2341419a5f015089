import { api } from './api.js';
import { t } from './i18n.js';

/**
 * This device's Web Push subscription for a VIP host's arrivals. The browser keeps one
 * subscription per site (its endpoint); the server keeps it per table, so this device remembers
 * which tables it asked for (a phone may hold two hosts' orders).
 */
export type PushSupport = 'ok' | 'unsupported' | 'denied' | 'needs-install';

const rememberKey = (reservationId: string) => `velvet.push.${reservationId}`;

export function pushSupport(): PushSupport {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    // iPhones offer Web Push only to a page added to the home screen.
    const ios = /iPhone|iPad|iPod/.test(navigator.userAgent);
    return ios && !matchMedia('(display-mode: standalone)').matches ? 'needs-install' : 'unsupported';
  }
  return Notification.permission === 'denied' ? 'denied' : 'ok';
}

/** Whether this device is subscribed for this table (and the browser still has the subscription). */
export async function isSubscribed(reservationId: string): Promise<boolean> {
  const remembered = localStorage.getItem(rememberKey(reservationId));
  if (!remembered || pushSupport() !== 'ok') return false;
  const registration = await navigator.serviceWorker.getRegistration();
  const current = await registration?.pushManager.getSubscription();
  return current?.endpoint === remembered;
}

export async function subscribe(reservationId: string, token: string): Promise<number> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error(t('alerts.blocked'));
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    const { public_key } = await api<{ public_key: string }>('/api/v1/push/public-key');
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: fromBase64Url(public_key),
    });
  }
  const saved = await api<{ devices: number }>(
    `/api/v1/reservations/${encodeURIComponent(reservationId)}/push-subscription`,
    {
      method: 'PUT',
      body: subscription.toJSON(),
      token,
    },
  );
  localStorage.setItem(rememberKey(reservationId), subscription.endpoint);
  return saved.devices;
}

/** Stops telling this device about this table; the browser's subscription stays for other tables. */
export async function unsubscribe(reservationId: string, token: string): Promise<void> {
  const endpoint = localStorage.getItem(rememberKey(reservationId));
  if (endpoint) {
    await api(`/api/v1/reservations/${encodeURIComponent(reservationId)}/push-subscription`, {
      method: 'DELETE',
      body: { endpoint },
      token,
    });
  }
  localStorage.removeItem(rememberKey(reservationId));
}

function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  const raw = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
