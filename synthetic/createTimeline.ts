// The generator's calendar: extract folder dates, the simulation's monthly steps (aligned so the 12 steps
// after as-of are exactly the oracle's 365-day window), and where each table's history starts.

/** Months simulated before as-of: 4 years of written history plus burn-in for the recent-admission memory. */
export const historySteps = 72;
/** Months simulated after as-of: the outcome window of the truth file. */
export const futureSteps = 12;

export interface Timeline {
  asOf: number;
  extracts: number;
  /** Day of each extract folder, oldest first; the first is the backfill, the last is as-of. */
  extractDays: number[];
  /** Hospital activity dated after this day is written (about 4 years before the backfill). */
  historyStart: number;
  /** Prescriptions issued after this day are written (18 months before the backfill). */
  prescriptionStart: number;
  /** Step s covers days (stepBound[s], stepBound[s + 1]]; steps >= historySteps are after as-of. */
  stepBound: Int32Array;
  stepCount: number;
}

export function createTimeline(asOf: number, extracts: number): Timeline {
  const extractDays = Array.from({ length: extracts }, (_, j) => asOf - (extracts - 1) + j);
  const backfill = extractDays[0] as number;
  const stepCount = historySteps + futureSteps;
  const stepBound = new Int32Array(stepCount + 1);
  for (let s = 0; s <= stepCount; s++) stepBound[s] = asOf + Math.round(((s - historySteps) * 365) / 12);
  return {
    asOf,
    extracts,
    extractDays,
    historyStart: backfill - 1461,
    prescriptionStart: backfill - 548,
    stepBound,
    stepCount,
  };
}

/** Folder index an arrival day falls in (-1 when after as-of: tomorrow's extract). */
export function folderOfArrival(timeline: Timeline, arrivalDay: number): number {
  const backfill = timeline.extractDays[0] as number;
  if (arrivalDay <= backfill) return 0;
  if (arrivalDay > timeline.asOf) return -1;
  return arrivalDay - backfill;
}
