// Test helper: reads and edits the sample inbox's plain CSV files (no quoted fields in the rows tests edit), keeping
// each folder's manifest true (rows and sha256), so that a test can make the next night it needs from the sample's.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { rewriteManifest, sha256 } from './writeExtract.ts';

export function readCsvFile(path: string): string[] {
  const bytes = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  return text.split('\n').filter((line) => line !== '');
}

/** Rewrites one file of an extract folder and its manifest entry (rows and sha256). */
export function rewriteFile(folder: string, name: string, edit: (header: string[], rows: string[]) => string[]): void {
  const path = join(folder, name);
  const [headerLine, ...rows] = readCsvFile(path);
  const header = headerLine!.split(',');
  const edited = edit(header, rows);
  const body = Buffer.from(`${[headerLine, ...edited].join('\n')}\n`);
  const bytes = name.endsWith('.gz') ? gzipSync(body) : body;
  writeFileSync(path, bytes);
  rewriteManifest(folder, (manifest) => {
    const entry = manifest.files.find((file) => file.name === name)!;
    entry.rows = edited.length;
    entry.sha256 = sha256(bytes);
  });
}

/** A CSV row in the file's own column order (sample rows hold no quoted fields). */
export function rowFor(header: readonly string[], values: Record<string, string>): string {
  return header.map((column) => values[column] ?? '').join(',');
}

export function fieldOf(header: readonly string[], row: string, column: string): string {
  return row.split(',')[header.indexOf(column)] ?? '';
}

export function withField(header: readonly string[], row: string, column: string, value: string): string {
  const fields = row.split(',');
  fields[header.indexOf(column)] = value;
  return fields.join(',');
}
