import type { FastifyServerOptions } from 'fastify';

/**
 * What Velvet's logs may contain. Never a credential, a manage token, an invite code, a ticket code,
 * search text or a query's values: URLs lose their query values and invite codes (redactUrl),
 * errors from failed queries keep the statement
 * but lose the parameters (e-mails, names, token hashes) and the database's `detail` (which quotes
 * the offending values, e.g. "Key (email)=(…) already exists").
 */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    serializers: {
      req: (req: {
        method?: string;
        url?: string;
        hostname?: string;
        ip?: string;
        socket?: { remotePort?: number };
      }) => ({
        method: req.method,
        url: redactUrl(req.url ?? ''),
        hostname: req.hostname,
        remoteAddress: req.ip,
      }),
      err: (err: Error) => safeError(err) as { type: string; message: string; stack: string },
    },
  };
}

/** Query parameters whose values are never secret or personal; every other value is redacted. */
const PLAIN_PARAMS = new Set(['since', 'limit', 'status']);
/** Path segments that are secrets themselves: an invite code (the API's and the guest page's). */
const SECRET_SEGMENT = /^(\/api\/v1\/invites\/|\/i\/)[^/?#]+/i;

/**
 * A URL as the log may show it: the path with any invite code replaced, and every query value
 * redacted but the few known to be plain. Parameter names are compared decoded, so `?%74oken=…`
 * or `?TOKEN=…` is redacted like `?token=…`; search text (`?q=`) never reaches the log either.
 * `/x?token=abc&since=2030-01-01` → `/x?token=[redacted]&since=2030-01-01`.
 */
export function redactUrl(url: string): string {
  const cut = url.indexOf('?');
  const path = cut < 0 ? url : url.slice(0, cut);
  const decodedPath = safeDecode(path);
  const shownPath = SECRET_SEGMENT.test(decodedPath) ? decodedPath.replace(SECRET_SEGMENT, '$1[redacted]') : path;
  if (cut < 0) return shownPath;
  const query = [...new URLSearchParams(url.slice(cut + 1))].map(
    ([name, value]) =>
      `${encodeURIComponent(name)}=${PLAIN_PARAMS.has(name) ? encodeURIComponent(value) : '[redacted]'}`,
  );
  return `${shownPath}?${query.join('&')}`;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** "Failed query: <sql>\nparams: <values>" → "Failed query: <sql>" (Drizzle puts the values in the message). */
export function withoutParams(message: string): string {
  return message.replace(/\nparams: [\s\S]*$/, '').replace(/\bparams: [^\n]*/g, 'params: [redacted]');
}

/** An error as a plain object for the log: type, message, stack, code and its causes, values removed. */
export function safeError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error) || depth > 4) return { message: withoutParams(String(err)) };
  const e = err as Error & {
    code?: unknown;
    constraint?: unknown;
    query?: unknown;
    cause?: unknown;
    statusCode?: unknown;
  };
  // A data exception (SQLSTATE class 22) quotes the offending input in its message.
  const quotesInput = typeof e.code === 'string' && e.code.startsWith('22');
  const clean = (text: string) =>
    quotesInput ? withoutParams(text).replace(/"[^"\n]*"/g, '"[redacted]"') : withoutParams(text);
  const out: Record<string, unknown> = { type: e.name, message: clean(e.message) };
  if (e.stack) out.stack = clean(e.stack);
  if (e.code !== undefined) out.code = e.code;
  if (e.statusCode !== undefined) out.statusCode = e.statusCode;
  if (typeof e.constraint === 'string') out.constraint = e.constraint;
  if (typeof e.query === 'string') out.query = e.query;
  if (e.cause !== undefined) out.cause = safeError(e.cause, depth + 1);
  return out;
}
