// `npm run docs:model-card`: runs Strata on the bundled sample inbox in a temporary folder and writes
// docs/model-card.md from the model cards that run fitted (models/renderModelCard.ts) and its proactive-care comparison
// (run.json's proactive_care: models/renderCarePlanEffect.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../core/files/projectRoot.ts';
import { parseModelCard } from '../../models/modelCard.ts';
import { renderModelCards } from '../../models/renderModelCard.ts';

export const modelCardDocPath = join(projectRoot, 'docs', 'model-card.md');

const out = mkdtempSync(join(tmpdir(), 'strata-model-card-'));
try {
  const run = spawnSync(process.execPath, [join(projectRoot, 'bin', 'strata.js'), 'run', '--inbox', join(projectRoot, 'data-samples', 'inbox'), '--out', out, '--log-format', 'text'], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  if (run.status !== 0) throw new Error(`the sample run failed (exit ${run.status}): ${run.stderr.trim()}`);
  const night = readdirSync(out).filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name)).sort().at(-1)!;
  const cards = ['ea', 'ltc'].map((target) => {
    const path = join(out, night, 'models', `${target}_model_card.json`);
    return parseModelCard(JSON.parse(readFileSync(path, 'utf8')), path);
  });
  const runJson = JSON.parse(readFileSync(join(out, night, 'run.json'), 'utf8'));
  writeFileSync(modelCardDocPath, renderModelCards(cards, { effect: runJson.proactive_care, suppressionThreshold: runJson.config.suppressionThreshold }));
  process.stdout.write(`wrote ${modelCardDocPath}\n`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
