// fitLogistic in a worker thread, so that two fits use both cores and the main thread stays free to drive
// DuckDB meanwhile. The same code runs on the same numbers, so the fit is bit-for-bit the in-thread one.
import { Worker } from 'node:worker_threads';
import type { FitOptions, LogisticFit } from './fitLogistic.ts';

/**
 * Fits in a new worker: one fit, or with `bothWays` the unconstrained fit and then the sign-constrained one
 * (options.nonNegative) on the same design. The arrays' buffers are transferred to the worker: the caller must not
 * use them afterwards.
 */
export function fitLogisticInWorker(columns: Float64Array[], y: Uint8Array, options: FitOptions = {}, bothWays = false): Promise<LogisticFit[]> {
  const worker = new Worker(new URL('./fitLogisticWorker.mjs', import.meta.url));
  return new Promise<LogisticFit[]>((resolve, reject) => {
    worker.once('message', (reply: { fits?: LogisticFit[]; error?: string }) => {
      if (reply.fits) resolve(reply.fits);
      else reject(new Error(reply.error ?? 'the logistic fit worker failed'));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the logistic fit worker exited with code ${code} before replying`)));
    const buffers = new Set<ArrayBuffer>([...columns, y, ...(options.weights ? [options.weights] : [])].map((a) => a.buffer as ArrayBuffer));
    worker.postMessage({ columns, y, options, bothWays }, [...buffers]);
  }).finally(() => worker.terminate());
}
