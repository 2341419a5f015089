import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { RequireLogin } from '../ui/RequireLogin.js';
import { Topbar } from '../ui/Topbar.js';
import './admin.css';

const NAV = [
  { href: '/admin', label: 'Events' },
  { href: '/admin/staff', label: 'Accounts' },
  { href: '/admin/promoters', label: 'Promoters' },
  { href: '/admin/refused', label: 'Refused list' },
];

/** Every dashboard page: the owner's login, the same top bar, and the dashboard's own navigation. */
export function AdminShell({ title, children }: { title: string; children: ComponentChildren }) {
  const { path } = useLocation();
  return (
    <RequireLogin roles={['owner']} heading="Owner dashboard">
      <Topbar title={title}>
        <nav class="admin-nav" aria-label="Dashboard">
          {NAV.map((n) => (
            <a key={n.href} href={n.href} aria-current={path === n.href ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
      </Topbar>
      <main class="page admin stack">{children}</main>
    </RequireLogin>
  );
}
