import { formatMoney } from '@domain/money.js';
import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
import { session } from '../lib/session.js';
import { FieldError, invalidProps } from '../ui/FieldError.js';
import { AdminShell } from './AdminShell.js';
import { EventDetailsFields, type DetailsDraft } from './EventDetailsFields.js';
import { clampX, clampY, FloorEditor, GRID, type DraftTable } from './FloorEditor.js';
import type { AdminEvent } from './types.js';

interface DraftTier {
  key: string;
  /** The saved tier's id, once it exists. */
  id?: string;
  name: string;
  price: string;
  capacity: string;
  minSpend: string;
}

let keys = 0;
const nextKey = () => `k${++keys}`;

/** `<input type=datetime-local>` speaks the device's local time without a zone. */
const toLocalInput = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (v: string) => (v ? new Date(v).toISOString() : '');
const toCents = (v: string) => Math.round(Number.parseFloat(v.replace(',', '.')) * 100);
const fromCents = (c: number) => (c / 100).toFixed(2);

const detailsBody = (d: DetailsDraft) => ({
  venue_name: d.venueName.trim(),
  venue_address: d.venueAddress.trim(),
  description: d.description.trim(),
  min_age: d.minAge,
});

const COVER_ERROR_KEY = 'velvet.cover-error';
/** A cover refused right after its event was created: shown once, on that event's edit page. */
function takeCoverError(id: string | null): string | null {
  const saved = sessionStorage.getItem(COVER_ERROR_KEY);
  if (!saved || !id) return null;
  sessionStorage.removeItem(COVER_ERROR_KEY);
  const { id: eventId, message } = JSON.parse(saved) as { id: string; message: string };
  return eventId === id ? message : null;
}

function defaultStart(): string {
  const d = new Date(Date.now() + 7 * 24 * 3600_000);
  d.setHours(22, 0, 0, 0);
  return d.toISOString();
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
  const start = defaultStart();
  const [loaded, setLoaded] = useState<AdminEvent | null>(null);
  const [name, setName] = useState('');
  const [startsAt, setStartsAt] = useState(toLocalInput(start));
  const [endsAt, setEndsAt] = useState(toLocalInput(new Date(Date.parse(start) + 6 * 3600_000).toISOString()));
  const [currency, setCurrency] = useState('EUR');
  const [gaPrice, setGaPrice] = useState('20.00');
  const [gaCapacity, setGaCapacity] = useState('300');
  const [tiers, setTiers] = useState<DraftTier[]>([
    { key: nextKey(), name: 'Gold', price: '500.00', capacity: '8', minSpend: '' },
    { key: nextKey(), name: 'Silver', price: '250.00', capacity: '6', minSpend: '' },
  ]);
  const [tables, setTables] = useState<DraftTable[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [details, setDetails] = useState<DetailsDraft>({
    venueName: '',
    venueAddress: '',
    description: '',
    minAge: null,
  });
  const [cover, setCover] = useState<{ file: File | null; remove: boolean; error: string | null }>({
    file: null,
    remove: false,
    error: takeCoverError(id),
  });

  useEffect(() => {
    if (!id) return;
    api<AdminEvent>(`/api/v1/events/${id}`, { token }).then(
      (e) => {
        setLoaded(e);
        setName(e.name);
        setDetails({
          venueName: e.venue_name,
          venueAddress: e.venue_address,
          description: e.description,
          minAge: e.min_age,
        });
        setStartsAt(toLocalInput(e.starts_at));
        setEndsAt(toLocalInput(e.ends_at));
        setCurrency(e.currency);
        setGaPrice(fromCents(e.ga.price_cents));
        setGaCapacity(String(e.ga.capacity));
        setTiers(
          e.tiers.map((t) => ({
            key: nextKey(),
            id: t.id,
            name: t.name,
            price: fromCents(t.price_cents),
            capacity: String(t.capacity),
            minSpend: t.min_spend_cents ? fromCents(t.min_spend_cents) : '',
          })),
        );
        setTables(e.tables.map((t) => ({ key: nextKey(), id: t.id, number: t.number, tier: t.tier, x: t.x, y: t.y })));
        // Tables held or sold keep their number and tier and cannot be deleted (they can move).
        void api<{ tables: Array<{ id: string; status: string }> }>(`/api/v1/events/${id}/availability`, {}).then(
          (a) => {
            const taken = new Set(a.tables.filter((t) => t.status !== 'available').map((t) => t.id));
            setTables((all) => all.map((t) => ({ ...t, locked: t.id !== undefined && taken.has(t.id) })));
          },
        );
      },
      (err) => setFormError(errorText(err)),
    );
  }, [id, token]);

  const editing = id !== null;
  const capacities = new Map(tiers.map((t) => [t.name, Number.parseInt(t.capacity, 10) || 0]));
  const selectedTable = tables.find((t) => t.key === selected) ?? null;
  // A field's error is announced with the field: its input points at it and is marked invalid.
  const errorId = (field: string) => `error-${field.replace(/\W/g, '-')}`;
  const err = (field: string) => <FieldError id={errorId(field)} error={errors[field]} />;
  const invalid = (field: string) => invalidProps(errorId(field), errors[field]);

  // Tables name their tier: a renamed tier takes its tables along.
  const renameTier = (tier: DraftTier, name: string) => {
    setTiers((all) => all.map((x) => (x.key === tier.key ? { ...x, name } : x)));
    setTables((all) => all.map((x) => (x.tier === tier.name ? { ...x, tier: name } : x)));
  };

  const addTable = () => {
    const number = Math.max(0, ...tables.map((t) => t.number)) + 1;
    // The next free spot, row by row, so a new table never lands on another.
    let x = clampX(100);
    let y = clampY(100);
    const taken = (px: number, py: number) => tables.some((t) => Math.abs(t.x - px) < 140 && Math.abs(t.y - py) < 110);
    for (let i = 0; taken(x, y) && i < 200; i++) {
      x = clampX(x + 160);
      if (x >= clampX(10_000)) {
        x = clampX(100);
        y = clampY(y + 140);
      }
    }
    const t: DraftTable = { key: nextKey(), number, tier: tiers[0]?.name ?? '', x, y };
    setTables((all) => [...all, t]);
    setSelected(t.key);
  };

  const local = (): Record<string, string> => {
    const e: Record<string, string> = {};
    if (!name.trim()) e.name = 'Give the event a name';
    if (!startsAt) e.starts_at = 'When does it start?';
    if (!endsAt || Date.parse(fromLocalInput(endsAt)) <= Date.parse(fromLocalInput(startsAt)))
      e.ends_at = 'It must end after it starts';
    {
      if (!(toCents(gaPrice) >= 0)) e['ga.price_cents'] = 'A price such as 20.00';
      if (!(Number.parseInt(gaCapacity, 10) >= 0)) e['ga.capacity'] = 'How many GA tickets?';
      tiers.forEach((t, i) => {
        if (!t.name.trim()) e[`tiers.${i}.name`] = 'Name the tier';
        if (!(toCents(t.price) >= 0)) e[`tiers.${i}.price_cents`] = 'A price such as 300.00';
        if (!(Number.parseInt(t.capacity, 10) >= 1))
          e[`tiers.${i}.capacity`] = 'People at the table, the host included';
      });
      const numbers = tables.map((t) => t.number);
      if (new Set(numbers).size !== numbers.length) e.tables = 'Two tables have the same number';
      if (tables.some((t) => !capacities.has(t.tier))) e.tables = 'Every table needs one of the tiers above';
    }
    return e;
  };

  const save = async (ev: Event) => {
    ev.preventDefault();
    const problems = local();
    setErrors(problems);
    setFormError(null);
    if (Object.keys(problems).length) return setFormError('Some fields need a look (marked below).');
    setBusy(true);
    const layout = {
      ga: { price_cents: toCents(gaPrice), capacity: Number.parseInt(gaCapacity, 10) },
      tiers: tiers.map((t) => ({
        ...(t.id ? { id: t.id } : {}),
        name: t.name.trim(),
        price_cents: toCents(t.price),
        capacity: Number.parseInt(t.capacity, 10),
        ...(t.minSpend ? { min_spend_cents: toCents(t.minSpend) } : {}),
      })),
      tables: tables.map((t) => ({ ...(t.id ? { id: t.id } : {}), number: t.number, tier: t.tier, x: t.x, y: t.y })),
    };
    const schedule = { name: name.trim(), starts_at: fromLocalInput(startsAt), ends_at: fromLocalInput(endsAt) };
    try {
      let savedId: string;
      if (editing) {
        await api<AdminEvent>(`/api/v1/events/${id}/layout`, { method: 'PUT', token, body: layout });
        // Name and times change only before the start (the API says so if it is too late).
        if (
          loaded &&
          (schedule.name !== loaded.name ||
            schedule.starts_at !== loaded.starts_at ||
            schedule.ends_at !== loaded.ends_at)
        ) {
          await api<AdminEvent>(`/api/v1/events/${id}`, { method: 'PATCH', token, body: schedule });
        }
        savedId = id;
        if (
          loaded &&
          (details.venueName !== loaded.venue_name ||
            details.venueAddress !== loaded.venue_address ||
            details.description !== loaded.description ||
            details.minAge !== loaded.min_age)
        ) {
          await api<AdminEvent>(`/api/v1/events/${id}/details`, {
            method: 'PUT',
            token,
            body: detailsBody(details),
          });
        }
      } else {
        savedId = (
          await api<AdminEvent>('/api/v1/events', {
            token,
            body: { ...schedule, currency, ...detailsBody(details), ...layout },
          })
        ).id;
      }
      const coverProblem = await saveCover(savedId);
      if (coverProblem && !editing) {
        // The event exists now: the cover is tried again from its edit page, the refusal shown there.
        sessionStorage.setItem(COVER_ERROR_KEY, JSON.stringify({ id: savedId, message: coverProblem }));
        return route(`/admin/events/${savedId}/edit`);
      }
      if (coverProblem) {
        setCover((c) => ({ ...c, error: coverProblem }));
        setFormError('The event is saved, but not its cover image (see below).');
        setBusy(false);
        return;
      }
      route(`/admin/events/${savedId}`);
    } catch (e) {
      // The API's refusal, in its words, next to the field it names.
      if (e instanceof ApiError && Object.keys(e.details).length)
        setErrors(Object.fromEntries(Object.entries(e.details).map(([k, v]) => [k, String(v)])));
      setFormError(errorText(e));
      setBusy(false);
    }
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
      <h1>{editing ? `Edit ${loaded?.name ?? 'event'}` : 'New event'}</h1>
      <section class="card stack">
        <h2>The night</h2>
        <div class="field">
          <label for="ev-name">Name</label>
          <input
            id="ev-name"
            class="input"
            {...invalid('name')}
            maxLength={200}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          {err('name')}
        </div>
        <div class="grid-2">
          <div class="field">
            <label for="ev-start">Doors open</label>
            <input
              id="ev-start"
              class="input"
              {...invalid('starts_at')}
              type="datetime-local"
              value={startsAt}
              onInput={(e) => setStartsAt(e.currentTarget.value)}
            />
            {err('starts_at')}
          </div>
          <div class="field">
            <label for="ev-end">Ends</label>
            <input
              id="ev-end"
              class="input"
              {...invalid('ends_at')}
              type="datetime-local"
              value={endsAt}
              onInput={(e) => setEndsAt(e.currentTarget.value)}
            />
            {err('ends_at')}
          </div>
        </div>
        {editing && (
          <p class="faint small">
            Name and times can change until the event starts. Prices and capacities apply to new orders; never below
            what is sold. A table that was held or sold can move, but keeps its number and tier.
          </p>
        )}
      </section>

      <EventDetailsFields
        draft={details}
        onChange={setDetails}
        coverUrl={loaded?.cover_url ?? null}
        coverFile={cover.file}
        onCoverFile={(file) => setCover((c) => ({ ...c, file, error: null }))}
        removeCover={cover.remove}
        onRemoveCover={(remove) => setCover((c) => ({ ...c, remove }))}
        coverError={cover.error}
      />

      <fieldset class="card stack">
        <legend>GA tickets</legend>
        <div class="grid-3">
          <div class="field">
            <label for="ga-price">Price</label>
            <input
              id="ga-price"
              class="input"
              {...invalid('ga.price_cents')}
              inputMode="decimal"
              value={gaPrice}
              onInput={(e) => setGaPrice(e.currentTarget.value)}
            />
            {err('ga.price_cents')}
          </div>
          <div class="field">
            <label for="ga-capacity">Capacity</label>
            <input
              id="ga-capacity"
              class="input"
              {...invalid('ga.capacity')}
              inputMode="numeric"
              value={gaCapacity}
              onInput={(e) => setGaCapacity(e.currentTarget.value)}
            />
            {err('ga.capacity')}
          </div>
          <div class="field">
            <label for="ev-currency">Currency</label>
            <select
              id="ev-currency"
              class="input"
              {...invalid('currency')}
              value={currency}
              disabled={editing}
              onChange={(e) => setCurrency(e.currentTarget.value)}
            >
              {['EUR', 'USD', 'GBP', 'CHF'].map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
            {err('currency')}
          </div>
        </div>
      </fieldset>

      <fieldset class="card stack">
        <legend>Table tiers</legend>
        {tiers.map((t, i) => (
          <div class="tier-row" key={t.key} data-testid="tier">
            <div class="field">
              <label for={`tier-name-${i}`}>Tier</label>
              <input
                id={`tier-name-${i}`}
                class="input"
                {...invalid(`tiers.${i}.name`)}
                value={t.name}
                onInput={(e) => renameTier(t, e.currentTarget.value)}
              />
              {err(`tiers.${i}.name`)}
            </div>
            <div class="field">
              <label for={`tier-price-${i}`}>Price</label>
              <input
                id={`tier-price-${i}`}
                class="input"
                {...invalid(`tiers.${i}.price_cents`)}
                inputMode="decimal"
                value={t.price}
                onInput={(e) =>
                  setTiers((all) => all.map((x) => (x.key === t.key ? { ...x, price: e.currentTarget.value } : x)))
                }
              />
              {err(`tiers.${i}.price_cents`)}
            </div>
            <div class="field">
              <label for={`tier-capacity-${i}`}>People</label>
              <input
                id={`tier-capacity-${i}`}
                class="input"
                {...invalid(`tiers.${i}.capacity`)}
                inputMode="numeric"
                value={t.capacity}
                onInput={(e) =>
                  setTiers((all) => all.map((x) => (x.key === t.key ? { ...x, capacity: e.currentTarget.value } : x)))
                }
              />
              {err(`tiers.${i}.capacity`)}
            </div>
            <div class="field">
              <label for={`tier-min-${i}`}>Minimum spend</label>
              <input
                id={`tier-min-${i}`}
                class="input"
                inputMode="decimal"
                placeholder="none"
                value={t.minSpend}
                onInput={(e) =>
                  setTiers((all) => all.map((x) => (x.key === t.key ? { ...x, minSpend: e.currentTarget.value } : x)))
                }
              />
            </div>
            <button
              class="btn ghost small"
              type="button"
              aria-label={`Remove tier ${t.name}`}
              disabled={tables.some((x) => x.tier === t.name)}
              onClick={() => setTiers((all) => all.filter((x) => x.key !== t.key))}
            >
              Remove
            </button>
          </div>
        ))}
        <button
          class="btn"
          type="button"
          onClick={() =>
            setTiers((all) => [
              ...all,
              { key: nextKey(), name: `Tier ${all.length + 1}`, price: '100.00', capacity: '4', minSpend: '' },
            ])
          }
        >
          Add a tier
        </button>
      </fieldset>

      <section class="card stack">
        <div class="row">
          <h2>Floor plan</h2>
          <span class="spacer" />
          <button class="btn primary" type="button" onClick={addTable} disabled={tiers.length === 0}>
            Add a table
          </button>
        </div>
        <FloorEditor
          tables={tables}
          capacities={capacities}
          selectedKey={selected}
          onSelect={setSelected}
          onMove={(key, x, y) => setTables((all) => all.map((t) => (t.key === key ? { ...t, x, y } : t)))}
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
            <div class="field">
              <label for="table-number">Table number</label>
              <input
                id="table-number"
                class="input"
                disabled={selectedTable.locked}
                inputMode="numeric"
                value={String(selectedTable.number)}
                onInput={(e) => {
                  const n = Number.parseInt(e.currentTarget.value, 10);
                  if (n > 0)
                    setTables((all) => all.map((t) => (t.key === selectedTable.key ? { ...t, number: n } : t)));
                }}
              />
            </div>
            <div class="field">
              <label for="table-tier">Tier</label>
              <select
                id="table-tier"
                class="input"
                value={selectedTable.tier}
                disabled={selectedTable.locked}
                onChange={(e) =>
                  setTables((all) =>
                    all.map((t) => (t.key === selectedTable.key ? { ...t, tier: e.currentTarget.value } : t)),
                  )
                }
              >
                {tiers.map((t) => (
                  <option key={t.key}>{t.name}</option>
                ))}
              </select>
            </div>
            {selectedTable.locked ? (
              <span class="faint small">Held or sold: it can move, but keeps its number and tier.</span>
            ) : (
              <button
                class="btn danger small"
                type="button"
                onClick={() => (setTables((all) => all.filter((t) => t.key !== selectedTable.key)), setSelected(null))}
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
          {toCents(gaPrice) >= 0 && ` · GA ${formatMoney(toCents(gaPrice), currency)}`}
        </p>
      </section>

      {formError && (
        <p class="form-error" role="alert">
          {formError}
        </p>
      )}
      <div class="row">
        <button class="btn primary" type="submit" disabled={busy}>
          {busy ? 'Saving…' : editing ? 'Save changes' : 'Create event'}
        </button>
        <a class="btn ghost" href={editing ? `/admin/events/${id}` : '/admin'}>
          Cancel
        </a>
      </div>
    </form>
  );
}
