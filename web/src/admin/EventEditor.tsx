import { formatMoney } from '@domain/money.js';
import { useLocation } from 'preact-iso';
import { useEffect, useReducer } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
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
    <AdminShell title={id ? 'Edit event' : 'New event'}>
      <EventEditor id={id ?? null} />
    </AdminShell>
  );
}

function EventEditor({ id }: { id: string | null }) {
  const token = session.value!.token;
  const { route } = useLocation();
  const [state, dispatch] = useReducer(editorReducer, id, (id) => newEvent(nextKey, Date.now(), takeCoverError(id)));
  const { saved, tiers, tables, errors, cover, selected } = state;

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
          tableIds: new Set(a.tables.filter((t) => t.status !== 'available').map((t) => t.id)),
        });
      },
      (err) => signal.aborted || dispatch({ type: 'refused', errors: {}, message: errorText(err) }),
    );
    return () => controller.abort();
  }, [id, token]);

  const editing = id !== null;
  const capacities = new Map(tiers.map((t) => [t.name, Number.parseInt(t.capacity, 10) || 0]));
  const selectedTable = tables.find((t) => t.key === selected) ?? null;

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
      const errors =
        e instanceof ApiError ? Object.fromEntries(Object.entries(e.details).map(([k, v]) => [k, String(v)])) : {};
      dispatch({ type: 'refused', errors, message: errorText(e) });
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
      <h1>{editing ? `Edit ${saved?.name ?? 'event'}` : 'New event'}</h1>
      <section class="card stack">
        <h2>The night</h2>
        <Field id="ev-name" label="Name" error={errors.name}>
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
          <Field id="ev-start" label="Doors open" error={errors.starts_at}>
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
          <Field id="ev-end" label="Ends" error={errors.ends_at}>
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
        {editing && (
          <p class="faint small">
            Name and times can change until the event starts. Prices and capacities apply to new orders; never below
            what is sold. A table that was held or sold can move, but keeps its number and tier.
          </p>
        )}
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
        <legend>GA tickets</legend>
        <div class="grid-3">
          <Field id="ga-price" label="Price" error={errors['ga.price_cents']}>
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
          <Field id="ga-capacity" label="Capacity" error={errors['ga.capacity']}>
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
          <Field id="ev-currency" label="Currency" error={errors.currency}>
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
        <legend>Table tiers</legend>
        {tiers.map((t, i) => (
          <div class="tier-row" key={t.key} data-testid="tier">
            <Field id={`tier-name-${i}`} label="Tier" error={errors[`tiers.${i}.name`]}>
              {(control) => (
                <input
                  {...control}
                  class="input"
                  value={t.name}
                  onInput={(e) => dispatch({ type: 'renameTier', key: t.key, name: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field id={`tier-price-${i}`} label="Price" error={errors[`tiers.${i}.price_cents`]}>
              {(control) => (
                <input
                  {...control}
                  class="input"
                  inputMode="decimal"
                  value={t.price}
                  onInput={(e) => dispatch({ type: 'tier', key: t.key, change: { price: e.currentTarget.value } })}
                />
              )}
            </Field>
            <Field id={`tier-capacity-${i}`} label="People" error={errors[`tiers.${i}.capacity`]}>
              {(control) => (
                <input
                  {...control}
                  class="input"
                  inputMode="numeric"
                  value={t.capacity}
                  onInput={(e) => dispatch({ type: 'tier', key: t.key, change: { capacity: e.currentTarget.value } })}
                />
              )}
            </Field>
            <Field id={`tier-min-${i}`} label="Minimum spend" error={errors[`tiers.${i}.min_spend_cents`]}>
              {(control) => (
                <input
                  {...control}
                  class="input"
                  inputMode="decimal"
                  placeholder="none"
                  value={t.minSpend}
                  onInput={(e) => dispatch({ type: 'tier', key: t.key, change: { minSpend: e.currentTarget.value } })}
                />
              )}
            </Field>
            <button
              class="btn ghost small"
              type="button"
              aria-label={`Remove tier ${t.name}`}
              disabled={tables.some((x) => x.tier === t.name)}
              onClick={() => dispatch({ type: 'removeTier', key: t.key })}
            >
              Remove
            </button>
          </div>
        ))}
        <button class="btn" type="button" onClick={() => dispatch({ type: 'addTier', key: nextKey() })}>
          Add a tier
        </button>
      </fieldset>

      <section class="card stack">
        <div class="row">
          <h2>Floor plan</h2>
          <span class="spacer" />
          <button
            class="btn primary"
            type="button"
            onClick={() => dispatch({ type: 'addTable', key: nextKey() })}
            disabled={tiers.length === 0}
          >
            Add a table
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
            <Field id="table-number" label="Table number">
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
            <Field id="table-tier" label="Tier">
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
                  {tiers.map((t) => (
                    <option key={t.key}>{t.name}</option>
                  ))}
                </select>
              )}
            </Field>
            {selectedTable.locked ? (
              <span class="faint small">Held or sold: it can move, but keeps its number and tier.</span>
            ) : (
              <button
                class="btn danger small"
                type="button"
                onClick={() => dispatch({ type: 'deleteTable', key: selectedTable.key })}
              >
                Delete table {selectedTable.number}
              </button>
            )}
          </div>
        )}
        <p class="faint small">
          {tables.length} tables on a {GRID}-unit grid
          {tiers.length > 0 &&
            ` · ${tiers.map((t) => `${tables.filter((x) => x.tier === t.name).length} ${t.name}`).join(', ')}`}
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
          {state.busy ? 'Saving…' : editing ? 'Save changes' : 'Create event'}
        </button>
        <a class="btn ghost" href={editing ? `/admin/events/${id}` : '/admin'}>
          Cancel
        </a>
      </div>
    </form>
  );
}
