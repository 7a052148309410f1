// The run's own check that nothing was lost (data-contract.md §3): for every file of a folder, the rows read
// are the rows now in the database plus the rows now in its quarantine, counted from the tables written, not
// from the figures the loader carried. Runs inside the folder's transaction, so a mismatch publishes nothing.
import type { Database } from '../../core/db/Database.ts';
import { quoteIdentifier } from '../../core/db/Database.ts';
import { dateParam } from '../../core/db/dateParam.ts';
import { ExitCode, StrataError } from '../../core/errors.ts';
import type { ExtractTableName } from '../../core/extractTables.ts';

export interface FileCounts {
  extract: string;
  name: string;
  table: ExtractTableName | string;
  rows_read: number;
  rows_loaded: number;
  rows_quarantined: number;
}

/** Throws (exit 1) unless every file's rows read = rows loaded + rows quarantined, as the tables hold them. */
export async function checkRowAccounting(db: Database, files: readonly FileCounts[]): Promise<void> {
  for (const file of files) {
    const params = { extract_date: dateParam(file.extract), file_name: file.name };
    // A snapshot's loaded rows are the persons it gave a record; an activity file's, the rows it added (keys
    // are unique within a file, so none of them was replaced by another row of the same folder).
    const loadedSql = file.table === 'demographics'
      ? 'SELECT count(*) FROM persons WHERE last_extract = $extract_date'
      : `SELECT count(*) FROM ${quoteIdentifier(file.table)} WHERE extract_date = $extract_date`;
    const loaded = Number(await db.value<bigint>(loadedSql, { extract_date: params.extract_date }));
    const quarantined = Number(await db.value<bigint>(
      'SELECT count(*) FROM quarantine WHERE extract_date = $extract_date AND file_name = $file_name', params,
    ));
    if (loaded !== file.rows_loaded || quarantined !== file.rows_quarantined || file.rows_read !== loaded + quarantined) {
      throw new StrataError(
        `extract ${file.extract}: ${file.name}: ${file.rows_read} rows were read, but the database holds ${loaded} loaded and ` +
          `${quarantined} quarantined (the loader counted ${file.rows_loaded} and ${file.rows_quarantined}); nothing of the folder ` +
          'is published. This is a fault in Strata: keep the extract folder and report it',
        ExitCode.failed,
      );
    }
  }
}
