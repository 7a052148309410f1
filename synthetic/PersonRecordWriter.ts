// Turns one simulated person into inbox rows: which snapshots they are in (registrations, leavers,
// opt-outs), each activity record in the folder it arrives in, corrections re-sent in later folders,
// repeat prescriptions, and the person's truth row. Rows dated after as-of never reach the inbox.
import { conditionCodes, conditionIndex, conditionCount } from './knownProcess.ts';
import { NEVER, type PersonSimulator, type SpellEvent } from './PersonSimulator.ts';
import { SeededRandom, cumulativeWeights } from './SeededRandom.ts';
import { acuteMedicines, cancerHormoneMedicines, chemicals, repeatMedicinesByCondition, type Chemical } from './medicines.ts';
import { folderOfArrival, type Timeline } from './createTimeline.ts';
import type { Geography } from './createGeography.ts';
import type { ExtractFolderWriter } from './ExtractFolderWriter.ts';
import type { CsvFileWriter } from './CsvFileWriter.ts';
import { createPersonId } from './createPersonId.ts';
import { drawPalliativeCareEntry, palliativeCareStream } from './drawPalliativeCareEntry.ts';
import { formatIsoDate, formatIsoTimestamp, yearOfDay } from './formatIsoDate.ts';
import { formatDiagnosisCode, pickDiagnosisStyle } from './formatDiagnosisCode.ts';

/** Which snapshots a person is in and how they are registered. */
export interface Membership {
  /** First folder whose snapshot lists the person (0 unless newly registered later). */
  firstFolder: number;
  /** Last folder whose snapshot lists the person (extracts - 1 unless they left). */
  lastFolder: number;
  registeredOn: number;
  /** Folder from which opt_out is Y (0: always; extracts: never). */
  optOutFrom: number;
  pcnMissing: boolean;
}

/** Rough rows per person in the backfill, to turn "a few corrections a night" into a probability. */
const backfillRowsPerPerson = { spells: 1.0, ae: 1.7, op: 8.0, gp: 0.6 };
const acuteCumulative = cumulativeWeights(acuteMedicines.map((m) => m[1]));

export class PersonRecordWriter {
  personId = '';
  readonly membership: Membership = { firstFolder: 0, lastFolder: 0, registeredOn: 0, optOutFrom: 0, pcnMissing: false };
  private readonly rng: SeededRandom;
  /** The palliative care register's own stream, so adding it moved no other row. */
  private readonly palliativeRng: SeededRandom;
  private spellSeq = 0;
  private aeSeq = 0;
  private opSeq = 0;
  private rxSeq = 0;
  private readonly lastFolder: number;
  private readonly perNight: number;
  private readonly newRegistration: number;
  private readonly leaving: number;
  private readonly optOutSwitch: number;
  private readonly correction: { spells: number; ae: number; op: number; gp: number };
  private readonly planned = new Map<Chemical, number>();

  constructor(
    private readonly seed: number,
    private readonly timeline: Timeline,
    private readonly geography: Geography,
    private readonly folders: ExtractFolderWriter[],
    persons: number,
  ) {
    this.rng = new SeededRandom(seed, 0);
    this.palliativeRng = new SeededRandom(seed, 0);
    this.lastFolder = timeline.extracts - 1;
    const nights = timeline.extracts - 1;
    this.perNight = Math.max(2, Math.round(persons * 0.0002));
    this.newRegistration = (this.perNight / persons) * nights;
    this.leaving = (this.perNight / persons) * nights;
    this.optOutSwitch = (Math.max(1, Math.round(persons * 0.00005)) / persons) * nights;
    const corrections = Math.max(3, Math.round(persons * 0.0005)) * nights;
    this.correction = {
      spells: corrections / (persons * backfillRowsPerPerson.spells),
      ae: corrections / (persons * backfillRowsPerPerson.ae),
      op: corrections / (persons * backfillRowsPerPerson.op),
      gp: corrections / (persons * backfillRowsPerPerson.gp),
    };
  }

  /** Spell, attendance, appointment and prescription ids not yet used (for planted rows). */
  nextSpellId(): string {
    return `SP${++this.spellSeq}`;
  }
  nextAttendanceId(): string {
    return `AE${++this.aeSeq}`;
  }
  nextAppointmentId(): string {
    return `OP${++this.opSeq}`;
  }
  nextPrescriptionId(): string {
    return `RX${++this.rxSeq}`;
  }

  /** True when the person is in the newest snapshot and alive at as-of (the truth population). */
  inTruthPopulation(sim: PersonSimulator): boolean {
    return sim.deathDay > this.timeline.asOf && this.membership.lastFolder === this.lastFolder;
  }

  optedOutAtAsOf(): boolean {
    return this.membership.optOutFrom <= this.lastFolder;
  }

  /** Writes every row of the person; returns false when they died before the written history (not in the population). */
  write(sim: PersonSimulator, index: number): boolean {
    const t = this.timeline;
    if (sim.deathDay <= t.historyStart) return false;
    this.rng.reseed(this.seed, index * 4);
    this.personId = createPersonId(index, this.seed);
    this.decideMembership(sim);
    this.writeDemographics(sim);
    // Before the other registers, so a file's last row (which the bad-row planter duplicates) stays what it was.
    this.writePalliativeCare(sim, index);
    this.writeConditions(sim);
    this.writeSpells(sim);
    this.writeAttendances(sim);
    this.writeAppointments(sim);
    this.writePrescriptions(sim);
    return true;
  }

  private decideMembership(sim: PersonSimulator): void {
    const t = this.timeline;
    const rng = this.rng;
    const m = this.membership;
    const backfill = t.extractDays[0] as number;
    const yearsRegistered = -Math.log(1 - rng.next()) * 12;
    const afterBirth = sim.birthDay + 14 + rng.int(28);
    m.registeredOn = Math.max(sim.birthDay, Math.min(backfill, sim.deathDay, Math.max(afterBirth, backfill - Math.floor(yearsRegistered * 365.25))));
    m.firstFolder = 0;
    m.lastFolder = this.lastFolder;
    if (this.lastFolder > 0 && rng.chance(this.newRegistration)) {
      const folder = 1 + rng.int(this.lastFolder);
      const day = t.extractDays[folder] as number;
      if (sim.deathDay > day) {
        m.firstFolder = folder;
        m.registeredOn = day - rng.int(2);
      }
    }
    if (this.lastFolder > 0 && rng.chance(this.leaving)) {
      const folder = 1 + rng.int(this.lastFolder);
      if (folder > m.firstFolder && sim.deathDay > (t.extractDays[folder] as number)) m.lastFolder = folder - 1;
    }
    m.optOutFrom = rng.chance(0.03) ? 0 : this.lastFolder > 0 && rng.chance(this.optOutSwitch) ? 1 + rng.int(this.lastFolder) : this.lastFolder + 1;
    m.pcnMissing = rng.chance(0.004);
  }

  /** Folder a record arriving on `arrivalDay` is written to, or -1 when it is not written. */
  private folderFor(arrivalDay: number): number {
    const folder = folderOfArrival(this.timeline, arrivalDay);
    if (folder < this.membership.firstFolder || folder > this.membership.lastFolder) return -1;
    return folder;
  }

  private table(folder: number, name: Parameters<ExtractFolderWriter['table']>[0]): CsvFileWriter {
    return (this.folders[folder] as ExtractFolderWriter).table(name);
  }

  /** A later folder (still listing the person) to re-send a correction in, or -1. */
  private correctionFolder(after: number): number {
    const last = this.membership.lastFolder;
    if (last <= after) return -1;
    return after + 1 + this.rng.int(last - after);
  }

  private writeDemographics(sim: PersonSimulator): void {
    const t = this.timeline;
    const m = this.membership;
    const practice = this.geography.practices[sim.practiceIndex] as { code: string; pcnCode: string };
    const pcn = m.pcnMissing ? '' : practice.pcnCode;
    const prefix = `${this.personId},${yearOfDay(sim.birthDay)},${sim.recordedSex},${sim.ethnicCode},${sim.lsoaCode},${sim.recordedImd},${practice.code},${pcn},${formatIsoDate(m.registeredOn)},`;
    for (let j = m.firstFolder; j <= m.lastFolder; j++) {
      const day = t.extractDays[j] as number;
      const died = sim.deathDay <= day ? formatIsoDate(sim.deathDay) : '';
      this.table(j, 'demographics').writeRow(`${prefix}${died},${j >= m.optOutFrom ? 'Y' : 'N'}`);
    }
  }

  /** Folder a register entry diagnosed on `onset` arrives in (at least the person's first), or -1 when not written. */
  private registerFolder(onset: number, delay: number): number {
    const arrival = folderOfArrival(this.timeline, onset + delay);
    if (arrival < 0) return -1;
    const folder = Math.max(arrival, this.membership.firstFolder);
    return folder > this.membership.lastFolder ? -1 : folder;
  }

  private writePalliativeCare(sim: PersonSimulator, index: number): void {
    const rng = this.palliativeRng;
    rng.reseed(this.seed, palliativeCareStream(index));
    const entry = drawPalliativeCareEntry(sim, this.timeline, rng);
    if (entry === NEVER || entry > this.timeline.asOf) return;
    const folder = this.registerFolder(entry, rng.int(2));
    if (folder >= 0) this.table(folder, 'gp_conditions').writeRow(`${this.personId},PC,${formatIsoDate(entry)}`);
  }

  private writeConditions(sim: PersonSimulator): void {
    const t = this.timeline;
    const rng = this.rng;
    for (let c = 0; c < conditionCount; c++) {
      const onset = sim.onsetDay[c] as number;
      if (onset === NEVER || onset > t.asOf) continue;
      const folder = this.registerFolder(onset, rng.int(2));
      if (folder < 0) continue;
      const code = conditionCodes[c] as string;
      this.table(folder, 'gp_conditions').writeRow(`${this.personId},${code},${formatIsoDate(onset)}`);
      if (folder === 0 && rng.chance(this.correction.gp)) {
        const later = this.correctionFolder(0);
        if (later > 0) {
          const corrected = Math.max(sim.birthDay, onset - 1 - rng.int(400));
          this.table(later, 'gp_conditions').writeRow(`${this.personId},${code},${formatIsoDate(corrected)}`);
        }
      }
    }
  }

  private spellRow(id: string, spell: SpellEvent, discharge: string, specialty: string, extraSecondary: string): string {
    const rng = this.rng;
    const style = pickDiagnosisStyle(rng);
    let primary = formatDiagnosisCode(spell.primary, style);
    let secondary = spell.secondary.map((code) => formatDiagnosisCode(code, style)).join(';');
    if (extraSecondary !== '') secondary = secondary === '' ? extraSecondary : `${secondary};${extraSecondary}`;
    if (rng.chance(0.03)) {
      primary = primary.toLowerCase();
      secondary = secondary.toLowerCase();
    }
    return `${id},${this.personId},${formatIsoDate(spell.admitDay)},${discharge},${spell.method},${primary},${secondary},${specialty}`;
  }

  private writeSpells(sim: PersonSimulator): void {
    const t = this.timeline;
    const rng = this.rng;
    for (const spell of sim.spells) {
      if (spell.admitDay <= t.historyStart || spell.admitDay > t.asOf) continue;
      const folder = this.folderFor(spell.admitDay + rng.int(2));
      if (folder < 0) continue;
      const id = this.nextSpellId();
      const specialty = rng.chance(0.02) ? '' : spell.specialty;
      const dischargeArrival = spell.dischargeDay + rng.int(2);
      if (dischargeArrival <= (t.extractDays[folder] as number)) {
        this.table(folder, 'inpatient_spells').writeRow(this.spellRow(id, spell, formatIsoDate(spell.dischargeDay), specialty, ''));
        if (rng.chance(this.correction.spells)) {
          const later = this.correctionFolder(folder);
          if (later > 0) {
            const changedSpecialty = specialty === '300' ? '430' : '300';
            this.table(later, 'inpatient_spells').writeRow(this.spellRow(id, spell, formatIsoDate(spell.dischargeDay), changedSpecialty, ''));
          }
        }
        continue;
      }
      // Still in hospital at this extract: sent open, then re-sent when the discharge arrives.
      this.table(folder, 'inpatient_spells').writeRow(this.spellRow(id, spell, '', specialty, ''));
      const dischargeFolder = this.folderFor(dischargeArrival);
      if (dischargeFolder > folder) {
        this.table(dischargeFolder, 'inpatient_spells').writeRow(this.spellRow(id, spell, formatIsoDate(spell.dischargeDay), specialty, ''));
      }
    }
  }

  private writeAttendances(sim: PersonSimulator): void {
    const t = this.timeline;
    const rng = this.rng;
    for (const ae of sim.aeAttendances) {
      if (ae.day <= t.historyStart || ae.day > t.asOf) continue;
      const folder = this.folderFor(ae.day + rng.int(2));
      if (folder < 0) continue;
      const id = this.nextAttendanceId();
      const head = `${id},${this.personId},${formatIsoTimestamp(ae.day, ae.secondOfDay)},${ae.departmentType},`;
      const tail = `,${ae.admitted ? 'Y' : 'N'}`;
      this.table(folder, 'ae_attendances').writeRow(`${head}${ae.acuity}${tail}`);
      if (rng.chance(this.correction.ae)) {
        const later = this.correctionFolder(folder);
        if (later > 0) {
          const acuity = ae.acuity === '' ? '3' : String(Math.min(5, Number(ae.acuity) + 1));
          this.table(later, 'ae_attendances').writeRow(`${head}${acuity}${tail}`);
        }
      }
    }
  }

  private writeAppointments(sim: PersonSimulator): void {
    const t = this.timeline;
    const rng = this.rng;
    for (const op of sim.outpatientAppointments) {
      if (op.day <= t.historyStart || op.day > t.asOf) continue;
      const folder = this.folderFor(op.day + rng.int(2));
      if (folder < 0) continue;
      const id = this.nextAppointmentId();
      const head = `${id},${this.personId},${formatIsoDate(op.day)},`;
      const tail = `,${op.firstAttendance},${op.specialty}`;
      this.table(folder, 'outpatient_appointments').writeRow(`${head}${op.status}${tail}`);
      if (rng.chance(this.correction.op)) {
        const later = this.correctionFolder(folder);
        if (later > 0) this.table(later, 'outpatient_appointments').writeRow(`${head}${op.status === '5' ? '6' : '5'}${tail}`);
      }
    }
  }

  /** Repeat items for long-term medicines (28- or 56-day cycles) plus acute items, over the written window. */
  private writePrescriptions(sim: PersonSimulator): void {
    const t = this.timeline;
    const rng = this.rng;
    // Nothing is issued before the person was born: a baby's window opens at birth (acute items were drawn
    // across the whole window, so some infants had prescriptions dated before their year of birth).
    const windowStart = Math.max(t.prescriptionStart + 1, sim.birthDay);
    const windowEnd = Math.min(t.asOf, sim.deathDay - 1);
    if (windowEnd < windowStart) return;
    const age = sim.ageAt(t.asOf);
    const planned = this.planned;
    planned.clear();
    const plan = (chemical: Chemical, start: number): void => {
      const existing = planned.get(chemical);
      if (existing === undefined || start < existing) planned.set(chemical, start);
    };
    for (let c = 0; c < conditionCount; c++) {
      const onset = sim.onsetDay[c] as number;
      if (onset === NEVER || onset > windowEnd) continue;
      for (const [chemical, p] of repeatMedicinesByCondition[conditionCodes[c] as keyof typeof repeatMedicinesByCondition]) {
        if (rng.chance(p)) plan(chemical, onset + rng.int(28));
      }
    }
    const canOnset = sim.onsetDay[conditionIndex.CAN] as number;
    if (canOnset <= windowEnd) {
      if (sim.sex === 2 && sim.cancerSite === 'C509') for (const [chemical, p] of cancerHormoneMedicines.female) if (rng.chance(p * 4)) plan(chemical, canOnset + 30);
      if (sim.sex === 1 && sim.cancerSite === 'C61') for (const [chemical, p] of cancerHormoneMedicines.male) if (rng.chance(p * 4)) plan(chemical, canOnset + 30);
    }
    const longAgo = (): number => windowStart - 3650 + rng.int(3650 + 400);
    if (age >= 18 && rng.chance(Math.min(0.35, 0.04 + 0.005 * Math.max(age - 20, 0)))) plan(rng.chance(0.7) ? 'omeprazole' : 'lansoprazole', longAgo());
    if (age >= 18 && rng.chance(sim.sex === 2 ? Math.min(0.08, 0.05 * (age / 60)) : 0.015)) plan('levothyroxine', longAgo());
    if (sim.sex === 2 && age >= 16 && age < 46 && rng.chance(0.12)) plan('desogestrel', longAgo());
    if (age >= 50 && rng.chance(0.2)) plan('atorvastatin', longAgo());
    if (sim.sex === 1 && age >= 60 && rng.chance(0.15)) plan('tamsulosin', longAgo());
    if (age >= 60 && rng.chance(0.12)) plan('calciumColecalciferol', longAgo());
    if (age >= 70 && rng.chance(0.12)) plan('lactulose', longAgo());
    if (age >= 75 && rng.chance(0.3)) plan('paracetamol', longAgo());
    if (age >= 30 && rng.chance(0.05)) plan('coCodamol', longAgo());
    if (rng.chance(0.04)) plan('cetirizine', longAgo());
    if (age >= 30 && rng.chance(0.02)) plan('pregabalin', longAgo());
    if (age >= 18 && rng.chance(0.02)) plan('amitriptyline', longAgo());

    for (const [chemical, start] of planned) {
      const presentation = rng.pick(chemicals[chemical]);
      const cycle = rng.chance(0.85) ? 28 : 56;
      let day = start;
      if (day < windowStart) day += Math.ceil((windowStart - day) / cycle) * cycle;
      for (; day <= windowEnd; day += cycle) {
        const issued = Math.min(windowEnd, Math.max(windowStart, day + rng.int(5) - 2));
        this.writePrescription(issued, presentation);
      }
    }
    const acuteRate = 1.8 + 0.03 * age;
    const acuteItems = rng.poisson(((acuteRate * (windowEnd - windowStart + 1)) / 365));
    for (let i = 0; i < acuteItems; i++) {
      const chemical = acuteMedicines[rng.pickCumulative(acuteCumulative)]![0];
      this.writePrescription(windowStart + rng.int(windowEnd - windowStart + 1), rng.pick(chemicals[chemical]));
    }
  }

  private writePrescription(issued: number, bnf: string): void {
    const folder = this.folderFor(issued + this.rng.int(2));
    if (folder < 0) return;
    this.table(folder, 'prescriptions').writeRow(`${this.nextPrescriptionId()},${this.personId},${formatIsoDate(issued)},${bnf}`);
  }
}
