// Test helper: the facts a case-finding list gives of a person (data-contract.md v2), worked out independently of
// Strata's SQL, straight from the inbox's files: each folder's file line by line, less the lines the database says it
// quarantined, a later row replacing an earlier one with the same key. Used by tests/cli/caseFindingLists.test.ts
// and, for a generated inbox of any size, by tests/bench/checkListFacts.ts.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface ListFacts {
  last_emergency_admission_on: string | null;
  in_hospital_now: boolean;
  discharged_in_last_30_days: boolean;
  last_ae_attendance_on: string | null;
  /** The latest discharge from an emergency spell on or before the as-of date (null if none). */
  last_emergency_discharge_on: string | null;
}

/** The contract's emergency admission methods (data-contract.md §2, inpatient_spells). */
const emergencyMethods = new Set(['21', '22', '23', '24', '25', '2A', '2B', '2C', '2D', '28']);

/**
 * The rows of one activity table the database should hold after the folders up to `upTo`. `quarantined` holds
 * `extract|file|line` of every quarantined line (line 1 being the header). Only plain rows (no quoting) are expected
 * among those loaded; a quoted one throws, so a split on commas reads them.
 */
export function loadedRows(inbox: string, table: string, key: string, quarantined: ReadonlySet<string>, upTo: string): Record<string, string>[] {
  const byKey = new Map<string, Record<string, string>>();
  for (const night of readdirSync(inbox).sort().filter((n) => /^\d{4}-\d{2}-\d{2}$/.test(n) && n <= upTo)) {
    const file = readdirSync(join(inbox, night)).find((f) => f === `${table}.csv` || f === `${table}.csv.gz`);
    if (!file) continue;
    const raw = readFileSync(join(inbox, night, file));
    const [header, ...lines] = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').replace(/\n$/, '').split('\n');
    const columns = header!.split(',');
    lines.forEach((line, index) => {
      if (quarantined.has(`${night}|${file}|${index + 2}`)) return;
      const fields = line.split(',');
      if (line.includes('"') || fields.length !== columns.length) throw new Error(`${night}/${file} line ${index + 2} is not a plain row`);
      const row = Object.fromEntries(columns.map((c, i) => [c, fields[i]!]));
      byKey.set(row[key]!, row);
    });
  }
  return [...byKey.values()];
}

/**
 * Whether a reason about a recent emergency admission (models/terms.ts, recent_admission) is true of a person with
 * these facts at `asOf`: "In hospital now ..." only when they are, "Discharged N days ago ..." only when they are not
 * and their last emergency discharge was N days before. Other reasons: true (not this helper's subject).
 */
export function recentAdmissionReasonHolds(reason: string, facts: ListFacts, asOf: string): boolean {
  if (reason.startsWith('In hospital now')) return facts.in_hospital_now;
  const discharged = /^Discharged (today|yesterday|(\d+) days ago) after an emergency admission$/.exec(reason);
  if (!discharged) return !reason.startsWith('Discharged');
  const days = discharged[1] === 'today' ? 0 : discharged[1] === 'yesterday' ? 1 : Number(discharged[2]);
  return !facts.in_hospital_now && facts.last_emergency_discharge_on !== null
    && (Date.parse(asOf) - Date.parse(facts.last_emergency_discharge_on)) / 86_400_000 === days;
}

/** Each person's list facts at `asOf`, from the loaded inpatient spells and A&E attendances. */
export function listFactsFromInbox(inbox: string, quarantined: ReadonlySet<string>, asOf: string, personIds: readonly string[]): Map<string, ListFacts> {
  const daysBefore = (date: string) => (Date.parse(asOf) - Date.parse(date)) / 86_400_000;
  const wanted = new Set(personIds);
  const spells = new Map<string, Record<string, string>[]>();
  for (const spell of loadedRows(inbox, 'inpatient_spells', 'spell_id', quarantined, asOf)) {
    if (!wanted.has(spell['person_id']!) || !emergencyMethods.has(spell['admission_method']!) || daysBefore(spell['admission_date']!) < 0) continue;
    spells.set(spell['person_id']!, [...(spells.get(spell['person_id']!) ?? []), spell]);
  }
  const attendances = new Map<string, string[]>();
  for (const attendance of loadedRows(inbox, 'ae_attendances', 'attendance_id', quarantined, asOf)) {
    const day = attendance['arrival_at']!.slice(0, 10);
    if (!wanted.has(attendance['person_id']!) || daysBefore(day) < 0 || daysBefore(day) >= 1095) continue;
    attendances.set(attendance['person_id']!, [...(attendances.get(attendance['person_id']!) ?? []), day]);
  }
  return new Map(personIds.map((id) => {
    const own = spells.get(id) ?? [];
    const discharged = (s: Record<string, string>) => s['discharge_date'] !== '';
    return [id, {
      last_emergency_admission_on: own.map((s) => s['admission_date']!).filter((d) => daysBefore(d) < 1095).sort().at(-1) ?? null,
      in_hospital_now: own.some((s) => !discharged(s) || daysBefore(s['discharge_date']!) < 0),
      discharged_in_last_30_days: own.some((s) => discharged(s) && daysBefore(s['discharge_date']!) >= 0 && daysBefore(s['discharge_date']!) < 30),
      last_ae_attendance_on: (attendances.get(id) ?? []).sort().at(-1) ?? null,
      last_emergency_discharge_on: own.filter((s) => discharged(s) && daysBefore(s['discharge_date']!) >= 0).map((s) => s['discharge_date']!).sort().at(-1) ?? null,
    }];
  }));
}
