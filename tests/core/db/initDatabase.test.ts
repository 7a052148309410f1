// A database written by an earlier version is brought up to today's tables by initDatabase, keeping its rows.
import { describe, expect, it } from 'vitest';
import { Database } from '../../../core/db/Database.ts';
import { initDatabase } from '../../../core/db/initDatabase.ts';

describe('initDatabase on an older database', () => {
  it('adds tier_history.practice_code, null in the rows written before, so the left lists leave those runs out', async () => {
    const db = await Database.open({ path: ':memory:' });
    try {
      await db.run('CREATE TABLE tier_history (as_of DATE NOT NULL, person_id VARCHAR NOT NULL, ea_tier INTEGER NOT NULL, ea_risk DOUBLE NOT NULL)');
      await db.run("INSERT INTO tier_history VALUES (DATE '2026-11-20', 'P1', 1, 0.9)");
      await initDatabase(db);
      await initDatabase(db); // and again: every statement is idempotent
      expect(await db.rows('SELECT person_id, ea_tier, practice_code FROM tier_history')).toEqual([{ person_id: 'P1', ea_tier: 1, practice_code: null }]);
    } finally {
      db.close();
    }
  });
});
