import { dayAndTime } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import type { PublicEvent } from './types.js';

/** A map of the address, in the buyer's own map app or browser (a link: nothing is loaded from elsewhere). */
export const mapLink = (address: string) => `https://www.openstreetmap.org/search?query=${encodeURIComponent(address)}`;

/** "The Vault · Köpenicker Str. 70, Berlin (map)": where the night is, when the owner said. */
export function Venue({ event }: { event: Pick<PublicEvent, 'venue_name' | 'venue_address'> }) {
  if (!event.venue_name && !event.venue_address) return null;
  return (
    <p class="venue" data-testid="venue">
      {event.venue_name && <strong>{event.venue_name}</strong>}
      {event.venue_name && event.venue_address && ' · '}
      {event.venue_address && (
        <>
          {event.venue_address}{' '}
          <a href={mapLink(event.venue_address)} target="_blank" rel="noopener noreferrer">
            {t('buy.map')}
          </a>
        </>
      )}
    </p>
  );
}

/** The top of the buyer's page: the cover, the name, when, where, and what the night is. */
export function EventHeader({ event }: { event: PublicEvent }) {
  return (
    <>
      {event.cover_url && <img class="cover" src={event.cover_url} alt="" data-testid="cover" />}
      <h1>{event.name}</h1>
      <p class="lead">
        {t('common.range', {
          start: dayAndTime(event.starts_at, event.time_zone),
          end: dayAndTime(event.ends_at, event.time_zone),
        })}
      </p>
      <Venue event={event} />
      {event.min_age && (
        <p class="age-limit" data-testid="age-limit">
          <span class="pill warn">{event.min_age}+</span> {t('buy.ageLimit', { age: event.min_age })}
        </p>
      )}
      {event.description && (
        <p class="description" data-testid="description">
          {event.description}
        </p>
      )}
    </>
  );
}
