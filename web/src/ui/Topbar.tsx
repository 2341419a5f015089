import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { logOut, session } from '../lib/session.js';
import { t } from '../lib/i18n.js';
import { LanguageSwitcher } from './LanguageSwitcher.js';

/**
 * The bar on every page; its title is also the tab's ("Friday Night · Velvet"), so a promoter
 * with ten tabs open finds the right one. `account={false}` when the page puts logging out in its
 * own menu; `tabTitle` when the tab should say more than the bar; `language` shows the language
 * switcher (pages a buyer or the owner reads; the door has it in its menu).
 */
export function Topbar({
  title,
  tabTitle,
  children,
  account = true,
  language = false,
}: {
  title?: string;
  tabTitle?: string;
  children?: ComponentChildren;
  account?: boolean;
  language?: boolean;
}) {
  const s = session.value;
  const tab = tabTitle ?? title;
  useEffect(() => {
    document.title = tab ? `${tab} · Velvet` : 'Velvet';
  }, [tab]);
  return (
    <header class="topbar">
      <a class="brand" href="/">
        VELVET
      </a>
      <span class="title">{title}</span>
      {children}
      {language && <LanguageSwitcher compact />}
      {s && account && (
        <button
          class="btn ghost small"
          type="button"
          onClick={() => void logOut()}
          title={t('common.signedInAs', { email: s.email })}
        >
          {t('common.logOut')}
        </button>
      )}
    </header>
  );
}
