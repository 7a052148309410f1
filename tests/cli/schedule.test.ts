// `strata schedule` as a real child process on a per-second cron pattern, against a small generated
// inbox: the first tick loads and writes outputs, a later tick with nothing new changes nothing, and
// SIGTERM stops it with exit 0, after letting a run in progress finish.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateInbox, generateDefaults, parseGenerateSettings } from '../../synthetic/index.ts';
import type { LoggedEvent } from '../../core/logging/Logger.ts';
import { readStatus } from '../../pipeline/status/readStatus.ts';
import { repoRoot, runCli } from '../helpers/runCli.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';

const everySecond = '* * * * * *';
let smallInbox: string;
let extractDates: string[];

beforeAll(async () => {
  smallInbox = join(temporaryFolder('strata-schedule-inbox-'), 'inbox');
  await generateInbox(parseGenerateSettings({
    out: smallInbox, persons: 500, seed: 1, asOf: generateDefaults.asOf, extracts: generateDefaults.extracts, badRows: false, gzip: false,
  }));
  extractDates = readdirSync(smallInbox).sort();
});

/** A running `strata schedule`, its stdout read as one JSON event per line. */
class ScheduleProcess {
  readonly events: LoggedEvent[] = [];
  readonly otherLines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private waiters: (() => void)[] = [];

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [join(repoRoot, 'bin', 'strata.js'), 'schedule', ...args], {
      cwd: repoRoot,
      env: { ...process.env, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr!.on('data', (chunk) => { this.stderr += String(chunk); });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as LoggedEvent);
      } catch {
        this.otherLines.push(line);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first event matching, waiting for it up to the timeout. */
  async waitFor(matches: (e: LoggedEvent) => boolean, timeoutMs = 60_000): Promise<LoggedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(matches);
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`event not seen; log so far:\n${this.events.map((e) => `${e.event}: ${e.message}`).join('\n')}\n${this.otherLines.join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }
}

/** Every file under a folder: size, modification time and content hash. */
function snapshot(folder: string): Record<string, { size: number; mtimeMs: number; sha256: string }> {
  const files: Record<string, { size: number; mtimeMs: number; sha256: string }> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else files[relative(folder, path)] = { size: stat.size, mtimeMs: stat.mtimeMs, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') };
    }
  };
  walk(folder);
  return files;
}

const isTick = (event: string, after = 0) => (e: LoggedEvent) => e.event === event && (e['tick'] as number) > after;
/** What a tick decided: no run, a run, or a failed check. */
const outcomeOf = (tick: LoggedEvent) => (e: LoggedEvent) =>
  e['tick'] === tick['tick'] && ['nothing_new', 'run_started', 'check_failed'].includes(e.event);

/** `strata schedule` firing every second on a fresh copy of the small inbox, into a fresh output folder. */
function scheduleOnCopyOfInbox(): { inbox: string; out: string; schedule: ScheduleProcess } {
  const inbox = join(temporaryFolder(), 'inbox');
  cpSync(smallInbox, inbox, { recursive: true });
  const out = temporaryFolder('strata-schedule-out-');
  return { inbox, out, schedule: new ScheduleProcess(['--cron', everySecond, '--inbox', inbox, '--out', out]) };
}

describe('strata schedule', () => {
  it('fires twice: the first tick loads and writes outputs, the next, with nothing new, changes nothing; SIGTERM exits 0', async () => {
    const { inbox, out, schedule } = scheduleOnCopyOfInbox();
    try {
      expect(await schedule.waitFor((e) => e.event === 'started')).toMatchObject({ cron: everySecond, inbox, out });
      const finished = await schedule.waitFor((e) => e.event === 'tick_finished');
      expect(finished).toMatchObject({ level: 'info', exit_code: 0, status: 'succeeded', extracts_loaded: extractDates, as_of: extractDates.at(-1) });
      const afterRun = snapshot(out);
      const runJson = JSON.parse(readFileSync(join(out, extractDates.at(-1)!, 'run.json'), 'utf8'));
      expect(runJson).toMatchObject({ run_id: finished['run_id'], status: 'succeeded' });
      expect(Object.keys(afterRun)).toEqual(expect.arrayContaining(['strata.duckdb', `${extractDates.at(-1)}/population_scores.arrow`]));

      // The second firing that got to check the inbox (ticks during the run are skipped), and once more.
      const secondTick = await schedule.waitFor(isTick('tick', finished['tick'] as number));
      expect((await schedule.waitFor(outcomeOf(secondTick))).event).toBe('nothing_new');
      const thirdTick = await schedule.waitFor(isTick('tick', secondTick['tick'] as number));
      expect((await schedule.waitFor(outcomeOf(thirdTick))).event).toBe('nothing_new');

      schedule.signal('SIGTERM');
      expect(await schedule.exited).toEqual({ code: 0, signal: null });

      // Nothing was written from the second tick on: same files, bytes and modification times.
      expect(snapshot(out)).toEqual(afterRun);
      for (const [path, file] of Object.entries(afterRun)) expect(file.mtimeMs, path).toBeLessThan(Date.parse(secondTick.time));
      const status = await readStatus(join(out, 'strata.duckdb'), { runs: 10 });
      expect(status.runs_total).toBe(1);
      expect(status.extracts.map((e) => e.extract_date).sort()).toEqual(extractDates);

      expect(schedule.events.filter((e) => e.event === 'run_started')).toHaveLength(1);
      expect(schedule.events.slice(-3).map((e) => e.event)).toEqual(['signal', 'stopping', 'stopped']);
      expect(schedule.events.at(-2)!.message).toMatch(/no run in progress/);
      for (const e of schedule.events) expect(Object.keys(e).slice(0, 4)).toEqual(['time', 'level', 'event', 'message']);
      expect(schedule.otherLines).toEqual([]);
      expect(schedule.stderr).toBe('');
    } finally {
      schedule.signal('SIGKILL');
    }
  });

  it('on SIGTERM during a run, lets the run finish, then exits 0', async () => {
    const { out, schedule } = scheduleOnCopyOfInbox();
    try {
      await schedule.waitFor((e) => e.event === 'run_started');
      schedule.signal('SIGTERM');
      expect((await schedule.waitFor((e) => e.event === 'stopping')).message).toMatch(/waiting for the current run to finish/);
      expect(await schedule.exited).toEqual({ code: 0, signal: null });

      const order = schedule.events.map((e) => e.event).filter((e) => ['signal', 'run_finished', 'tick_finished', 'stopped'].includes(e));
      expect(order).toEqual(['signal', 'run_finished', 'tick_finished', 'stopped']);
      expect(schedule.events.find((e) => e.event === 'tick_finished')).toMatchObject({ exit_code: 0, status: 'succeeded' });
      expect(existsSync(join(out, extractDates.at(-1)!, 'run.json'))).toBe(true);
      const status = await readStatus(join(out, 'strata.duckdb'), { runs: 10 });
      expect(status.runs.map((r) => [r.status, r.interrupted])).toEqual([['succeeded', false]]);
      expect(schedule.otherLines).toEqual([]);
    } finally {
      schedule.signal('SIGKILL');
    }
  });

  it('on a second signal during a run, abandons it at once with exit 1; the next run takes over and finishes the work', async () => {
    const { inbox, out, schedule } = scheduleOnCopyOfInbox();
    try {
      // Once the run has recorded itself and started loading.
      await schedule.waitFor((e) => e.event === 'stage_started' && e['stage'] === 'load');
      schedule.signal('SIGTERM');
      await schedule.waitFor((e) => e.event === 'stopping');
      schedule.signal('SIGINT');
      expect(await schedule.exited).toEqual({ code: 1, signal: null });
      expect(schedule.events.find((e) => e.event === 'abandoned')).toMatchObject({ level: 'warn', signal: 'SIGINT' });
      expect(schedule.events.some((e) => e.event === 'run_finished' || e.event === 'tick_finished')).toBe(false);
      // Nothing of the abandoned night is visible under its final name.
      expect(existsSync(join(out, extractDates.at(-1)!))).toBe(false);

      const rerun = runCli(['run', '--inbox', inbox, '--out', out, '--log-format', 'json']);
      expect(rerun.status).toBe(0);
      expect(rerun.stdout).toContain('"event":"lock_taken_over"');
      expect(existsSync(join(out, extractDates.at(-1)!, 'run.json'))).toBe(true);
      const status = await readStatus(join(out, 'strata.duckdb'), { runs: 10 });
      expect(status.runs.map((r) => r.status)).toEqual(['succeeded', 'abandoned']);
    } finally {
      schedule.signal('SIGKILL');
    }
  });

  it('refuses a bad cron pattern or a missing inbox at once: exit 2, one line', () => {
    const badCron = runCli(['schedule', '--cron', '61 2 * * *', '--inbox', smallInbox, '--out', temporaryFolder()]);
    expect(badCron.status).toBe(2);
    expect(badCron.stderr.trim().split('\n')).toHaveLength(1);
    expect(badCron.stderr).toMatch(/^strata: --cron "61 2 \* \* \*" is not a cron pattern \(Invalid value for minute: 61\)/);

    const noInbox = runCli(['schedule', '--cron', '30 2 * * *', '--inbox', join(smallInbox, 'nowhere'), '--out', temporaryFolder()]);
    expect(noInbox.status).toBe(2);
    expect(noInbox.stderr.trim().split('\n')).toHaveLength(1);
    expect(noInbox.stderr).toMatch(/the inbox .*nowhere is not a folder/);
  });
});
