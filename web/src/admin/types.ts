export interface AdminEvent {
  id: string;
  name: string;
  starts_at: string;
  ends_at: string;
  currency: string;
  status: 'scheduled' | 'cancelled' | 'completed';
  venue_name: string;
  venue_address: string;
  description: string;
  min_age: 18 | 21 | null;
  cover_url: string | null;
  ga: { price_cents: number; capacity: number; available: number; sold?: number };
  tiers: Array<{ id: string; name: string; price_cents: number; capacity: number; min_spend_cents: number | null }>;
  tables: Array<{ id: string; number: number; tier: string; tier_id: string; x: number; y: number }>;
}

export interface ListedEvent {
  id: string;
  name: string;
  starts_at: string;
  ends_at: string;
  status: 'scheduled' | 'cancelled' | 'completed';
  currency: string;
}

/** Where a night sits for the owner: still to come, on now, over, or cancelled. */
export function phaseOf(
  e: Pick<ListedEvent, 'status' | 'starts_at' | 'ends_at'>,
  now = Date.now(),
): 'upcoming' | 'tonight' | 'past' | 'cancelled' {
  if (e.status === 'cancelled') return 'cancelled';
  if (e.status === 'completed' || Date.parse(e.ends_at) <= now) return 'past';
  if (Date.parse(e.starts_at) <= now + 12 * 3600_000) return 'tonight';
  return 'upcoming';
}
