import { z } from 'zod';
import { endEvent } from '../services/events/complete-event.service.js';
import { eventSummary } from '../services/events/event-summary.service.js';
import { editLayout } from '../services/events/edit-layout.service.js';
import { createEvent } from '../services/events/create-event.service.js';
import { getAvailability, getEvent, getFloorPlan } from '../services/events/read-event.service.js';
import { listEvents } from '../services/events/list-events.service.js';
import { rescheduleEvent } from '../services/events/reschedule-event.service.js';
import type { AppDeps } from '../services/deps.js';
import { authenticate, callerOf, requireRole } from './auth.js';
import { cents, currency, id, idParams, locale, minAge, paragraphs, text, timestamp } from './schemas.js';
import type { ZodApp } from './routes.types.js';
import {
  ALWAYS,
  availability,
  errors,
  eventList,
  eventSummary as eventSummaryView,
  eventView,
  floorPlan,
} from './responses.js';
import { OPTIONAL, OWNER, PUBLIC, STAFF } from './security.js';

/** An event with up to 500 tables and 50 tiers, as JSON (the default limit is 16 KB). */
const LAYOUT_BODY_LIMIT = 256 * 1024;

const createEventBody = z.object({
  name: text(200),
  starts_at: timestamp,
  ends_at: timestamp,
  currency,
  venue_name: text(200, 0).optional(),
  venue_address: text(300, 0).optional(),
  description: paragraphs(4000).optional(),
  min_age: minAge.optional(),
  /** The language of its mails and public page by default (English when not sent). */
  locale: locale.optional(),
  ga: z.object({ price_cents: cents, capacity: z.int().min(0).max(1_000_000) }),
  tiers: z
    .array(
      z.object({
        name: text(100),
        price_cents: cents,
        capacity: z.int().min(1).max(100),
        min_spend_cents: cents.optional(),
      }),
    )
    .max(50)
    .default([]),
  tables: z
    .array(
      z.object({
        number: z.int().min(1).max(10_000),
        tier: text(100),
        x: z.number().finite(),
        y: z.number().finite(),
      }),
    )
    .max(500)
    .default([]),
});

const layoutBody = z.object({
  ga: createEventBody.shape.ga,
  tiers: z
    .array(
      z.object({
        id: id.optional(),
        name: text(100),
        price_cents: cents,
        capacity: z.int().min(1).max(100),
        min_spend_cents: cents.optional(),
      }),
    )
    .max(50),
  tables: z
    .array(
      z.object({
        id: id.optional(),
        number: z.int().min(1).max(10_000),
        tier: text(100),
        x: z.number().finite(),
        y: z.number().finite(),
      }),
    )
    .max(500),
});

const patchEventBody = z
  .object({ name: text(200).optional(), starts_at: timestamp.optional(), ends_at: timestamp.optional() })
  .refine((b) => b.name !== undefined || b.starts_at !== undefined || b.ends_at !== undefined, 'nothing to change');

export function eventRoutes(app: ZodApp, deps: AppDeps): void {
  const ownerOnly = authenticate(deps, ['owner']);
  const staffOrOwner = authenticate(deps, ['owner', 'staff']);

  app.post(
    '/api/v1/events',
    {
      onRequest: ownerOnly,
      bodyLimit: LAYOUT_BODY_LIMIT,
      schema: {
        tags: ['events'],
        summary: 'Create an event with its GA, tiers and tables',
        security: OWNER,
        body: createEventBody,
        response: { 201: eventView, ...errors(400, 401, 403, ...ALWAYS) },
      },
    },
    async (request, reply) => {
      const owner = requireRole(await callerOf(deps, request), ['owner']);
      const b = request.body;
      const event = await createEvent(deps, owner.userId, {
        name: b.name,
        details: {
          venueName: b.venue_name ?? '',
          venueAddress: b.venue_address ?? '',
          description: b.description ?? '',
          minAge: b.min_age ?? null,
          locale: b.locale ?? 'en',
        },
        startsAt: b.starts_at,
        endsAt: b.ends_at,
        currency: b.currency,
        ga: { priceCents: b.ga.price_cents, capacity: b.ga.capacity },
        tiers: b.tiers.map((t) => ({
          name: t.name,
          priceCents: t.price_cents,
          capacity: t.capacity,
          minSpendCents: t.min_spend_cents,
        })),
        tables: b.tables,
      });
      return reply.status(201).send(event);
    },
  );

  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Events: all for the owner, open ones for staff and the public',
        security: OPTIONAL,
        response: { 200: eventList, ...errors(401, ...ALWAYS) },
      },
    },
    async (request) => {
      const caller = await callerOf(deps, request);
      return listEvents(deps, { all: caller.kind === 'user' && caller.role === 'owner' });
    },
  );

  app.get(
    '/api/v1/events/:id',
    {
      schema: {
        tags: ['events'],
        summary: 'An event: its public fields for anyone (status included), more for staff and the owner',
        security: OPTIONAL,
        params: idParams,
        response: { 200: eventView, ...errors(401, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      const caller = await callerOf(deps, request);
      return getEvent(deps, request.params.id, caller.kind === 'user');
    },
  );

  app.put(
    '/api/v1/events/:id/layout',
    {
      onRequest: ownerOnly,
      bodyLimit: LAYOUT_BODY_LIMIT,
      schema: {
        tags: ['events'],
        summary:
          'Change prices, capacities, tiers and tables while the event sells: never below what is sold; sold tables move but stay',
        security: OWNER,
        params: idParams,
        body: layoutBody,
        response: { 200: eventView, ...errors(400, 401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      const b = request.body;
      return editLayout(deps, request.params.id, {
        ga: { priceCents: b.ga.price_cents, capacity: b.ga.capacity },
        tiers: b.tiers.map((t) => ({
          id: t.id,
          name: t.name,
          priceCents: t.price_cents,
          capacity: t.capacity,
          minSpendCents: t.min_spend_cents,
        })),
        tables: b.tables,
      });
    },
  );

  app.patch(
    '/api/v1/events/:id',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['events'],
        summary: 'Rename or reschedule an event before it starts',
        security: OWNER,
        params: idParams,
        body: patchEventBody,
        response: { 200: eventView, ...errors(400, 401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      const b = request.body;
      return rescheduleEvent(deps, request.params.id, { name: b.name, startsAt: b.starts_at, endsAt: b.ends_at });
    },
  );

  app.post(
    '/api/v1/events/:id/end',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['events'],
        summary: 'End the event now: reservations complete (no-shows marked)',
        security: OWNER,
        params: idParams,
        response: { 200: eventView, ...errors(401, 403, 404, 409, ...ALWAYS) },
      },
    },
    async (request) => {
      await endEvent(deps, request.params.id);
      return getEvent(deps, request.params.id, true);
    },
  );

  app.get(
    '/api/v1/events/:id/summary',
    {
      onRequest: ownerOnly,
      schema: {
        tags: ['events'],
        summary: "The owner's numbers for a night: sales and money, the door by door and over time, capacity overrides",
        security: OWNER,
        params: idParams,
        response: { 200: eventSummaryView, ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      return eventSummary(deps, request.params.id);
    },
  );

  app.get(
    '/api/v1/events/:id/availability',
    {
      schema: {
        tags: ['buying'],
        summary: 'Which tables can still be bought (available, held or sold) and how many GA places are left',
        security: PUBLIC,
        params: idParams,
        response: { 200: availability, ...errors(404, ...ALWAYS) },
      },
    },
    async (request) => {
      return getAvailability(deps, request.params.id);
    },
  );

  app.get(
    '/api/v1/events/:id/floor-plan',
    {
      onRequest: staffOrOwner,
      schema: {
        tags: ['events'],
        summary: 'The floor plan: every table with its status, guests linked and arrived',
        security: STAFF,
        params: idParams,
        response: { 200: floorPlan, ...errors(401, 403, 404, ...ALWAYS) },
      },
    },
    async (request) => {
      return getFloorPlan(deps, request.params.id);
    },
  );
}
