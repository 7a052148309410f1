// Errors that the CLI turns into one actionable line and a contract exit code.

/** Exit codes fixed by the data contract, section 5. */
export const ExitCode = {
  done: 0,
  failed: 1,
  badUsage: 2,
  extractRejected: 3,
  databaseLocked: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error whose message is already a sentence a person can act on. */
export class StrataError extends Error {
  readonly exitCode: ExitCodeValue;

  constructor(message: string, exitCode: ExitCodeValue = ExitCode.failed, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StrataError';
    this.exitCode = exitCode;
  }
}

/** Bad command-line usage or configuration: exit 2. */
export class UsageError extends StrataError {
  constructor(message: string) {
    super(message, ExitCode.badUsage);
    this.name = 'UsageError';
  }
}

/** An extract folder was refused whole (data-contract.md §1): exit 3, nothing of it loaded. */
export class ExtractRejectedError extends StrataError {
  readonly extractDate: string;
  readonly fileName: string | null;

  constructor(extractDate: string, fileName: string | null, reason: string) {
    super(`extract ${extractDate} rejected${fileName ? `: ${fileName}` : ''}: ${reason}`, ExitCode.extractRejected);
    this.name = 'ExtractRejectedError';
    this.extractDate = extractDate;
    this.fileName = fileName;
  }
}
