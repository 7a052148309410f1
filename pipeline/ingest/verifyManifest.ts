// Checks an extract folder against its manifest.json before anything of it is published: its structure
// first (checkManifest), then each file's SHA-256 (verifyChecksum), which the loader runs in the background
// while DuckDB stages the files before it. Row counts are checked while loading, because counting rows
// means parsing the file.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ExtractRejectedError } from '../errors.ts';
import { type ExtractTable, type FileFormat, parseExtractFileName } from './extractTables.ts';
import { EmptyLineDetector } from './findBlankLines.ts';

const manifestSchema = z.object({
  extract_date: z.string(),
  files: z.array(
    z.object({
      name: z.string().min(1),
      rows: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'sha256 must be 64 hex characters'),
    }),
  ),
});

export interface ManifestFile {
  name: string;
  path: string;
  table: ExtractTable;
  format: FileFormat;
  rows: number;
  sha256: string;
  /** For a plain CSV, whether it holds an empty line (found while hashing); unknown for other formats. */
  hasEmptyLine?: boolean;
}

export interface VerifiedExtract {
  extractDate: string;
  folder: string;
  manifestSha256: string;
  /** In manifest order. Before verifyChecksum, sha256 is the manifest's (lower case) and hasEmptyLine unknown. */
  files: ManifestFile[];
}

/** The file's SHA-256 checked against the manifest, and for a plain CSV whether it holds an empty line. */
export async function verifyChecksum(extractDate: string, file: ManifestFile): Promise<ManifestFile> {
  const emptyLines = file.format === '.csv' ? new EmptyLineDetector() : undefined;
  const actual = await sha256File(file.path, emptyLines);
  if (actual !== file.sha256) {
    // The manifest's own value is not quoted (error messages never quote an input file); the file's is ours.
    throw new ExtractRejectedError(extractDate, file.name, `sha256 mismatch: the file's sha256 is ${actual}, not the one manifest.json gives`);
  }
  return { ...file, sha256: actual, ...(emptyLines ? { hasEmptyLine: emptyLines.found } : {}) };
}

/** Everything about the folder but the checksums: the manifest, and the files it lists and holds. */
export function checkManifest(folder: string, extractDate: string): VerifiedExtract {
  const reject = (file: string | null, reason: string) => new ExtractRejectedError(extractDate, file, reason);
  const manifestPath = join(folder, 'manifest.json');
  let manifestText: Buffer;
  try {
    manifestText = readFileSync(manifestPath);
  } catch {
    throw reject('manifest.json', 'the folder has no manifest.json');
  }
  let parsed: z.infer<typeof manifestSchema>;
  try {
    parsed = manifestSchema.parse(JSON.parse(manifestText.toString('utf8')));
  } catch (error) {
    const why = error instanceof z.ZodError ? describeZodError(error) : 'it is not valid JSON';
    throw reject('manifest.json', `manifest is malformed: ${why}`);
  }
  if (parsed.extract_date !== extractDate) {
    throw reject('manifest.json', `manifest extract_date is not the folder's date (${extractDate})`);
  }

  const present = readdirSync(folder).filter((name) => name !== 'manifest.json' && statSync(join(folder, name)).isFile());
  const listed = new Set(parsed.files.map((f) => f.name));
  for (const name of present) {
    if (!listed.has(name)) throw reject(name, 'file is present but not listed in manifest.json');
  }

  const files: ManifestFile[] = [];
  const tablesSeen = new Set<string>();
  for (const entry of parsed.files) {
    const kind = parseExtractFileName(entry.name);
    if (!kind) throw reject(entry.name, 'manifest lists a file that is not a contract extract (NAME.csv, NAME.csv.gz or NAME.parquet)');
    if (tablesSeen.has(kind.table.name)) throw reject(entry.name, `manifest lists ${kind.table.name} twice`);
    tablesSeen.add(kind.table.name);
    if (!present.includes(entry.name)) throw reject(entry.name, 'file is listed in manifest.json but missing');
    files.push({ name: entry.name, path: join(folder, entry.name), table: kind.table, format: kind.format, rows: entry.rows, sha256: entry.sha256.toLowerCase() });
  }
  if (!tablesSeen.has('demographics')) throw reject('demographics', 'every extract must hold a demographics snapshot');

  return { extractDate, folder, manifestSha256: createHash('sha256').update(manifestText).digest('hex'), files };
}

/** The file's SHA-256; `alsoScan` sees the same bytes, so a second question costs no second read. */
export function sha256File(path: string, alsoScan?: { update(chunk: Buffer): void }): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => {
        hash.update(chunk);
        alsoScan?.update(chunk as Buffer);
      })
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unknown problem';
  return `${issue.path.join('.') || 'document'}: ${issue.message}`;
}
