// Same seed and options give a byte-identical inbox; another seed gives another; manifests match the bytes.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateInbox, parseGenerateSettings } from '../../synthetic/index.ts';
import { extractFolders, readInboxFiles } from './readInbox.ts';

const root = mkdtempSync(join(tmpdir(), 'strata-generate-det-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function generate(name: string, seed: number, gzip: boolean): Promise<string> {
  const out = join(root, name);
  await generateInbox(
    parseGenerateSettings({ out, persons: 1500, seed, asOf: '2026-11-22', extracts: 3, truth: `${out}-truth.csv`, badRows: true, gzip }),
  );
  return out;
}

function allBytes(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const extract of extractFolders(dir)) {
    for (const name of readdirSync(join(dir, extract))) files.set(`${extract}/${name}`, readFileSync(join(dir, extract, name)));
  }
  files.set('truth.csv', readFileSync(`${dir}-truth.csv`));
  return files;
}

describe('strata generate determinism', () => {
  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    const a = allBytes(await generate('a', 42, true));
    const b = allBytes(await generate('b', 42, true));
    const c = allBytes(await generate('c', 43, true));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    for (const [name, bytes] of a) expect(bytes.equals(b.get(name) as Buffer), name).toBe(true);
    const differing = [...a].filter(([name, bytes]) => !bytes.equals(c.get(name) ?? Buffer.alloc(0)));
    expect(differing.length).toBeGreaterThan(a.size / 2);
  });

  it('lists every file in the manifest with its data-row count and the sha256 of the bytes written', async () => {
    for (const gzip of [false, true]) {
      const dir = await generate(gzip ? 'manifest-gz' : 'manifest-csv', 7, gzip);
      const folders = extractFolders(dir);
      expect(folders).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
      const files = readInboxFiles(dir);
      for (const extract of folders) {
        const manifest = JSON.parse(readFileSync(join(dir, extract, 'manifest.json'), 'utf8')) as {
          extract_date: string;
          files: { name: string; rows: number; sha256: string }[];
        };
        expect(manifest.extract_date).toBe(extract);
        const present = files.filter((f) => f.extract === extract);
        expect(manifest.files.map((f) => f.name).sort()).toEqual(present.map((f) => f.name).sort());
        for (const entry of manifest.files) {
          const file = present.find((f) => f.name === entry.name)!;
          expect(entry.name.endsWith('.gz')).toBe(gzip && entry.name !== 'demographics.csv');
          expect(entry.sha256).toBe(createHash('sha256').update(file.raw).digest('hex'));
          expect(entry.rows, `${extract}/${entry.name}`).toBe(file.lines.length - 1);
        }
      }
    }
  });
});
