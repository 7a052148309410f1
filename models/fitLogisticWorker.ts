// Runs fitLogistic off the main thread: receives the design, posts back the fits or the error message.
import { parentPort } from 'node:worker_threads';
import { type FitOptions, fitLogistic, fitLogisticBothWays, type LogisticFit } from './fitLogistic.ts';

interface FitRequest {
  columns: Float64Array[];
  y: Uint8Array;
  options: FitOptions;
  /** Both the unconstrained and the sign-constrained fit (options.nonNegative), in that order. */
  bothWays: boolean;
}

parentPort!.once('message', ({ columns, y, options, bothWays }: FitRequest) => {
  try {
    // The design was transferred here and is used by nobody else, so it is standardised where it lies.
    const inPlace = { ...options, standardiseInPlace: true };
    let fits: LogisticFit[];
    if (bothWays && options.nonNegative) {
      const both = fitLogisticBothWays(columns, y, { ...inPlace, nonNegative: options.nonNegative });
      fits = [both.unconstrained, both.nonNegative];
    } else {
      fits = [fitLogistic(columns, y, inPlace)];
    }
    parentPort!.postMessage({ fits });
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
