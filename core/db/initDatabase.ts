// Prepares a database for a run: macros, persistent tables, and the reference code lists from sql/reference/.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../files/projectRoot.ts';
import { type Database, quoteIdentifier, sqlFile } from './Database.ts';

const referenceFolder = join(projectRoot, 'sql', 'reference');

export async function initDatabase(db: Database): Promise<void> {
  await db.run(sqlFile('schema/macros.sql'));
  await db.run(sqlFile('schema/tables.sql'));
  await loadReferenceData(db);
}

/** Each sql/reference/NAME.csv becomes table ref_NAME (comment lines starting '#' hold the citation). */
export async function loadReferenceData(db: Database): Promise<void> {
  for (const file of readdirSync(referenceFolder).filter((f) => f.endsWith('.csv')).sort()) {
    const table = quoteIdentifier(`ref_${file.slice(0, -'.csv'.length)}`);
    await db.run(
      `CREATE OR REPLACE TABLE ${table} AS
       SELECT * FROM read_csv($path, header = true, comment = '#', all_varchar = true, auto_detect = true)`,
      { path: join(referenceFolder, file) },
    );
  }
}
