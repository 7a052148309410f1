// Runs a BatchScheduler until SIGTERM or SIGINT. The first signal stops the ticks and waits for the
// current run (each extract folder loads in one transaction and outputs are renamed into place, so
// finishing is the safe default); a second signal abandons the run at once, as a kill would.
import { ExitCode } from '../../core/errors.ts';
import { BatchScheduler, type SchedulerSettings } from './BatchScheduler.ts';

const stopSignals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Resolves once the schedule has stopped cleanly after a signal. */
export async function runSchedule(settings: SchedulerSettings): Promise<void> {
  const { log } = settings;
  const scheduler = new BatchScheduler(settings);
  let stopping = false;
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  try {
    await new Promise<void>((resolve) => {
      onSignal = (signal) => {
        if (stopping) {
          log.warn('abandoned', `${signal} again: exiting now, abandoning the current run; extract folders already committed stay loaded and the next run redoes the rest`, { signal });
          process.exit(ExitCode.failed);
        }
        stopping = true;
        log.info('signal', `${signal} received: stopping after the current run (${signal} again abandons it)`, { signal });
        void scheduler.stop().then(resolve);
      };
      for (const signal of stopSignals) process.on(signal, onSignal);
      scheduler.start();
    });
  } finally {
    for (const signal of stopSignals) process.off(signal, onSignal);
  }
}
