// `strata train` from the command line: it reads the same configuration file as a run (DuckDB's memory limit,
// threads, the tier cut-offs, the small-number threshold and the fairness margin its validation reports at), and bad
// settings change nothing.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { newestModelCard } from '../../models/modelRegistry.ts';
import { Database } from '../../core/db/Database.ts';
import { initDatabase } from '../../core/db/initDatabase.ts';
import { loadInbox } from '../../pipeline/ingest/loadInbox.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const folder = temporaryFolder('strata-train-');
const dbPath = join(folder, 'strata.duckdb');

beforeAll(async () => {
  const db = await Database.open({ path: dbPath });
  try {
    await initDatabase(db);
    await loadInbox(db, join(repoRoot, 'data-samples', 'inbox'), { runId: 'load', now: new Date('2026-11-23T00:00:00Z') });
  } finally {
    db.close();
  }
});

async function registeredModels(): Promise<number> {
  const db = await Database.open({ path: dbPath, readOnly: true });
  try {
    return Number(await db.value<bigint>('SELECT count(*) FROM models'));
  } finally {
    db.close();
  }
}

describe('strata train', () => {
  it('refuses a bad configuration file, or a --db that names nothing, with exit 2 in one line, creating and training nothing', async () => {
    const config = join(folder, 'bad.config.json');
    writeFileSync(config, JSON.stringify({ db: dbPath, memoryLimit: 'lots' }));
    const result = runCli(['train', '--config', config]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/"memoryLimit" must be a size such as '3GB'/);
    expect(await registeredModels()).toBe(0);
    // A --db that names nothing is a mistake to say, not a new empty database (nor a lock file) to create.
    const missing = join(folder, 'typo.duckdb');
    const typo = runCli(['train', '--db', missing]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toBe(`strata: no database at ${missing}: check --db (a run creates <out>/strata.duckdb unless given --db), or run strata run first\n`);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(`${missing}.lock`)).toBe(false);
    const noDb = runCli(['train']);
    expect(noDb.status).toBe(2);
    expect(noDb.stderr).toMatch(/--db is required \(or set "db" or "out" in/);
  });

  it('takes the database, memory limit, tier cut-offs, suppression threshold and fairness margin from the configuration file', async () => {
    const config = join(folder, 'strata.config.json');
    writeFileSync(config, JSON.stringify({ db: dbPath, memoryLimit: '1GiB', threads: 1, tierCutoffs: [0.01, 0.1, 0.3], suppressionThreshold: 10, fairnessFnrMargin: 0.05 }));
    const result = runCli(['train', '--config', config]);
    expect(result.stderr).toContain(`training in ${dbPath} with DuckDB memory_limit 1.0 GiB and 1 threads`);
    expect(result.status).toBe(0);
    const db = await Database.open({ path: dbPath, readOnly: true });
    try {
      for (const target of ['ea', 'ltc'] as const) {
        const metrics = (await newestModelCard(db, target, '2026-11-22'))!.validation!.metrics;
        expect(metrics.at_top.map((top) => top.share)).toEqual([0.01, 0.1, 0.3]);
        expect(metrics.list_share).toBe(0.1);
        expect(metrics.small_count_threshold).toBe(10);
        for (const group of Object.values(metrics.by_subgroup).flat()) {
          if (group.n !== null) expect(group.n).toBeGreaterThanOrEqual(10);
        }
        // The fairness flag at the configured margin: exactly the groups whose false negative rate is more than 0.05 off.
        expect(metrics.fairness!.false_negative_rate_margin).toBe(0.05);
        const offBy = Object.entries(metrics.by_subgroup).flatMap(([dimension, groups]) => groups
          .filter((g) => g.at_cutoff?.false_negative_rate_gap != null && Math.abs(g.at_cutoff.false_negative_rate_gap) > 0.05)
          .map((g) => `${dimension}:${g.group}`));
        expect(metrics.fairness!.flagged.map((f) => `${f.dimension}:${f.group}`)).toEqual(offBy);
      }
    } finally {
      db.close();
    }
  });
});

