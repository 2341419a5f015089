import { signal } from '@preact/signals';
import { api } from './api.js';
import type { LoginResponse } from './contract.js';
import { forgetTicketLists, kvDelete, kvGet, kvSet } from './db.js';

export type Role = LoginResponse['role'];

export interface Session {
  token: string;
  role: Role;
  email: string;
  expiresAt: string;
}

/**
 * The staff/owner login lives in memory and in IndexedDB (so a scanner that reloads offline is
 * still logged in), never in a URL or a cookie: it travels only in the Authorization header
 * (and as the SSE `?token=` the API allows, because EventSource cannot send headers).
 */
export const session = signal<Session | null>(null);
export const sessionLoaded = signal(false);

const KEY = 'session';

export async function loadSession(): Promise<void> {
  try {
    const s = await kvGet<Session>(KEY);
    session.value = s && Date.parse(s.expiresAt) > Date.now() ? s : null;
  } finally {
    sessionLoaded.value = true;
  }
}

export async function logIn(email: string, password: string): Promise<Session> {
  const r = await api<LoginResponse>('/api/v1/auth/login', {
    body: { email, password },
  });
  const s: Session = { token: r.token, role: r.role, email, expiresAt: r.expires_at };
  await kvSet(KEY, s);
  session.value = s;
  return s;
}

/** Ends the login on this device, and with it the door's ticket lists stored here. */
export async function logOut(): Promise<void> {
  session.value = null;
  await kvDelete(KEY);
  await forgetTicketLists();
}
