import { findEvent, listTables, listTiers, updateEvent } from '../../db/repos/events.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { canReschedule } from '../../domain/event-rules.js';
import type { AppDeps } from '../deps.js';
import { toEventView, type EventView } from './event-view.js';

export interface ReschedulePatch {
  name?: string | undefined;
  startsAt?: Date | undefined;
  endsAt?: Date | undefined;
}

/** The owner moves or renames an event while it has not started. The event row is locked. */
export async function rescheduleEvent(
  deps: Pick<AppDeps, 'database' | 'clock' | 'config'>,
  id: string,
  patch: ReschedulePatch,
): Promise<EventView> {
  const now = deps.clock.now();
  return deps.database.transaction(async (tx) => {
    const event = await findEvent(tx, id, { lock: true });
    if (!event) throw notFound('event');
    const refusal = canReschedule(event, now);
    if (refusal)
      throw new DomainError(
        refusal,
        refusal === 'event_started' ? 'The event has already started' : `The event is ${event.status}`,
      );
    const startsAt = patch.startsAt ?? event.startsAt;
    const endsAt = patch.endsAt ?? event.endsAt;
    if (endsAt <= startsAt)
      throw new DomainError('invalid_request', 'ends_at must be after starts_at', {
        ends_at: 'must be after starts_at',
      });
    if (endsAt <= now)
      throw new DomainError('invalid_request', 'ends_at must be in the future', { ends_at: 'must be in the future' });
    const updated = await updateEvent(tx, id, { name: patch.name ?? event.name, startsAt, endsAt });
    return toEventView(updated, await listTiers(tx, id), await listTables(tx, id), true, deps.config);
  });
}
