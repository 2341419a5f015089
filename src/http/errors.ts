import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable, isStorageFull, pgErrorCode } from '../db/database.js';
import { ERROR_STATUS, type ErrorCode } from '../domain/error-codes.js';
import { DomainError } from '../domain/errors.js';
import type { MethodIndex } from './method-index.js';

/** A code's one status (src/domain/error-codes.ts). */
export const statusOf = (code: ErrorCode) => ERROR_STATUS[code];

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export const errorBody = (code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody => ({
  error: details ? { code, message, details } : { code, message },
});

export function installErrorHandling(app: FastifyInstance, methods: MethodIndex): void {
  methods.install(app);
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if ((err as unknown) instanceof DomainError) {
      const d = err as unknown as DomainError;
      // A refusal caused by a failure elsewhere (the payment provider): the cause is for operators.
      if (d.cause) request.log.warn({ err: d.cause, code: d.code }, 'refused because of an upstream failure');
      if (d.code === 'rate_limited') reply.header('retry-after', '60');
      const retryAfter = d.details?.retry_after_seconds;
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      return reply.status(statusOf(d.code)).send(errorBody(d.code, d.message, d.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      // A malformed id in the path names nothing that exists: that is "not found", not bad input.
      if (err.validationContext === 'params') return reply.status(404).send(errorBody('not_found', 'Not found'));
      const details: Record<string, string> = {};
      for (const v of err.validation) {
        const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.') || (err.validationContext ?? 'body');
        details[field] ??= v.message ?? 'invalid';
      }
      return reply.status(400).send(errorBody('invalid_request', 'The request is not valid', details));
    }
    const status = err.statusCode ?? 500;
    if (status === 429) {
      return reply.status(429).send(errorBody('rate_limited', 'Too many attempts; wait a minute and try again'));
    }
    if (status === 413) return reply.status(413).send(errorBody('payload_too_large', 'The request body is too large'));
    if (status === 415)
      return reply.status(415).send(errorBody('unsupported_media_type', 'Send JSON (Content-Type: application/json)'));
    if (status >= 400 && status < 500) {
      return reply.status(400).send(errorBody('invalid_request', err.message, { body: err.message }));
    }
    if (isDatabaseUnavailable(err)) {
      // Nothing was decided; every instance of a request that failed this way may be retried.
      request.log.warn(
        { err: { message: err.message, code: (err as { code?: unknown }).code } },
        'database unavailable',
      );
      return reply
        .status(503)
        .header('retry-after', '2')
        .send(
          errorBody(
            'database_unavailable',
            'The database cannot be reached right now; nothing was changed. Try again in a few seconds.',
          ),
        );
    }
    if (isStorageFull(err)) {
      request.log.error(
        { err: { message: err.message, code: (err as { code?: unknown }).code } },
        'database storage full',
      );
      return reply
        .status(507)
        .send(
          errorBody(
            'storage_full',
            "The server's disk is full, so nothing was saved. Free space on the server, then try again.",
          ),
        );
    }
    if (pgErrorCode(err) === '55P03') {
      // lock_timeout: another request held the row (a ticket, a table) for seconds. Nothing was
      // written; the client may simply try again.
      return reply
        .status(503)
        .header('retry-after', '1')
        .send(errorBody('busy', 'This is being changed by another request right now; try again'));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('internal_error', 'Something went wrong on our side'));
  });
  app.setNotFoundHandler((request, reply) => {
    if (methods.refuse(request, reply)) return reply;
    return reply
      .status(404)
      .send(errorBody('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`));
  });
}
