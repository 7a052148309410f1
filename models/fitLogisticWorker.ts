// Runs one fitLogistic off the main thread: receives the design, posts back the fit or the error message.
import { parentPort } from 'node:worker_threads';
import { type FitOptions, fitLogistic } from './fitLogistic.ts';

interface FitRequest {
  columns: Float64Array[];
  y: Uint8Array;
  options: FitOptions;
}

parentPort!.once('message', ({ columns, y, options }: FitRequest) => {
  try {
    // The design was transferred here and is used by nobody else, so it is standardised where it lies.
    parentPort!.postMessage({ fit: fitLogistic(columns, y, { ...options, standardiseInPlace: true }) });
  } catch (error) {
    parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
