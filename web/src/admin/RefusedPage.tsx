import { useState } from 'preact/hooks';
import { api, ApiError, errorText, fieldRefusals } from '../lib/api.js';
import { dayAndTime } from '../lib/format.js';
import { session } from '../lib/session.js';
import { useLoad } from '../lib/use-load.js';
import { FieldError, invalidProps } from '../ui/FieldError.js';
import { AdminShell } from './AdminShell.js';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';

type Refused = contract.RefusedEntry;

/**
 * `/admin/refused`: the people the venue will not let in. Their tickets are refused at every door
 * (offline too) and their e-mail cannot buy; taking someone off keeps the record of who did it.
 */
export function RefusedPage() {
  return (
    <AdminShell title={t('admin.nav.refused')}>
      <RefusedList />
    </AdminShell>
  );
}

const EMPTY = { name: '', email: '', reason: '' };

function RefusedList() {
  const token = session.value!.token;
  const [actionProblem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [form, setForm] = useState(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState<Refused | null>(null);

  const loaded = useLoad(
    (signal) => api<{ people: Refused[] }>('/api/v1/refused', { token, signal }).then((r) => r.people),
    [token],
  );
  const people = loaded.data;
  const load = loaded.reload;
  const problem = actionProblem ?? loaded.error;

  const add = async (e: Event) => {
    e.preventDefault();
    setFieldErrors({});
    setProblem(null);
    setNotice(null);
    try {
      const added = await api<Refused>('/api/v1/refused', {
        body: { name: form.name.trim(), email: form.email.trim(), reason: form.reason.trim() },
        token,
      });
      setNotice(t('refused.added', { who: who(added) }));
      setForm(EMPTY);
      await load();
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.details).length) setFieldErrors(fieldRefusals(err));
      else setProblem(errorText(err));
    }
  };

  const remove = async (r: Refused) => {
    setProblem(null);
    try {
      await api(`/api/v1/refused/${r.id}`, { method: 'DELETE', token });
      setNotice(t('refused.removed', { who: who(r) }));
      setConfirming(null);
      await load();
    } catch (err) {
      setProblem(errorText(err));
    }
  };

  const listed = people?.filter((p) => !p.removed_at) ?? [];
  const removed = people?.filter((p) => p.removed_at) ?? [];
  return (
    <>
      <h1>{t('admin.nav.refused')}</h1>
      <p class="muted">{t('refused.about')}</p>
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
        <h2>
          {t('refused.now')} {people && <span class="muted">({listed.length})</span>}
        </h2>
        {!people && <p class="muted">{t('common.loading')}</p>}
        {people && listed.length === 0 && <p class="muted">{t('refused.nobody')}</p>}
        {listed.length > 0 && (
          <ul class="list refused" data-testid="refused">
            {listed.map((r) => (
              <li key={r.id}>
                <div class="who">
                  <strong>{who(r)}</strong>
                  <span>{r.reason}</span>
                  <span class="muted small">
                    {r.name && r.email ? `${r.email} · ` : ''}
                    {t('refused.addedBy', { by: r.added_by, at: dayAndTime(r.added_at) })}
                  </span>
                </div>
                {confirming?.id === r.id ? (
                  <div class="row">
                    <button class="btn danger small" type="button" onClick={() => void remove(r)}>
                      {t('refused.letIn', { who: who(r) })}
                    </button>
                    <button class="btn ghost small" type="button" onClick={() => setConfirming(null)}>
                      {t('refused.keep')}
                    </button>
                  </div>
                ) : (
                  <button class="btn ghost small" type="button" onClick={() => setConfirming(r)}>
                    {t('host.remove')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <form class="card stack" onSubmit={add}>
        <h2>{t('refused.add')}</h2>
        <p class="muted small">{t('refused.addHow')}</p>
        <div class="grid-2">
          <div class="field">
            <label for="refused-name">{t('editor.name')}</label>
            <input
              id="refused-name"
              class="input"
              maxLength={100}
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
              {...invalidProps('refused-name-error', fieldErrors.name)}
            />
            <FieldError id="refused-name-error" error={fieldErrors.name} />
          </div>
          <div class="field">
            <label for="refused-email">{t('login.email')}</label>
            <input
              id="refused-email"
              class="input"
              type="email"
              maxLength={320}
              value={form.email}
              onInput={(e) => setForm({ ...form, email: e.currentTarget.value })}
              {...invalidProps('refused-email-error', fieldErrors.email)}
            />
            <FieldError id="refused-email-error" error={fieldErrors.email} />
          </div>
        </div>
        <div class="field">
          <label for="refused-reason">{t('refused.why')}</label>
          <input
            id="refused-reason"
            class="input"
            required
            maxLength={500}
            value={form.reason}
            onInput={(e) => setForm({ ...form, reason: e.currentTarget.value })}
            {...invalidProps('refused-reason-error', fieldErrors.reason)}
          />
          <FieldError id="refused-reason-error" error={fieldErrors.reason} />
        </div>
        <button class="btn primary" type="submit">
          {t('refused.submit')}
        </button>
      </form>
      {removed.length > 0 && (
        <section class="card stack">
          <h2>{t('refused.takenOff')}</h2>
          <ul class="list refused-removed" data-testid="refused-removed">
            {removed.map((r) => (
              <li key={r.id}>
                <div class="who">
                  <strong>{who(r)}</strong>
                  <span class="muted small">
                    {r.reason} · {t('refused.addedBy', { by: r.added_by, at: dayAndTime(r.added_at) })} ·{' '}
                    {t('refused.removedBy', { by: r.removed_by, at: dayAndTime(r.removed_at!) })}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

const who = (r: Pick<Refused, 'name' | 'email'>) => r.name || r.email;
