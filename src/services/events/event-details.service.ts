import type { Locale } from '../../i18n/locales.js';
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import {
  deleteCover,
  findCover,
  putCover,
  updateEventDetails,
  type CoverImage,
} from '../../db/repos/event-covers.repo.js';
import { findEvent, listTables, listTiers } from '../../db/repos/events.repo.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { salesClosedReason } from '../../domain/event-rules.js';
import type { Tx } from '../../db/database.js';
import type { AppDeps } from '../deps.js';
import { toEventView, type EventView } from './event-view.js';

export interface EventDetails {
  venueName: string;
  venueAddress: string;
  description: string;
  /** Left as it is when undefined. */
  minAge?: 18 | 21 | null;
  /** The language of its mails and public page by default; left as it is when undefined. */
  locale?: Locale;
}

/** The image types a cover may be uploaded as; it is stored as WebP whatever it came as. */
export const COVER_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
/** What an owner's phone camera produces, with room to spare; bigger is refused before decoding. */
export const COVER_UPLOAD_LIMIT = 10 * 1024 * 1024;
/** Stored at most this wide and tall (the page shows it at most 1,100 px wide, 2x on a phone). */
const COVER_MAX_SIDE = 1600;
const COVER_MIN = { width: 320, height: 160 };
/** A decompression bomb (a small file of a huge picture) is refused before it is decoded. */
const MAX_INPUT_PIXELS = 50_000_000;

type Deps = Pick<AppDeps, 'database' | 'clock' | 'config'>;

/** `PUT /events/:id/details`: the venue's name and address and the description, until the event ends. */
export async function setEventDetails(deps: Deps, eventId: string, details: EventDetails): Promise<EventView> {
  return whileOpen(deps, eventId, (tx) => updateEventDetails(tx, eventId, details));
}

/**
 * `PUT /events/:id/cover`: an image the owner uploads, decoded and resized here (sharp: turned
 * upright by its EXIF orientation, fitted within 1600 x 1600, WebP; metadata dropped, so a phone
 * photo's location does not travel with it). A file that is not an image of a supported type, or
 * too small to look good, is refused with `invalid_image` and nothing changes.
 */
export async function setEventCover(deps: Deps, eventId: string, upload: Buffer): Promise<EventView> {
  const cover = await resizeCover(upload);
  return whileOpen(deps, eventId, (tx) => putCover(tx, eventId, cover));
}

export async function removeEventCover(deps: Deps, eventId: string): Promise<EventView> {
  return whileOpen(deps, eventId, (tx) => deleteCover(tx, eventId));
}

/** `GET /events/:id/cover`: the stored image, for anyone (it is on the public page). */
export async function readEventCover(deps: Pick<AppDeps, 'database'>, eventId: string): Promise<CoverImage> {
  const cover = await findCover(deps.database.db, eventId);
  if (!cover) throw notFound('cover');
  return cover;
}

async function resizeCover(upload: Buffer): Promise<CoverImage> {
  let meta: sharp.Metadata;
  try {
    // The header alone (nothing decoded yet): its size is checked below, in words.
    meta = await sharp(upload, { limitInputPixels: false }).metadata();
  } catch {
    throw invalidImage('The file is not an image Velvet can read: upload a JPEG, PNG or WebP');
  }
  if (!meta.format || !['jpeg', 'png', 'webp'].includes(meta.format))
    throw invalidImage(`A ${meta.format ?? 'file of that kind'} cannot be a cover: upload a JPEG, PNG or WebP`);
  // EXIF orientations 5-8 turn the picture a quarter: its upright size swaps width and height.
  const turned = (meta.orientation ?? 1) >= 5;
  const width = (turned ? meta.height : meta.width) ?? 0;
  const height = (turned ? meta.width : meta.height) ?? 0;
  if (width * height > MAX_INPUT_PIXELS) {
    throw invalidImage(
      `The image is ${width} x ${height} pixels: a cover may have at most ${MAX_INPUT_PIXELS / 1_000_000} million (a camera's full size is fine)`,
    );
  }
  if (width < COVER_MIN.width || height < COVER_MIN.height) {
    throw invalidImage(
      `The image is ${width} x ${height} pixels: a cover needs at least ${COVER_MIN.width} x ${COVER_MIN.height}`,
    );
  }
  try {
    const { data, info } = await sharp(upload, { limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize({ width: COVER_MAX_SIDE, height: COVER_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    const etag = createHash('sha256').update(data).digest('base64url').slice(0, 16);
    return { bytes: data, contentType: 'image/webp', width: info.width, height: info.height, etag };
  } catch {
    throw invalidImage('The image could not be read to the end (a damaged or cut-off file?): upload it again');
  }
}

/** Changes an event that has not ended or been cancelled, then answers its view, in one transaction. */
async function whileOpen(deps: Deps, eventId: string, change: (tx: Tx) => Promise<void>): Promise<EventView> {
  return deps.database.transaction(async (tx) => {
    const event = await findEvent(tx, eventId, { lock: true });
    if (!event) throw notFound('event');
    const closed = salesClosedReason(event, deps.clock.now());
    if (closed)
      throw new DomainError(closed, closed === 'event_cancelled' ? 'This event was cancelled' : 'This event has ended');
    await change(tx);
    const updated = (await findEvent(tx, eventId))!;
    return toEventView(updated, await listTiers(tx, eventId), await listTables(tx, eventId), true, deps.config);
  });
}

const invalidImage = (message: string) => new DomainError('invalid_image', message);
