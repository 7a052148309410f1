// Security promise: Strata needs no network. DuckDB opened by Strata may not fetch an extension, so a
// remote path fails at once instead of downloading anything.
import { describe, expect, it } from 'vitest';
import { Database } from '../../core/db/Database.ts';

describe('Database.open', () => {
  it('never lets DuckDB download an extension', async () => {
    const db = await Database.open({ path: ':memory:' });
    try {
      expect(await db.value("SELECT current_setting('autoinstall_known_extensions')")).toBe(false);
      expect(await db.value("SELECT current_setting('autoload_known_extensions')")).toBe(false);
      await expect(db.run('SELECT * FROM read_csv($path)', { path: 'https://example.com/extract.csv' })).rejects.toThrow(/requires the extension httpfs/);
    } finally {
      db.close();
    }
  });
});
