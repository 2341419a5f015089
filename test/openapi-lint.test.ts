import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createEvent, eventBody, startTestApp, type TestContext } from './support/harness.js';
import { asJsonSchema, openApiDocument, operations, type Operation } from './support/openapi.js';

let ctx: TestContext;
let ops: Operation[];
beforeAll(async () => {
  ctx = await startTestApp();
  ops = operations(await openApiDocument(ctx.app));
});
afterAll(() => ctx.close());

describe('the OpenAPI document', () => {
  /**
   * The document the server serves passes Redocly's recommended rules with no error and no
   * warning; the exceptions are in .redocly.lint-ignore.yaml, each with its reason.
   */
  it('passes redocly lint with nothing left over', async () => {
    const res = await ctx.app.inject({ url: '/api/v1/openapi.json' });
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/openapi.json', res.body);
    const { stdout, stderr } = await promisify(execFile)(
      'node_modules/.bin/redocly',
      ['lint', 'test-results/openapi.json', '--format=json'],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    ).catch((err: { stdout: string; stderr: string }) => err);
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
    };
    const shown = report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
    expect(shown, stderr).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  /**
   * A client that validates against the document is refused before sending what the server would
   * refuse: each body below gets 400 from the server, and fails the document's request schema;
   * its valid twin passes both.
   */
  it('refuses in its request schemas what the server refuses', async () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const requestSchema = (method: string, path: string) => {
      const op = ops.find((o) => o.method === method && o.path === path);
      const schema = op?.op.requestBody?.content['application/json']?.schema;
      if (!schema) throw new Error(`${method} ${path} has no JSON request schema`);
      return ajv.compile(asJsonSchema(structuredClone(schema), { closed: false }));
    };
    const event = await createEvent(ctx);
    const scan = { scanner_id: 'door-1', event_id: event.id };
    const ticketId = '00000000-0000-4000-8000-000000000001';
    const cases: Array<{ method: 'POST' | 'PATCH'; path: string; url: string; bad: object; good: object }> = [
      {
        method: 'POST',
        path: '/api/v1/users',
        url: '/api/v1/users',
        bad: { email: 'new@example.com', password: 'x', role: 'staff' },
        good: { email: 'new@example.com', password: 'long-enough', role: 'staff' },
      },
      {
        method: 'POST',
        path: '/api/v1/events',
        url: '/api/v1/events',
        bad: eventBody({ starts_at: '0020-01-01T22:00:00Z', ends_at: '0020-01-02T04:00:00Z' }),
        good: eventBody(),
      },
      {
        method: 'POST',
        path: '/api/v1/scans',
        url: '/api/v1/scans',
        bad: { ...scan, qr: 'VLV1.x', ticket_id: ticketId },
        good: { ...scan, ticket_id: ticketId },
      },
      { method: 'POST', path: '/api/v1/scans', url: '/api/v1/scans', bad: scan, good: { ...scan, qr: 'VLV1.x' } },
    ];
    for (const c of cases) {
      const validate = requestSchema(c.method, c.path);
      const res = await ctx.app.inject({
        method: c.method,
        url: c.url,
        headers: bearer(ctx.ownerToken),
        payload: c.bad,
      });
      expect(res.statusCode, `${c.method} ${c.url} ${JSON.stringify(c.bad)}: ${res.body}`).toBe(400);
      expect(validate(c.bad), `the document accepts ${JSON.stringify(c.bad)}`).toBe(false);
      expect(
        validate(c.good),
        `the document refuses ${JSON.stringify(c.good)}: ${ajv.errorsText(validate.errors)}`,
      ).toBe(true);
    }
  });
});
