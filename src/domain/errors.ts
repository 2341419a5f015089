import type { ErrorCode } from './error-codes.js';

/**
 * A refusal with a stable code from API.md. Services throw (or return) these; only the HTTP layer
 * turns a code into a status. Throwing inside a transaction rolls it back, so a refusal changes nothing.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
