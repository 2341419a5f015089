import { listEventRows } from '../../db/repos/events.repo.js';
import type { AppDeps } from '../deps.js';

export interface ListedEvent {
  id: string;
  name: string;
  starts_at: string;
  ends_at: string;
  /** The venue's time zone (VELVET_TIME_ZONE): the pages show the night's times in it. */
  time_zone: string;
  status: 'scheduled' | 'cancelled' | 'completed';
  currency: string;
}

/**
 * Events by start time. The owner sees every event; staff and the public see the ones that can
 * still take people: scheduled and not ended (the door picks tonight's among them, a buyer a night).
 */
export async function listEvents(
  deps: Pick<AppDeps, 'database' | 'clock' | 'config'>,
  opts: { all: boolean },
): Promise<{ events: ListedEvent[] }> {
  const rows = await listEventRows(deps.database.db, opts.all ? null : deps.clock.now());
  return {
    events: rows.map((e) => ({
      id: e.id,
      name: e.name,
      starts_at: e.startsAt.toISOString(),
      ends_at: e.endsAt.toISOString(),
      time_zone: deps.config.timeZone,
      status: e.status,
      currency: e.currency,
    })),
  };
}
