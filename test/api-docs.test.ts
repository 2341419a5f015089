import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../src/domain/error-codes.js';
import { startTestApp, type TestContext } from './support/harness.js';
import { openApiDocument, operations } from './support/openapi.js';

/**
 * docs/api.md is the contract, and it must stay true: the operations it lists are exactly the
 * server's, and its error table is the server's one list of codes (src/domain/error-codes.ts).
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
    const listed = new Set(
      [...doc.matchAll(/\| `(GET|POST|PATCH|PUT|DELETE) (\/[^\s`?]+)/g)].map(
        (m) => `${m[1]} ${m[2]!.replace(/:([a-z_]+)/g, '{$1}')}`,
      ),
    );
    const served = new Set(operations(await openApiDocument(ctx.app)).map((o) => `${o.method} ${o.path}`));
    expect(
      [...served].filter((op) => !listed.has(op)),
      'served but not documented',
    ).toEqual([]);
    expect(
      [...listed].filter((op) => !served.has(op)),
      'documented but not served',
    ).toEqual([]);
  });

  it("lists every error code with its status exactly as the server's one list has them", () => {
    const table = doc.slice(doc.indexOf('## Errors'), doc.indexOf('## Health'));
    const documented: Record<string, number> = {};
    for (const row of table.matchAll(/^\| (\d{3}) \| (.*) \|$/gm)) {
      for (const c of row[2]!.matchAll(/`([a-z_]+)`/g)) {
        expect(documented[c[1]!], `${c[1]} listed twice`).toBeUndefined();
        documented[c[1]!] = Number(row[1]);
      }
    }
    expect(documented).toEqual({ ...ERROR_STATUS });
  });

  it('has no code in the list that nothing produces', () => {
    const source = sourceFiles(join(root, 'src'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const produced = new Set<string>();
    for (const m of source.matchAll(/(?:DomainError\(|errorBody\(|refuse\(|code: )\s*'([a-z_]+)'/g))
      produced.add(m[1]!);
    // The guest list's refusals are returned as data with their code (src/domain/guest-list.ts).
    const refusals = /export type GuestListRefusalCode =([^;]+);/.exec(source)![1]!;
    for (const m of refusals.matchAll(/'([a-z_]+)'/g)) produced.add(m[1]!);
    expect(
      Object.keys(ERROR_STATUS)
        .filter((c) => !produced.has(c))
        .sort(),
      'listed but never produced',
    ).toEqual([]);
  });
});
