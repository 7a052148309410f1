// Checks every listed person's hospital facts on the case-finding lists of a run against an independent reading of
// the inbox (tests/helpers/listFacts.ts), for an inbox of any size, e.g. a generated 20,000-person one:
//   npx tsx tests/bench/checkListFacts.ts INBOX OUT AS_OF
// Also checks each reason about a recent emergency admission ("Discharged 12 days ago ...", "In hospital now ...").
// Prints how many listed people were checked, how many hold each fact, and every mismatch; exits 1 on any.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { type ListFacts, listFactsFromInbox, recentAdmissionReasonHolds } from '../helpers/listFacts.ts';
import { readOnlyRows } from '../helpers/outputFiles.ts';

const [inbox, out, asOf] = process.argv.slice(2);
if (!inbox || !out || !asOf) {
  console.error('usage: npx tsx tests/bench/checkListFacts.ts INBOX OUT AS_OF');
  process.exit(2);
}
const quarantined = new Set(
  (await readOnlyRows(join(out, 'strata.duckdb'), "SELECT strftime(extract_date, '%Y-%m-%d') AS night, file_name, line FROM quarantine"))
    .map((r) => `${r['night']}|${r['file_name']}|${r['line']}`),
);
const folder = join(out, asOf, 'case-finding');
const rows = readdirSync(folder).filter((f) => f.endsWith('.arrow')).flatMap((file) => tableFromIPC(readFileSync(join(folder, file))).toArray().map((r) => r.toJSON()));
const expected = listFactsFromInbox(inbox, quarantined, asOf, rows.map((r) => String(r['person_id'])));
const day = (value: unknown) => (value === null ? null : new Date(Number(value)).toISOString().slice(0, 10));
let mismatches = 0;
type ListedFact = Exclude<keyof ListFacts, 'last_emergency_discharge_on'>;
const holding: Record<ListedFact, number> = { last_emergency_admission_on: 0, in_hospital_now: 0, discharged_in_last_30_days: 0, last_ae_attendance_on: 0 };
let recentReasons = 0;
for (const row of rows) {
  const want = expected.get(String(row['person_id']))!;
  const got: Omit<ListFacts, 'last_emergency_discharge_on'> = {
    last_emergency_admission_on: day(row['last_emergency_admission_on']), in_hospital_now: row['in_hospital_now'] as boolean,
    discharged_in_last_30_days: row['discharged_in_last_30_days'] as boolean, last_ae_attendance_on: day(row['last_ae_attendance_on']),
  };
  for (const reason of [...(row['top_factors'] as Iterable<string>)].filter((r) => /^(Discharged|In hospital now)/.test(r))) {
    recentReasons++;
    if (!recentAdmissionReasonHolds(reason, want, asOf)) {
      mismatches++;
      console.log(`${row['person_id']}: "${reason}" is not what the inbox says (last emergency discharge ${want.last_emergency_discharge_on}, in hospital ${want.in_hospital_now})`);
    }
  }
  for (const key of Object.keys(holding) as ListedFact[]) {
    if (want[key] !== null && want[key] !== false) holding[key]++;
    if (got[key] !== want[key]) {
      mismatches++;
      console.log(`${row['person_id']}: ${key} is ${got[key]} on the list, ${want[key]} from the inbox`);
    }
  }
}
console.log(`${rows.length} listed people checked; holding each fact: ${JSON.stringify(holding)}; reasons about a recent admission: ${recentReasons}; mismatches: ${mismatches}`);
process.exit(mismatches === 0 ? 0 : 1);
