import { useState } from 'preact/hooks';
import { api, ApiError, errorText, fieldRefusals } from '../lib/api.js';
import { session } from '../lib/session.js';
import { useLoad } from '../lib/use-load.js';
import { FieldError, invalidProps } from '../ui/FieldError.js';
import { AdminShell } from './AdminShell.js';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';

type Account = contract.UserAccount;

/** `/admin/staff`: owner and door accounts, added, disabled and reset while Velvet runs. */
export function StaffPage() {
  return (
    <AdminShell title={t('admin.nav.accounts')}>
      <Accounts />
    </AdminShell>
  );
}

function Accounts() {
  const token = session.value!.token;
  const [actionProblem, setProblem] = useState<string | null>(null);
  const [form, setForm] = useState({ name: '', email: '', password: '', role: 'staff' as Account['role'] });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  /** A refusal of the new account: shown in its form, where the owner is looking. */
  const [addProblem, setAddProblem] = useState<string | null>(null);

  const loaded = useLoad(
    (signal) => api<{ users: Account[] }>('/api/v1/users', { token, signal }).then((r) => r.users),
    [token],
  );
  const accounts = loaded.data;
  const load = loaded.reload;
  const problem = actionProblem ?? loaded.error;

  const add = async (e: Event) => {
    e.preventDefault();
    setFieldErrors({});
    setProblem(null);
    setAddProblem(null);
    setNotice(null);
    try {
      const a = await api<Account>('/api/v1/users', {
        body: { ...form, name: form.name.trim() },
        token,
      });
      setNotice(t('staff.added', { email: a.email }));
      setForm({ name: '', email: '', password: '', role: 'staff' });
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'email_taken') setFieldErrors({ email: t('staff.taken') });
      else if (err instanceof ApiError && Object.keys(err.details).length) setFieldErrors(fieldRefusals(err));
      setAddProblem(errorText(err));
    }
  };

  const change = async (a: Account, body: Record<string, unknown>, done: string) => {
    setProblem(null);
    setNotice(null);
    try {
      await api(`/api/v1/users/${a.id}`, { method: 'PATCH', body, token });
      setNotice(done);
      await load();
    } catch (err) {
      setProblem(errorText(err));
    }
  };

  /** The account whose new password is being typed (in the page, not a browser pop-up). */
  const [resetting, setResetting] = useState<{ account: Account; password: string } | null>(null);
  const resetPassword = async (e: Event) => {
    e.preventDefault();
    if (!resetting) return;
    await change(
      resetting.account,
      { password: resetting.password },
      t('staff.passwordSet', { email: resetting.account.email }),
    );
    setResetting(null);
  };

  return (
    <>
      <h1>{t('admin.nav.accounts')}</h1>
      {notice && (
        <p class="banner info" role="status">
          {notice}
        </p>
      )}
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      <section class="card stack">
        <h2>{t('staff.team')}</h2>
        {!accounts && <p class="muted">{t('common.loading')}</p>}
        {accounts && (
          <ul class="list accounts" data-testid="accounts">
            {accounts.map((a) => (
              <li key={a.id} class={a.disabled ? 'disabled' : ''}>
                <div class="who">
                  <strong>{a.name || a.email}</strong>
                  <span class="muted small">
                    {a.name ? `${a.email} · ` : ''}
                    {t('staff.role', { role: a.role })}
                    {a.disabled ? ` · ${t('staff.disabled')}` : ''}
                  </span>
                </div>
                <div class="row">
                  <button
                    class="btn ghost small"
                    type="button"
                    onClick={() => setResetting({ account: a, password: '' })}
                    aria-expanded={resetting?.account.id === a.id}
                  >
                    {t('staff.reset')}
                  </button>
                  {a.disabled ? (
                    <button
                      class="btn small"
                      type="button"
                      onClick={() => void change(a, { disabled: false }, t('staff.enabled', { email: a.email }))}
                    >
                      {t('staff.enable')}
                    </button>
                  ) : (
                    <button
                      class="btn danger small"
                      type="button"
                      disabled={a.id === currentUserId(token)}
                      title={a.id === currentUserId(token) ? t('staff.notYourself') : undefined}
                      onClick={() => void change(a, { disabled: true }, t('staff.disabledNotice', { email: a.email }))}
                    >
                      {t('staff.disable')}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
        {resetting && (
          <form class="stack reset-password" onSubmit={(e) => void resetPassword(e)} data-testid="reset-password">
            <label for="reset-password">{t('staff.newPassword', { email: resetting.account.email })}</label>
            <div class="row">
              <input
                id="reset-password"
                class="input"
                type="password"
                autoComplete="new-password"
                minLength={8}
                required
                value={resetting.password}
                onInput={(e) => setResetting({ ...resetting, password: e.currentTarget.value })}
              />
              <button class="btn primary" type="submit">
                {t('staff.setPassword')}
              </button>
              <button class="btn ghost" type="button" onClick={() => setResetting(null)}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        )}
      </section>
      <form class="card stack" onSubmit={add}>
        <h2>{t('staff.add')}</h2>
        <div class="grid-2">
          <div class="field">
            <label for="acc-name">{t('editor.name')}</label>
            <input
              id="acc-name"
              class="input"
              maxLength={100}
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for="acc-email">{t('login.email')}</label>
            <input
              id="acc-email"
              class="input"
              type="email"
              required
              value={form.email}
              onInput={(e) => setForm({ ...form, email: e.currentTarget.value })}
              {...invalidProps('acc-email-error', fieldErrors.email)}
            />
            <FieldError id="acc-email-error" error={fieldErrors.email} />
          </div>
          <div class="field">
            <label for="acc-password">{t('staff.password')}</label>
            <input
              id="acc-password"
              class="input"
              type="password"
              autoComplete="new-password"
              required
              value={form.password}
              onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
              {...invalidProps('acc-password-error', fieldErrors.password)}
            />
            <FieldError id="acc-password-error" error={fieldErrors.password} />
          </div>
          <div class="field">
            <label for="acc-role">{t('staff.roleLabel')}</label>
            <select
              id="acc-role"
              class="input"
              value={form.role}
              onChange={(e) => setForm({ ...form, role: e.currentTarget.value as Account['role'] })}
            >
              <option value="staff">{t('staff.role', { role: 'staff' })}</option>
              <option value="owner">{t('staff.role', { role: 'owner' })}</option>
            </select>
          </div>
        </div>
        {addProblem && (
          <p class="form-error" role="alert" data-testid="add-account-error">
            {addProblem}
          </p>
        )}
        <button class="btn primary" type="submit">
          {t('staff.addButton')}
        </button>
      </form>
    </>
  );
}

/** The signed-in account's id, read from its login token's claims (signed by the server; only used to grey out a button). */
function currentUserId(token: string): string | null {
  try {
    return (
      (JSON.parse(atob(token.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string }).sub ?? null
    );
  } catch {
    return null;
  }
}
