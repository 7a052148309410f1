// A run's id: its UTC start time, readable and sortable, plus a random suffix so two runs never clash.
import { randomBytes } from 'node:crypto';

export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}
