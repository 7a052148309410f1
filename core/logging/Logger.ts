// What a run says while it works. Under a scheduler (stdout not a terminal) every event is one JSON line
// on stdout, for log shippers; at a terminal, readable lines on stderr and a progress bar for long stages.
// Every line passes the NHS number masking on its way out, whatever field the number is in.
import { maskDirectIdentifiers, stringifyMasked } from '../privacy/maskDirectIdentifiers.ts';

export type LogFormat = 'json' | 'text';
export type LogLevel = 'info' | 'warn' | 'error';

/** Fields every event may carry; anything else JSON-safe is welcome. */
export interface LogFields {
  stage?: string;
  rows?: number;
  duration_ms?: number;
  [key: string]: unknown;
}

export interface LogStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** One event as a JSON log line holds it. */
export interface LoggedEvent {
  time: string;
  level: LogLevel;
  event: string;
  message: string;
  run_id?: string;
  [field: string]: unknown;
}

/** Reports progress through a stage of known size: call with the number of items done so far. */
export type ProgressReporter = (done: number, label?: string) => void;

/** Makes a progress reporter once the stage knows how many items it has. */
export type ProgressFactory = (total: number) => ProgressReporter;

const progressBarWidth = 24;

export class Logger {
  private barShown = false;

  constructor(
    readonly format: LogFormat,
    private readonly streams: LogStreams = { stdout: process.stdout, stderr: process.stderr },
    private readonly context: { run_id?: string } = {},
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The format for these streams: JSON unless stdout is a terminal, or whatever --log-format says. */
  static create(choice: 'auto' | LogFormat = 'auto', streams: LogStreams = { stdout: process.stdout, stderr: process.stderr }): Logger {
    const format = choice === 'auto' ? (streams.stdout.isTTY ? 'text' : 'json') : choice;
    return new Logger(format, streams);
  }

  /** The same logger, with every event tagged with the run's id. */
  forRun(runId: string): Logger {
    return new Logger(this.format, this.streams, { ...this.context, run_id: runId }, this.clock);
  }

  info(event: string, message: string, fields: LogFields = {}): void {
    this.write('info', event, message, fields);
  }

  warn(event: string, message: string, fields: LogFields = {}): void {
    this.write('warn', event, message, fields);
  }

  error(event: string, message: string, fields: LogFields = {}): void {
    this.write('error', event, message, fields);
  }

  /** Times a stage, logging its start and its end with duration_ms (and rows, when `rowsOf` says). */
  async stage<T>(stage: string, work: () => Promise<T>, rowsOf?: (result: T) => number | undefined): Promise<{ result: T; durationMs: number }> {
    this.info('stage_started', `${stage} started`, { stage });
    const started = performance.now();
    const result = await work();
    const durationMs = Math.round(performance.now() - started);
    const rows = rowsOf?.(result);
    this.info('stage_finished', `${stage} finished in ${(durationMs / 1000).toFixed(1)} s${rows !== undefined ? ` (${rows} rows)` : ''}`, {
      stage, duration_ms: durationMs, ...(rows !== undefined ? { rows } : {}),
    });
    return { result, durationMs };
  }

  /**
   * A progress bar for `total` items of a stage, drawn only on a terminal (stderr a TTY, text format).
   * JSON logs get the per-item events the stages log themselves, not bar redraws.
   */
  progress(stage: string, total: number): ProgressReporter {
    if (this.format !== 'text' || !this.streams.stderr.isTTY || total <= 0) return () => {};
    return (done, label) => {
      const filled = Math.round((Math.min(done, total) / total) * progressBarWidth);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(progressBarWidth - filled)}`;
      this.streams.stderr.write(maskDirectIdentifiers(`\r\x1b[2K  ${stage} [${bar}] ${done}/${total}${label ? ` ${label}` : ''}`));
      this.barShown = done < total;
      if (!this.barShown) this.streams.stderr.write('\r\x1b[2K');
    };
  }

  private write(level: LogLevel, event: string, message: string, fields: LogFields): void {
    const time = this.clock().toISOString();
    if (this.format === 'json') {
      const line = { time, level, event, message, ...this.context, ...fields };
      this.streams.stdout.write(`${stringifyMasked(line)}\n`);
      return;
    }
    if (this.barShown) {
      this.streams.stderr.write('\r\x1b[2K');
      this.barShown = false;
    }
    const stage = typeof fields.stage === 'string' ? `${fields.stage.padEnd(8)} ` : '';
    const prefix = level === 'info' ? '' : `${level.toUpperCase()} `;
    // One line per event, even for a message of several lines (an error's, say).
    this.streams.stderr.write(maskDirectIdentifiers(`${time.slice(11, 19)} ${stage}${prefix}${message.replace(/\s*\n\s*/g, ' | ')}\n`));
  }
}
