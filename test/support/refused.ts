import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { errorCode } from './guests.js';
import type { TestContext } from './harness.js';
import { dumpTables } from './snapshot.js';

/**
 * Sends a request that must be refused with `status` and `code`, and proves it changed nothing:
 * every table is dumped before and after. Returns the answer for further checks.
 */
export async function expectRefused(
  ctx: TestContext,
  send: () => Promise<LightMyRequestResponse>,
  status: number,
  code: string,
): Promise<LightMyRequestResponse> {
  const before = await dumpTables(ctx.database.db);
  const res = await send();
  expect(res.statusCode, res.body).toBe(status);
  expect(errorCode(res)).toBe(code);
  expect(await dumpTables(ctx.database.db)).toEqual(before);
  return res;
}
