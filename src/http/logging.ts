import type { FastifyServerOptions } from 'fastify';

/**
 * What Velvet's logs may contain. Never a credential, a manage token, a ticket code or a query's
 * values: URLs lose their query string's `token`, errors from failed queries keep the statement
 * but lose the parameters (e-mails, names, token hashes) and the database's `detail` (which quotes
 * the offending values, e.g. "Key (email)=(…) already exists").
 */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    serializers: {
      req: (req: { method?: string; url?: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) => ({
        method: req.method,
        url: redactUrl(req.url ?? ''),
        hostname: req.hostname,
        remoteAddress: req.ip,
      }),
      err: (err: Error) => safeError(err) as { type: string; message: string; stack: string },
    },
  };
}

const SECRET_PARAMS = /([?&](?:token|manage_token|access_token)=)[^&#]*/gi;

/** `/x?token=abc&y=1` → `/x?token=[redacted]&y=1`. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

/** "Failed query: <sql>\nparams: <values>" → "Failed query: <sql>" (Drizzle puts the values in the message). */
export function withoutParams(message: string): string {
  return message.replace(/\nparams: [\s\S]*$/, '').replace(/\bparams: [^\n]*/g, 'params: [redacted]');
}

/** An error as a plain object for the log: type, message, stack, code and its causes, values removed. */
export function safeError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error) || depth > 4) return { message: withoutParams(String(err)) };
  const e = err as Error & { code?: unknown; constraint?: unknown; query?: unknown; cause?: unknown; statusCode?: unknown };
  // A data exception (SQLSTATE class 22) quotes the offending input in its message.
  const quotesInput = typeof e.code === 'string' && e.code.startsWith('22');
  const clean = (text: string) => (quotesInput ? withoutParams(text).replace(/"[^"\n]*"/g, '"[redacted]"') : withoutParams(text));
  const out: Record<string, unknown> = { type: e.name, message: clean(e.message) };
  if (e.stack) out.stack = clean(e.stack);
  if (e.code !== undefined) out.code = e.code;
  if (e.statusCode !== undefined) out.statusCode = e.statusCode;
  if (typeof e.constraint === 'string') out.constraint = e.constraint;
  if (typeof e.query === 'string') out.query = e.query;
  if (e.cause !== undefined) out.cause = safeError(e.cause, depth + 1);
  return out;
}
