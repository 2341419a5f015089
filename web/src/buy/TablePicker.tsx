import { formatMoney } from '@domain/money.js';
import { useEffect, useState } from 'preact/hooks';
import { useLatest } from '../lib/use-latest.js';
import { openAvailabilityStream, type FeedStatus, type PublicTable } from '../lib/floor-stream.js';
import { FloorPlan, type FloorTable } from '../ui/FloorPlan.js';
import type { PublicEvent } from './types.js';

const PUBLIC_LABEL: Record<PublicTable['status'], string> = {
  available: 'Available',
  held: 'Being bought',
  sold: 'Sold',
};

/**
 * The room as the buyer sees it, live: available tables can be picked; one being bought (held)
 * or sold cannot. Drawn with the same floor plan as the team's screens.
 */
export function TablePicker({
  event,
  selectedId,
  onSelect,
  onAvailability,
}: {
  event: PublicEvent;
  selectedId: string | null;
  onSelect: (tableId: string | null) => void;
  onAvailability?: (gaAvailable: number, eventStatus: string) => void;
}) {
  const [status, setStatus] = useState<Record<string, PublicTable['status']>>({});
  const [feed, setFeed] = useState<FeedStatus>('connecting');
  const availability = useLatest(onAvailability);
  const select = useLatest(onSelect);

  useEffect(
    () =>
      openAvailabilityStream(event.id, {
        onSnapshot: (a) => {
          setStatus(Object.fromEntries(a.tables.map((t) => [t.id, t.status])));
          availability.current?.(a.ga_available, a.event_status);
        },
        onTable: (t) => setStatus((s) => ({ ...s, [t.id]: t.status })),
        onEventStatus: (s) => availability.current?.(-1, s),
        onStatus: setFeed,
        onUnauthorized: () => {},
      }),
    [event.id, availability],
  );

  // A table someone else just took is no longer the buyer's pick.
  useEffect(() => {
    if (selectedId && status[selectedId] && status[selectedId] !== 'available') select.current(null);
  }, [status, selectedId, select]);

  const capacity = new Map(event.tiers.map((t) => [t.name, t.capacity]));
  const tables: FloorTable[] = event.tables.map((t) => {
    const s = status[t.id] ?? 'available';
    return {
      id: t.id,
      number: t.number,
      tier: t.tier,
      capacity: capacity.get(t.tier) ?? 0,
      x: t.x,
      y: t.y,
      status: s === 'available' ? 'available' : s === 'held' ? 'held' : 'reserved',
      reservation_id: null,
      guests_linked: 0,
      guests_arrived: 0,
      host_arrived: false,
    };
  });
  const publicStatus = (t: FloorTable) => status[t.id] ?? 'available';
  const price = new Map(event.tiers.map((t) => [t.name, t.price_cents]));
  const available = tables.filter((t) => publicStatus(t) === 'available').sort((a, b) => a.number - b.number);
  return (
    <div class="stack">
      <FloorPlan
        tables={tables}
        selectedId={selectedId}
        title="Tables: pick an available one"
        onSelect={(t) => (publicStatus(t) === 'available' ? onSelect(t.id === selectedId ? null : t.id) : undefined)}
        countsOf={(t) => (publicStatus(t) === 'available' ? `${t.capacity} people` : PUBLIC_LABEL[publicStatus(t)])}
        detailsOf={(t) => `${t.capacity} people, ${PUBLIC_LABEL[publicStatus(t)].toLowerCase()}`}
      />
      <div class="legend" aria-label="Legend">
        <span>
          <span class="swatch sw-available" aria-hidden="true" />
          Available
        </span>
        <span>
          <span class="swatch sw-held" aria-hidden="true" />
          Being bought
        </span>
        <span>
          <span class="swatch sw-reserved" aria-hidden="true" />
          Sold
        </span>
        <span>
          <span class="swatch sw-selected" aria-hidden="true" />
          Your pick
        </span>
        {feed !== 'live' && <span class="faint">{feed === 'connecting' ? 'Connecting…' : 'Reconnecting…'}</span>}
      </div>
      {/* On a phone the plan is an overview; the tables to pick from are a list of big buttons. */}
      <ul class="table-choices" aria-label="Available tables">
        {available.length === 0 && <li class="muted">Every table is taken.</li>}
        {available.map((t) => {
          const chosen = t.id === selectedId;
          return (
            <li key={t.id}>
              <button
                type="button"
                class={`table-choice${chosen ? ' selected' : ''}`}
                aria-pressed={chosen}
                data-table={t.number}
                onClick={() => onSelect(chosen ? null : t.id)}
              >
                <span class="tc-number">Table {t.number}</span>
                <span class="tc-tier">
                  {t.tier} · up to {t.capacity} people
                </span>
                <span class="tc-price">{formatMoney(price.get(t.tier) ?? 0, event.currency)}</span>
                {chosen && <span class="tc-mark">✓ Your table</span>}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
