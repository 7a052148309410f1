// Start-up time of the command line (issue 18: `strata --help` and a usage error within 0.3 s): each is started
// `runs` times in a child process, after one warm-up, and timed from spawn to exit, so Node's own start and the
// check that dist/ is current are included. Used by runBench.ts in every entry; on its own:
//   npx tsx tests/bench/startUpBench.ts [RUNS]
// prints min, median and max with the load average. A script, not a timed test: tests/cli/startUp.test.ts checks
// instead that neither loads DuckDB, Arrow, the charts, the generator or the configuration schema.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { max, median, min } from 'simple-statistics';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(repoRoot, 'bin', 'strata.js');
export const startUpTarget = 0.3;

export interface StartUpTiming {
  readonly command: string;
  readonly runs: number;
  /** Seconds, min, median and max. */
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly expectedStatus: number;
}

function timeOnce(args: readonly string[], expectedStatus: number): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== expectedStatus) throw new Error(`strata ${args.join(' ')} exited ${result.status}, not ${expectedStatus}: ${result.stderr}`);
  return seconds;
}

export function measureStartUp(runs = 20): { timings: StartUpTiming[]; loadAverage: number[] } {
  const loadAverage = loadavg();
  const timings = ([
    [['--help'], 0],
    [['run', '--bogus'], 2],
  ] as const).map(([args, expectedStatus]) => {
    timeOnce(args, expectedStatus);
    const times = Array.from({ length: runs }, () => timeOnce(args, expectedStatus));
    return { command: `strata ${args.join(' ')}`, runs, min: min(times), median: median(times), max: max(times), expectedStatus };
  });
  return { timings, loadAverage };
}

/** Markdown lines for a benchmark entry. */
export function startUpLines(measured: ReturnType<typeof measureStartUp>): string[] {
  return [
    `Start-up (load average ${measured.loadAverage.map((l) => l.toFixed(2)).join(', ')}; target ${startUpTarget} s):`,
    '',
    '| command | runs | min | median | max | target met |',
    '|---|---:|---:|---:|---:|---|',
    ...measured.timings.map(
      (t) => `| \`${t.command}\` (exit ${t.expectedStatus}) | ${t.runs} | ${t.min.toFixed(3)} s | **${t.median.toFixed(3)} s** | ${t.max.toFixed(3)} s | ${t.median <= startUpTarget ? 'yes' : 'no'} |`,
    ),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runs = Number(process.argv[2] ?? 20);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error('usage: npx tsx tests/bench/startUpBench.ts [RUNS]');
    process.exit(2);
  }
  console.log(startUpLines(measureStartUp(runs)).join('\n'));
}
