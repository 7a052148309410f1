// The team's decisions come back (data-contract.md v2, mdt_reviews): a list shows each person's last review, its
// outcome, whether a review is due, and marks, never hides, a person who declined or for whom proactive care was not
// appropriate in the last 6 months. End to end from the CLI: the sample inbox, its own mdt_reviews taken out, with an
// mdt_reviews file on its last night for seven people on its lists, each at an edge of a rule.
import { cpSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { mdtReviewsHeader, rewriteManifest, sha256 } from '../helpers/writeExtract.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const asOf = readdirSync(sampleInbox).sort().at(-1)!; // 2026-11-22
const readArrow = (path: string) => pl.readIPC(readFileSync(path)).toRecords() as Record<string, unknown>[];
const isoDate = (value: unknown) => (value === null ? null : (value as Date).toISOString().slice(0, 10));

/** Who gets which reviews (review_id, reviewed_on, outcome, review_by), and what their list row must then say. */
const cases = [
  { name: 'review_by today', reviews: [['2026-10-01', 'CP', '2026-11-22']], due: true, marked: false, last: ['2026-10-01', 'CP'] },
  { name: 'review_by tomorrow', reviews: [['2026-10-01', 'CP', '2026-11-23']], due: false, marked: false, last: ['2026-10-01', 'CP'] },
  { name: 'not appropriate 182 days ago', reviews: [['2026-05-24', 'NA', '']], due: false, marked: true, last: ['2026-05-24', 'NA'] },
  { name: 'declined 183 days ago', reviews: [['2026-05-23', 'DC', '']], due: false, marked: false, last: ['2026-05-23', 'DC'] },
  { name: 'declined, then a care plan', reviews: [['2026-11-01', 'DC', ''], ['2026-11-10', 'CP', '2027-02-10']], due: false, marked: false, last: ['2026-11-10', 'CP'] },
  { name: 'declined yesterday', reviews: [['2026-11-21', 'DC', '']], due: false, marked: true, last: ['2026-11-21', 'DC'] },
  { name: 'never reviewed', reviews: [], due: true, marked: false, last: [null, null] },
] as const;

const out = temporaryFolder('strata-mdt-out-');
const people = new Map<string, string>(); // case name -> person_id
let rowsByPerson: Map<string, Record<string, unknown>>;
let listedIds: Set<string>;

beforeAll(() => {
  // The sample's listed adults, from its own run; the reviews change no score, so the same people are listed again.
  const first = temporaryFolder('strata-mdt-first-');
  expect(runCli(['run', '--inbox', sampleInbox, '--out', first]).status).toBe(0);
  const listFolder = join(first, asOf, 'case-finding');
  const listed = readdirSync(listFolder).filter((f) => /^[A-Z]\d{5}\.arrow$/.test(f)).flatMap((f) => readArrow(join(listFolder, f)).map((r) => r['person_id'] as string));
  cases.forEach((c, i) => people.set(c.name, listed[i]!));

  const inbox = temporaryFolder('strata-mdt-inbox-');
  cpSync(sampleInbox, inbox, { recursive: true });
  // Only this test's reviews: the sample's own (generated) reviews are taken out of every night.
  for (const night of readdirSync(inbox)) {
    rmSync(join(inbox, night, 'mdt_reviews.csv.gz'), { force: true });
    rewriteManifest(join(inbox, night), (manifest) => { manifest.files = manifest.files.filter((f) => !f.name.startsWith('mdt_reviews')); });
  }
  let id = 0;
  const lines = [mdtReviewsHeader, ...cases.flatMap((c) => c.reviews.map(([on, outcome, by]) => `MDT${++id},${people.get(c.name)},${on},${outcome},${by}`))];
  const bytes = Buffer.from(`${lines.join('\n')}\n`);
  writeFileSync(join(inbox, asOf, 'mdt_reviews.csv'), bytes);
  rewriteManifest(join(inbox, asOf), (manifest) => manifest.files.push({ name: 'mdt_reviews.csv', rows: lines.length - 1, sha256: sha256(bytes) }));

  const run = runCli(['run', '--inbox', inbox, '--out', out]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const folder = join(out, asOf, 'case-finding');
  const rows = readdirSync(folder).filter((f) => f.endsWith('.arrow')).flatMap((f) => readArrow(join(folder, f)));
  rowsByPerson = new Map(rows.map((r) => [r['person_id'] as string, r]));
  listedIds = new Set(rows.map((r) => r['person_id'] as string));
  expect(listedIds).toEqual(new Set([...listed, ...readdirSync(listFolder).filter((f) => f.endsWith('.children.arrow')).flatMap((f) => readArrow(join(listFolder, f)).map((r) => r['person_id'] as string))]));
}, 240_000);

describe('mdt_reviews on the lists', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const row = rowsByPerson.get(people.get(c.name)!)!;
    expect(row, `${c.name}: still listed`).toBeDefined();
    expect({
      last_mdt_review_on: isoDate(row['last_mdt_review_on']), last_mdt_outcome: row['last_mdt_outcome'],
      review_due: row['review_due'], declined_or_not_appropriate_6m: row['declined_or_not_appropriate_6m'],
    }).toEqual({ last_mdt_review_on: c.last[0], last_mdt_outcome: c.last[1], review_due: c.due, declined_or_not_appropriate_6m: c.marked });
  });

  it('hides nobody: everyone reviewed is still on a list, and everyone else on the lists is due a review', () => {
    for (const c of cases) expect(listedIds.has(people.get(c.name)!), c.name).toBe(true);
    const reviewed = new Set([...people.entries()].filter(([name]) => name !== 'never reviewed').map(([, id]) => id));
    for (const [id, row] of rowsByPerson) {
      if (reviewed.has(id)) continue;
      expect(row['review_due'], id).toBe(true);
      expect(row['last_mdt_outcome'], id).toBeNull();
    }
  });
});
