import { useState } from 'preact/hooks';
import { errorText } from '../lib/api.js';
import { logIn, type Role } from '../lib/session.js';
import { t } from '../lib/i18n.js';
import { LanguageSwitcher } from './LanguageSwitcher.js';

/** Owner and staff log in here; the token is kept on this device only (see lib/session.ts). */
export function LoginForm({ heading, roles }: { heading: string; roles: Role[] }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await logIn(email.trim(), password);
      if (!roles.includes(s.role)) setError(t('login.wrongRole', { roles: roles.length === 1 ? roles[0] : 'both' }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="page narrow">
      <form class="card stack" onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <div class="row">
          <h1>{heading}</h1>
          <span class="spacer" />
          <LanguageSwitcher />
        </div>
        <div class="field">
          <label for="login-email">{t('login.email')}</label>
          <input
            id="login-email"
            class="input"
            type="email"
            autocomplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="login-password">{t('login.password')}</label>
          <input
            id="login-password"
            class="input"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        {error && (
          <p id="login-error" class="form-error" role="alert">
            {error}
          </p>
        )}
        <button class="btn primary block" type="submit" disabled={busy}>
          {t(busy ? 'login.signingIn' : 'login.signIn')}
        </button>
      </form>
    </main>
  );
}
