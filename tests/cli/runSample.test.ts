// End to end from the CLI on the bundled sample inbox: exit codes 0, 2 and 3, every planted bad row
// quarantined under its reason, row accounting in run.json, an idempotent re-run, and Arrow files that
// an independent reader (polars) reads with the contract's columns.
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ValidationSummary } from '../../models/validationSummary.ts';
import { parseModelCard } from '../../models/modelCard.ts';
import { renderModelCards } from '../../models/renderModelCard.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const planted: { extract: string; file: string; line: number; reason: string }[] = JSON.parse(
  readFileSync(join(repoRoot, 'data-samples', 'planted-bad-rows.json'), 'utf8'),
);
const newestExtract = readdirSync(sampleInbox).sort().at(-1)!;

interface RunJson {
  run_id: string;
  as_of: string;
  status: string;
  files: { extract: string; name: string; rows_read: number; rows_loaded: number; rows_quarantined: number }[];
  outputs: { path: string; rows: number; sha256: string }[];
  models: Record<string, string>;
  validation: Record<string, ValidationSummary>;
}

function parseCsv(text: string): Record<string, string>[] {
  // quarantine.csv: the raw row (last column) may itself hold quoted commas.
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += c;
  }
  const [header, ...data] = rows;
  return data.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

describe('strata run on data-samples/', () => {
  const out = temporaryFolder('strata-e2e-');
  let first: ReturnType<typeof runCli>;
  let folder: string;
  let runJson: RunJson;

  beforeAll(() => {
    first = runCli(['run', '--inbox', sampleInbox, '--out', out]);
    folder = join(out, newestExtract);
    runJson = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8'));
  });

  it('exits 0 and, under a scheduler (stdout not a terminal), logs JSON lines ending with run_finished', () => {
    expect(first.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(first.status).toBe(0);
    const events = first.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.every((e) => e['run_id'] === runJson.run_id && typeof e['time'] === 'string')).toBe(true);
    const finished = events.filter((e) => e['event'] === 'stage_finished');
    // The scoring features are built beside the training, so those two may finish in either order.
    expect(finished.map((e) => e['stage']).sort()).toEqual(['drift', 'features_scoring', 'load', 'outputs', 'proactive_care', 'report', 'score', 'train']);
    expect(finished.map((e) => e['stage']).slice(-5)).toEqual(['score', 'drift', 'proactive_care', 'outputs', 'report']);
    for (const e of finished) expect(e['duration_ms']).toEqual(expect.any(Number));
    expect(finished.find((e) => e['stage'] === 'load')!['rows']).toBe(runJson.files.reduce((sum, f) => sum + f.rows_read, 0));
    expect(events.filter((e) => e['event'] === 'file_loaded')).toHaveLength(runJson.files.length);
    expect(events.at(-1)).toMatchObject({ event: 'run_finished', status: 'succeeded', rows: expect.any(Number) });
    expect(runJson.status).toBe('succeeded');
    expect(runJson.as_of).toBe(newestExtract);
  });

  it("records each model's validation beside the run: the card's own figures, with the error rates at the list cut-off", () => {
    for (const target of ['ea', 'ltc']) {
      const card = JSON.parse(readFileSync(join(folder, 'models', `${target}_model_card.json`), 'utf8'));
      const summary = runJson.validation[target]!;
      const metrics = card.validation.metrics;
      expect(summary).toMatchObject({
        model_version: runJson.models[target], validated: true, n: metrics.n, events: metrics.events, auroc: metrics.auroc,
        auroc_interval: metrics.auroc_interval, calibration_slope: metrics.calibration.slope, list_share: 0.05,
        fairness_flags: metrics.fairness.flagged,
      });
      expect(summary.auroc_interval!.lower).toBeLessThan(summary.auroc!);
      expect(summary.auroc_interval!.upper).toBeGreaterThan(summary.auroc!);
      // The cut-off's error rates from its own counts.
      const cut = metrics.at_cutoff;
      expect(cut.listed).toBe(Math.ceil(metrics.n * 0.05));
      expect(cut.true_positives + cut.false_negatives).toBe(metrics.events);
      expect(summary.at_cutoff!.false_negative_rate).toBe(cut.false_negatives / metrics.events);
      expect(summary.at_cutoff!.false_positive_rate).toBe(cut.false_positives / (metrics.n - metrics.events));
      expect(summary.at_cutoff!.false_omission_rate).toBe(cut.false_negatives / (metrics.n - cut.listed));
    }
  });

  it('docs/model-card.md is the rendering of this run\'s cards (npm run docs:model-card)', () => {
    const cards = ['ea', 'ltc'].map((target) => {
      const path = join(folder, 'models', `${target}_model_card.json`);
      return parseModelCard(JSON.parse(readFileSync(path, 'utf8')), path);
    });
    // The version's fingerprint hashes coefficients to the last bit, which may differ between Node versions.
    const fingerprintless = (text: string) => text.replace(/\b(ea|ltc)-(\d{4}-\d{2}-\d{2})-[0-9a-f]{8}\b/g, '$1-$2-…');
    const runJson = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8'));
    const proactiveCare = { effect: runJson.proactive_care, suppressionThreshold: runJson.config.suppressionThreshold };
    expect(fingerprintless(renderModelCards(cards, proactiveCare))).toBe(fingerprintless(readFileSync(join(repoRoot, 'docs', 'model-card.md'), 'utf8')));
    // Every TRIPOD+AI item the issue names has its heading.
    for (const heading of ['Data, population, outcome and predictors', 'Sample size and events', 'Validation design', 'Performance on the validation year',
      'Against a baseline: PARR-lite', 'Fairness at the list cut-off', "Today's scores on the latest complete year", 'Intended use', 'Retraining and drift']) {
      expect(renderModelCards(cards)).toContain(`### ${heading}`);
    }
  });

  it('accounts for every row: read = loaded + quarantined, for every file', () => {
    expect(runJson.files.length).toBeGreaterThanOrEqual(readdirSync(sampleInbox).length * 2);
    for (const f of runJson.files) expect(f.rows_read).toBe(f.rows_loaded + f.rows_quarantined);
  });

  it('quarantines every planted bad row under its reason, and nothing else', () => {
    const quarantined = parseCsv(readFileSync(join(folder, 'quarantine.csv'), 'utf8'));
    const key = (r: { extract: string; file: string; line: number | string; reason: string }) => `${r.extract}|${r.file}|${r.line}|${r.reason}`;
    expect(quarantined.map((r) => key({ extract: r['extract_date']!, file: r['file']!, line: r['line']!, reason: r['reason']! })).sort())
      .toEqual(planted.map(key).sort());
    const total = runJson.files.reduce((sum, f) => sum + f.rows_quarantined, 0);
    expect(total).toBe(planted.length);
  });

  it('masks direct identifiers in quarantine.csv', () => {
    const text = readFileSync(join(folder, 'quarantine.csv'), 'utf8');
    expect(text).toContain('[direct identifier removed]');
    for (const token of text.match(/\b\d{10}\b/g) ?? []) expect(isNhsNumber(token)).toBe(false);
  });

  it('writes Arrow files that polars reads, with the contract columns and types', () => {
    const scores = pl.readIPC(readFileSync(join(folder, 'population_scores.arrow')));
    for (const column of ['person_id', 'practice_code', 'pcn_code', 'age', 'sex', 'imd_decile', 'ltc_count', 'charlson_index',
      'frailty_score', 'ea_risk', 'ea_tier', 'ltc_risk', 'top_factors', 'previous_ea_tier']) {
      expect(scores.columns).toContain(column);
    }
    expect(String(scores.getColumn('top_factors').dtype)).toMatch(/List\(.*(String|Utf8)/i);
    expect(String(scores.getColumn('ea_risk').dtype)).toMatch(/Float64/);
    expect(scores.height).toBe(runJson.outputs.find((o) => o.path === 'population_scores.arrow')!.rows);
    const tiers = scores.getColumn('ea_tier').toArray() as number[];
    expect(new Set(tiers)).toEqual(new Set([1, 2, 3, 4]));

    const lists = readdirSync(join(folder, 'case-finding')).filter((f) => f.endsWith('.arrow'));
    expect(lists.length).toBeGreaterThanOrEqual(2);
    let listed = 0;
    for (const file of lists) {
      const list = pl.readIPC(readFileSync(join(folder, 'case-finding', file)));
      expect(list.columns).toEqual(expect.arrayContaining(['rank_in_practice', 'new_to_list', 'top_factors']));
      const ranks = list.getColumn('rank_in_practice').toArray() as number[];
      expect(ranks).toEqual(ranks.map((_, i) => i + 1));
      expect((list.getColumn('ea_tier').toArray() as number[]).every((t) => t <= 2)).toBe(true);
      expect(new Set(list.getColumn('practice_code').toArray())).toEqual(new Set(list.height ? [file.replace(/(\.children)?\.arrow$/, '')] : []));
      listed += list.height;
    }
    expect(listed).toBe(tiers.filter((t) => t <= 2).length);
  });

  it('never scores opted-out, dead or departed people', () => {
    const scores = pl.readIPC(readFileSync(join(folder, 'population_scores.arrow')));
    const ids = new Set(scores.getColumn('person_id').toArray() as string[]);
    const lines = readFileSync(join(sampleInbox, newestExtract, 'demographics.csv'), 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    let excluded = 0;
    for (const line of lines.slice(1)) {
      const fields = line.split(',');
      if (fields.length !== header.length) continue;
      const row = Object.fromEntries(header.map((h, i) => [h, fields[i]!]));
      if (row['opt_out'] === 'Y' || (row['date_of_death'] && row['date_of_death'] <= newestExtract)) {
        expect(ids.has(row['person_id']!)).toBe(false);
        excluded++;
      }
    }
    expect(excluded).toBeGreaterThan(0);
  });

  it('a second run with nothing new rewrites the same outputs, byte for byte', () => {
    const before = Object.fromEntries(runJson.outputs.map((o) => [o.path, o.sha256]));
    const second = runCli(['run', '--inbox', sampleInbox, '--out', out]);
    expect(second.status).toBe(0);
    const again: RunJson = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8'));
    expect(again.files).toEqual([]);
    expect(again.run_id).not.toBe(runJson.run_id);
    expect(Object.fromEntries(again.outputs.map((o) => [o.path, o.sha256]))).toEqual(before);
  });
});

describe('strata run exit codes', () => {
  it('exits 2 on bad usage, with one line', () => {
    const missing = runCli(['run', '--out', temporaryFolder()]);
    expect(missing.status).toBe(2);
    const badDate = runCli(['run', '--inbox', sampleInbox, '--out', temporaryFolder(), '--as-of', '2026-02-30']);
    expect(badDate.status).toBe(2);
    expect(badDate.stderr.trim().split('\n')).toHaveLength(1);
    expect(badDate.stderr).toMatch(/asOf|as-of/);
    const noCommand = runCli([]);
    expect(noCommand.status).toBe(2);
  });

  it('exits 3 when an extract fails its manifest, naming the file, and loads nothing of it', () => {
    const inbox = temporaryFolder('strata-bad-inbox-');
    cpSync(sampleInbox, inbox, { recursive: true });
    const demographics = readdirSync(join(inbox, newestExtract)).find((f) => f.startsWith('demographics'))!;
    const path = join(inbox, newestExtract, demographics);
    writeFileSync(path, readFileSync(path).subarray(0, -1)); // one byte short: the checksum no longer matches
    const out = temporaryFolder();
    const result = runCli(['run', '--inbox', inbox, '--out', out]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`extract ${newestExtract} rejected: ${demographics}: sha256 mismatch`);
    // strata status says why, from the database alone.
    const status = JSON.parse(runCli(['status', '--db', join(out, 'strata.duckdb'), '--json']).stdout);
    expect(status.runs[0]).toMatchObject({ status: 'extract_rejected', message: expect.stringContaining(`${demographics}: sha256 mismatch`) });
    const folders = readdirSync(out).filter((f) => /^\d{4}-\d{2}-\d{2}$/.test(f));
    // Earlier extracts still load and score, as of the newest of them; the rejected one produced nothing.
    const earlier = readdirSync(sampleInbox).filter((f) => /^\d{4}-\d{2}-\d{2}$/.test(f) && f < newestExtract).sort();
    expect(earlier.length).toBeGreaterThan(0);
    expect(folders).toEqual([earlier.at(-1)]);
    const runJson: RunJson = JSON.parse(readFileSync(join(out, folders[0]!, 'run.json'), 'utf8'));
    expect(runJson.status).toBe('extract_rejected');
    expect([...new Set(runJson.files.map((f) => f.extract))].sort()).toEqual(earlier);
  });

  it('exits 4 at once, naming the holder, when another process holds the database', async () => {
    const out = temporaryFolder();
    const dbPath = join(out, 'strata.duckdb');
    const holder = spawn(process.execPath, ['--input-type=module', '-e',
      `import { DuckDBInstance } from '@duckdb/node-api'; const db = await DuckDBInstance.create(${JSON.stringify(dbPath)}); await db.connect(); console.log('holding'); setTimeout(() => {}, 60000);`,
    ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const result = runCli(['run', '--inbox', sampleInbox, '--out', out]);
      expect(result.status).toBe(4);
      expect(result.stderr).toMatch(new RegExp(`in use by another process \\(pid ${holder.pid}\\)`));
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      holder.kill();
    }
  });

  it('exits 1 with one line when there is nothing to score', () => {
    const result = runCli(['run', '--inbox', temporaryFolder(), '--out', temporaryFolder()]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/nothing to score/);
  });
});

function isNhsNumber(value: string): boolean {
  const digits = value.split('').map(Number);
  const sum = digits.slice(0, 9).reduce((s, d, i) => s + d * (10 - i), 0);
  const check = (11 - (sum % 11)) % 11;
  return check !== 10 && check === digits[9];
}

