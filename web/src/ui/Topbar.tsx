import type { ComponentChildren } from 'preact';
import { logOut, session } from '../lib/session.js';

/** `account={false}` when the page puts logging out in its own menu. */
export function Topbar({ title, children, account = true }: { title?: string; children?: ComponentChildren; account?: boolean }) {
  const s = session.value;
  return (
    <header class="topbar">
      <a class="brand" href="/">
        VELVET
      </a>
      <span class="title">{title}</span>
      {children}
      {s && account && (
        <button class="btn ghost small" type="button" onClick={() => void logOut()} title={`Signed in as ${s.email}`}>
          Log out
        </button>
      )}
    </header>
  );
}
