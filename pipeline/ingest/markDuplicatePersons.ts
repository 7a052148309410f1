// The contract's duplicate rule for a demographics snapshot (data-contract.md §2): when a person_id appears more
// than once in one snapshot, EVERY copy is quarantined as duplicate_key, so that no copy (one saying opt_out = N)
// can override another (one saying Y). Activity tables keep markDuplicateKeys.ts: only the later copies go.
// Run on the staged demographics after sql/staging/demographics.sql, while staging_rejects still holds the rows the
// CSV parser could not read.
import type { Database } from '../../core/db/Database.ts';
import { quoteIdentifier } from '../../core/db/Database.ts';

/**
 * Marks as duplicate_key every valid row of `stagedTable` (reason NULL) whose person_id is on another row of the
 * file, valid or not: a copy quarantined for a bad code may still be the one holding the objection. A row the
 * parser rejected (wrong field count, bad encoding) counts as a copy when the field at `personIdField` (1-based
 * position in the file's header; null for parquet, which has no such rows) names the person. That field is read
 * by splitting the raw line on commas, so a stray comma or quote before it can hide the copy: best effort, and
 * it only ever quarantines more. Returns how many rows it marked.
 */
export async function markDuplicatePersons(db: Database, stagedTable: string, personIdField: number | null): Promise<number> {
  const staged = quoteIdentifier(stagedTable);
  const rejectedCopies =
    personIdField === null
      ? ''
      : `UNION ALL
         SELECT regexp_replace(trim(string_split(raw_row, ',')[$person_id_field::INTEGER]), '^"(.*)"$', '\\1') FROM staging_rejects`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE repeated_persons AS
     WITH copies AS (
       SELECT person_id FROM ${staged}
       ${rejectedCopies}
     )
     SELECT person_id FROM copies WHERE person_id IS NOT NULL AND person_id <> '' GROUP BY person_id HAVING count(*) > 1`,
    personIdField === null ? {} : { person_id_field: personIdField },
  );
  const marked = await db.value<bigint>(
    `SELECT count(*) FROM ${staged} WHERE reason IS NULL AND person_id IN (SELECT person_id FROM repeated_persons)`,
  );
  if (marked > 0n) {
    await db.run(
      `UPDATE ${staged} SET reason = 'duplicate_key', detail = $detail
       WHERE reason IS NULL AND person_id IN (SELECT person_id FROM repeated_persons)`,
      { detail: 'person_id appears more than once in this snapshot: every copy is quarantined' },
    );
  }
  await db.run('DROP TABLE IF EXISTS repeated_persons');
  return Number(marked);
}
