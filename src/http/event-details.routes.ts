import { z } from 'zod';
import type { AppDeps } from '../services/deps.js';
import {
  COVER_TYPES,
  COVER_UPLOAD_LIMIT,
  readEventCover,
  removeEventCover,
  setEventCover,
  setEventDetails,
} from '../services/events/event-details.service.js';
import { authenticate } from './auth.js';
import { ALWAYS, errors, eventView } from './responses.js';
import { idParams, locale, minAge, paragraphs, text } from './schemas.js';
import { OWNER, PUBLIC } from './security.js';
import type { ZodApp } from './routes.types.js';

const detailsBody = z.object({
  venue_name: text(200, 0),
  venue_address: text(300, 0),
  description: paragraphs(4000),
  /** Left as it is when not sent. */
  min_age: minAge.optional(),
  /** The language of its mails and public page by default; left as it is when not sent. */
  locale: locale.optional(),
});

/**
 * What a buyer sees before buying besides prices: the venue, its address, a description and a
 * cover image. The image is uploaded as its own bytes (`Content-Type: image/jpeg|png|webp`, up to
 * 10 MB) in a plugin scope whose only parser takes them; the rest of the API keeps its JSON and
 * its 16 KB limit.
 */
export function eventDetailsRoutes(app: ZodApp, deps: AppDeps): void {
  const ownerOnly = authenticate(deps, ['owner']);

  app.put(
    '/api/v1/events/:id/details',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['events'],
        summary:
          "The venue's name and address, the description, the minimum age and the default language, until the event ends",
        security: OWNER,
        params: idParams,
        body: detailsBody,
        response: { 200: eventView, ...errors(400, 401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      const b = request.body;
      return setEventDetails(deps, request.params.id, {
        venueName: b.venue_name,
        venueAddress: b.venue_address,
        description: b.description,
        minAge: b.min_age,
        locale: b.locale,
      });
    },
  );

  app.delete(
    '/api/v1/events/:id/cover',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['events'],
        summary: 'Remove the cover image',
        security: OWNER,
        params: idParams,
        response: { 200: eventView, ...errors(401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      return removeEventCover(deps, request.params.id);
    },
  );

  app.get(
    '/api/v1/events/:id/cover',
    {
      schema: {
        tags: ['events'],
        summary: 'The cover image (WebP), for anyone',
        security: PUBLIC,
        params: idParams,
        produces: ['image/webp', 'application/json'],
        response: { 200: z.any().describe('image/webp'), ...errors(404, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const cover = await readEventCover(deps, request.params.id);
      // A versioned address (?v=, as cover_url gives it) never changes: cached for good; a new
      // upload is a new address. Unversioned, a minute.
      reply.header(
        'cache-control',
        (request.query as { v?: string }).v === cover.etag
          ? 'public, max-age=31536000, immutable'
          : 'public, max-age=60',
      );
      return reply.type(cover.contentType).send(cover.bytes);
    },
  );

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser([...COVER_TYPES], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.put(
      '/api/v1/events/:id/cover',
      {
        onRequest: ownerOnly,
        bodyLimit: COVER_UPLOAD_LIMIT,
        schema: {
          tags: ['events'],
          summary:
            'Upload the cover image (JPEG, PNG or WebP, up to 10 MB, at least 320 x 160): stored resized to WebP',
          security: OWNER,
          params: idParams,
          response: { 200: eventView, ...errors(400, 401, 403, 404, 409, 413, 415, ...ALWAYS) },
        },
      },
      async (request) => setEventCover(deps, (request.params as { id: string }).id, request.body as Buffer),
    );
  });
}
