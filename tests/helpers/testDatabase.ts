// Test helper: a fresh in-memory database with Strata's schema, and a temporary inbox.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../core/db/Database.ts';
import { initDatabase } from '../../core/db/initDatabase.ts';

export async function openTestDatabase(): Promise<Database> {
  const db = await Database.open({ path: ':memory:' });
  await initDatabase(db);
  return db;
}

export function temporaryFolder(prefix = 'strata-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
