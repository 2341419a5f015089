import type { FastifyInstance } from 'fastify';

/**
 * Request bodies are small JSON objects, so they are parsed with limits that keep a hostile body
 * cheap to refuse: a size limit (Fastify's `bodyLimit`, 16 KB unless a route takes more, checked
 * before anything is parsed) and a nesting limit, checked by one pass over the text before
 * JSON.parse builds anything (a 1 MB body of nested arrays takes ~130 ms of the event loop to
 * parse, and four at a time held door scans up for a second). No body Velvet takes is nested
 * deeper than 4.
 */
export const MAX_JSON_DEPTH = 16;
export const DEFAULT_BODY_LIMIT = 16 * 1024;

export function installJsonParser(app: FastifyInstance): void {
  closeAfterUnreadBodies(app);
  // Fastify's own parser (secure-json-parse: `__proto__` and `constructor` keys refused) behind the check.
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (nestedBeyond(body as string, MAX_JSON_DEPTH)) {
      return done(
        Object.assign(new Error(`The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`), {
          statusCode: 400,
        }),
        undefined,
      );
    }
    parse(request, body as string, done);
  });
}

/** Whether arrays and objects nest deeper than `max` (brackets inside strings do not count). */
export function nestedBeyond(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * An answer sent before the request's body was read (a 401, a 429 from the rate limit) closes
 * the connection: otherwise Node keeps it open and reads the rest of a body nobody wants (a
 * megabyte, for a flood), and the half-read connection is never idle, so a shutdown waits for its
 * keep-alive to run out. Fastify already does this for bodies its parser refused.
 */
function closeAfterUnreadBodies(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete) reply.header('connection', 'close');
    done(null, payload);
  });
}
