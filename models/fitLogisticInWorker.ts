// fitLogistic in a worker thread, so that two fits use both cores and the main thread stays free to drive
// DuckDB meanwhile. The same code runs on the same numbers, so the fit is bit-for-bit the in-thread one.
// This module is both sides: the main thread calls fitLogisticInWorker; the worker loads it again (through
// fitLogisticInWorker.mjs, which registers the TypeScript loader, when it runs from the sources) and runs the fit.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { type FitOptions, fitLogistic, fitLogisticBothWays, type LogisticFit } from './fitLogistic.ts';

interface FitRequest {
  columns: Float64Array[];
  y: Uint8Array;
  options: FitOptions;
  /** Both the unconstrained and the sign-constrained fit (options.nonNegative), in that order. */
  bothWays: boolean;
}

/**
 * The worker's entry: this module itself when it runs as the JavaScript `npm ci` builds (dist/), or, from the
 * TypeScript sources, the .mjs beside it that registers the TypeScript loader first.
 */
const workerEntry = new URL(import.meta.url.endsWith('.js') ? './fitLogisticInWorker.js' : './fitLogisticInWorker.mjs', import.meta.url);

/** workerData of a fit worker, so that no other worker thread that loads this module answers fit requests. */
const fitWorkerMark = 'strata-fit-logistic';

/**
 * Fits in a new worker: one fit, or with `bothWays` the unconstrained fit and then the sign-constrained one
 * (options.nonNegative) on the same design. The arrays' buffers are transferred to the worker: the caller must not
 * use them afterwards.
 */
export function fitLogisticInWorker(columns: Float64Array[], y: Uint8Array, options: FitOptions = {}, bothWays = false): Promise<LogisticFit[]> {
  const worker = new Worker(workerEntry, { workerData: fitWorkerMark });
  return new Promise<LogisticFit[]>((resolve, reject) => {
    worker.once('message', (reply: { fits?: LogisticFit[]; error?: string }) => {
      if (reply.fits) resolve(reply.fits);
      else reject(new Error(reply.error ?? 'the logistic fit worker failed'));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the logistic fit worker exited with code ${code} before replying`)));
    const buffers = new Set<ArrayBuffer>([...columns, y, ...(options.weights ? [options.weights] : [])].map((a) => a.buffer as ArrayBuffer));
    const request: FitRequest = { columns, y, options, bothWays };
    worker.postMessage(request, [...buffers]);
  }).finally(() => worker.terminate());
}

/** The worker's side: receives the design, posts back the fits or the error message. */
function answerFitRequest({ columns, y, options, bothWays }: FitRequest): void {
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
}

if (!isMainThread && workerData === fitWorkerMark) parentPort!.once('message', answerFitRequest);
