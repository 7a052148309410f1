// DuckDB's memory budget when the run configuration names none. DuckDB's own default is 80% of RAM,
// which let a 1M-person run reach 18 GB on a shared 24 GiB machine. A tenth of RAM (2.35 GiB on 24 GiB)
// keeps a 3M-person run under 4 GiB for the whole process, DuckDB spilling to its temp directory: the
// process holds about 1 GiB more than DuckDB's limit at its peak (an eighth, 2.94 GiB, peaked at 4.14 GiB
// in one of three 3M runs; docs/benchmarks.md).
import { totalmem } from 'node:os';

const mebibyte = 1024 * 1024;
/** Below this DuckDB spends more time spilling than working, whatever the machine. */
const floorMiB = 1024;

export function defaultMemoryLimit(totalBytes: number = totalmem()): string {
  return `${Math.max(floorMiB, Math.floor(totalBytes / 10 / mebibyte))}MiB`;
}
