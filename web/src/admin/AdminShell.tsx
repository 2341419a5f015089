import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { RequireLogin } from '../ui/RequireLogin.js';
import { Topbar } from '../ui/Topbar.js';
import './admin.css';
import { t } from '../lib/i18n.js';
import type { MessageKey } from '@i18n/catalogue.js';

const NAV: Array<{ href: string; label: MessageKey }> = [
  { href: '/admin', label: 'admin.nav.events' },
  { href: '/admin/staff', label: 'admin.nav.accounts' },
  { href: '/admin/promoters', label: 'admin.nav.promoters' },
  { href: '/admin/refused', label: 'admin.nav.refused' },
];

/** Every dashboard page: the owner's login, the same top bar, and the dashboard's own navigation. */
export function AdminShell({ title, children }: { title: string; children: ComponentChildren }) {
  const { path } = useLocation();
  return (
    <RequireLogin roles={['owner']} heading={t('home.dashboard')}>
      <Topbar title={title} language>
        <nav class="admin-nav" aria-label={t('admin.nav.label')}>
          {NAV.map((n) => (
            <a key={n.href} href={n.href} aria-current={path === n.href ? 'page' : undefined}>
              {t(n.label)}
            </a>
          ))}
        </nav>
      </Topbar>
      <main class="page admin stack">{children}</main>
    </RequireLogin>
  );
}
