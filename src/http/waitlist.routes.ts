import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../services/deps.js';
import { joinWaitlist, readWaitlist } from '../services/waitlist/waitlist.service.js';
import { authenticate } from './auth.js';
import { clientNetwork } from './client-address.js';
import { ALWAYS, errors, waitlistJoined, waitlistView } from './responses.js';
import type { ZodApp } from './routes.types.js';
import { idParams, locale, text } from './schemas.js';
import { OWNER, PUBLIC } from './security.js';
import { acceptedLanguages, matchLocale } from '../i18n/locales.js';

const joinBody = z.object({
  email: z.email().max(320),
  name: text(100),
  quantity: z.int().min(1).max(100),
  /** Required (true) when the event has a minimum age, as for buying. */
  age_confirmed: z.boolean().optional(),
  /** The language they read, for the offer's mail; not sent: their Accept-Language, else the event's. */
  locale: locale.optional(),
});

/** A fair waitlist for sold-out nights (issue 20): anyone joins; the owner sees the line and its offers. */
export function waitlistRoutes(app: ZodApp, deps: AppDeps): void {
  app.post(
    '/api/v1/events/:id/waitlist',
    {
      config: {
        rateLimit: {
          max: deps.config.ordersPerMinutePerAddress,
          timeWindow: 60_000,
          keyGenerator: (r: FastifyRequest) => `waitlist:${clientNetwork(r.ip)}`,
        },
      },
      schema: {
        tags: ['buying'],
        summary:
          "Join a sold-out night's waitlist: when places come free, the longest-waiting person is offered them by mail, held for them alone",
        security: PUBLIC,
        params: idParams,
        body: joinBody,
        response: { 201: waitlistJoined, 200: waitlistJoined, ...errors(400, 404, 409, 429, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { created, view } = await joinWaitlist(deps, {
        eventId: request.params.id,
        email: b.email,
        name: b.name,
        quantity: b.quantity,
        ageConfirmed: b.age_confirmed,
        locale: b.locale ?? matchLocale(acceptedLanguages(request.headers['accept-language'])),
      });
      return reply.status(created ? 201 : 200).send(view);
    },
  );

  app.get(
    '/api/v1/events/:id/waitlist',
    {
      onRequest: authenticate(deps, ['owner']),
      schema: {
        tags: ['orders'],
        summary: "The night's waitlist and its offers, oldest first",
        security: OWNER,
        params: idParams,
        response: { 200: waitlistView, ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => readWaitlist(deps, request.params.id),
  );
}
