// Retention from the CLI: the newest N nights' output folders stay, older ones go, and the newest
// successful run's folder is never deleted, even when a re-run of an older night came last. Settings
// from a configuration file reach the run (retention) and the report (the suppression threshold).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';

const sampleInbox = join(repoRoot, 'data-samples', 'inbox');
const [, secondNight, thirdNight] = readdirSync(sampleInbox).sort();
const datedFolders = (out: string) => readdirSync(out).filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name)).sort();

describe('--keep-runs', () => {
  it('keeps the newest N output folders and the newest successful run', () => {
    const out = temporaryFolder('strata-retention-');
    expect(runCli(['run', '--inbox', sampleInbox, '--out', out, '--as-of', secondNight!]).status).toBe(0);
    expect(runCli(['run', '--inbox', sampleInbox, '--out', out, '--keep-runs', '2']).status).toBe(0);
    expect(datedFolders(out)).toEqual([secondNight, thirdNight]);

    // A re-run of the older night, keeping one: the newest night stays by date, the re-run as the newest success.
    expect(runCli(['run', '--inbox', sampleInbox, '--out', out, '--as-of', secondNight!, '--keep-runs', '1']).status).toBe(0);
    expect(datedFolders(out)).toEqual([secondNight, thirdNight]);

    // The next ordinary night, with keepRuns 1, a stricter suppression threshold and other tier cut-offs from a config
    // file, and models retrained: their validation follows both.
    const configFile = join(temporaryFolder(), 'strata.config.json');
    writeFileSync(configFile, JSON.stringify({ keepRuns: 1, suppressionThreshold: 11, tierCutoffs: [0.01, 0.1, 0.25] }));
    expect(runCli(['run', '--inbox', sampleInbox, '--out', out, '--config', configFile, '--retrain']).status).toBe(0);
    const metrics = JSON.parse(readFileSync(join(out, thirdNight!, 'models', 'ea_model_card.json'), 'utf8')).validation.metrics;
    expect(metrics).toMatchObject({ list_share: 0.1, small_count_threshold: 11 });
    expect(metrics.at_top.map((top: { share: number }) => top.share)).toEqual([0.01, 0.1, 0.25]);
    expect(datedFolders(out)).toEqual([thirdNight]);
    expect(readFileSync(join(out, thirdNight!, 'report.html'), 'utf8')).toContain('Counts from 1 to 10 are shown as');
    expect(JSON.parse(readFileSync(join(out, thirdNight!, 'run.json'), 'utf8'))).toMatchObject({ config: { keepRuns: 1, suppressionThreshold: 11, tierCutoffs: [0.01, 0.1, 0.25] }, config_file: configFile });
  });
});
