// End-to-end benchmark of the nightly batch (issue 7): `npm run bench -- --persons N [--seed S]`.
// Generates a synthetic inbox once and caches it outside the repository, runs `strata run` on a fresh
// database in a child process (so the peak RSS is the whole process's: Node, DuckDB and the Arrow writer),
// times one DuckDB scan of the same files as the floor, prints the figures per stage and appends them to
// docs/benchmarks.md. A script, not a timed test: timings on a shared machine are noisy, so every entry
// records the load average next to its figures.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance, listValue } from '@duckdb/node-api';
import { extractTables } from '../../core/extractTables.ts';
import { measureStartUp, startUpLines } from './startUpBench.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(repoRoot, 'bin', 'strata.js');

const { values: args } = parseArgs({
  options: {
    persons: { type: 'string' },
    seed: { type: 'string', default: '1' },
    cache: { type: 'string', default: process.env.STRATA_BENCH_CACHE ?? '/work/.cache/strata-bench' },
    'memory-limit': { type: 'string' },
    threads: { type: 'string' },
    /** Also time one new night on a database loaded up to the night before. */
    incremental: { type: 'boolean', default: false },
    /** Skip the full run (with --incremental: measure only the incremental night). */
    'skip-full': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    note: { type: 'string' },
  },
  strict: true,
});

if (!args.persons || !/^\d+$/.test(args.persons)) fail('usage: npm run bench -- --persons N [--seed S] [--incremental] [--memory-limit 3GB] [--threads 2]');
const persons = Number(args.persons);
const seed = Number(args.seed);
const runFlags = [
  ...(args['memory-limit'] ? ['--memory-limit', args['memory-limit']] : []),
  ...(args.threads ? ['--threads', args.threads] : []),
];

interface RunJson {
  as_of: string;
  started_at: string;
  people_scored: number;
  files: { extract: string; name: string; rows_read: number; duration_ms: number }[];
  stage_timings_ms: Record<string, number>;
  config: { memoryLimit?: string; threads?: number };
}

interface RunMeasure {
  label: string;
  wallMs: number;
  maxRssKiB: number;
  runJson: RunJson;
  /** Highest RSS sampled from /proc while each stage ran (stage windows laid end to end from started_at). */
  stageRssKiB: Record<string, number>;
  loadAvgBefore: number[];
  loadAvgAfter: number[];
}

// ---- inbox ---------------------------------------------------------------------------------------

function ensureInbox(): string {
  const inbox = join(args.cache!, `inbox-${persons}-${seed}`);
  if (existsSync(inbox)) {
    console.log(`inbox: reusing ${inbox}`);
    return inbox;
  }
  const partial = `${inbox}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(args.cache!, { recursive: true });
  console.log(`inbox: generating ${persons} people (seed ${seed}) into ${inbox} ...`);
  const t0 = performance.now();
  execFileSync(process.execPath, [cli, 'generate', '--out', partial, '--persons', String(persons), '--seed', String(seed)], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, TZ: 'UTC' },
  });
  renameSync(partial, inbox);
  console.log(`inbox: generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return inbox;
}

interface InboxFile {
  extract: string;
  path: string;
  rows: number;
  bytes: number;
}

function inboxFiles(inbox: string): InboxFile[] {
  const files: InboxFile[] = [];
  for (const extract of extractFolders(inbox)) {
    const manifest = JSON.parse(readFileSync(join(inbox, extract, 'manifest.json'), 'utf8')) as { files: { name: string; rows: number }[] };
    for (const f of manifest.files) {
      const path = join(inbox, extract, f.name);
      files.push({ extract, path, rows: f.rows, bytes: statSync(path).size });
    }
  }
  return files;
}

function extractFolders(inbox: string): string[] {
  return readdirSync(inbox).filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name)).sort();
}

// ---- one run of `strata run` in a child process ---------------------------------------------------

async function runStrata(label: string, inbox: string, workDir: string, extra: string[]): Promise<RunMeasure> {
  const out = join(workDir, 'out');
  const db = join(workDir, 'strata.duckdb');
  const timeFile = join(workDir, `time-${label}.txt`);
  const loadAvgBefore = loadavg();
  console.log(`\n[${label}] strata run ${extra.join(' ')} (load average ${loadAvgBefore.map((l) => l.toFixed(2)).join(' ')})`);
  const samples: { at: number; rssKiB: number }[] = [];
  const t0 = performance.now();
  const child = spawn(
    '/usr/bin/time',
    ['-f', '%M', '-o', timeFile, process.execPath, cli, 'run', '--inbox', inbox, '--out', out, '--db', db, ...runFlags, ...extra],
    { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TZ: 'UTC' } },
  );
  // /usr/bin/time's child is the node process; sample its RSS every 100 ms.
  const sampler = setInterval(() => {
    const pid = childPid(child.pid!);
    if (pid === null) return;
    const rss = readRssKiB(pid);
    if (rss !== null) samples.push({ at: Date.now(), rssKiB: rss });
  }, 100);
  const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  clearInterval(sampler);
  const wallMs = performance.now() - t0;
  if (code !== 0) fail(`[${label}] strata run exited with ${code}`);
  const maxRssKiB = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  const asOf = extra.includes('--as-of') ? extra[extra.indexOf('--as-of') + 1]! : extractFolders(inbox).at(-1)!;
  const runJson = JSON.parse(readFileSync(join(out, asOf, 'run.json'), 'utf8')) as RunJson;

  const stageRssKiB: Record<string, number> = {};
  for (const [stage, window] of Object.entries(stageWindows(runJson))) {
    const inStage = samples.filter((s) => s.at >= window.start && s.at < window.end).map((s) => s.rssKiB);
    stageRssKiB[stage] = inStage.length ? Math.max(...inStage) : 0;
  }
  return { label, wallMs, maxRssKiB, runJson, stageRssKiB, loadAvgBefore, loadAvgAfter: loadavg() };
}

/** Stages in the order runBatch runs them; features_scoring runs beside train (both start after load). */
const stageOrder = ['load', 'train', 'features_scoring', 'score', 'drift', 'outputs', 'report'];
const besideTrain = new Set(['features_scoring']);

/** Each stage's wall-clock window, laid end to end from started_at (the stages beside train overlap it). */
function stageWindows(runJson: RunJson): Record<string, { start: number; end: number }> {
  const timings = runJson.stage_timings_ms;
  const stages = [...stageOrder.filter((s) => s in timings), ...Object.keys(timings).filter((s) => !stageOrder.includes(s))];
  const windows: Record<string, { start: number; end: number }> = {};
  let at = Date.parse(runJson.started_at);
  let trainStart = at;
  for (const stage of stages) {
    const ms = timings[stage]!;
    if (besideTrain.has(stage)) {
      windows[stage] = { start: trainStart, end: trainStart + ms };
      at = Math.max(at, trainStart + ms);
      continue;
    }
    if (stage === 'train') trainStart = at;
    windows[stage] = { start: at, end: at + ms };
    at += ms;
  }
  return windows;
}

function childPid(pid: number): number | null {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children ? Number(children.split(' ')[0]) : null;
  } catch {
    return null; // the process has already exited
  }
}

function readRssKiB(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

// ---- the floor: one DuckDB scan of the same files --------------------------------------------------

interface Floor {
  countMs: number;
  everyColumnMs: number;
  rows: number;
  duckdbVersion: string;
}

async function scanFloor(files: InboxFile[]): Promise<Floor> {
  const options: Record<string, string> = {};
  if (args.threads) options['threads'] = args.threads;
  const instance = await DuckDBInstance.create(':memory:', options);
  const connection = await instance.connect();
  try {
    const duckdbVersion = String((await connection.runAndReadAll('SELECT version()')).getRowsJS()[0]![0]);
    let rows = 0;
    let t0 = performance.now();
    for (const f of files) {
      const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${scanOf(f.path)}`, { path: f.path });
      rows += Number(reader.getRowsJS()[0]![0]);
    }
    const countMs = performance.now() - t0;
    // The same scan made to parse every column (count(*) alone lets the reader skip unread columns).
    t0 = performance.now();
    for (const f of files) {
      const columns = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${scanOf(f.path)}`, { path: f.path })).getRowObjectsJS();
      const counts = columns.map((c) => `count("${String(c['column_name']).replaceAll('"', '""')}")`).join(' + ');
      await connection.runAndReadAll(`SELECT ${counts} FROM ${scanOf(f.path)}`, { path: f.path });
    }
    const everyColumnMs = performance.now() - t0;
    return { countMs, everyColumnMs, rows, duckdbVersion };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The second floor (issue 18): a plain typed import of every input file into a DuckDB database file, with the
 * contract's types from sql/schema/tables.sql (a list column read as the text it is in the file), no validation, then
 * CHECKPOINT: `CREATE TABLE t AS SELECT * FROM read_csv([its files], columns = {...})` for each table, in a fresh
 * database file with the same thread count.
 */
async function typedImportFloor(files: InboxFile[], workDir: string): Promise<{ ms: number; rows: number }> {
  const dbPath = join(workDir, 'typed-import.duckdb');
  rmSync(dbPath, { force: true });
  const options: Record<string, string> = {};
  if (args.threads) options['threads'] = args.threads;
  if (args['memory-limit']) options['memory_limit'] = args['memory-limit'];
  const instance = await DuckDBInstance.create(dbPath, options);
  const connection = await instance.connect();
  try {
    // The contract's types: the Strata tables created in a scratch schema and read back.
    await connection.run('CREATE SCHEMA contract; SET schema = contract');
    await connection.run(readFileSync(join(repoRoot, 'sql', 'schema', 'tables.sql'), 'utf8'));
    const types = new Map<string, string>();
    for (const row of (await connection.runAndReadAll(
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'contract'",
    )).getRowObjectsJS()) {
      types.set(`${row['table_name']}.${row['column_name']}`, String(row['data_type']).endsWith('[]') ? 'VARCHAR' : String(row['data_type']));
    }
    await connection.run('SET schema = main');
    const t0 = performance.now();
    let rows = 0;
    for (const table of extractTables) {
      const paths = files.filter((f) => basename(f.path).replace(/\.csv(\.gz)?$/, '') === table.name).map((f) => f.path);
      if (paths.length === 0) continue;
      const columns = table.columns.map((column) => `'${column}': '${types.get(`${table.name}.${column}`) ?? 'VARCHAR'}'`).join(', ');
      await connection.run(
        `CREATE TABLE ${table.name} AS SELECT * FROM read_csv($paths, header = true, columns = {${columns}})`,
        { paths: listValue(paths) },
      );
      rows += Number((await connection.runAndReadAll(`SELECT count(*) FROM ${table.name}`)).getRowsJS()[0]![0]);
    }
    await connection.run('CHECKPOINT');
    return { ms: performance.now() - t0, rows };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dbPath, { force: true });
    rmSync(`${dbPath}.wal`, { force: true });
  }
}

function scanOf(path: string): string {
  return path.endsWith('.parquet') ? 'read_parquet($path)' : 'read_csv($path, header = true, all_varchar = true)';
}

// ---- reporting --------------------------------------------------------------------------------------

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const gib = (kib: number) => (kib / 1024 / 1024).toFixed(2);
const thousands = (n: number) => Math.round(n).toLocaleString('en-GB');

function stageTable(m: RunMeasure): string[] {
  const rowsRead = m.runJson.files.reduce((sum, f) => sum + f.rows_read, 0);
  const lines = ['| stage | wall s | rows/s | peak RSS GiB (sampled) |', '|---|---:|---:|---:|'];
  const windows = stageWindows(m.runJson);
  for (const stage of Object.keys(windows)) {
    const ms = m.runJson.stage_timings_ms[stage]!;
    const perSecond = stage === 'load' ? `${thousands(rowsRead / (ms / 1000))} input rows/s` : `${thousands(m.runJson.people_scored / (ms / 1000))} people/s`;
    const label = besideTrain.has(stage) ? `${stage} (beside train)` : stage;
    lines.push(`| ${label} | ${seconds(ms)} | ${ms > 0 ? perSecond : '-'} | ${gib(m.stageRssKiB[stage] ?? 0)} |`);
  }
  const spans = Object.values(windows);
  const stagesMs = Math.max(...spans.map((w) => w.end)) - Math.min(...spans.map((w) => w.start));
  lines.push(`| **stages, first start to last end** | **${seconds(stagesMs)}** | | |`);
  lines.push(`| **process, start to exit** | **${seconds(m.wallMs)}** | ${thousands(rowsRead / (m.wallMs / 1000))} input rows/s | **${gib(m.maxRssKiB)}** (/usr/bin/time max RSS) |`);
  return lines;
}

function loadFiles(m: RunMeasure): string[] {
  const byName = new Map<string, { rows: number; ms: number }>();
  for (const f of m.runJson.files) {
    const table = f.name.replace(/\..*$/, '');
    const entry = byName.get(table) ?? { rows: 0, ms: 0 };
    entry.rows += f.rows_read;
    entry.ms += f.duration_ms;
    byName.set(table, entry);
  }
  return [...byName].map(([table, e]) => `${table} ${thousands(e.rows)} rows ${seconds(e.ms)} s`);
}

function gitDescription(): string {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  // docs/benchmarks.md is the file this script appends to, so its own changes do not count.
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!docs/benchmarks.md'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  return dirty ? `${commit} + uncommitted changes` : commit;
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}

// ---- main -------------------------------------------------------------------------------------------

const inbox = ensureInbox();
const files = inboxFiles(inbox);
const folders = extractFolders(inbox);
const inputRows = files.reduce((sum, f) => sum + f.rows, 0);
const inputBytes = files.reduce((sum, f) => sum + f.bytes, 0);
console.log(`inbox: ${folders.length} extract folders, ${files.length} files, ${thousands(inputRows)} rows, ${(inputBytes / 1e9).toFixed(2)} GB`);

const workDir = join(args.cache!, `run-${persons}-${seed}`);
const measures: RunMeasure[] = [];
const fresh = () => {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
};
if (!args['skip-full']) {
  fresh();
  measures.push(await runStrata('full', inbox, workDir, []));
}
if (args.incremental) {
  if (folders.length < 2) fail('--incremental needs an inbox with at least two extract folders');
  fresh();
  measures.push(await runStrata('up to the night before', inbox, workDir, ['--as-of', folders.at(-2)!]));
  measures.push(await runStrata('incremental night', inbox, workDir, []));
}
const dbBytes = existsSync(join(workDir, 'strata.duckdb')) ? statSync(join(workDir, 'strata.duckdb')).size : 0;
if (!args.keep) rmSync(workDir, { recursive: true, force: true });

console.log('\nfloor: one DuckDB scan of every input file ...');
const loadBeforeFloor = loadavg();
const floor = await scanFloor(files);
if (floor.rows !== inputRows) fail(`the floor scan counted ${floor.rows} rows, the manifests ${inputRows}`);
console.log('floor: a plain typed import of every input file into a database file ...');
const loadBeforeTyped = loadavg();
const typed = await typedImportFloor(files, args.cache!);
if (typed.rows !== inputRows) fail(`the typed import loaded ${typed.rows} rows, the manifests ${inputRows}`);

const now = new Date();
const entry: string[] = [
  '',
  `## ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC: ${thousands(persons)} people (seed ${seed})${args.note ? `: ${args.note}` : ''}`,
  '',
  `- Machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; Node ${process.version}; DuckDB ${floor.duckdbVersion}; code ${gitDescription()}.`,
  `- Input: ${folders.length} extract folders (${folders[0]} backfill to ${folders.at(-1)}), ${files.length} files, ${thousands(inputRows)} rows, ${(inputBytes / 1e9).toFixed(2)} GB of CSV.`,
  `- Settings: memory_limit ${measures[0]?.runJson.config.memoryLimit ?? '?'}, threads ${measures[0]?.runJson.config.threads ?? 'DuckDB default'}.`,
];
for (const m of measures) {
  const ratio = m.wallMs / floor.countMs;
  entry.push(
    '',
    `### ${m.label}: ${seconds(m.wallMs)} s, peak RSS ${gib(m.maxRssKiB)} GiB, ${thousands(m.runJson.people_scored)} people scored, ${m.runJson.files.length} files loaded`,
    '',
    `Load average (1, 5, 15 min) before ${m.loadAvgBefore.map((l) => l.toFixed(2)).join(', ')}; after ${m.loadAvgAfter.map((l) => l.toFixed(2)).join(', ')}.`,
    '',
    ...stageTable(m),
    '',
    `Load per table: ${loadFiles(m).join('; ') || 'nothing new'}.`,
    ...(m.label === 'full'
      ? [
          '',
          `Total / scan floor: ${ratio.toFixed(2)}. Against the typed-import floor (${seconds(typed.ms)} s): load ` +
            `${((m.runJson.stage_timings_ms['load'] ?? 0) / typed.ms).toFixed(2)}× (target 1.5×), whole run ${(m.wallMs / typed.ms).toFixed(2)}× (target 2×).`,
        ]
      : []),
  );
}
entry.push(
  '',
  `Scan floor (load average ${loadBeforeFloor.map((l) => l.toFixed(2)).join(', ')}): \`count(*)\` over every file, one query per file: ${seconds(floor.countMs)} s ` +
    `(${thousands(inputRows / (floor.countMs / 1000))} rows/s); the same scan parsing every column: ${seconds(floor.everyColumnMs)} s.`,
  '',
  `Typed-import floor (load average ${loadBeforeTyped.map((l) => l.toFixed(2)).join(', ')}): every file into a DuckDB database ` +
    `file with the contract's types, one \`CREATE TABLE ... AS SELECT * FROM read_csv(...)\` per table, then CHECKPOINT: ${seconds(typed.ms)} s ` +
    `(${thousands(inputRows / (typed.ms / 1000))} rows/s).`,
);
if (dbBytes > 0) entry.push('', `Database file after the last run: ${(dbBytes / 1e9).toFixed(2)} GB.`);
entry.push('', ...startUpLines(measureStartUp()));

console.log(entry.join('\n'));
if (!args['no-record']) {
  const docs = join(repoRoot, 'docs', 'benchmarks.md');
  if (!existsSync(docs)) fail(`${docs} is missing`);
  appendFileSync(docs, `${entry.join('\n')}\n`);
  console.log(`\nappended to ${docs}`);
}
