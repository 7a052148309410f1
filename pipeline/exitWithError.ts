// Turns any failure into one line on stderr and the contract's exit code (the stack only with --verbose).
// What it writes passes the NHS number masking, like every other line Strata writes.
import type { Argv } from 'yargs';
import { ExitCode, StrataError } from '../core/errors.ts';
import { maskDirectIdentifiers } from '../core/privacy/maskDirectIdentifiers.ts';

const verbose = process.argv.includes('--verbose');

export function reportFailure(message: string | null, error: Error | undefined, _argv: Argv): never {
  if (error === undefined) {
    // yargs itself rejected the command line.
    process.stderr.write(maskDirectIdentifiers(`strata: ${message ?? 'bad usage'} (see strata --help)\n`));
    process.exit(ExitCode.badUsage);
  }
  return exitWithError(error);
}

export function exitWithError(error: unknown): never {
  const exitCode = error instanceof StrataError ? error.exitCode : ExitCode.failed;
  const text = error instanceof Error ? error.message : String(error);
  process.stderr.write(maskDirectIdentifiers(`strata: ${firstLine(text)}\n`));
  if (verbose && error instanceof Error && error.stack) {
    process.stderr.write(maskDirectIdentifiers(`${error.stack}\n`));
    if (error.cause instanceof Error) process.stderr.write(maskDirectIdentifiers(`caused by: ${error.cause.stack ?? error.cause.message}\n`));
  }
  process.exit(exitCode);
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
  return line.trim();
}
