import { isLocale, type Locale } from '../../i18n/locales.js';
import type { Config } from '../../config.js';
import type { EventRow, EventTableRow, TierRow } from '../../db/repos/events.repo.js';

export interface EventView {
  id: string;
  name: string;
  starts_at: string;
  ends_at: string;
  /** The venue's time zone (VELVET_TIME_ZONE): the pages show the night's times in it. */
  time_zone: string;
  currency: string;
  status: EventRow['status'];
  venue_name: string;
  venue_address: string;
  description: string;
  /** 18 or 21: buyers confirm their age when ordering and the door checks ID; null: no minimum. */
  min_age: 18 | 21 | null;
  locale: Locale;
  /** The cover image (resized, WebP), its version in the address; null without one. */
  cover_url: string | null;
  /** `max_per_order`: the most GA tickets one order may hold (VELVET_MAX_TICKETS_PER_ORDER). */
  ga: { price_cents: number; capacity: number; available: number; max_per_order: number; sold?: number };
  tiers: Array<{ id: string; name: string; price_cents: number; capacity: number; min_spend_cents: number | null }>;
  tables: Array<{ id: string; number: number; tier: string; tier_id: string; x: number; y: number }>;
  cancelled_at?: string | null;
  completed_at?: string | null;
}

/** `full` adds what only the owner and staff see (sales figures, closing times). */
export function toEventView(
  e: EventRow,
  tiers: TierRow[],
  tables: EventTableRow[],
  full: boolean,
  settings: Pick<Config, 'maxTicketsPerOrder' | 'timeZone'>,
): EventView {
  const tierName = new Map(tiers.map((t) => [t.id, t.name]));
  const view: EventView = {
    id: e.id,
    name: e.name,
    starts_at: e.startsAt.toISOString(),
    ends_at: e.endsAt.toISOString(),
    time_zone: settings.timeZone,
    currency: e.currency,
    status: e.status,
    venue_name: e.venueName,
    venue_address: e.venueAddress,
    description: e.description,
    min_age: e.minAge === 18 || e.minAge === 21 ? e.minAge : null,
    locale: isLocale(e.locale) ? e.locale : 'en',
    cover_url: e.coverEtag ? `/api/v1/events/${e.id}/cover?v=${e.coverEtag}` : null,
    ga: {
      price_cents: e.gaPriceCents,
      capacity: e.gaCapacity,
      available: e.gaCapacity - e.gaSold,
      max_per_order: settings.maxTicketsPerOrder,
    },
    tiers: tiers.map((t) => ({
      id: t.id,
      name: t.name,
      price_cents: t.priceCents,
      capacity: t.capacity,
      min_spend_cents: t.minSpendCents,
    })),
    tables: tables.map((t) => ({
      id: t.id,
      number: t.number,
      tier: tierName.get(t.tierId) ?? '',
      tier_id: t.tierId,
      x: t.x,
      y: t.y,
    })),
  };
  if (full) {
    view.ga.sold = e.gaSold;
    view.cancelled_at = e.cancelledAt?.toISOString() ?? null;
    view.completed_at = e.completedAt?.toISOString() ?? null;
  }
  return view;
}
