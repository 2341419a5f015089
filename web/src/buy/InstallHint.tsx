import { useEffect, useState } from 'preact/hooks';

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
    <aside
      class="card stack no-print install-hint"
      aria-label="Keep your tickets on this phone"
      data-testid="install-hint"
    >
      <p>
        <strong>Your tickets are saved on this phone.</strong> They open here even with no signal at the door.{' '}
        {prompt
          ? 'Add them to your home screen to find them in one tap.'
          : 'To find them in one tap, add this page to your home screen (browser menu → Add to Home screen).'}
      </p>
      <div class="row">
        {prompt && (
          <button class="btn small" type="button" onClick={() => void install()}>
            Add to home screen
          </button>
        )}
        <button class="btn ghost small" type="button" onClick={dismiss}>
          Got it
        </button>
      </div>
    </aside>
  );
}
