// Test helpers: read a generated inbox back (gunzipping .csv.gz) as raw lines and as fields.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface InboxFile {
  extract: string;
  name: string;
  table: string;
  /** Bytes as written. */
  raw: Buffer;
  /** Physical lines of the decompressed content (no trailing empty line), header first. */
  lines: Buffer[];
}

export function extractFolders(inbox: string): string[] {
  return readdirSync(inbox).filter((n) => /^\d{4}-\d{2}-\d{2}$/.test(n)).sort();
}

export function splitLines(content: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < content.length; i++) {
    if (content[i] === 0x0a) {
      lines.push(content.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < content.length) lines.push(content.subarray(start));
  return lines;
}

export function readInboxFiles(inbox: string): InboxFile[] {
  const files: InboxFile[] = [];
  for (const extract of extractFolders(inbox)) {
    for (const name of readdirSync(join(inbox, extract)).sort()) {
      if (name === 'manifest.json') continue;
      const raw = readFileSync(join(inbox, extract, name));
      const content = name.endsWith('.gz') ? gunzipSync(raw) : raw;
      files.push({ extract, name, table: name.replace(/\.csv(\.gz)?$/, ''), raw, lines: splitLines(content) });
    }
  }
  return files;
}

/** Data rows of a table over all folders, as string fields (assumes valid UTF-8 and no quoting). */
export function tableRows(files: InboxFile[], table: string): { extract: string; fields: string[] }[] {
  const rows: { extract: string; fields: string[] }[] = [];
  for (const file of files) {
    if (file.table !== table) continue;
    for (const line of file.lines.slice(1)) rows.push({ extract: file.extract, fields: line.toString('utf8').split(',') });
  }
  return rows;
}
