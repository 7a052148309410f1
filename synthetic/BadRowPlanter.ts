// Plants bad rows (--bad-rows) so the loader's quarantine can be tested: every reason code of
// data-contract.md section 3 plus short and long rows, each row with exactly one problem, spread over
// folders and files. Rows go in while the files stream, so manifests count them like any other row.
import type { QuarantineReason } from '../core/extractTables.ts';
import { formatIsoDate, formatIsoTimestamp, yearOfDay } from './formatIsoDate.ts';
import { conditionCodes, conditionCount } from './knownProcess.ts';
import { NEVER, type PersonSimulator } from './PersonSimulator.ts';
import type { PersonRecordWriter } from './PersonRecordWriter.ts';
import type { MdtReviewWriter } from './MdtReviewWriter.ts';
import type { ExtractFolderWriter } from './ExtractFolderWriter.ts';
import type { Geography } from './createGeography.ts';
import type { TableName } from './inboxTables.ts';
import type { Timeline } from './createTimeline.ts';

export interface PlantedRow {
  /** Extract folder (its date). */
  extract: string;
  /** File name as written (e.g. prescriptions.csv.gz). */
  file: string;
  /** 1-based physical line; the header is line 1. */
  line: number;
  reason: QuarantineReason;
  /** What is wrong, for a person reading the list. */
  detail: string;
}

type FolderChoice = 'first' | 'middle' | 'last';

/** What a plan needs to build its row: a real, registered, living person and the folder's date. */
interface PlantContext {
  personId: string;
  /** The person's register onset days (NEVER when not held). */
  onsetDay: Int32Array;
  extractDay: number;
  /** The file's last regular row (for duplicates). */
  lastRow: string | undefined;
}

interface PlantPlan {
  reason: QuarantineReason;
  table: TableName;
  folder: FolderChoice;
  detail: string;
  /** Needs a real person (activity rows) rather than a made-up demographics row. */
  needsPerson: boolean;
  build(context: PlantContext): string | Buffer | undefined;
}

/** The date `offset` days from the folder's extract date. */
function day(c: PlantContext, offset: number): string {
  return formatIsoDate(c.extractDay + offset);
}

/** The row's UTF-8 bytes with 0xFF 0xFE (not UTF-8) where `text` holds U+0000. */
function encoded(text: string): Buffer {
  const [before, after] = text.split('\u0000') as [string, string];
  return Buffer.concat([Buffer.from(before, 'utf8'), Buffer.from([0xff, 0xfe]), Buffer.from(after, 'utf8')]);
}

/** A 10-digit NHS number that passes the modulus-11 check (the example in the brief). */
export const plantedNhsNumber = '9434765919';

export class BadRowPlanter {
  readonly planted: PlantedRow[] = [];
  private readonly plans: PlantPlan[];
  /** The teams' reviews are written after every person (MdtReviewWriter), so their rows are planted at the end. */
  private readonly reviewPlans: PlantPlan[];
  private readonly triggers: number[];
  private readonly done: boolean[];
  private fallback: { personId: string; onsetDay: Int32Array } | undefined;
  private freshPerson = 0;

  constructor(
    private readonly timeline: Timeline,
    private readonly geography: Geography,
    private readonly folders: ExtractFolderWriter[],
    private readonly records: PersonRecordWriter,
    private readonly reviews: MdtReviewWriter,
    persons: number,
  ) {
    this.plans = this.createPlans();
    this.reviewPlans = this.createReviewPlans();
    this.triggers = this.plans.map((_, i) => Math.floor(((i + 1) * persons) / (this.plans.length + 2)));
    this.done = this.plans.map(() => false);
  }

  /** Called after each person's rows are written; plants any due row that this person can carry. */
  afterPerson(index: number, sim: PersonSimulator): void {
    const m = this.records.membership;
    const usable = m.firstFolder === 0 && m.lastFolder === this.timeline.extracts - 1 && sim.deathDay > this.timeline.asOf;
    if (usable && this.done.includes(false)) this.fallback = { personId: this.records.personId, onsetDay: Int32Array.from(sim.onsetDay) };
    for (let i = 0; i < this.plans.length; i++) {
      if (this.done[i] || index < (this.triggers[i] as number)) continue;
      const plan = this.plans[i] as PlantPlan;
      if (plan.needsPerson && !usable) continue;
      if (this.plant(plan, this.records.personId, sim.onsetDay)) this.done[i] = true;
    }
  }

  /** Plants whatever is still due at the end of the files (small populations), then the reviews' rows. */
  finish(): void {
    for (let i = 0; i < this.plans.length; i++) {
      if (this.done[i]) continue;
      this.plantWithFallback(this.plans[i] as PlantPlan);
      this.done[i] = true;
    }
    for (const plan of this.reviewPlans) this.plantWithFallback(plan);
    this.planted.sort((a, b) => a.extract.localeCompare(b.extract) || a.file.localeCompare(b.file) || a.line - b.line);
  }

  private folderIndex(choice: FolderChoice): number {
    const last = this.timeline.extracts - 1;
    if (choice === 'first') return 0;
    if (choice === 'last') return last;
    return Math.min(1, last);
  }

  /** Plants `plan` on the last person registered throughout and alive at as-of. */
  private plantWithFallback(plan: PlantPlan): void {
    if (plan.needsPerson && this.fallback === undefined) throw new Error(`cannot plant ${plan.reason}: no person is registered throughout and alive at as-of`);
    const person = this.fallback ?? { personId: '', onsetDay: new Int32Array(conditionCount).fill(NEVER) };
    if (!this.plant(plan, person.personId, person.onsetDay)) throw new Error(`cannot plant ${plan.reason} in ${plan.table}: the file has no row to duplicate`);
  }

  private plant(plan: PlantPlan, personId: string, onsetDay: Int32Array): boolean {
    const folderIndex = this.folderIndex(plan.folder);
    const folder = this.folders[folderIndex] as ExtractFolderWriter;
    const writer = folder.table(plan.table);
    const row = plan.build({ personId, onsetDay, extractDay: folder.extractDay, lastRow: writer.lastRow });
    if (row === undefined) return false;
    const line = typeof row === 'string' ? writer.writePlantedRow(row) : writer.writeRawRow(row);
    this.planted.push({ extract: folder.extractDate, file: writer.name, line, reason: plan.reason, detail: plan.detail });
    return true;
  }

  /** A person id in no snapshot: same shape as real ones but a letter they never start with. */
  private unknownPersonId(): string {
    return `Q${(0x5f3759 + this.freshPerson++ * 7919).toString(36).padStart(7, '0')}`;
  }

  private demographicsRow(fields: Partial<Record<'person_id' | 'year_of_birth' | 'sex' | 'imd_decile', string>>, extractDay: number): string {
    const practice = this.geography.practices[0] as { code: string; pcnCode: string };
    const lsoa = (this.geography.lsoasByDecile[2] as string[])[0] ?? '';
    const personId = fields.person_id ?? this.unknownPersonId();
    const registered = formatIsoDate(extractDay - 4000);
    return `${personId},${fields.year_of_birth ?? '1968'},${fields.sex ?? '2'},A,${lsoa},${fields.imd_decile ?? '3'},${practice.code},${practice.pcnCode},${registered},,N`;
  }

  private createPlans(): PlantPlan[] {
    const year = (day: number): number => yearOfDay(day);
    const spell = (c: PlantContext, admission: string, discharge: string, method: string, secondary = 'I10X;E11.9'): string =>
      `${this.records.nextSpellId()},${c.personId},${admission},${discharge},${method},J44.1,${secondary},340`;
    const attendance = (c: PlantContext, arrival: string, department: string, acuity: string): string =>
      `${this.records.nextAttendanceId()},${c.personId},${arrival},${department},${acuity},N`;
    const appointment = (personId: string, date: string): string =>
      `${this.records.nextAppointmentId()},${personId},${date},5,2,110`;
    const prescription = (personId: string, date: string): string =>
      `${this.records.nextPrescriptionId()},${personId},${date},0205051R0AAAAAA`;
    const unheldCondition = (onsetDay: Int32Array): string => {
      for (let c = conditionCount - 1; c >= 0; c--) if ((onsetDay[c] as number) > this.timeline.asOf) return conditionCodes[c] as string;
      return 'XYZ';
    };
    const plans: PlantPlan[] = [
      // First folder (the backfill).
      { reason: 'bad_value', table: 'demographics', folder: 'first', needsPerson: false, detail: 'imd_decile 11', build: (c) => this.demographicsRow({ imd_decile: '11' }, c.extractDay) },
      { reason: 'direct_identifier', table: 'demographics', folder: 'first', needsPerson: false, detail: `person_id is an NHS number (${plantedNhsNumber})`, build: (c) => this.demographicsRow({ person_id: plantedNhsNumber }, c.extractDay) },
      { reason: 'bad_date', table: 'inpatient_spells', folder: 'first', needsPerson: true, detail: 'admission_date 30 February', build: (c) => spell(c, `${year(c.extractDay)}-02-30`, '', '21') },
      { reason: 'date_order', table: 'inpatient_spells', folder: 'first', needsPerson: true, detail: 'discharge_date before admission_date', build: (c) => spell(c, day(c, -2), day(c, -5), '21') },
      { reason: 'duplicate_key', table: 'inpatient_spells', folder: 'first', needsPerson: false, detail: 'second row with a spell_id already in the file', build: (c) => c.lastRow },
      { reason: 'bad_encoding', table: 'inpatient_spells', folder: 'first', needsPerson: true, detail: 'bytes 0xFF 0xFE in secondary_diagnoses', build: (c) => encoded(spell(c, day(c, -3), day(c, -1), '22', 'I10X;E11\u00009')) },
      { reason: 'bad_value', table: 'ae_attendances', folder: 'first', needsPerson: true, detail: 'acuity 9', build: (c) => attendance(c, formatIsoTimestamp(c.extractDay - 1, 40_000), '01', '9') },
      { reason: 'duplicate_key', table: 'ae_attendances', folder: 'first', needsPerson: false, detail: 'second row with an attendance_id already in the file', build: (c) => c.lastRow },
      { reason: 'bad_value', table: 'outpatient_appointments', folder: 'first', needsPerson: true, detail: 'one field too few', build: (c) => appointment(c.personId, day(c, -1)).replace(/,[^,]*$/, '') },
      { reason: 'bad_code', table: 'gp_conditions', folder: 'first', needsPerson: true, detail: "condition 'XYZ'", build: (c) => `${c.personId},XYZ,${day(c, -30)}` },
      { reason: 'duplicate_key', table: 'gp_conditions', folder: 'first', needsPerson: false, detail: 'second row with a (person_id, condition) already in the file', build: (c) => c.lastRow },
      { reason: 'missing_value', table: 'prescriptions', folder: 'first', needsPerson: false, detail: 'person_id empty', build: (c) => prescription('', day(c, -1)) },
      { reason: 'duplicate_key', table: 'prescriptions', folder: 'first', needsPerson: false, detail: 'second row with a prescription_id already in the file', build: (c) => c.lastRow },
      // Middle folder.
      { reason: 'bad_value', table: 'demographics', folder: 'middle', needsPerson: false, detail: 'year_of_birth 1850', build: (c) => this.demographicsRow({ year_of_birth: '1850' }, c.extractDay) },
      { reason: 'bad_value', table: 'demographics', folder: 'middle', needsPerson: false, detail: 'person_id with a space', build: (c) => this.demographicsRow({ person_id: 'Q12 345' }, c.extractDay) },
      { reason: 'bad_code', table: 'inpatient_spells', folder: 'middle', needsPerson: true, detail: "admission_method '99'", build: (c) => spell(c, day(c, -4), day(c, -1), '99') },
      { reason: 'bad_value', table: 'ae_attendances', folder: 'middle', needsPerson: true, detail: 'one field too many, empty (a trailing comma)', build: (c) => `${attendance(c, formatIsoTimestamp(c.extractDay - 1, 40_000), '01', '3')},` },
      { reason: 'future_date', table: 'ae_attendances', folder: 'middle', needsPerson: true, detail: 'arrival_at two days after the extract date', build: (c) => attendance(c, formatIsoTimestamp(c.extractDay + 2, 36_900), '01', '3') },
      { reason: 'unknown_person', table: 'outpatient_appointments', folder: 'middle', needsPerson: false, detail: 'person_id in no snapshot', build: (c) => appointment(this.unknownPersonId(), day(c, -1)) },
      // Last folder.
      { reason: 'bad_code', table: 'demographics', folder: 'last', needsPerson: false, detail: "sex 'Q'", build: (c) => this.demographicsRow({ sex: 'Q' }, c.extractDay) },
      { reason: 'bad_value', table: 'demographics', folder: 'last', needsPerson: false, detail: "person_id with '!'", build: (c) => this.demographicsRow({ person_id: 'Q!7x2k9' }, c.extractDay) },
      { reason: 'missing_value', table: 'inpatient_spells', folder: 'last', needsPerson: true, detail: 'admission_date empty', build: (c) => spell(c, '', '', '21') },
      { reason: 'bad_encoding', table: 'inpatient_spells', folder: 'last', needsPerson: true, detail: 'bytes 0xFF 0xFE in secondary_diagnoses', build: (c) => encoded(spell(c, day(c, -1), day(c, 0), '21', 'N39.0;R29.6\u0000')) },
      { reason: 'bad_code', table: 'ae_attendances', folder: 'last', needsPerson: true, detail: "department_type '07'", build: (c) => attendance(c, formatIsoTimestamp(c.extractDay, 30_000), '07', '4') },
      { reason: 'bad_date', table: 'outpatient_appointments', folder: 'last', needsPerson: true, detail: "appointment_date 'yesterday'", build: (c) => appointment(c.personId, 'yesterday') },
      { reason: 'future_date', table: 'gp_conditions', folder: 'last', needsPerson: true, detail: 'diagnosed_on ten days after the extract date', build: (c) => `${c.personId},${unheldCondition(c.onsetDay)},${day(c, 10)}` },
      { reason: 'bad_value', table: 'prescriptions', folder: 'last', needsPerson: true, detail: 'one field too many', build: (c) => `${prescription(c.personId, day(c, 0))},28` },
      { reason: 'unknown_person', table: 'prescriptions', folder: 'last', needsPerson: false, detail: 'person_id in no snapshot', build: (c) => prescription(this.unknownPersonId(), day(c, 0)) },
    ];
    return plans;
  }

  /** One mdt_reviews row per reason, over the three folders. */
  private createReviewPlans(): PlantPlan[] {
    const review = (personId: string, reviewedOn: string, outcome: string, reviewBy: string): string =>
      `${this.reviews.nextReviewId()},${personId},${reviewedOn},${outcome},${reviewBy}`;
    // A population too small to have a review on the first night gets one valid review there to repeat.
    const firstReview = (c: PlantContext): string => {
      const row = review(c.personId, day(c, -1), 'AM', day(c, 120));
      (this.folders[0] as ExtractFolderWriter).table('mdt_reviews').writeRow(row);
      return row;
    };
    return [
      { reason: 'missing_value', table: 'mdt_reviews', folder: 'first', needsPerson: true, detail: 'outcome empty', build: (c) => review(c.personId, day(c, -1), '', '') },
      { reason: 'duplicate_key', table: 'mdt_reviews', folder: 'first', needsPerson: true, detail: 'second row with a review_id already in the file', build: (c) => c.lastRow ?? firstReview(c) },
      { reason: 'bad_encoding', table: 'mdt_reviews', folder: 'first', needsPerson: true, detail: 'bytes 0xFF 0xFE in review_id', build: (c) => encoded(review(c.personId, day(c, -2), 'CP', day(c, 100)).replace(',', '\u0000,')) },
      { reason: 'bad_date', table: 'mdt_reviews', folder: 'middle', needsPerson: true, detail: 'review_by 31 April', build: (c) => review(c.personId, day(c, -2), 'CP', `${yearOfDay(c.extractDay) + 1}-04-31`) },
      { reason: 'bad_code', table: 'mdt_reviews', folder: 'middle', needsPerson: true, detail: "outcome 'XX'", build: (c) => review(c.personId, day(c, -3), 'XX', '') },
      { reason: 'unknown_person', table: 'mdt_reviews', folder: 'middle', needsPerson: false, detail: 'person_id in no snapshot', build: (c) => review(this.unknownPersonId(), day(c, -1), 'NR', '') },
      { reason: 'direct_identifier', table: 'mdt_reviews', folder: 'middle', needsPerson: false, detail: `person_id is an NHS number (${plantedNhsNumber})`, build: (c) => review(plantedNhsNumber, day(c, -1), 'DC', '') },
      { reason: 'future_date', table: 'mdt_reviews', folder: 'last', needsPerson: true, detail: 'reviewed_on three days after the extract date', build: (c) => review(c.personId, day(c, 3), 'NA', '') },
      { reason: 'date_order', table: 'mdt_reviews', folder: 'last', needsPerson: true, detail: 'review_by before reviewed_on', build: (c) => review(c.personId, day(c, -1), 'CP', day(c, -30)) },
      { reason: 'bad_value', table: 'mdt_reviews', folder: 'last', needsPerson: true, detail: 'a sixth field', build: (c) => `${review(c.personId, day(c, -1), 'AM', day(c, 150))},extra` },
    ];
  }
}
