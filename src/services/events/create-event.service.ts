import { insertEvent, insertTables, insertTiers } from '../../db/repos/events.repo.js';
import { DomainError } from '../../domain/errors.js';
import type { AppDeps } from '../deps.js';
import { toEventView, type EventView } from './event-view.js';
import type { EventDetails } from './event-details.service.js';

export interface CreateEventInput {
  name: string;
  /** Where and what, for the buyer (empty when not given). */
  details?: EventDetails | undefined;
  startsAt: Date;
  endsAt: Date;
  currency: string;
  ga: { priceCents: number; capacity: number };
  tiers: Array<{ name: string; priceCents: number; capacity: number; minSpendCents?: number | undefined }>;
  tables: Array<{ number: number; tier: string; x: number; y: number }>;
}

/** Checks what a schema cannot see: names and numbers unique, tables pointing at real tiers. */
export function eventInputProblems(input: CreateEventInput, now: Date): Record<string, string> {
  const problems: Record<string, string> = {};
  if (input.endsAt <= input.startsAt) problems.ends_at = 'must be after starts_at';
  else if (input.endsAt <= now) problems.ends_at = 'must be in the future';
  const tierNames = new Set<string>();
  input.tiers.forEach((t, i) => {
    if (tierNames.has(t.name)) problems[`tiers.${i}.name`] = `duplicate tier name ${t.name}`;
    tierNames.add(t.name);
  });
  const numbers = new Set<number>();
  input.tables.forEach((t, i) => {
    if (numbers.has(t.number)) problems[`tables.${i}.number`] = `duplicate table number ${t.number}`;
    numbers.add(t.number);
    if (!tierNames.has(t.tier)) problems[`tables.${i}.tier`] = `unknown tier ${t.tier}`;
  });
  return problems;
}

export async function createEvent(
  deps: Pick<AppDeps, 'database' | 'clock' | 'config'>,
  ownerId: string,
  input: CreateEventInput,
): Promise<EventView> {
  const problems = eventInputProblems(input, deps.clock.now());
  if (Object.keys(problems).length) throw new DomainError('invalid_request', 'The event is not valid', problems);
  return deps.database.transaction(async (tx) => {
    const event = await insertEvent(tx, {
      name: input.name,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      currency: input.currency,
      gaPriceCents: input.ga.priceCents,
      gaCapacity: input.ga.capacity,
      venueName: input.details?.venueName ?? '',
      venueAddress: input.details?.venueAddress ?? '',
      description: input.details?.description ?? '',
      minAge: input.details?.minAge ?? null,
      locale: input.details?.locale ?? 'en',
      createdBy: ownerId,
    });
    const tiers = await insertTiers(
      tx,
      input.tiers.map((t) => ({
        eventId: event.id,
        name: t.name,
        priceCents: t.priceCents,
        capacity: t.capacity,
        minSpendCents: t.minSpendCents ?? null,
      })),
    );
    const tierId = new Map(tiers.map((t) => [t.name, t.id]));
    const tables = await insertTables(
      tx,
      input.tables.map((t) => ({ eventId: event.id, tierId: tierId.get(t.tier)!, number: t.number, x: t.x, y: t.y })),
    );
    return toEventView(
      event,
      tiers,
      tables.sort((a, b) => a.number - b.number),
      true,
      deps.config,
    );
  });
}
