/** The API's answers the buyer pages read (docs/api.md). */
export interface PublicEvent {
  id: string;
  name: string;
  starts_at: string;
  ends_at: string;
  currency: string;
  status: 'scheduled' | 'cancelled' | 'completed';
  venue_name: string;
  venue_address: string;
  description: string;
  /** Buyers confirm they are at least this old; the door checks ID. */
  min_age: 18 | 21 | null;
  cover_url: string | null;
  ga: { price_cents: number; capacity: number; available: number; max_per_order: number };
  tiers: Array<{ id: string; name: string; price_cents: number; capacity: number; min_spend_cents: number | null }>;
  tables: Array<{ id: string; number: number; tier: string; tier_id: string; x: number; y: number }>;
}

export interface OrderTicket {
  id: string;
  status: 'pending' | 'valid' | 'checked_in' | 'void';
  qr: string | null;
  holder_name: string;
  linked_reservation_id: string | null;
  is_host: boolean;
  /** Sent to someone else: its code and its use are theirs now. */
  transferred: boolean;
}

/** A ticket as its holder sees it (GET /tickets/:id): after a transfer, the new holder's page. */
export interface HeldTicket {
  id: string;
  event_id: string;
  status: OrderTicket['status'];
  qr: string | null;
  holder_name: string;
  linked_reservation_id: string | null;
  table: { table_number: number; tier: string; host_name: string } | null;
  is_host: boolean;
}

export interface Reservation {
  id: string;
  status: 'pending' | 'confirmed' | 'checked_in' | 'completed' | 'cancelled';
  table_number: number;
  tier: string;
  capacity: number;
  host_name: string;
  host_arrived: boolean;
  invite_code: string;
  invite_url: string;
  /** The host lets linked guests pass their place on with their ticket. */
  guests_may_transfer: boolean;
  guests: Array<{ ticket_id: string; name: string; arrived: boolean }>;
}

export interface OrderView {
  order_id: string;
  event_id: string;
  status: 'pending' | 'paid' | 'expired' | 'refunded';
  amount_cents: number;
  refunded_cents: number;
  currency: string;
  expires_at: string;
  paid_at: string | null;
  refund_reason: string | null;
  payment:
    | { provider: 'local'; test_mode: true; pay_url: string }
    | { provider: 'stripe'; payment_intent_id: string | null; client_secret: string | null };
  tickets: OrderTicket[];
  reservation?: Reservation;
  refund?: { status: string; amount_cents: number; reason: string };
}

export interface PlacedOrder {
  order_id: string;
  status: string;
  manage_token: string;
  manage_url: string;
  expires_at: string;
}

export interface InviteView {
  invite_code: string;
  event_id: string;
  event_name: string;
  starts_at: string;
  event_status: string;
  table_number: number;
  tier: string;
  host_first_name: string;
  guest_places: number;
  guests_linked: number;
  reservation_status: string;
  closed_reason: 'event_cancelled' | 'event_ended' | 'reservation_not_active' | 'guest_list_locked' | null;
}

/** Why a night takes no orders, in words; null while it sells. */
export function salesClosed(e: Pick<PublicEvent, 'status' | 'ends_at'>): string | null {
  if (e.status === 'cancelled') return 'This event was cancelled. Everyone who bought a ticket is refunded in full.';
  if (e.status === 'completed' || Date.parse(e.ends_at) <= Date.now()) return 'This event is over.';
  return null;
}
