// DuckDB's memory budget when the run configuration names none. DuckDB's own default is 80% of RAM,
// which let a 1M-person run reach 18 GB on a shared 24 GiB machine; an eighth of RAM (3 GiB there)
// keeps a 3M-person run under 4 GiB for the whole process, with DuckDB spilling to its temp directory.
import { totalmem } from 'node:os';

const mebibyte = 1024 * 1024;
/** Below this DuckDB spends more time spilling than working, whatever the machine. */
const floorMiB = 1024;

export function defaultMemoryLimit(totalBytes: number = totalmem()): string {
  return `${Math.max(floorMiB, Math.floor(totalBytes / 8 / mebibyte))}MiB`;
}
