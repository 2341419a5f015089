import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { protocol, type PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../src/db/database.js';
import { declaredStatements } from '../src/db/flights.js';
import { openMemoryPglite } from '../src/db/pglite.js';
import * as schema from '../src/db/schema.js';

/**
 * The two ways the code describes the database agree with the database the migrations build:
 * the Drizzle schema (the query builder's tables, columns, types and NOT NULLs), and the hot paths'
 * prepared statements (each one prepared against it, its result columns compared with the row
 * type its declaration names). A migration that renames a column, or a statement whose row type
 * promises a column it no longer returns, fails here instead of reading `undefined` on the night.
 */
let database: Database;
let client: PGlite;
beforeAll(async () => {
  database = await openMemoryPglite();
  client = (database.source as { client: PGlite }).client;
});
afterAll(() => database.close());

describe('the code’s picture of the database', () => {
  it('every Drizzle table and column exists as declared: same type, same NOT NULL, nothing missing', async () => {
    const columns = await queryRows<{ table_name: string; column_name: string; type: string; not_null: boolean }>(
      database.db,
      sql`
        SELECT c.relname AS table_name, a.attname AS column_name,
               format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped`,
    );
    const inDatabase = new Map(columns.map((c) => [`${c.table_name}.${c.column_name}`, c]));
    const problems: string[] = [];
    const tables: PgTable[] = Object.values(schema).filter((v) => v instanceof PgTable);
    expect(tables.length).toBeGreaterThan(20);
    for (const table of tables) {
      const config = getTableConfig(table);
      const declared = new Set<string>();
      for (const column of config.columns) {
        const key = `${config.name}.${column.name}`;
        declared.add(key);
        const actual = inDatabase.get(key);
        if (!actual) {
          problems.push(`${key} is in the schema but not in the database`);
          continue;
        }
        if (normalType(column.getSQLType()) !== normalType(actual.type))
          problems.push(`${key} is ${actual.type} in the database, ${column.getSQLType()} in the schema`);
        if (column.notNull !== actual.not_null)
          problems.push(`${key} is ${actual.not_null ? 'NOT NULL' : 'nullable'} in the database, not in the schema`);
      }
      for (const key of inDatabase.keys())
        if (key.startsWith(`${config.name}.`) && !declared.has(key))
          problems.push(`${key} is in the database but not in the schema`);
    }
    expect(problems).toEqual([]);
  });

  it('every prepared statement prepares, and returns exactly the columns its row type names', async () => {
    const dir = 'src/db/repos';
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(dir, f));
    for (const f of files) await import(/* @vite-ignore */ `../${f}`);
    const rowTypes = declaredRowTypes(files);
    const statements = [...declaredStatements().values()];
    expect(statements.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const s of statements) {
      const described = await describeStatement(client, s.name, s.text).catch((err: Error) => err);
      if (described instanceof Error) {
        problems.push(`${s.name} does not prepare: ${described.message}`);
        continue;
      }
      const declared = rowTypes.get(s.name);
      if (declared === undefined) {
        problems.push(`${s.name}: no statement<Row>(…) declaration found in ${dir}`);
        continue;
      }
      if (declared === 'any row') continue; // statement<unknown>: its rows are not read
      const missing = declared.names.filter((c) => !described.includes(c));
      // A row typed as a record (mapped onto the schema by fromRow) may carry more than it names.
      const extra = declared.open ? [] : described.filter((c) => !declared.names.includes(c));
      if (missing.length) problems.push(`${s.name} declares ${missing.join(', ')}, which it does not return`);
      if (extra.length) problems.push(`${s.name} returns ${extra.join(', ')}, which its row type does not name`);
    }
    expect(problems).toEqual([]);
  });
});

/** Type names as both sides spell them (Drizzle writes `timestamp (3) with time zone`, PostgreSQL `timestamp(3) …`). */
const normalType = (t: string) =>
  t
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s*\)/g, ')')
    .replace(/^char\(/, 'character(')
    .replace(/^bigserial$/, 'bigint')
    .replace(/^serial$/, 'integer')
    .toLowerCase();

/** The result columns a statement would return, from PostgreSQL's own description of it (Parse + Describe). */
async function describeStatement(client: PGlite, name: string, text: string): Promise<string[]> {
  const messages: Array<{ name?: string; fields?: Array<{ name: string }>; message?: string }> = [];
  const send = async (m: Uint8Array) => messages.push(...((await client.execProtocolStream(m, {})) as typeof messages));
  try {
    await send(protocol.serialize.parse({ name: `contract_${name}`, text }));
    await send(protocol.serialize.describe({ type: 'S', name: `contract_${name}` }));
  } finally {
    await send(protocol.serialize.sync());
  }
  const failed = messages.find((m) => m.name === 'error');
  if (failed) throw new Error(failed.message);
  return messages.find((m) => m.name === 'rowDescription')?.fields?.map((f) => f.name) ?? [];
}

/**
 * Each `statement<Row>('name', …)` call's row type, as the property names the TypeScript checker
 * resolves it to (intersections and mapped types included); `unknown` reads as "any row".
 */
function declaredRowTypes(files: string[]): Map<string, { names: string[]; open: boolean } | 'any row'> {
  const program = ts.createProgram(files, {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const found = new Map<string, { names: string[]; open: boolean } | 'any row'>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not in the program`);
    const visit = (node: ts.Node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'statement' &&
        node.typeArguments?.length === 1 &&
        node.arguments[0] &&
        ts.isStringLiteral(node.arguments[0])
      ) {
        const type = checker.getTypeFromTypeNode(node.typeArguments[0]!);
        const anyRow = (type.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) !== 0;
        found.set(
          node.arguments[0].text,
          anyRow
            ? 'any row'
            : {
                names: checker.getPropertiesOfType(type).map((p) => p.name),
                open: checker.getIndexInfosOfType(type).length > 0,
              },
        );
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
