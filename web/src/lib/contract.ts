/**
 * The API's answers as the pages read them: the server's own response schemas
 * (src/http/responses.ts), as types. Nothing here is written twice: a field the server drops or
 * renames fails the web app's typecheck. Type-only: no server code reaches the bundle.
 */
import type { z } from 'zod';
import type * as responses from '@api/responses.js';

type Answer<K extends keyof typeof responses> = (typeof responses)[K] extends z.ZodType
  ? z.output<(typeof responses)[K]>
  : never;

export type EventView = Answer<'eventView'>;
export type EventList = Answer<'eventList'>;
export type OrderView = Answer<'orderView'>;
export type PlacedOrder = Answer<'placedOrder'>;
export type HeldTicket = Answer<'heldTicketView'>;
export type ReservationView = Answer<'reservationView'>;
export type InviteView = Answer<'inviteView'>;
export type ScanResponse = Answer<'scanResponse'>;
export type ScannerCacheResponse = Answer<'scannerCache'>;
export type EventSummary = Answer<'eventSummary'>;
export type FloorPlan = Answer<'floorPlan'>;
export type Availability = Answer<'availability'>;
export type CancellationPreview = Answer<'cancellationPreview'>;
export type RefundsView = Answer<'refundsView'>;
export type RefusedEntry = Answer<'refusedEntry'>;
export type PromoterView = Answer<'promoterView'>;
export type EventPromoters = Answer<'eventPromotersView'>;
export type UserAccount = Answer<'userAccount'>;
export type FoundOrder = Answer<'foundOrder'>;
export type OrderActivity = Answer<'orderActivityView'>;
export type WaitlistJoined = Answer<'waitlistJoined'>;
export type WaitlistView = Answer<'waitlistView'>;
export type ClientConfig = Answer<'clientConfig'>;
export type LoginResponse = Answer<'loginResponse'>;
export type FloorTableView = Answer<'floorTable'>;
