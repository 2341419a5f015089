import { useEffect, useState } from 'preact/hooks';
import { t } from '../lib/i18n.js';

interface InstallPrompt extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

const DISMISSED_KEY = 'velvet.install-hint';

/**
 * On a buyer's page the app installs as "Velvet tickets", opening on the tickets saved on this
 * device (`/`), not as the door scanner the main manifest describes.
 */
export function useBuyerManifest(): void {
  useEffect(() => {
    const link = document.querySelector<HTMLLinkElement>('link[rel=manifest]');
    if (!link) return;
    const staff = link.getAttribute('href');
    link.setAttribute('href', '/buyer.webmanifest');
    return () => {
      if (staff) link.setAttribute('href', staff);
    };
  }, []);
}

/**
 * "Add to home screen": the tickets then open from an icon, signal or not. Chromium offers the
 * install itself (a button here); other browsers get the words for their menu. Not shown once
 * installed or dismissed.
 */
export function InstallHint() {
  const [prompt, setPrompt] = useState<InstallPrompt | null>(null);
  const [hidden, setHidden] = useState(
    () => localStorage.getItem(DISMISSED_KEY) === 'off' || matchMedia('(display-mode: standalone)').matches,
  );
  useEffect(() => {
    const offer = (e: Event) => {
      e.preventDefault();
      setPrompt(e as InstallPrompt);
    };
    window.addEventListener('beforeinstallprompt', offer);
    return () => window.removeEventListener('beforeinstallprompt', offer);
  }, []);
  if (hidden) return null;
  const dismiss = () => {
    localStorage.setItem(DISMISSED_KEY, 'off');
    setHidden(true);
  };
  const install = async () => {
    if (!prompt) return;
    await prompt.prompt();
    if ((await prompt.userChoice).outcome === 'accepted') setHidden(true);
  };
  return (
    <aside class="card stack no-print install-hint" aria-label={t('install.label')} data-testid="install-hint">
      <p>
        <strong>{t('install.saved')}</strong> {t('install.noSignal')} {prompt ? t('install.add') : t('install.menu')}
      </p>
      <div class="row">
        {prompt && (
          <button class="btn small" type="button" onClick={() => void install()}>
            {t('install.button')}
          </button>
        )}
        <button class="btn ghost small" type="button" onClick={dismiss}>
          {t('install.gotIt')}
        </button>
      </div>
    </aside>
  );
}
