import { useLocation } from 'preact-iso';
import { useEffect, useReducer } from 'preact/hooks';
import { api, errorText, fieldRefusals } from '../lib/api.js';
import { session } from '../lib/session.js';
import { Field } from '../ui/Field.js';
import { AdminShell } from './AdminShell.js';
import {
  detailsBody,
  detailsChanged,
  editorReducer,
  layoutBody,
  newEvent,
  scheduleBody,
  scheduleChanged,
  toCents,
  type EditorState,
} from './event-draft.js';
import { EventDetailsFields } from './EventDetailsFields.js';
import { GRID } from './floor-geometry.js';
import { FloorEditor } from './FloorEditor.js';
import type { AdminEvent } from './types.js';
import { money as formatMoney } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { deviceTimeZone } from '../lib/wall-clock.js';

let keys = 0;
const nextKey = () => `k${++keys}`;

const COVER_ERROR_KEY = 'velvet.cover-error';
/** A cover refused right after its event was created: shown once, on that event's edit page. */
function takeCoverError(id: string | null): string | null {
  const saved = sessionStorage.getItem(COVER_ERROR_KEY);
  if (!saved || !id) return null;
  sessionStorage.removeItem(COVER_ERROR_KEY);
  const { id: eventId, message } = JSON.parse(saved) as { id: string; message: string };
  return eventId === id ? message : null;
}

/** `/admin/events/new` and `/admin/events/:id/edit`: the night, its prices, and the room. */
export function EventEditorPage({ id }: { id?: string }) {
  return (
    <AdminShell title={id ? t('editor.editTitle') : t('admin.events.new')}>
      <EventEditor id={id ?? null} />
    </AdminShell>
  );
}

function EventEditor({ id }: { id: string | null }) {
  const token = session.value!.token;
  const { route } = useLocation();
  const [state, dispatch] = useReducer(editorReducer, id, (id) => newEvent(nextKey, Date.now(), takeCoverError(id)));
  const { saved, tiers, tables, errors, cover, selected } = state;

  // A new night's times are the venue's: its zone from the server (an event's comes with it).
  useEffect(() => {
    if (id) return;
    const controller = new AbortController();
    api<{ time_zone: string }>('/api/v1/config', { signal: controller.signal }).then(
      (c) => dispatch({ type: 'zone', timeZone: c.time_zone }),
      () => {}, // unreachable: the device's zone, as before; saving will say what is wrong
    );
    return () => controller.abort();
  }, [id]);

  useEffect(() => {
    if (!id) return;
    const controller = new AbortController();
    const signal = controller.signal;
    api<AdminEvent>(`/api/v1/events/${id}`, { token, signal }).then(
      async (event) => {
        dispatch({ type: 'loaded', event, keys: nextKey });
        // Tables held or sold keep their number and tier and cannot be deleted (they can move).
        const a = await api<{ tables: Array<{ id: string; status: string }> }>(`/api/v1/events/${id}/availability`, {
          signal,
        });
        dispatch({
          type: 'locked',
          tableIds: new Set(a.tables.filter((x) => x.status !== 'available').map((x) => x.id)),
        });
      },
      (err) => signal.aborted || dispatch({ type: 'refused', errors: {}, message: errorText(err) }),
    );
    return () => controller.abort();
  }, [id, token]);

  const editing = id !== null;
  const capacities = new Map(tiers.map((x) => [x.name, Number.parseInt(x.capacity, 10) || 0]));
  const selectedTable = tables.find((x) => x.key === selected) ?? null;

  const save = async (ev: Event) => {
    ev.preventDefault();
    const saving = editorReducer(state, { type: 'saving' });
    dispatch({ type: 'saving' });
    if (!saving.busy) return;
    try {
      const savedId = editing ? await update(id, state) : await create(state);
      const coverProblem = await saveCover(savedId);
      if (coverProblem && !editing) {
        // The event exists now: the cover is tried again from its edit page, the refusal shown there.
        sessionStorage.setItem(COVER_ERROR_KEY, JSON.stringify({ id: savedId, message: coverProblem }));
        return route(`/admin/events/${savedId}/edit`);
      }
      if (coverProblem) return dispatch({ type: 'coverRefused', message: coverProblem });
      route(`/admin/events/${savedId}`);
    } catch (e) {
      // The API's refusal, in its words, next to the field it names.
      dispatch({ type: 'refused', errors: fieldRefusals(e), message: errorText(e) });
    }
  };

  const create = async (s: EditorState) =>
    (
      await api<AdminEvent>('/api/v1/events', {
        token,
        body: { ...scheduleBody(s), currency: s.currency, ...detailsBody(s.details), ...layoutBody(s) },
      })
    ).id;

  const update = async (eventId: string, s: EditorState) => {
    await api<AdminEvent>(`/api/v1/events/${eventId}/layout`, { method: 'PUT', token, body: layoutBody(s) });
    if (scheduleChanged(s))
      await api<AdminEvent>(`/api/v1/events/${eventId}`, { method: 'PATCH', token, body: scheduleBody(s) });
    if (detailsChanged(s))
      await api<AdminEvent>(`/api/v1/events/${eventId}/details`, {
        method: 'PUT',
        token,
        body: detailsBody(s.details),
      });
    return eventId;
  };

  /** Uploads or removes the cover as chosen; the refusal in words, or null. */
  const saveCover = async (eventId: string): Promise<string | null> => {
    try {
      if (cover.file) await api(`/api/v1/events/${eventId}/cover`, { method: 'PUT', token, upload: cover.file });
      else if (cover.remove) await api(`/api/v1/events/${eventId}/cover`, { method: 'DELETE', token });
      return null;
    } catch (e) {
      return errorText(e);
    }
  };

  return (
    <form class="stack editor" onSubmit={save} noValidate>
      <h1>
        {!editing ? t('admin.events.new') : saved ? t('editor.editing', { name: saved.name }) : t('editor.editTitle')}
      </h1>
      <section class="card stack">
        <h2>{t('editor.night')}</h2>
        <Field id="ev-name" label={t('editor.name')} error={errors.name}>
          {(control) => (
            <input
              {...control}
              class="input"
              maxLength={200}
              value={state.name}
              onInput={(e) => dispatch({ type: 'text', field: 'name', value: e.currentTarget.value })}
            />
          )}
        </Field>
        <div class="grid-2">
          <Field id="ev-start" label={t('editor.start')} error={errors.starts_at}>
            {(control) => (
              <input
                {...control}
                class="input"
                type="datetime-local"
                value={state.startsAt}
                onInput={(e) => dispatch({ type: 'text', field: 'startsAt', value: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field id="ev-end" label={t('editor.end')} error={errors.ends_at}>
            {(control) => (
              <input
                {...control}
                class="input"
                type="datetime-local"
                value={state.endsAt}
                onInput={(e) => dispatch({ type: 'text', field: 'endsAt', value: e.currentTarget.value })}
              />
            )}
          </Field>
        </div>
        {state.timeZone && state.timeZone !== deviceTimeZone() && (
          <p class="faint small" data-testid="venue-zone">
            {t('editor.venueZone', { zone: state.timeZone })}
          </p>
        )}
        {editing && <p class="faint small">{t('editor.changeRules')}</p>}
      </section>

      <EventDetailsFields
        draft={state.details}
        onChange={(details) => dispatch({ type: 'details', details })}
        coverUrl={saved?.cover_url ?? null}
        coverFile={cover.file}
        onCoverFile={(file) => dispatch({ type: 'cover', change: { file, error: null } })}
        removeCover={cover.remove}
        onRemoveCover={(remove) => dispatch({ type: 'cover', change: { remove } })}
        coverError={cover.error}
        errors={errors}
      />

      <fieldset class="card stack">
        <legend>{t('buy.ga')}</legend>
        <div class="grid-3">
          <Field id="ga-price" label={t('editor.price')} error={errors['ga.price_cents']}>
            {(control) => (
              <input
                {...control}
                class="input"
                inputMode="decimal"
                value={state.gaPrice}
                onInput={(e) => dispatch({ type: 'text', field: 'gaPrice', value: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field id="ga-capacity" label={t('editor.capacity')} error={errors['ga.capacity']}>
            {(control) => (
              <input
                {...control}
                class="input"
                inputMode="numeric"
                value={state.gaCapacity}
                onInput={(e) => dispatch({ type: 'text', field: 'gaCapacity', value: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field id="ev-currency" label={t('editor.currency')} error={errors.currency}>
            {(control) => (
              <select
                {...control}
                class="input"
                value={state.currency}
                disabled={editing}
                onChange={(e) => dispatch({ type: 'text', field: 'currency', value: e.currentTarget.value })}
              >
                {['EUR', 'USD', 'GBP', 'CHF'].map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset class="card stack">
        <legend>{t('editor.tiers')}</legend>
        {tiers.map((tier, i) => (
          <div class="tier-row" key={tier.key} data-testid="tier">
            <Field id={`tier-name-${i}`} label={t('editor.tier')} error={errors[`tiers.${i}.name`]}>
              {(control) => (
                <input
                  {...control}
                  class="input"
                  value={tier.name}
                  onInput={(e) => dispatch({ type: 'renameTier', key: tier.key, name: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field id={`tier-price-${i}`} label={t('editor.price')} error={errors[`tiers.${i}.price_cents`]}>
              {(control) => (
                <input
                  {...control}
                  class="input"
                  inputMode="decimal"
                  value={tier.price}
                  onInput={(e) => dispatch({ type: 'tier', key: tier.key, change: { price: e.currentTarget.value } })}
                />
              )}
            </Field>
            <Field id={`tier-capacity-${i}`} label={t('editor.people')} error={errors[`tiers.${i}.capacity`]}>
              {(control) => (
                <input
                  {...control}
                  class="input"
                  inputMode="numeric"
                  value={tier.capacity}
                  onInput={(e) =>
                    dispatch({ type: 'tier', key: tier.key, change: { capacity: e.currentTarget.value } })
                  }
                />
              )}
            </Field>
            <Field id={`tier-min-${i}`} label={t('editor.minSpend')} error={errors[`tiers.${i}.min_spend_cents`]}>
              {(control) => (
                <input
                  {...control}
                  class="input"
                  inputMode="decimal"
                  placeholder={t('editor.noMinSpend')}
                  value={tier.minSpend}
                  onInput={(e) =>
                    dispatch({ type: 'tier', key: tier.key, change: { minSpend: e.currentTarget.value } })
                  }
                />
              )}
            </Field>
            <button
              class="btn ghost small"
              type="button"
              aria-label={t('editor.removeTier', { name: tier.name })}
              disabled={tables.some((x) => x.tier === tier.name)}
              onClick={() => dispatch({ type: 'removeTier', key: tier.key })}
            >
              {t('host.remove')}
            </button>
          </div>
        ))}
        <button class="btn" type="button" onClick={() => dispatch({ type: 'addTier', key: nextKey() })}>
          {t('editor.addTier')}
        </button>
      </fieldset>

      <section class="card stack">
        <div class="row">
          <h2>{t('floor.plan')}</h2>
          <span class="spacer" />
          <button
            class="btn primary"
            type="button"
            onClick={() => dispatch({ type: 'addTable', key: nextKey() })}
            disabled={tiers.length === 0}
          >
            {t('editor.addTable')}
          </button>
        </div>
        <FloorEditor
          tables={tables}
          capacities={capacities}
          selectedKey={selected}
          onSelect={(key) => dispatch({ type: 'select', key })}
          onMove={(key, x, y) => dispatch({ type: 'table', key, change: { x, y } })}
        />
        {Object.entries(errors)
          .filter(([k]) => k === 'tables' || k.startsWith('tables.'))
          .map(([k, v]) => (
            <span class="error" key={k}>
              {v}
            </span>
          ))}
        {selectedTable && (
          <div class="table-props row" data-testid="table-props">
            <Field id="table-number" label={t('editor.tableNumber')}>
              {(control) => (
                <input
                  {...control}
                  class="input"
                  disabled={selectedTable.locked}
                  inputMode="numeric"
                  value={String(selectedTable.number)}
                  onInput={(e) =>
                    dispatch({
                      type: 'table',
                      key: selectedTable.key,
                      change: { number: Number.parseInt(e.currentTarget.value, 10) },
                    })
                  }
                />
              )}
            </Field>
            <Field id="table-tier" label={t('editor.tier')}>
              {(control) => (
                <select
                  {...control}
                  class="input"
                  value={selectedTable.tier}
                  disabled={selectedTable.locked}
                  onChange={(e) =>
                    dispatch({ type: 'table', key: selectedTable.key, change: { tier: e.currentTarget.value } })
                  }
                >
                  {tiers.map((tier) => (
                    <option key={tier.key}>{tier.name}</option>
                  ))}
                </select>
              )}
            </Field>
            {selectedTable.locked ? (
              <span class="faint small">{t('editor.tableLocked')}</span>
            ) : (
              <button
                class="btn danger small"
                type="button"
                onClick={() => dispatch({ type: 'deleteTable', key: selectedTable.key })}
              >
                {t('editor.deleteTable', { number: selectedTable.number })}
              </button>
            )}
          </div>
        )}
        <p class="faint small">
          {t('editor.tableCount', { count: tables.length, grid: GRID })}
          {tiers.length > 0 &&
            ` · ${tiers.map((tier) => `${tables.filter((x) => x.tier === tier.name).length} ${tier.name}`).join(', ')}`}
          {toCents(state.gaPrice) >= 0 && ` · GA ${formatMoney(toCents(state.gaPrice), state.currency)}`}
        </p>
      </section>

      {state.formError && (
        <p class="form-error" role="alert">
          {state.formError}
        </p>
      )}
      <div class="row">
        <button class="btn primary" type="submit" disabled={state.busy}>
          {state.busy ? t('editor.saving') : editing ? t('editor.saveChanges') : t('editor.create')}
        </button>
        <a class="btn ghost" href={editing ? `/admin/events/${id}` : '/admin'}>
          {t('common.cancel')}
        </a>
      </div>
    </form>
  );
}
