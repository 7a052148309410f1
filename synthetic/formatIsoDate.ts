// Day numbers (days since 1970-01-01, UTC) and their ISO text, cached: the writers format tens of
// millions of dates, so each distinct day is turned into text once.

const dayMs = 86_400_000;
const cacheBase = -25_567; // 1900-01-01
const cache: (string | undefined)[] = [];
const timeOfDay: string[] = [];

/** Day number of a calendar date, or null when the text is not a real YYYY-MM-DD date. */
export function parseIsoDate(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return Math.round(ms / dayMs);
}

/** YYYY-MM-DD for a day number. */
export function formatIsoDate(day: number): string {
  const index = day - cacheBase;
  const cached = index >= 0 ? cache[index] : undefined;
  if (cached !== undefined) return cached;
  const text = new Date(day * dayMs).toISOString().slice(0, 10);
  if (index >= 0) cache[index] = text;
  return text;
}

/** YYYY-MM-DDTHH:MM:SS for a day number and a second of that day. */
export function formatIsoTimestamp(day: number, secondOfDay: number): string {
  const minute = Math.floor(secondOfDay / 60);
  let hhmm = timeOfDay[minute];
  if (hhmm === undefined) {
    hhmm = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:`;
    timeOfDay[minute] = hhmm;
  }
  const second = secondOfDay % 60;
  return `${formatIsoDate(day)}T${hhmm}${second < 10 ? '0' : ''}${second}`;
}

/** Calendar year of a day number. */
export function yearOfDay(day: number): number {
  return new Date(day * dayMs).getUTCFullYear();
}
