/**
 * Routes that answer something other than JSON (CSV, SVG, a pass, an event stream, metrics)
 * declare `produces: [<their type>, 'application/json']`, and @fastify/swagger then lists both
 * types under every status. What they really send: their own type on success, and Velvet's JSON
 * error body on any refusal. This puts each status under the one type it is sent as.
 */
type Content = Record<string, { schema?: unknown }>;
interface Document {
  paths?: Record<string, Record<string, { responses?: Record<string, { content?: Content }> }>>;
}

const JSON_TYPE = 'application/json';
/** Bytes, not text: a client must not decode them as a string. */
const BINARY = new Set(['application/vnd.apple.pkpass', 'image/webp']);

export function oneMediaTypePerStatus<T extends object>(doc: T): T {
  for (const operations of Object.values((doc as Document).paths ?? {})) {
    for (const operation of Object.values(operations ?? {})) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const types = Object.keys(response.content ?? {});
        const own = types.filter((t) => t !== JSON_TYPE);
        if (own.length === 0 || !types.includes(JSON_TYPE)) continue;
        const success = status.startsWith('2');
        response.content = success
          ? Object.fromEntries(
              own.map((t) => [
                t,
                { schema: BINARY.has(t) ? { type: 'string', format: 'binary' } : { type: 'string' } },
              ]),
            )
          : { [JSON_TYPE]: response.content![JSON_TYPE]! };
      }
    }
  }
  return doc;
}
