import { useState } from 'preact/hooks';
import { api, ApiError, errorText, fieldRefusals } from '../lib/api.js';
import { session } from '../lib/session.js';
import { useLoad } from '../lib/use-load.js';
import { FieldError, invalidProps } from '../ui/FieldError.js';
import { AdminShell } from './AdminShell.js';
import type * as contract from '../lib/contract.js';
import { t } from '../lib/i18n.js';
import { Slotted } from '../ui/Slotted.js';

export type Promoter = contract.PromoterView;

/**
 * `/admin/promoters`: the people who bring the crowd. Each gets a code; any event's page with
 * `?p=CODE` is their link, and the night's page shows what their buyers bought.
 */
export function PromotersPage() {
  return (
    <AdminShell title={t('admin.nav.promoters')}>
      <Promoters />
    </AdminShell>
  );
}

function Promoters() {
  const token = session.value!.token;
  const [actionProblem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [form, setForm] = useState({ name: '', code: '' });
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const loaded = useLoad(
    (signal) => api<{ promoters: Promoter[] }>('/api/v1/promoters', { token, signal }).then((r) => r.promoters),
    [token],
  );
  const list = loaded.data;
  const load = loaded.reload;
  const problem = actionProblem ?? loaded.error;

  const add = async (e: Event) => {
    e.preventDefault();
    setFieldErrors({});
    setProblem(null);
    setNotice(null);
    try {
      const p = await api<Promoter>('/api/v1/promoters', {
        body: { name: form.name.trim(), code: form.code.trim() },
        token,
      });
      setNotice(t('promoters.added', { name: p.name, code: p.code }));
      setForm({ name: '', code: '' });
      await load();
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.details).length) setFieldErrors(fieldRefusals(err));
      else setProblem(errorText(err));
    }
  };

  return (
    <>
      <h1>{t('admin.nav.promoters')}</h1>
      <p class="muted">
        <Slotted message="promoters.about" slot="param">
          <code>?p=CODE</code>
        </Slotted>
      </p>
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
        <h2>{t('promoters.yours')}</h2>
        {!list && <p class="muted">{t('common.loading')}</p>}
        {list && list.length === 0 && <p class="muted">{t('promoters.none')}</p>}
        {list && list.length > 0 && (
          <ul class="list promoters" data-testid="promoters">
            {list.map((p) => (
              <li key={p.id}>
                <div class="who">
                  <strong>{p.name}</strong>
                  <span class="muted small">
                    {t('promoters.code')} <code>{p.code}</code> · {t('promoters.link')}{' '}
                    <span class="break">{p.link}</span>
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <form class="card stack" onSubmit={add}>
        <h2>{t('promoters.add')}</h2>
        <div class="grid-2">
          <div class="field">
            <label for="promoter-name">{t('editor.name')}</label>
            <input
              id="promoter-name"
              class="input"
              required
              maxLength={100}
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
              {...invalidProps('promoter-name-error', fieldErrors.name)}
            />
            <FieldError id="promoter-name-error" error={fieldErrors.name} />
          </div>
          <div class="field">
            <label for="promoter-code">{t('promoters.codeLabel')}</label>
            <input
              id="promoter-code"
              class="input"
              required
              minLength={2}
              maxLength={32}
              pattern="[A-Za-z0-9][A-Za-z0-9\\-]{1,31}"
              value={form.code}
              onInput={(e) => setForm({ ...form, code: e.currentTarget.value })}
              {...invalidProps('promoter-code-error', fieldErrors.code)}
            />
            <FieldError id="promoter-code-error" error={fieldErrors.code} />
          </div>
        </div>
        <button class="btn primary" type="submit">
          {t('promoters.addButton')}
        </button>
      </form>
    </>
  );
}
