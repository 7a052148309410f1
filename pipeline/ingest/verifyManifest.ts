// Checks an extract folder's structure against its manifest.json before anything of it is read. Each file's
// SHA-256 is checked as the file is copied for loading (copyExtractFile), over the very bytes loaded; row
// counts are checked while loading, because counting rows means parsing the file.
import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, fstatSync, lstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ExtractRejectedError } from '../../core/errors.ts';
import { type ExtractTable, type FileFormat, parseExtractFileName } from '../../core/extractTables.ts';

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
}

export interface VerifiedExtract {
  extractDate: string;
  folder: string;
  manifestSha256: string;
  /** In manifest order; sha256 is the manifest's (lower case) until the file is copied and checked. */
  files: ManifestFile[];
}

/** Everything about the folder but the checksums: the manifest, and the files it lists and holds. */
export function checkManifest(folder: string, extractDate: string): VerifiedExtract {
  const reject = (file: string | null, reason: string) => new ExtractRejectedError(extractDate, file, reason);
  // The folder and everything in it are taken as they are: a symlink, a device or a FIFO is never followed.
  const folderStat = lstatSync(folder);
  if (!folderStat.isDirectory()) throw reject(null, 'the extract folder is a symbolic link or not a folder; it must be a folder inside the inbox');
  const entries = readdirSync(folder, { withFileTypes: true });
  const strange = entries.find((e) => !e.isFile() && !e.isDirectory());
  if (strange) {
    const what = strange.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
    throw reject(isContractName(strange.name) ? strange.name : null, `${isContractName(strange.name) ? 'it' : 'an entry of the folder'} is ${what}; every file must be a regular file inside its folder`);
  }
  const manifestText = readManifest(join(folder, 'manifest.json'), reject);
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

  const present = entries.filter((e) => e.isFile() && e.name !== 'manifest.json').map((e) => e.name);
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

/** The file's SHA-256. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unknown problem';
  return `${issue.path.join('.') || 'document'}: ${issue.message}`;
}

/** The biggest manifest read; a real one lists at most seven files. */
const maxManifestBytes = 1 << 20;

/** manifest.json, read as a regular file of at most 1 MiB, never through a symlink. */
function readManifest(path: string, reject: (file: string | null, reason: string) => ExtractRejectedError): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw reject('manifest.json', 'the folder has no manifest.json');
    throw reject('manifest.json', `cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw reject('manifest.json', 'is not a regular file');
    if (stat.size > maxManifestBytes) throw reject('manifest.json', 'is larger than 1 MiB; a manifest lists a handful of files');
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function isContractName(name: string): boolean {
  return name === 'manifest.json' || parseExtractFileName(name) !== null;
}
