// Test helper: a plain TypeScript reading of the published indices, independent of the feature SQL, for
// cross-checks. Charlson: Quan 2005 ICD-10 coding, Charlson 1987 weights, hierarchy, no age points.
// HFRS: Gilbert 2018, distinct 3-character codes. Code lists and weights come from sql/reference/*.csv.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitCsvRow } from '../../core/csv.ts';

const referenceFolder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'sql', 'reference');

export const charlsonCsvPath = join(referenceFolder, 'charlson_icd10_quan2005.csv');
export const hfrsCsvPath = join(referenceFolder, 'hfrs_icd10_gilbert2018.csv');

/** Charlson windows and HFRS windows, in years to the index date (domain-notes.md "Published indices"). */
export const charlsonLookbackYears = 5;
export const hfrsLookbackYears = 2;

/** The severe form removes the milder one: [severe, milder]. */
export const charlsonHierarchy: readonly (readonly [string, string])[] = [
  ['metacanc', 'canc'],
  ['diabwc', 'diab'],
  ['msld', 'mld'],
];

export interface CharlsonCode {
  category: string;
  categoryName: string;
  /** Normalised ICD-10 prefix: upper case, no dot. */
  prefix: string;
  weightCharlson1987: number;
  weightQuan2011: number;
}

export interface CharlsonResult {
  index: number;
  /** Categories after the hierarchy, sorted. */
  categories: string[];
}

export type FrailtyBand = 'low' | 'intermediate' | 'high';

export interface FrailtyResult {
  score: number;
  band: FrailtyBand;
  /** The distinct HFRS 3-character codes that scored. */
  codes: string[];
}

/** One inpatient spell as loaded: ISO admission date and normalised codes (primary first). */
export interface SpellDiagnoses {
  admissionDate: string;
  diagnoses: string[];
}

/** Parses RFC 4180 CSV text (quoted fields, doubled quotes), skipping '#' citation lines, into header-keyed records. */
export function parseReferenceCsv(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((line) => line !== '' && !line.startsWith('#'));
  const [header, ...body] = lines.map(splitCsvRow);
  if (header === undefined) throw new Error('reference CSV has no header');
  return body.map((fields, i) => {
    if (fields.length !== header.length) throw new Error(`reference CSV row ${i + 1} has ${fields.length} fields, expected ${header.length}`);
    return Object.fromEntries(header.map((name, j) => [name, fields[j] as string]));
  });
}

function requireNumber(text: string | undefined, what: string): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value)) throw new Error(`${what} is not a number: ${text}`);
  return value;
}

export function readCharlsonCodes(path = charlsonCsvPath): CharlsonCode[] {
  return parseReferenceCsv(readFileSync(path, 'utf8')).map((r) => ({
    category: r['category'] as string,
    categoryName: r['category_name'] as string,
    prefix: r['icd10_prefix'] as string,
    weightCharlson1987: requireNumber(r['weight_charlson1987'], `weight_charlson1987 of ${r['icd10_prefix']}`),
    weightQuan2011: requireNumber(r['weight_quan2011'], `weight_quan2011 of ${r['icd10_prefix']}`),
  }));
}

/** HFRS weights by 3-character code. */
export function readHfrsWeights(path = hfrsCsvPath): Map<string, number> {
  const weights = new Map<string, number>();
  for (const r of parseReferenceCsv(readFileSync(path, 'utf8'))) {
    const code = r['icd10_3char'] as string;
    if (weights.has(code)) throw new Error(`HFRS code ${code} is listed twice`);
    weights.set(code, requireNumber(r['weight'], `weight of ${code}`));
  }
  return weights;
}

/** Categories in the order the CSV lists them. */
export function charlsonCategoryList(codes: readonly CharlsonCode[]): string[] {
  return [...new Set(codes.map((c) => c.category))];
}

/** Charlson 1987 weight of each category (one weight per category, or an error). */
export function charlsonWeights(codes: readonly CharlsonCode[]): Map<string, number> {
  const weights = new Map<string, number>();
  for (const c of codes) {
    const seen = weights.get(c.category);
    if (seen !== undefined && seen !== c.weightCharlson1987) throw new Error(`category ${c.category} has two Charlson 1987 weights`);
    weights.set(c.category, c.weightCharlson1987);
  }
  return weights;
}

/** The categories whose prefixes a normalised code starts with (before the hierarchy). */
export function charlsonCategoriesOfCode(code: string, codes: readonly CharlsonCode[]): string[] {
  return [...new Set(codes.filter((c) => code.startsWith(c.prefix)).map((c) => c.category))];
}

/** ISO date `years` calendar years earlier; 29 February becomes 28 February, as DuckDB's `date - INTERVAL n YEAR` does. */
export function subtractYears(isoDate: string, years: number): string {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  const targetYear = year - years;
  const lastDay = new Date(Date.UTC(targetYear, month, 0)).getUTCDate();
  return new Date(Date.UTC(targetYear, month - 1, Math.min(day, lastDay))).toISOString().slice(0, 10);
}

function utcDay(isoDate: string): number {
  const [year, month, day] = isoDate.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) / 86_400_000;
}

/** Diagnoses on spells admitted after (asOf - years) and on or before asOf. */
function diagnosesInWindow(spells: readonly SpellDiagnoses[], asOf: string, years: number): Set<string> {
  const last = utcDay(asOf);
  const start = utcDay(subtractYears(asOf, years));
  const codes = new Set<string>();
  for (const spell of spells) {
    const admitted = utcDay(spell.admissionDate);
    if (admitted <= last && admitted > start) for (const code of spell.diagnoses) codes.add(code);
  }
  return codes;
}

export function charlsonFor(spells: readonly SpellDiagnoses[], asOf: string, codes: readonly CharlsonCode[]): CharlsonResult {
  const present = new Set<string>();
  for (const code of diagnosesInWindow(spells, asOf, charlsonLookbackYears)) {
    for (const category of charlsonCategoriesOfCode(code, codes)) present.add(category);
  }
  for (const [severe, milder] of charlsonHierarchy) if (present.has(severe)) present.delete(milder);
  const weights = charlsonWeights(codes);
  const categories = [...present].sort();
  const index = categories.reduce((sum, category) => sum + (weights.get(category) as number), 0);
  return { index, categories };
}

export function hospitalFrailtyFor(spells: readonly SpellDiagnoses[], asOf: string, weights: ReadonlyMap<string, number>): FrailtyResult {
  const codes = [...new Set([...diagnosesInWindow(spells, asOf, hfrsLookbackYears)].map((code) => code.slice(0, 3)))]
    .filter((code3) => weights.has(code3))
    .sort();
  // Weights have one decimal: add them as whole tenths so the sum, and the band edges, are exact.
  const tenths = codes.reduce((sum, code3) => sum + Math.round((weights.get(code3) as number) * 10), 0);
  return { score: tenths / 10, band: tenths < 50 ? 'low' : tenths <= 150 ? 'intermediate' : 'high', codes };
}
