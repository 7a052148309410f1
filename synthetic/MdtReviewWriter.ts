// The practices' teams' reviews sent back as mdt_reviews (contract v2), from the process in knownProcess.ts.
// Two kinds: the monthly meetings over the history (carePlans), whose care plans can change admissions and which the
// simulator holds person by person (PersonSimulator.historyReviews), written here with the truth of each first care
// plan in a year; and the nightly reviews of the last weeks (mdtReviews), which change nothing. Who is on a night's list depends on everyone's risk, so while the persons stream only the people
// who could be on a list are kept (the highest risks, half as many again as a list holds), and the reviews are
// written once every person is simulated. They draw from their own random stream: every other file stays as it
// was for a seed.
import { mdtReviews } from './knownProcess.ts';
import type { PersonSimulator } from './PersonSimulator.ts';
import type { PersonRecordWriter } from './PersonRecordWriter.ts';
import { SeededRandom, cumulativeWeights } from './SeededRandom.ts';
import type { CsvFileWriter } from './CsvFileWriter.ts';
import type { ExtractFolderWriter } from './ExtractFolderWriter.ts';
import type { Timeline } from './createTimeline.ts';
import { formatIsoDate } from './formatIsoDate.ts';
import { carePlans } from './knownProcess.ts';

/** Columns of the care-plan truth file (beside the truth file: carePlanTruthPath). */
export const carePlanTruthColumns = [
  'review_id', 'person_id', 'reviewed_on', 'care_plan_hazard_ratio',
  ...carePlans.horizonSteps.flatMap((months) => [`p_admission_${months}m_with_plan`, `p_admission_${months}m_without_plan`]),
] as const;

/** The care-plan truth file written beside a truth file: truth.csv gives truth-care-plans.csv. */
export function carePlanTruthPath(truthPath: string): string {
  return `${truthPath.replace(/\.csv$/i, '')}-care-plans.csv`;
}

/** The reviews' stream, beside the geography's (0xfffffff0); people use streams 4 * index to 4 * index + 3. */
const reviewStream = 0xfffffff1;
const outcomeCumulative = cumulativeWeights(mdtReviews.outcomes.map(([, p]) => p));

/** A person who may be on a list: their known risk and the nights they are listed in a snapshot, alive and not opted out. */
interface Candidate {
  index: number;
  personId: string;
  risk: number;
  birthDay: number;
  firstNight: number;
  /** Last night the person is on a list (alive, in the snapshot, not opted out), inclusive. */
  lastNight: number;
  /** Last folder whose snapshot lists the person (a correction is sent no later). */
  lastFolder: number;
  /** Day of their last review at a monthly meeting over the history (-Infinity when none). */
  lastHistoryReview: number;
}

export class MdtReviewWriter {
  private candidates: Candidate[] = [];
  /** People alive, in the snapshot and not opted out, per night: the population a list's top share is of. */
  private readonly population: Int32Array;
  private readonly kept: number;
  /** Once `kept` people are kept, a person of lower risk than all of them can be on no list. */
  private floor = -Infinity;
  private readonly rng: SeededRandom;
  private reviewSeq = 0;
  private historySeq = 0;

  constructor(
    seed: number,
    private readonly timeline: Timeline,
    private readonly folders: ExtractFolderWriter[],
    persons: number,
    private readonly carePlanHazardRatio = 1,
    /** Receives a row per first care plan in a year of a person Strata can compare (carePlanTruthColumns). */
    private readonly carePlanTruth?: CsvFileWriter,
  ) {
    this.rng = new SeededRandom(seed, reviewStream);
    this.population = new Int32Array(timeline.extracts);
    // Some of the highest risks are on no list on a night (opted out, dead, not yet or no longer registered):
    // write() says so if too many were.
    this.kept = Math.ceil(persons * mdtReviews.listedShare * 1.5) + 100;
  }

  /** A review id not yet used (for planted rows). */
  nextReviewId(): string {
    return `MDT${++this.reviewSeq}`;
  }

  /** Called after each person's rows are written: their meetings' reviews, then counts them in each night's population and keeps them as a candidate. */
  add(index: number, sim: PersonSimulator, records: PersonRecordWriter): void {
    const m = records.membership;
    this.writeHistoryReviews(sim, records);
    let firstNight = -1;
    let lastNight = -1;
    for (let night = m.firstFolder; night <= m.lastFolder; night++) {
      if (sim.deathDay <= (this.timeline.extractDays[night] as number) || night >= m.optOutFrom) continue;
      this.population[night]!++;
      if (firstNight < 0) firstNight = night;
      lastNight = night;
    }
    if (firstNight < 0 || sim.pEmergencyAdmission < this.floor) return;
    const lastHistoryReview = sim.historyReviews.length > 0 ? sim.historyReviews[sim.historyReviews.length - 1]!.day : -Infinity;
    this.candidates.push({
      index, personId: records.personId, risk: sim.pEmergencyAdmission,
      birthDay: sim.birthDay, firstNight, lastNight, lastFolder: m.lastFolder, lastHistoryReview,
    });
    if (this.candidates.length >= this.kept + Math.ceil(this.kept / 4)) this.keepHighestRisk();
  }

  /** Writes every night's reviews, and the corrections of some of them on a later night. */
  write(): void {
    this.keepHighestRisk();
    const lastReviewed = new Map<string, number>();
    for (let night = 0; night < this.timeline.extracts; night++) {
      const day = this.timeline.extractDays[night] as number;
      const listedCount = Math.round(this.population[night]! * mdtReviews.listedShare);
      const listed = this.candidates.filter((c) => c.firstNight <= night && night <= c.lastNight).slice(0, listedCount);
      if (listed.length < listedCount) throw new Error(`mdt_reviews: only ${listed.length} of the ${listedCount} listed people were kept`);
      for (const person of listed) {
        const previous = lastReviewed.get(person.personId) ?? person.lastHistoryReview;
        if (day - previous < mdtReviews.notAgainDays) continue;
        if (!this.rng.chance(mdtReviews.reviewedShare)) continue;
        const reviewedOn = Math.max(person.birthDay, day - 1 - this.rng.int(mdtReviews.reviewWindowDays));
        lastReviewed.set(person.personId, reviewedOn);
        const id = this.nextReviewId();
        const outcome = this.drawOutcome();
        this.folderTable(night).writeRow(this.reviewRow(id, person.personId, reviewedOn, outcome));
        if (person.lastFolder > night && this.rng.chance(mdtReviews.correctedShare)) {
          const later = night + 1 + this.rng.int(person.lastFolder - night);
          let corrected = this.drawOutcome();
          while (corrected === outcome) corrected = this.drawOutcome();
          this.folderTable(later).writeRow(this.reviewRow(id, person.personId, reviewedOn, corrected));
        }
      }
    }
  }

  /**
   * The meetings' reviews of a person, in the first folder that lists them. A first care plan in a year goes to the
   * truth file when Strata can compare it: the person registered by the day before it and not opted out in the
   * newest snapshot that lists them (sql/intermediate/population/training_population.sql).
   */
  private writeHistoryReviews(sim: PersonSimulator, records: PersonRecordWriter): void {
    const m = records.membership;
    const optedOut = m.optOutFrom <= m.lastFolder;
    for (const review of sim.historyReviews) {
      const id = `MDTH${++this.historySeq}`;
      const reviewBy = review.reviewBy < 0 ? '' : formatIsoDate(review.reviewBy);
      this.folderTable(m.firstFolder).writeRow(`${id},${records.personId},${formatIsoDate(review.day)},${review.outcome},${reviewBy}`);
      const truth = review.truth;
      if (this.carePlanTruth === undefined || truth === undefined || optedOut || m.registeredOn > review.day - 1) continue;
      const probabilities = truth.withPlan.flatMap((p, h) => [p.toFixed(6), truth.withoutPlan[h]!.toFixed(6)]);
      this.carePlanTruth.writeRow(`${id},${records.personId},${formatIsoDate(review.day)},${this.carePlanHazardRatio},${probabilities.join(',')}`);
    }
  }

  private folderTable(night: number): CsvFileWriter {
    return (this.folders[night] as ExtractFolderWriter).table('mdt_reviews');
  }

  private drawOutcome(): string {
    return mdtReviews.outcomes[this.rng.pickCumulative(outcomeCumulative)]![0];
  }

  private reviewRow(id: string, personId: string, reviewedOn: number, outcome: string): string {
    const [soonest, latest] = mdtReviews.reviewByDays;
    const reviewBy = mdtReviews.plannedOutcomes.includes(outcome) ? formatIsoDate(reviewedOn + this.rng.intBetween(soonest, latest)) : '';
    return `${id},${personId},${formatIsoDate(reviewedOn)},${outcome},${reviewBy}`;
  }

  /** Keeps the `kept` highest risks (ties by order of arrival): every list's people are among them. */
  private keepHighestRisk(): void {
    this.candidates.sort((a, b) => b.risk - a.risk || a.index - b.index);
    if (this.candidates.length < this.kept) return;
    this.candidates.length = this.kept;
    this.floor = this.candidates[this.kept - 1]!.risk;
  }
}
