// Are two runs' outputs the same? `npx tsx tests/bench/compareOutputs.ts OUT_A OUT_B`, where each is a run's
// output folder (<out>/<as_of>). Every file must be byte-identical, models and report included, except
// run.json, which is compared with what differs between any two runs taken out: the run id, clock times,
// durations, the database path and run.json's own paths. Used to show that a change of structure (issue 14)
// changes no output; prints each difference and exits 1 when there is one.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const [first, second] = process.argv.slice(2);
if (!first || !second) {
  console.error('usage: npx tsx tests/bench/compareOutputs.ts OUT_A/AS_OF OUT_B/AS_OF');
  process.exit(2);
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder).sort().flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const varying = new Set(['run_id', 'started_at', 'finished_at', 'duration_ms', 'db', 'inbox', 'out', 'output_folder', 'stage_timings_ms']);

/** run.json without what two identical runs differ in. */
function stableRunJson(path: string): string {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).filter(([key]) => !varying.has(key)).map(([key, inner]) => [key, strip(inner)]));
    }
    return value;
  };
  return JSON.stringify(strip(JSON.parse(readFileSync(path, 'utf8'))), null, 1);
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const names = (folder: string) => filesUnder(folder).map((path) => relative(folder, path));
const inFirst = names(first);
const inSecond = new Set(names(second));
const differences: string[] = [];
for (const name of inFirst) {
  if (!inSecond.has(name)) differences.push(`${name}: only in ${first}`);
  else if (name === 'run.json' ? stableRunJson(join(first, name)) !== stableRunJson(join(second, name)) : sha256(join(first, name)) !== sha256(join(second, name))) {
    differences.push(`${name}: differs`);
  }
  inSecond.delete(name);
}
for (const name of inSecond) differences.push(`${name}: only in ${second}`);

if (differences.length > 0) {
  console.log(differences.join('\n'));
  process.exit(1);
}
console.log(`identical: ${inFirst.length} files (run.json without run id, times, durations and paths)`);
