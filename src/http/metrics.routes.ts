import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { outboxHealth, type OutboxHealth } from '../db/repos/outbox-health.repo.js';
import { DomainError, notFound } from '../domain/errors.js';
import type { AppDeps } from '../services/deps.js';
import { bearerToken } from './auth.js';
import { errors } from './responses.js';
import type { ZodApp } from './routes.types.js';
import { METRICS } from './security.js';

/**
 * `GET /metrics`: Prometheus' text format, for a scraper holding VELVET_METRICS_TOKEN (sent as a
 * bearer token); without that setting there are no metrics to read (404). What is measured:
 * src/metrics/metrics.ts; the database's share (outboxes, pool, connection errors) is read here,
 * when scraped.
 */
export function metricsRoutes(app: ZodApp, deps: AppDeps): void {
  const m = deps.metrics;
  // One read of the outboxes per scrape, shared by its gauges.
  let outboxes: { at: number; health: Promise<OutboxHealth> } | undefined;
  const outbox =
    <K extends keyof OutboxHealth>(key: K) =>
    async () => {
      if (!outboxes || Date.now() - outboxes.at > 1_000)
        outboxes = { at: Date.now(), health: outboxHealth(deps.database.db) };
      return (await outboxes.health)[key];
    };
  m.gauge('velvet_refunds_pending', 'Refunds in the outbox, not yet paid back', outbox('refundsPending'));
  m.gauge(
    'velvet_refunds_failed',
    'Refunds that gave up after their retries: a person must look (POST /events/:id/refunds/retry)',
    outbox('refundsFailed'),
  );
  m.gauge(
    'velvet_refunds_oldest_pending_seconds',
    'How long the oldest pending refund has waited (absent: none pending)',
    outbox('refundsOldestSeconds'),
  );
  m.gauge('velvet_mails_pending', "Buyers' mails in the outbox, not yet sent", outbox('mailsPending'));
  m.gauge('velvet_mails_failed', "Buyers' mails that gave up after their retries", outbox('mailsFailed'));
  m.gauge(
    'velvet_mails_oldest_pending_seconds',
    'How long the oldest pending mail has waited (absent: none pending)',
    outbox('mailsOldestSeconds'),
  );
  m.gauge('velvet_db_pool_waiting', 'Requests waiting for a database connection now', () =>
    deps.database.poolWaiting(),
  );
  m.counterFrom(
    'velvet_db_connection_errors_total',
    'Database connections that failed to open or broke',
    () => deps.database.stats.connectionErrors,
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary:
          'Prometheus metrics (text format): scans, latency, offline conflicts, orders, outboxes, the database pool, streams, backups, certificate; needs VELVET_METRICS_TOKEN as a bearer token',
        security: METRICS,
        produces: ['text/plain', 'application/json'],
        response: { 200: z.string().describe('text/plain; version=0.0.4'), ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const expected = deps.config.metricsToken;
      if (!expected) throw notFound('metrics (VELVET_METRICS_TOKEN is not set)');
      const given = bearerToken(request);
      if (!given || !sameSecret(given, expected))
        throw new DomainError(
          'unauthorized',
          'Send the metrics token as "Authorization: Bearer <VELVET_METRICS_TOKEN>"',
        );
      return reply
        .header('cache-control', 'no-store')
        .type(m.registry.contentType)
        .send(await m.registry.metrics());
    },
  );
}

/** Compared as digests, in constant time: neither the token's bytes nor its length leak. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}
