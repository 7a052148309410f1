// Test helper: what a run left on disk (every file, its checksum) and what its database says, read-only.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** Every file and folder below `folder`, folders before their contents. */
export function pathsUnder(folder: string): string[] {
  return readdirSync(folder).sort().flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? [path, ...pathsUnder(path)] : [path];
  });
}

/** sha256 of every file below `folder`, by path relative to it. */
export function checksums(folder: string): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const path of pathsUnder(folder)) {
    if (!statSync(path).isDirectory()) sums[relative(folder, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return sums;
}

/** Rows of a query against a run's database, opened read-only so the test changes nothing. */
export async function readOnlyRows(databasePath: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(databasePath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
