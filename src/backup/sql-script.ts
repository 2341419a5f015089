/**
 * A plain SQL dump (pg_dump's, or pglite-tools' pgDump: the same program) as statements a driver
 * can send: split at the `;` that ends each statement, never inside a string, a quoted name, a
 * dollar-quoted function body or a comment. psql's own commands (`\restrict …`, which newer
 * pg_dump writes around a dump) are for psql only and are left out.
 */
export function splitSqlScript(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  // Whether the statement so far holds anything but white space and comments.
  let content = false;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c !== '-' && c !== '/' && c !== '\\' && !/\s/.test(c)) content = true;
    if (c === '-' && text[i + 1] === '-') {
      i = lineEnd(text, i);
    } else if (c === '/' && text[i + 1] === '*') {
      i = blockCommentEnd(text, i);
    } else if (c === '\\' && !content) {
      i = lineEnd(text, i);
      start = i;
    } else if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(text[i - 1]!) && !isIdentChar(text[i - 2]);
      i = quotedEnd(text, i, "'", escapes);
    } else if (c === '"') {
      i = quotedEnd(text, i, '"', false);
    } else if (c === '$' && !isIdentChar(text[i - 1])) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        if (close < 0) throw new Error(`unterminated ${tag[0]} quote in the dump`);
        i = close + tag[0].length;
      } else i++;
    } else if (c === ';') {
      i++;
      const statement = withoutComments(text.slice(start, i)).trim();
      if (statement !== ';') statements.push(statement);
      start = i;
      content = false;
    } else {
      if (c === '-' || c === '/' || c === '\\') content = true;
      i++;
    }
  }
  if (withoutComments(text.slice(start)).trim()) throw new Error('the dump ends in the middle of a statement');
  return statements;
}

const isIdentChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c);

function lineEnd(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl + 1;
}

function blockCommentEnd(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  throw new Error('unterminated comment in the dump');
}

function quotedEnd(text: string, i: number, quote: string, backslashEscapes: boolean): number {
  i++;
  for (;;) {
    const next = text.indexOf(quote, i);
    if (next < 0) throw new Error(`unterminated ${quote} in the dump`);
    if (backslashEscapes && countBackslashesBefore(text, next) % 2 === 1) {
      i = next + 1;
    } else if (text[next + 1] === quote) {
      i = next + 2;
    } else return next + 1;
  }
}

function countBackslashesBefore(text: string, i: number): number {
  let k = 0;
  while (text[i - 1 - k] === '\\') k++;
  return k;
}

/** Leading comment lines (pg_dump's `-- Name: …` headers) go; the statement's own text stays. */
function withoutComments(statement: string): string {
  return statement.replace(/^(\s*--[^\n]*\n)+/, '');
}

/** Where a dump is replayed: a connection that runs SQL text (several statements at once). */
export interface ScriptTarget {
  exec(sql: string): Promise<void>;
  /** Whether this server knows a setting (a dump from a newer PostgreSQL sets ones it may not). */
  hasSetting(name: string): Promise<boolean>;
  /** A statement this target does without (e.g. creating a schema it has already). */
  skip?(statement: string): Promise<boolean>;
}

/**
 * Replays a dump's statements in one transaction: all of it, or (on any error) nothing. Statements
 * go in batches of about a megabyte, so a big dump costs few round trips. A `SET` of a setting
 * the target does not have (a dump from a newer PostgreSQL: `transaction_timeout` is 17+) is left
 * out, as psql would go on past it.
 */
export async function replaySqlScript(target: ScriptTarget, statements: string[]): Promise<void> {
  await target.exec('BEGIN');
  try {
    let batch: string[] = [];
    let size = 0;
    const flush = async () => {
      if (batch.length) await target.exec(batch.join('\n'));
      batch = [];
      size = 0;
    };
    for (const statement of statements) {
      const setting = /^SET\s+([a-z_.]+)\s*(=|TO)/i.exec(statement)?.[1];
      if (setting && !(await target.hasSetting(setting.toLowerCase()))) continue;
      if (await target.skip?.(statement)) continue;
      batch.push(statement);
      size += statement.length;
      if (size > BATCH_CHARS) await flush();
    }
    await flush();
    await target.exec('COMMIT');
  } catch (err) {
    await target.exec('ROLLBACK').catch(() => {});
    throw err;
  }
}

const BATCH_CHARS = 1_000_000;
