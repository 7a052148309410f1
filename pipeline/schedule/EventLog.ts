// One line per event on stderr for the long-running scheduler: JSON lines when stdout is not a
// terminal (systemd, cron, a pipe), readable lines otherwise. Self-contained until a common logger lands.

export type EventLevel = 'info' | 'warn' | 'error';

/** Extra fields of an event, snake_case like run.json; undefined fields are left out. */
export type EventFields = Record<string, string | number | boolean | null | undefined | string[]>;

export interface LoggedEvent {
  time: string;
  level: EventLevel;
  event: string;
  message: string;
  [field: string]: unknown;
}

export class EventLog {
  constructor(
    private readonly write: (line: string) => void,
    private readonly json: boolean,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The log a `strata` process writes: stderr, JSON unless stdout is a terminal. */
  static forProcess(): EventLog {
    return new EventLog((line) => process.stderr.write(`${line}\n`), !process.stdout.isTTY);
  }

  info(event: string, message: string, fields: EventFields = {}): void {
    this.emit('info', event, message, fields);
  }

  warn(event: string, message: string, fields: EventFields = {}): void {
    this.emit('warn', event, message, fields);
  }

  error(event: string, message: string, fields: EventFields = {}): void {
    this.emit('error', event, message, fields);
  }

  private emit(level: EventLevel, event: string, message: string, fields: EventFields): void {
    const time = this.clock().toISOString();
    const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    if (this.json) {
      this.write(JSON.stringify({ time, level, event, message, ...defined }));
    } else {
      // One line even when a message (say an error's) has several.
      const text = message.replace(/\s*\n\s*/g, ' | ');
      this.write(`${time.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} ${level.padEnd(5)} ${event}: ${text}`);
    }
  }
}
