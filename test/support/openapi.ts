import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { App } from '../../src/http/app.js';

export interface Operation {
  method: string;
  /** The OpenAPI path, e.g. `/api/v1/events/{id}`. */
  path: string;
  op: {
    summary?: string;
    security?: Array<Record<string, string[]>>;
    parameters?: Array<{ in: string; name: string; required?: boolean; schema: JsonSchema }>;
    requestBody?: { content: Record<string, { schema: JsonSchema }> };
    responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
  };
}

export type JsonSchema = Record<string, unknown>;

export async function openApiDocument(app: App): Promise<{ paths: Record<string, Record<string, Operation['op']>> }> {
  const res = await app.inject({ url: '/api/v1/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`openapi.json answered ${res.statusCode}`);
  return res.json();
}

export function operations(doc: { paths: Record<string, Record<string, Operation['op']>> }): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

/** `/api/v1/events/{id}` matches `/api/v1/events/6f1b…` (one segment per parameter). */
export function matchOperation(ops: Operation[], method: string, url: string): Operation | undefined {
  const path = url.split('?')[0]!;
  return ops.find((o) => o.method === method && new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
}

/**
 * Validates real answers against the document: the status must be one the operation documents,
 * and a JSON body must match its schema with no undocumented field anywhere (objects are closed).
 */
export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<object, ReturnType<Ajv2020['compile']>>();
  readonly seen = new Set<string>();

  constructor(readonly ops: Operation[]) {
    addFormats.default(this.ajv);
  }

  check(method: string, url: string, status: number, contentType: string | undefined, body: string): string[] {
    const op = matchOperation(this.ops, method, url);
    if (!op) return [`${method} ${url}: no such operation in the document`];
    this.seen.add(`${op.method} ${op.path}`);
    const documented = op.op.responses[String(status)];
    if (!documented)
      return [
        `${method} ${op.path}: answered ${status}, which the document does not list (${Object.keys(op.op.responses).join(', ')})`,
      ];
    // Each status is documented under the one type it is sent as.
    const sentAs = (contentType ?? '').split(';')[0]!.trim();
    const types = Object.keys(documented.content ?? {});
    if (types.length && !types.includes(sentAs))
      return [`${method} ${op.path} ${status}: sent as ${sentAs || 'nothing'}, documented as ${types.join(', ')}`];
    const json = documented.content?.['application/json']?.schema;
    if (!json || sentAs !== 'application/json') return [];
    let validate = this.compiled.get(json);
    if (!validate) {
      validate = this.ajv.compile(asJsonSchema(structuredClone(json), { closed: true }));
      this.compiled.set(json, validate);
    }
    if (validate(JSON.parse(body))) return [];
    return [`${method} ${op.path} ${status}: ${this.ajv.errorsText(validate.errors)} in ${body.slice(0, 300)}`];
  }
}

/**
 * OpenAPI 3.0's `nullable: true` becomes JSON Schema's null type for the validator; with `closed`,
 * every object with listed properties allows no others (zod strips unknown input, so the server's
 * answers should match exactly).
 */
export function asJsonSchema(schema: JsonSchema, { closed }: { closed: boolean }): JsonSchema {
  if (closed && schema.type === 'object' && schema.properties && schema.additionalProperties === undefined)
    schema.additionalProperties = false;
  if (schema.nullable === true) {
    delete schema.nullable;
    if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  }
  for (const v of Object.values(schema)) {
    if (Array.isArray(v)) v.forEach((x) => x && typeof x === 'object' && asJsonSchema(x as JsonSchema, { closed }));
    else if (v && typeof v === 'object') asJsonSchema(v as JsonSchema, { closed });
  }
  return schema;
}
