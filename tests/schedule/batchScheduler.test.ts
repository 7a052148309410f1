// The scheduler's decisions, tick by tick, with the batch and the inbox check replaced: run only when
// something is new, never two runs at once, keep going after a failure, don't re-run an unchanged
// refused folder, and let the current run finish on stop. The real CLI is in tests/cli/schedule.test.ts.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../pipeline/config.ts';
import { ExitCode, StrataError, UsageError } from '../../core/errors.ts';
import type { RunSummary } from '../../pipeline/runBatch.ts';
import { BatchScheduler, parseCronPattern } from '../../pipeline/schedule/BatchScheduler.ts';
import { Logger, type LoggedEvent } from '../../core/logging/Logger.ts';
import { findNewExtracts } from '../../pipeline/schedule/findNewExtracts.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { demographicsHeader, person, writeExtract } from '../helpers/writeExtract.ts';

let inbox: string;
let events: LoggedEvent[];
let pending: string[];
let batchCalls: number;
let nextBatch: () => Promise<RunSummary>;

function summary(overrides: Partial<RunSummary> = {}, rejected: string[] = []): RunSummary {
  return {
    runId: `run-${batchCalls}`, asOf: '2026-11-21', exitCode: rejected.length ? ExitCode.extractRejected : ExitCode.done,
    status: rejected.length ? 'extract_rejected' : 'succeeded', outputFolder: join(inbox, 'out'), peopleScored: 1, rowsQuarantined: 0,
    load: {
      loaded: pending.filter((d) => !rejected.includes(d)), files: [], alreadyLoaded: [], ignored: [],
      rejected: rejected.map((extract) => ({ extract, file: 'demographics.csv', message: `extract ${extract} rejected: demographics.csv: sha256 mismatch` })),
    },
    outputs: [],
    retentionDeleted: [],
    ...overrides,
  };
}

/** A JSON logger whose every line is handed back parsed. */
function jsonLogger(onEvent: (event: LoggedEvent) => void): Logger {
  const stdout = { write: (chunk: string) => (chunk.trim().split('\n').forEach((line) => onEvent(JSON.parse(line))), true) };
  const stderr = { write: () => true };
  return new Logger('json', { stdout, stderr } as unknown as ConstructorParameters<typeof Logger>[1]);
}

function scheduler(): BatchScheduler {
  return new BatchScheduler({
    cron: '30 2 * * *',
    config: parseRunConfig({ inbox, out: join(inbox, 'out'), db: join(inbox, 'out', 'strata.duckdb') }),
    log: jsonLogger((event) => events.push(event)),
    findNewExtracts: async () => [...pending],
    runBatch: async (_config, options) => {
      batchCalls++;
      expect(options.logger).toBeDefined(); // the batch logs its stages through the schedule's logger
      return nextBatch();
    },
  });
}

const named = (event: string) => events.filter((e) => e.event === event);

/** A promise the test settles by hand, to hold a run in progress. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

beforeEach(() => {
  inbox = temporaryFolder('strata-schedule-unit-');
  events = [];
  pending = [];
  batchCalls = 0;
  nextBatch = async () => summary();
});

describe('BatchScheduler ticks', () => {
  it('runs the batch only when the inbox holds extract folders not loaded yet', async () => {
    const s = scheduler();
    expect(await s.tick()).toBe('nothing_new');
    expect(batchCalls).toBe(0);
    expect(named('nothing_new')[0]).toMatchObject({ level: 'info', tick: 1 });

    pending = ['2026-11-20', '2026-11-21'];
    expect(await s.tick()).toBe('ran');
    expect(batchCalls).toBe(1);
    expect(named('run_started')[0]).toMatchObject({ tick: 2, extracts: ['2026-11-20', '2026-11-21'] });
    expect(named('tick_finished')[0]).toMatchObject({ level: 'info', run_id: 'run-1', exit_code: 0, status: 'succeeded', extracts_loaded: pending });
    expect(named('tick').map((e) => e.tick)).toEqual([1, 2]);
  });

  it('logs a failed run with its exit code and keeps going: the next tick tries again', async () => {
    pending = ['2026-11-20'];
    nextBatch = async () => { throw new StrataError('the database x is in use by another process (pid 1); wait for that run to finish', ExitCode.databaseLocked); };
    const s = scheduler();
    expect(await s.tick()).toBe('failed');
    expect(named('run_failed')[0]).toMatchObject({ level: 'error', exit_code: 4, tick: 1 });
    expect(named('run_failed')[0]!.message).toMatch(/run failed \(exit 4\): the database x is in use/);
    expect(named('run_failed')[0]).not.toHaveProperty('stack');

    nextBatch = async () => { throw new Error('disk full'); };
    expect(await s.tick()).toBe('failed');
    expect(named('run_failed')[1]).toMatchObject({ exit_code: 1 });

    nextBatch = async () => summary();
    expect(await s.tick()).toBe('ran');
    expect(batchCalls).toBe(3);
  });

  it('does not re-run a refused extract folder until it changes, or something else arrives', async () => {
    writeExtract(inbox, '2026-11-21', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    pending = ['2026-11-20', '2026-11-21'];
    nextBatch = async () => summary({}, ['2026-11-21']);
    const s = scheduler();
    expect(await s.tick()).toBe('ran');
    expect(named('tick_finished')[0]).toMatchObject({ level: 'warn', exit_code: 3, extracts_rejected: ['2026-11-21'] });

    pending = ['2026-11-21'];
    expect(await s.tick()).toBe('nothing_new');
    expect(named('nothing_new')[0]).toMatchObject({ level: 'warn', extracts: ['2026-11-21'], run_id: 'run-1' });
    expect(named('nothing_new')[0]!.message).toMatch(/2026-11-21 refused by run run-1 is unchanged: fix or remove it/);
    expect(batchCalls).toBe(1);

    // The sender re-sends the file: the next tick runs again.
    writeFileSync(join(inbox, '2026-11-21', 'demographics.csv'), `${demographicsHeader}\n${person('P1')}\n${person('P2')}\n`);
    expect(await s.tick()).toBe('ran');
    expect(batchCalls).toBe(2);

    // Refused again, unchanged; then a new night arrives: that is new, so it runs.
    expect(await s.tick()).toBe('nothing_new');
    pending = ['2026-11-21', '2026-11-22'];
    expect(await s.tick()).toBe('ran');
    expect(batchCalls).toBe(3);
  });

  it('does not re-run when the batch itself refused everything (exit 3, nothing loaded)', async () => {
    writeExtract(inbox, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    pending = ['2026-11-20'];
    nextBatch = async () => { throw new StrataError('nothing to score: no extract has been loaded (extract 2026-11-20 rejected: ...)', ExitCode.extractRejected); };
    const s = scheduler();
    expect(await s.tick()).toBe('failed');
    expect(await s.tick()).toBe('nothing_new');
    expect(named('nothing_new')[0]!.message).toMatch(/refused by the last run is unchanged/);
    expect(batchCalls).toBe(1);
  });

  it('never overlaps two runs: a tick during a run is skipped and logged', async () => {
    pending = ['2026-11-20'];
    const held = deferred<RunSummary>();
    nextBatch = () => held.promise;
    const s = scheduler();
    const first = s.tick();
    await new Promise((r) => setTimeout(r, 20));
    expect(await s.tick()).toBe('skipped');
    expect(named('tick_skipped')[0]).toMatchObject({ tick: 2 });
    expect(named('tick_skipped')[0]!.message).toMatch(/run is still in progress/);
    held.resolve(summary());
    expect(await first).toBe('ran');
    expect(batchCalls).toBe(1);
  });

  it('on stop, waits for the current run to finish, then runs no more ticks', async () => {
    pending = ['2026-11-20'];
    const held = deferred<RunSummary>();
    nextBatch = () => held.promise;
    const s = scheduler();
    const tick = s.tick();
    await new Promise((r) => setTimeout(r, 20));
    let stopped = false;
    const stopping = s.stop().then(() => { stopped = true; });
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    expect(named('stopping')[0]!.message).toMatch(/waiting for the current run to finish/);
    held.resolve(summary());
    await stopping;
    expect(await tick).toBe('ran');
    expect(events.map((e) => e.event).filter((e) => ['run_started', 'stopping', 'tick_finished', 'stopped'].includes(e)))
      .toEqual(['run_started', 'stopping', 'tick_finished', 'stopped']);
    expect(await s.tick()).toBe('stopping');
    expect(batchCalls).toBe(1);
  });

  it('logs a failed inbox check with its exit code, and does not run', async () => {
    const s = new BatchScheduler({
      cron: '30 2 * * *',
      config: parseRunConfig({ inbox, out: inbox, db: join(inbox, 'strata.duckdb') }),
      log: jsonLogger((event) => events.push(event)),
      findNewExtracts: async () => { throw new UsageError(`the inbox ${inbox}/gone is not a folder`); },
      runBatch: async () => { batchCalls++; return summary(); },
    });
    expect(await s.tick()).toBe('check_failed');
    expect(named('check_failed')[0]).toMatchObject({ level: 'error', exit_code: 2 });
    expect(named('check_failed')[0]!.message).toMatch(/cannot check for new extracts: the inbox .*gone is not a folder/);
    expect(batchCalls).toBe(0);
  });
});

describe('findNewExtracts', () => {
  it('without a database, lists every extract folder and does not create the database', async () => {
    writeExtract(inbox, '2026-11-20', [{ name: 'demographics.csv', lines: [demographicsHeader, person('P1')] }]);
    const db = join(inbox, 'strata.duckdb');
    expect(await findNewExtracts(inbox, db)).toEqual(['2026-11-20']);
    expect(existsSync(db)).toBe(false);
  });
});

describe('parseCronPattern', () => {
  it('accepts 5 fields, and 6 with seconds first', () => {
    expect(parseCronPattern('30 2 * * *').next.getUTCMinutes()).toBe(30);
    expect(parseCronPattern('*/2 * * * * *').next.getTime() - Date.now()).toBeLessThanOrEqual(2000);
  });

  it('refuses, as bad usage, a pattern croner refuses, a date, and one that never fires', () => {
    for (const [pattern, reason] of [
      ['30 2 * *', /is not a cron pattern \(invalid configuration format/],
      ['61 2 * * *', /is not a cron pattern \(Invalid value for minute: 61\)/],
      ['* * * * * * *', /is not a cron pattern/],
      ['2026-12-01T02:30:00', /would never fire/],
      ['0 0 30 2 *', /would never fire/],
    ] as const) {
      let error: unknown;
      try { parseCronPattern(pattern); } catch (e) { error = e; }
      expect(error, pattern).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
      expect((error as Error).message).toMatch(reason);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
