/**
 * The one way pages talk to Velvet's API. Every refusal arrives as an `ApiError` carrying the
 * API's stable code and its message for people; a request that never got an answer (no network,
 * server gone, too slow) is a `NetworkError`, which the door treats as "decide offline".
 */
import { ERROR_STATUS, type ErrorCode } from '@domain/error-codes.js';
import { locale, t } from './i18n.js';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class NetworkError extends Error {
  override name = 'NetworkError';
}

/**
 * How long a page waits for an answer before saying the server did not answer in time: every
 * request but an upload and the door's own offline switch. Long enough for a crowded venue's
 * signal and the slowest write (cancelling a sold-out night); short enough that nobody stares at
 * a spinner wondering.
 */
export const REQUEST_TIMEOUT_MS = 20_000;
/** A cover image is megabytes over a venue's phone signal. */
export const UPLOAD_TIMEOUT_MS = 60_000;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  /** A file sent as its own bytes with its own type (a cover image), instead of a JSON body. */
  upload?: Blob;
  /** Bearer credential: a staff/owner login token or an order's manage token. */
  token?: string | null;
  /** Give up after this long and throw NetworkError (default REQUEST_TIMEOUT_MS; the door's offline switch uses ~1.5 s). */
  timeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const controller = new AbortController();
  const timeoutMs = opts.timeoutMs ?? (opts.upload ? UPLOAD_TIMEOUT_MS : REQUEST_TIMEOUT_MS);
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  if (opts.signal?.aborted) controller.abort();
  opts.signal?.addEventListener('abort', () => controller.abort());
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.upload) headers['content-type'] = opts.upload.type || 'application/octet-stream';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? (opts.body === undefined && !opts.upload ? 'GET' : 'POST'),
      headers,
      body: opts.upload ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      signal: controller.signal,
      cache: 'no-store',
    });
  } catch {
    throw new NetworkError(t(controller.signal.aborted ? 'common.tooSlow' : 'common.noConnection'));
  } finally {
    clearTimeout(timer);
  }
  const text = await res.text().catch(() => '');
  const json = text ? safeJson(text) : undefined;
  if (res.ok) return json as T;
  // A 502/503/504 from a proxy, or the database being away: nothing was decided.
  if (res.status >= 502 && res.status <= 504 && !isVelvetError(json))
    throw new NetworkError(t('common.serverUnavailable', { status: res.status }));
  if (isVelvetError(json))
    throw new ApiError(res.status, json.error.code, json.error.message, json.error.details ?? {});
  throw new ApiError(res.status, 'http_' + res.status, t('common.serverAnswered', { status: res.status }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

interface VelvetError {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

function isVelvetError(v: unknown): v is VelvetError {
  const e = (v as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof e?.code === 'string' && typeof e.message === 'string';
}

/**
 * The words to show for any failure (never a raw stack or "TypeError: Failed to fetch"). The
 * server words its refusals in English, naming the field or the table; in another language the
 * page says what the refusal's code means.
 */
/**
 * The API's refusals by field, as a page shows them beside each field: in English the server's own
 * words (they name the rule broken); in another language the catalogue's (the server speaks only
 * English), with the refusal's own words above the form.
 */
export function fieldRefusals(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  return Object.fromEntries(
    Object.entries(err.details).map(([field, words]) => [
      field,
      locale.value === 'en' ? String(words) : t('common.checkField'),
    ]),
  );
}

export function errorText(err: unknown): string {
  if (err instanceof NetworkError) return err.message;
  if (err instanceof ApiError) {
    if (locale.value === 'en' || !Object.hasOwn(ERROR_STATUS, err.code)) return err.message;
    return t(`error.${err.code as ErrorCode}`);
  }
  return t('common.somethingWrong');
}
