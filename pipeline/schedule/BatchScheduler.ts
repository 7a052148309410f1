// The long-running side of Strata: on each cron tick, run the nightly batch if the inbox holds extract
// folders not loaded yet, otherwise change nothing. Never two runs at once; a failed run is logged and
// the schedule goes on; stop() lets the current run finish.
import { Cron } from 'croner';
import type { RunConfig } from '../config.ts';
import { ExitCode, StrataError, UsageError } from '../../core/errors.ts';
import { runBatch, type RunOptions, type RunSummary } from '../runBatch.ts';
import type { Logger } from '../../core/logging/Logger.ts';
import { findNewExtracts, fingerprintExtracts } from './findNewExtracts.ts';

export type TickOutcome = 'ran' | 'failed' | 'nothing_new' | 'check_failed' | 'skipped' | 'stopping';

export interface SchedulerSettings {
  cron: string;
  config: RunConfig;
  log: Logger;
  /** The configuration file the settings came from, recorded in each run's run.json. */
  configFile?: string | null;
  /** Adds the stack to a failed run's log event. */
  verbose?: boolean;
  /** The batch and the inbox check; tests replace them. */
  runBatch?: (config: RunConfig, options: RunOptions) => Promise<RunSummary>;
  findNewExtracts?: (inbox: string, databasePath: string) => Promise<string[]>;
}

// Five fields (minute hour day month weekday), or six with seconds first.
const cronMode = '5-or-6-parts';

/** Checks a cron pattern before any work starts: bad usage if croner refuses it or it would never fire. */
export function parseCronPattern(pattern: string): { next: Date } {
  let job: Cron;
  try {
    job = new Cron(pattern, { paused: true, mode: cronMode });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, '');
    throw new UsageError(`--cron "${pattern}" is not a cron pattern (${reason}); write minute hour day month weekday, e.g. "30 2 * * *"`);
  }
  try {
    const next = job.getPattern() === undefined ? null : job.nextRun();
    if (next === null) throw new UsageError(`--cron "${pattern}" would never fire; write minute hour day month weekday, e.g. "30 2 * * *"`);
    return { next };
  } finally {
    job.stop();
  }
}

export class BatchScheduler {
  private job: Cron | null = null;
  private current: Promise<TickOutcome> | null = null;
  private running = false;
  private stopping = false;
  private ticks = 0;
  private runs = 0;
  /**
   * The extract folders the last run refused, and what they held then. While the inbox's pending
   * folders are exactly these, unchanged, a run would only refuse them again, so ticks skip it;
   * re-sending, fixing or removing a folder (or a new one arriving) makes the next tick run.
   */
  private refused: { runId: string | null; extracts: string[]; fingerprint: string } | null = null;

  constructor(private readonly settings: SchedulerSettings) {}

  start(): void {
    const { cron, config, log } = this.settings;
    this.job = new Cron(
      cron,
      {
        mode: cronMode,
        // croner waits for the previous tick's promise; a tick that fires meanwhile is skipped.
        protect: () => this.logSkipped(++this.ticks),
        catch: (error) => log.error('tick_error', `unexpected error in a tick: ${firstLine(error)}`),
      },
      async () => {
        await this.tick();
      },
    );
    const next = this.job.nextRun();
    log.info('started', `schedule "${cron}" started; next tick ${next?.toISOString() ?? 'never'}; inbox ${config.inbox}, outputs ${config.out}, database ${config.db}`, {
      cron, next_tick: next?.toISOString() ?? null, inbox: config.inbox, out: config.out, db: config.db, pid: process.pid,
    });
  }

  /** One tick: check the inbox, and run the batch if it holds anything new. Never overlaps another tick. */
  async tick(): Promise<TickOutcome> {
    const tick = ++this.ticks;
    if (this.current !== null) {
      this.logSkipped(tick);
      return 'skipped';
    }
    if (this.stopping) return 'stopping';
    this.current = this.checkAndRun(tick);
    try {
      return await this.current;
    } finally {
      this.current = null;
    }
  }

  /** No more ticks; resolves once the tick in progress, if any, has finished (its run included). */
  async stop(): Promise<void> {
    const { log } = this.settings;
    this.stopping = true;
    this.job?.stop();
    const current = this.current;
    if (current !== null) {
      log.info('stopping', `no more ticks; waiting for the current ${this.running ? 'run' : 'tick'} to finish`);
      await current;
    } else {
      log.info('stopping', 'no more ticks; no run in progress');
    }
    log.info('stopped', `schedule stopped after ${this.ticks} tick(s) and ${this.runs} run(s)`, { ticks: this.ticks, runs: this.runs });
  }

  private async checkAndRun(tick: number): Promise<TickOutcome> {
    const { config, log } = this.settings;
    const find = this.settings.findNewExtracts ?? findNewExtracts;
    log.info('tick', `tick ${tick}: checking ${config.inbox} for extract folders not loaded yet`, { tick });

    let pending: string[];
    try {
      pending = await find(config.inbox, config.db);
    } catch (error) {
      log.error('check_failed', `tick ${tick}: cannot check for new extracts: ${firstLine(error)}; no run, the next tick tries again`, {
        tick, exit_code: exitCodeOf(error),
      });
      return 'check_failed';
    }
    if (pending.length === 0) {
      log.info('nothing_new', `tick ${tick}: nothing new in the inbox; no run`, { tick });
      return 'nothing_new';
    }
    if (this.refused !== null && fingerprintExtracts(config.inbox, pending) === this.refused.fingerprint) {
      log.warn('nothing_new', `tick ${tick}: nothing new; extract ${pending.join(', ')} refused by ${this.refused.runId ? `run ${this.refused.runId}` : 'the last run'} is unchanged: fix or remove it; no run`, {
        tick, extracts: pending, run_id: this.refused.runId ?? undefined,
      });
      return 'nothing_new';
    }
    if (this.stopping) return 'stopping';
    return this.run(tick, pending);
  }

  private async run(tick: number, pending: string[]): Promise<TickOutcome> {
    const { config, log } = this.settings;
    const batch = this.settings.runBatch ?? runBatch;
    this.running = true;
    this.runs++;
    const started = performance.now();
    log.info('run_started', `tick ${tick}: ${pending.length} extract folder(s) to load (${pending.join(', ')}); running the batch`, {
      tick, extracts: pending,
    });
    try {
      // The batch logs its own stages, each event tagged with its run_id.
      const summary = await batch(config, { logger: log, command: `strata schedule --cron "${this.settings.cron}"`, configFile: this.settings.configFile ?? null });
      const rejected = summary.load.rejected.map((r) => r.extract);
      this.refused = rejected.length > 0
        ? { runId: summary.runId, extracts: rejected, fingerprint: fingerprintExtracts(config.inbox, rejected) }
        : null;
      const fields = {
        tick, run_id: summary.runId, exit_code: summary.exitCode, status: summary.status, as_of: summary.asOf,
        extracts_loaded: summary.load.loaded, extracts_rejected: rejected, people_scored: summary.peopleScored,
        rows_quarantined: summary.rowsQuarantined, output_folder: summary.outputFolder, duration_ms: Math.round(performance.now() - started),
      };
      const message = `run ${summary.runId} ${summary.status} (exit ${summary.exitCode}), as of ${summary.asOf}: loaded ${summary.load.loaded.join(', ') || 'nothing new'}` +
        `${rejected.length ? `; refused ${rejected.join(', ')}` : ''}; outputs in ${summary.outputFolder}`;
      if (summary.exitCode === ExitCode.done) log.info('tick_finished', message, fields);
      else log.warn('tick_finished', message, fields);
      return 'ran';
    } catch (error) {
      const exitCode = exitCodeOf(error);
      // Exit 3 from the batch itself means no extract could be loaded at all: every pending folder was refused.
      this.refused = exitCode === ExitCode.extractRejected
        ? { runId: null, extracts: pending, fingerprint: fingerprintExtracts(config.inbox, pending) }
        : null;
      log.error('run_failed', `tick ${tick}: run failed (exit ${exitCode}): ${firstLine(error)}; the schedule goes on`, {
        tick, exit_code: exitCode, duration_ms: Math.round(performance.now() - started),
        stack: this.settings.verbose && error instanceof Error ? error.stack : undefined,
      });
      return 'failed';
    } finally {
      this.running = false;
    }
  }

  private logSkipped(tick: number): void {
    this.settings.log.info('tick_skipped', `tick ${tick}: skipped, the previous tick's ${this.running ? 'run' : 'check'} is still in progress`, { tick });
  }
}

function exitCodeOf(error: unknown): number {
  return error instanceof StrataError ? error.exitCode : ExitCode.failed;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
}
