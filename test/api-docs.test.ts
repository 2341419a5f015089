import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from './support/harness.js';
import { openApiDocument, operations } from './support/openapi.js';

/**
 * docs/api.md is the contract, and it must stay true: the operations it lists are exactly the
 * server's, and the error codes it lists are exactly the ones the code can produce.
 */
const root = join(import.meta.dirname, '..');
const doc = readFileSync(join(root, 'docs', 'api.md'), 'utf8');

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestApp();
});
afterAll(() => ctx.close());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('docs/api.md', () => {
  it('lists every operation the server has, and no other', async () => {
    const listed = new Set([...doc.matchAll(/\| `(GET|POST|PATCH|PUT|DELETE) (\/[^\s`?]+)/g)].map((m) => `${m[1]} ${m[2]!.replace(/:([a-z_]+)/g, '{$1}')}`));
    const served = new Set(operations(await openApiDocument(ctx.app)).map((o) => `${o.method} ${o.path}`));
    expect([...served].filter((op) => !listed.has(op)), 'served but not documented').toEqual([]);
    expect([...listed].filter((op) => !served.has(op)), 'documented but not served').toEqual([]);
  });

  it('lists exactly the error codes the code can produce', () => {
    const table = doc.slice(doc.indexOf('## Errors'), doc.indexOf('## Health'));
    const documented = new Set([...table.matchAll(/^\| \d{3} \| (.*) \|$/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z_]+)`/g)].map((c) => c[1]!)));
    const source = sourceFiles(join(root, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const produced = new Set<string>();
    for (const m of source.matchAll(/(?:DomainError\(|errorBody\(|refuse\()\s*'([a-z_]+)'/g)) produced.add(m[1]!);
    // The guest list's refusals are returned as data with their code (src/domain/guest-list.ts).
    const refusals = /export type GuestListRefusalCode =([^;]+);/.exec(source)![1]!;
    for (const m of refusals.matchAll(/'([a-z_]+)'/g)) produced.add(m[1]!);
    expect([...produced].filter((c) => !documented.has(c)).sort(), 'produced but not documented').toEqual([]);
    expect([...documented].filter((c) => !produced.has(c)).sort(), 'documented but never produced').toEqual([]);
  });
});
