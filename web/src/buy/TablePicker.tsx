import { useEffect, useState } from 'preact/hooks';
import { useLatest } from '../lib/use-latest.js';
import { openAvailabilityStream, type FeedStatus, type PublicTable } from '../lib/floor-stream.js';
import { FloorPlan, type FloorTable } from '../ui/FloorPlan.js';
import type { PublicEvent } from './types.js';
import { money } from '../lib/format.js';
import { t } from '../lib/i18n.js';

const publicLabel = (status: PublicTable['status']) => t(`picker.status.${status}`);

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
        title={t('picker.title')}
        onSelect={(table) =>
          publicStatus(table) === 'available' ? onSelect(table.id === selectedId ? null : table.id) : undefined
        }
        countsOf={(table) =>
          publicStatus(table) === 'available'
            ? t('picker.people', { count: table.capacity })
            : publicLabel(publicStatus(table))
        }
        detailsOf={(table) =>
          t('picker.details', { people: t('picker.people', { count: table.capacity }), status: publicStatus(table) })
        }
      />
      <div class="legend" aria-label={t('floor.legend')}>
        <span>
          <span class="swatch sw-available" aria-hidden="true" />
          {publicLabel('available')}
        </span>
        <span>
          <span class="swatch sw-held" aria-hidden="true" />
          {publicLabel('held')}
        </span>
        <span>
          <span class="swatch sw-reserved" aria-hidden="true" />
          {publicLabel('sold')}
        </span>
        <span>
          <span class="swatch sw-selected" aria-hidden="true" />
          {t('picker.yourPick')}
        </span>
        {feed !== 'live' && (
          <span class="faint">{feed === 'connecting' ? t('floor.live.connecting') : t('floor.live.reconnecting')}</span>
        )}
      </div>
      {/* On a phone the plan is an overview; the tables to pick from are a list of big buttons. */}
      <ul class="table-choices" aria-label={t('picker.available')}>
        {available.length === 0 && <li class="muted">{t('picker.allTaken')}</li>}
        {available.map((table) => {
          const chosen = table.id === selectedId;
          return (
            <li key={table.id}>
              <button
                type="button"
                class={`table-choice${chosen ? ' selected' : ''}`}
                aria-pressed={chosen}
                data-table={table.number}
                onClick={() => onSelect(chosen ? null : table.id)}
              >
                <span class="tc-number">{t('floor.detail.table', { number: table.number })}</span>
                <span class="tc-tier">{t('picker.tier', { tier: table.tier, capacity: table.capacity })}</span>
                <span class="tc-price">{money(price.get(table.tier) ?? 0, event.currency)}</span>
                {chosen && <span class="tc-mark">{t('picker.yourTable')}</span>}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
