// One extract folder of the inbox: a CSV writer per table and, when closed, the manifest.json whose row
// counts and checksums are taken from the bytes actually written (planted bad rows included).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsvFileWriter, type WrittenFile } from './CsvFileWriter.ts';
import { formatIsoDate } from './formatIsoDate.ts';
import { tableColumns, tableNames, type TableName } from './inboxTables.ts';

export interface Manifest {
  extract_date: string;
  files: WrittenFile[];
}

export class ExtractFolderWriter {
  readonly extractDate: string;
  readonly directory: string;
  private readonly writers: Record<TableName, CsvFileWriter>;

  constructor(parent: string, readonly extractDay: number, gzipActivity: boolean) {
    this.extractDate = formatIsoDate(extractDay);
    this.directory = join(parent, this.extractDate);
    mkdirSync(this.directory, { recursive: true });
    const open = (table: TableName): CsvFileWriter => {
      const gzip = gzipActivity && table !== 'demographics';
      const name = `${table}.csv${gzip ? '.gz' : ''}`;
      return new CsvFileWriter(join(this.directory, name), name, tableColumns[table], gzip);
    };
    this.writers = Object.fromEntries(tableNames.map((t) => [t, open(t)])) as Record<TableName, CsvFileWriter>;
  }

  table(name: TableName): CsvFileWriter {
    return this.writers[name];
  }

  async drain(): Promise<void> {
    for (const name of tableNames) await this.writers[name].drain();
  }

  /** Closes every file and writes manifest.json; returns it. */
  async close(): Promise<Manifest> {
    const files: WrittenFile[] = [];
    for (const name of tableNames) files.push(await this.writers[name].close());
    const manifest: Manifest = { extract_date: this.extractDate, files };
    writeFileSync(join(this.directory, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  }
}
