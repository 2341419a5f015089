import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';

/**
 * A row of `table` as the hot paths' prepared statements return it (`RETURNING *`, `SELECT t.*`:
 * column names as in the database) in the shape the repositories' builder returns: property names
 * and values mapped by the schema's own columns, so both paths hand the services the same rows.
 */
export function fromRow<T extends Table>(table: T, raw: Record<string, unknown>): InferSelectModel<T> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as InferSelectModel<T>;
}
