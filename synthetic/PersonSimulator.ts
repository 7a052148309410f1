// The known process, one person at a time: demography, latent frailty, long-term-condition onsets, deaths
// and hospital activity month by month over the history and the 12 months after as-of, plus the oracle
// (true probabilities at as-of). Writers turn its output into inbox rows; nothing here formats text.
import {
  conditionIndex,
  ageBands,
  conditionCodes,
  conditionCount,
  death,
  deprivationAgeShiftPerDecile,
  emergencyAdmission,
  emergencyCare,
  ethnicCategories,
  frailty,
  interpolateAgeCurve,
  onsetDeprivationSlope,
  onsetEthnicMultiplier,
  onsetLinks,
  onsetScale,
  onsetSexMultiplier,
  oraclePaths,
  outpatients,
  plannedCare,
  prevalenceKnotAges,
  referencePrevalence,
  saturatingRate,
  susceptibilityVariance,
  type AgeCurve,
  type ConditionCode,
  carePlans,
  mdtReviews,
} from './knownProcess.ts';
import {
  advancedKidneyCodes,
  antenatalCodes,
  cancerSites,
  chronicSecondaryByCondition,
  deliveryCodes,
  diabetesComplicationCodes,
  electiveByCondition,
  electivePrimary,
  emergencyPrimaryAdult,
  emergencyPrimaryByCondition,
  emergencyPrimaryChild,
  emergencyPrimaryFrailty,
  emergencyPrimaryPregnancy,
  frailtySecondary,
  generalSecondary,
  metastaticCodes,
  outpatientGeneralSpecialties,
  outpatientSpecialtyByCondition,
  postnatalCodes,
  type CodeChoice,
} from './clinicalCodes.ts';
import { SeededRandom, cumulativeWeights } from './SeededRandom.ts';
import { historySteps, type Timeline } from './createTimeline.ts';
import type { Geography } from './createGeography.ts';
import { yearOfDay } from './formatIsoDate.ts';

export const NEVER = 2_147_483_647;

export interface SpellEvent {
  admitDay: number;
  dischargeDay: number;
  method: string;
  primary: string;
  secondary: string[];
  specialty: string;
}

export interface AeEvent {
  day: number;
  secondOfDay: number;
  departmentType: string;
  acuity: string;
  admitted: boolean;
}

/** The truth of one care plan: P(>= 1 emergency admission) within each of carePlans.horizonSteps, with and without it. */
export interface CarePlanTruth {
  withPlan: number[];
  withoutPlan: number[];
}

/** A review at a monthly team meeting over the history (written to mdt_reviews by synthetic/MdtReviewWriter.ts). */
export interface HistoryReview {
  day: number;
  outcome: string;
  /** Day of the next planned review, or -1 when the outcome plans none. */
  reviewBy: number;
  /** For a care plan with no review of the person in the year before: the truth Strata's comparison estimates. */
  truth: CarePlanTruth | undefined;
}

export interface OutpatientEvent {
  day: number;
  status: string;
  firstAttendance: string;
  specialty: string;
}

/** The evolving part of a person's state; copied for the oracle's Monte Carlo paths. */
class DynamicState {
  readonly held = new Uint8Array(conditionCount);
  readonly multiplier = new Float64Array(conditionCount);
  heldCount = 0;
  eaConditionSum = 0;
  deathConditionSum = 0;
  frailtyConditionSum = 0;
  /** Persistent (AR(1)) part of frailty. */
  frailtyNoise = 0;
  /** Emergency admissions in each of the last 12 steps (ring) and their sum. */
  readonly recent = new Int32Array(12);
  recentSum = 0;
  /** A care plan acts on the emergency-admission rate in the steps before this one (-1: none). */
  carePlanUntilStep = -1;
  /** Day of the last team review at a monthly meeting (-NEVER: never reviewed). */
  lastReviewDay = -NEVER;

  copyFrom(other: DynamicState): void {
    this.held.set(other.held);
    this.multiplier.set(other.multiplier);
    this.heldCount = other.heldCount;
    this.eaConditionSum = other.eaConditionSum;
    this.deathConditionSum = other.deathConditionSum;
    this.frailtyConditionSum = other.frailtyConditionSum;
    this.frailtyNoise = other.frailtyNoise;
    this.recent.set(other.recent);
    this.recentSum = other.recentSum;
    this.carePlanUntilStep = other.carePlanUntilStep;
    this.lastReviewDay = other.lastReviewDay;
  }
}

// ---- tables built once -------------------------------------------------------------------------

const maxTableAge = 121;

/** Cumulative onset hazard by integer effective age, per register. */
const cumulativeHazard: Float64Array[] = conditionCodes.map((code) => {
  const knots = referencePrevalence[code];
  const table = new Float64Array(maxTableAge + 1);
  for (let age = 0; age <= maxTableAge; age++) {
    const p = Math.min(0.99, interpolateKnots(knots, age) / 100);
    table[age] = -Math.log(1 - p);
  }
  for (let age = 1; age <= maxTableAge; age++) table[age] = Math.max(table[age] as number, table[age - 1] as number);
  return table;
});

function interpolateKnots(values: number[], age: number): number {
  const ages = prevalenceKnotAges;
  if (age >= (ages[ages.length - 1] as number)) return values[values.length - 1] as number;
  let i = 1;
  while ((ages[i] as number) < age) i++;
  const a0 = ages[i - 1] as number;
  const a1 = ages[i] as number;
  const v0 = values[i - 1] as number;
  const v1 = values[i] as number;
  return v0 + ((v1 - v0) * (age - a0)) / (a1 - a0);
}

function cumulativeAt(c: number, effectiveAge: number): number {
  if (effectiveAge <= 0) return 0;
  const table = cumulativeHazard[c] as Float64Array;
  if (effectiveAge >= maxTableAge) return table[maxTableAge] as number;
  const lo = Math.floor(effectiveAge);
  const w = effectiveAge - lo;
  return (table[lo] as number) * (1 - w) + (table[lo + 1] as number) * w;
}

/** Yearly onset hazard at an effective age (piecewise constant by year). */
function yearlyHazardAt(c: number, effectiveAge: number): number {
  if (effectiveAge < 0) return 0;
  const table = cumulativeHazard[c] as Float64Array;
  const lo = Math.min(maxTableAge - 1, Math.floor(effectiveAge));
  return (table[lo + 1] as number) - (table[lo] as number);
}

function ageTable(curve: AgeCurve): Float64Array {
  const table = new Float64Array(111);
  for (let age = 0; age <= 110; age++) table[age] = interpolateAgeCurve(curve, age + 0.5);
  return table;
}

const eaAgeEffect = ageTable(emergencyAdmission.age);
const aeAgeFactor = ageTable(emergencyCare.age);
const opAgeFactor = ageTable(outpatients.age);
const electiveAgeFactor = ageTable(plannedCare.electiveAge);
const deliveryRate = ageTable(plannedCare.deliveriesPerYear);

const eaConditionEffect = new Float64Array(conditionCodes.map((c) => emergencyAdmission.condition[c]));
const deathConditionEffect = new Float64Array(conditionCodes.map((c) => death.condition[c] ?? 0));
const frailtyConditionEffect = new Float64Array(conditionCodes.map((c) => frailty.perCondition + (frailty.conditionExtra[c] ?? 0)));

/** linksFrom[from] = list of [to, factor]: holding `from` multiplies the onset hazard of `to`. */
const linksFrom: [number, number][][] = conditionCodes.map(() => []);
for (const [from, to, factor] of onsetLinks) (linksFrom[conditionIndex[from]] as [number, number][]).push([conditionIndex[to], factor]);

const ageBandCumulative = cumulativeWeights(ageBands.map((b) => b[2]));
const ethnicCumulative = cumulativeWeights(ethnicCategories.map((e) => e.share));

function choiceCumulative(list: { weight: number }[]): Float64Array {
  return cumulativeWeights(list.map((x) => x.weight));
}
const emergencyByConditionCumulative = conditionCodes.map((c) => choiceCumulative(emergencyPrimaryByCondition[c]));
const frailtyPrimaryCumulative = choiceCumulative(emergencyPrimaryFrailty);
const childPrimaryCumulative = choiceCumulative(emergencyPrimaryChild);
const adultPrimaryCumulative = choiceCumulative(emergencyPrimaryAdult);
const pregnancyPrimaryCumulative = choiceCumulative(emergencyPrimaryPregnancy);
const frailtySecondaryCumulative = cumulativeWeights(frailtySecondary.map((x) => x[1]));
const generalSecondaryCumulative = cumulativeWeights(generalSecondary.map((x) => x[1]));
const cancerMaleCumulative = cumulativeWeights(cancerSites.male.map((x) => x[1]));
const cancerFemaleCumulative = cumulativeWeights(cancerSites.female.map((x) => x[1]));
const deliveryCumulative = cumulativeWeights(deliveryCodes.map((x) => x[1]));
const antenatalCumulative = cumulativeWeights(antenatalCodes.map((x) => x[1]));
const postnatalCumulative = cumulativeWeights(postnatalCodes.map((x) => x[1]));
const opGeneralCumulative = cumulativeWeights(outpatientGeneralSpecialties.map((x) => x[1]));
const emergencyMethods: [string, number][] = [
  ['21', 72], ['22', 10], ['23', 1], ['24', 3], ['25', 1], ['2A', 4], ['2B', 3], ['2D', 3], ['28', 3],
];
const emergencyMethodCumulative = cumulativeWeights(emergencyMethods.map((x) => x[1]));
const arrivalHourCumulative = cumulativeWeights([2, 1.5, 1, 1, 1, 1, 1.5, 2.5, 4, 6, 7, 7, 7, 6.5, 6.5, 6.5, 6.5, 6.5, 6, 5.5, 5, 4.5, 3.5, 2.5]);
const acuityAdmitted = cumulativeWeights([8, 35, 45, 7, 0, 5]);
const acuityWalkIn = cumulativeWeights([1, 10, 40, 33, 8, 8]);
const acuityCodes = ['1', '2', '3', '4', '5', ''];

const reviewOutcomeCumulative = cumulativeWeights(mdtReviews.outcomes.map(([, p]) => p));
/** Random streams beyond the four per person (4 * index to 4 * index + 3): the meetings' draws and their truth. */
const meetingStream = 2 * 2 ** 32;
const truthDynamicsStream = 3 * 2 ** 32;
const truthMeetingStream = 4 * 2 ** 32;

const propensityMean = -0.5 * emergencyAdmission.propensitySd * emergencyAdmission.propensitySd;

// ---- the simulator ------------------------------------------------------------------------------

export class PersonSimulator {
  // Static attributes.
  birthDay = 0;
  /** 1 male, 2 female (the process); recordedSex may be 9 or X. */
  sex = 1;
  recordedSex = '1';
  ethnicCode = '';
  private ethnicGroup = 'white';
  practiceIndex = 0;
  lsoaCode = '';
  /** True IMD decile of the person's area (1 most deprived). */
  imd = 5;
  recordedImd = '';
  private susceptibility = 1;
  private propensity = 0;
  /** Years added to age for onsets (earlier onset with deprivation). */
  private ageShift = 0;
  cancerSite = '';
  metastatic = '';
  diabetesComplicated = false;

  // Outputs of simulate().
  readonly onsetDay = new Int32Array(conditionCount);
  deathDay = NEVER;
  readonly spells: SpellEvent[] = [];
  readonly aeAttendances: AeEvent[] = [];
  readonly outpatientAppointments: OutpatientEvent[] = [];
  /** Realised outcomes in the 365 days after as-of (only meaningful when alive at as-of). */
  emergencyAdmissionsNext12m = 0;
  newConditionsNext12m = 0;
  /** Oracle probabilities at as-of. */
  pEmergencyAdmission = 0;
  pNewCondition = 0;
  /** Reviews at the monthly team meetings over the history, oldest first. */
  readonly historyReviews: HistoryReview[] = [];

  private readonly live = new DynamicState();
  private readonly path = new DynamicState();
  private readonly beforeMeeting = new DynamicState();
  private readonly stepHazard = new Float64Array(conditionCount);
  private readonly originalHazard = new Float64Array(12);
  private readonly processRng: SeededRandom;
  private readonly detailRng: SeededRandom;
  private readonly oracleRng: SeededRandom;
  private readonly meetingRng: SeededRandom;
  private readonly truthDynamicsRng: SeededRandom;
  private readonly truthMeetingRng: SeededRandom;
  private index = 0;
  /** Monthly steps holding a team meeting (carePlans in knownProcess.ts). */
  private readonly firstMeetingStep: number;
  private readonly lastMeetingStep: number;
  private readonly persistence = frailty.monthlyPersistence;
  private readonly innovationSd = frailty.noiseSd * Math.sqrt(1 - frailty.monthlyPersistence ** 2);

  constructor(
    private readonly seed: number,
    private readonly timeline: Timeline,
    private readonly geography: Geography,
    /** Multiplies a person's emergency-admission rate for carePlans.effectSteps months from a care plan (1: no effect). */
    private readonly carePlanHazardRatio = 1,
  ) {
    this.processRng = new SeededRandom(seed, 0);
    this.detailRng = new SeededRandom(seed, 0);
    this.oracleRng = new SeededRandom(seed, 0);
    this.meetingRng = new SeededRandom(seed, 0);
    this.truthDynamicsRng = new SeededRandom(seed, 0);
    this.truthMeetingRng = new SeededRandom(seed, 0);
    const bound = timeline.stepBound;
    let first = 12;
    while ((bound[first] as number) - 365 < timeline.historyStart + 31) first++;
    let last = historySteps - 1;
    while (last >= first && (bound[last] as number) + 1 > (timeline.extractDays[0] as number) - carePlans.reviewWindowEndDays) last--;
    this.firstMeetingStep = first;
    this.lastMeetingStep = last;
  }

  /** Simulates person `index` from scratch (the same index and seed always give the same person). */
  simulate(index: number): void {
    this.processRng.reseed(this.seed, index * 4 + 1);
    this.detailRng.reseed(this.seed, index * 4 + 2);
    this.oracleRng.reseed(this.seed, index * 4 + 3);
    this.meetingRng.reseed(this.seed, meetingStream + index);
    this.index = index;
    this.historyReviews.length = 0;
    this.spells.length = 0;
    this.aeAttendances.length = 0;
    this.outpatientAppointments.length = 0;
    this.onsetDay.fill(NEVER);
    this.deathDay = NEVER;
    this.emergencyAdmissionsNext12m = 0;
    this.newConditionsNext12m = 0;
    this.pEmergencyAdmission = 0;
    this.pNewCondition = 0;
    this.drawAttributes();
    this.runSteps();
  }

  ageAt(day: number): number {
    return (day - this.birthDay) / 365.25;
  }

  private drawAttributes(): void {
    const rng = this.processRng;
    const t = this.timeline;
    const band = ageBands[rng.pickCumulative(ageBandCumulative)] as [number, number, number];
    const age = band[0] + rng.next() * (band[1] - band[0] + 1);
    const latestBirth = (t.extractDays[0] as number) - 42;
    this.birthDay = Math.min(latestBirth, t.asOf - Math.floor(age * 365.25));
    const femaleShare = age < 60 ? 0.5 : Math.min(0.68, 0.5 + (age - 60) * 0.005);
    this.sex = rng.chance(femaleShare) ? 2 : 1;
    const sexNoise = rng.next();
    this.recordedSex = sexNoise < 0.001 ? '9' : sexNoise < 0.002 ? 'X' : String(this.sex);
    const ethnic = ethnicCategories[rng.pickCumulative(ethnicCumulative)] as (typeof ethnicCategories)[number];
    this.ethnicCode = ethnic.code;
    this.ethnicGroup = ethnic.group;

    const g = this.geography;
    this.imd = 1 + rng.int(10);
    this.practiceIndex = rng.pickCumulative(g.practiceCumulativeByDecile[this.imd - 1] as Float64Array);
    const lsoas = g.lsoasByDecile[this.imd - 1] as string[];
    const lsoa = lsoas.length > 0 ? (lsoas[rng.int(lsoas.length)] as string) : '';
    const missing = rng.next();
    this.lsoaCode = missing < 0.005 ? '' : lsoa;
    this.recordedImd = this.lsoaCode === '' || missing > 0.997 ? '' : String(this.imd);

    this.susceptibility = rng.gamma(1 / susceptibilityVariance) * susceptibilityVariance;
    this.propensity = propensityMean + emergencyAdmission.propensitySd * rng.normal();
    this.ageShift = deprivationAgeShiftPerDecile * (5.5 - this.imd);
    this.diabetesComplicated = rng.chance(0.35);
    const sites = this.sex === 2 ? cancerSites.female : cancerSites.male;
    this.cancerSite = sites[rng.pickCumulative(this.sex === 2 ? cancerFemaleCumulative : cancerMaleCumulative)]![0];
    this.metastatic = rng.chance(0.15) ? rng.pick(metastaticCodes) : '';
  }

  /** Hazard multiplier for register c before links (the person's susceptibility, sex, ethnicity, deprivation). */
  private onsetMultiplier(c: number): number {
    const code = conditionCodes[c] as ConditionCode;
    let m = this.susceptibility * onsetScale[code] * onsetSexMultiplier[code][this.sex - 1]!;
    const ethnic = onsetEthnicMultiplier[code]?.[this.ethnicGroup];
    if (ethnic !== undefined) m *= ethnic;
    const slope = onsetDeprivationSlope[code];
    if (slope !== undefined) m *= Math.exp(slope * (5.5 - this.imd));
    return m;
  }

  private hold(state: DynamicState, c: number): void {
    state.held[c] = 1;
    state.heldCount++;
    state.eaConditionSum += eaConditionEffect[c] as number;
    state.deathConditionSum += deathConditionEffect[c] as number;
    state.frailtyConditionSum += frailtyConditionEffect[c] as number;
    for (const [to, factor] of linksFrom[c] as [number, number][]) state.multiplier[to] = (state.multiplier[to] as number) * factor;
  }

  private resetState(state: DynamicState): void {
    state.held.fill(0);
    state.heldCount = 0;
    state.eaConditionSum = 0;
    state.deathConditionSum = 0;
    state.frailtyConditionSum = 0;
    state.recent.fill(0);
    state.recentSum = 0;
    state.carePlanUntilStep = -1;
    state.lastReviewDay = -NEVER;
    for (let k = 0; k < conditionCount; k++) state.multiplier[k] = this.onsetMultiplier(k);
  }

  /** Registers already held when the person enters the simulation, with onset dates back through life. */
  private drawPrevalentConditions(startDay: number): void {
    const rng = this.processRng;
    const state = this.live;
    const age = this.ageAt(startDay);
    if (age <= 0) return;
    const shift = this.ageShift;
    for (let c = 0; c < conditionCount; c++) {
      const m = state.multiplier[c] as number;
      const base = cumulativeAt(c, shift);
      const exposure = cumulativeAt(c, age + shift) - base;
      if (exposure <= 0) continue;
      const p = 1 - Math.exp(-m * exposure);
      if (rng.next() >= p) continue;
      // Onset age from the cumulative hazard, conditional on onset before `age`.
      const target = -Math.log(1 - rng.next() * p) / m;
      let lo = 0;
      let hi = age;
      for (let iter = 0; iter < 30; iter++) {
        const mid = (lo + hi) / 2;
        if (cumulativeAt(c, mid + shift) - base < target) lo = mid;
        else hi = mid;
      }
      this.onsetDay[c] = Math.min(startDay - 1, this.birthDay + Math.floor(hi * 365.25));
      this.hold(state, c);
    }
  }

  private frailtyMean(age: number, state: DynamicState): number {
    return frailty.intercept + frailty.perYearOfAge * age + frailty.perDecileOfDeprivation * (5.5 - this.imd) + state.frailtyConditionSum;
  }

  /** Yearly emergency-admission rate (bounded); the simulation and the oracle both use this one function. */
  private emergencyRatePerYear(age: number, state: DynamicState): number {
    const ageIndex = Math.min(110, Math.floor(age));
    const f = this.frailtyMean(age, state) + state.frailtyNoise;
    const recent = Math.min(state.recentSum, emergencyAdmission.recentAdmissionCap);
    const uncapped = Math.exp(
      emergencyAdmission.intercept +
        (eaAgeEffect[ageIndex] as number) +
        state.eaConditionSum +
        emergencyAdmission.frailty * f +
        emergencyAdmission.perDecileOfDeprivation * (5.5 - this.imd) +
        emergencyAdmission.perRecentAdmission * recent +
        this.propensity,
    );
    return saturatingRate(uncapped, emergencyAdmission.maxPerYear);
  }

  /** Yearly rate of A&E attendances not leading to admission (bounded). */
  private walkInRatePerYear(age: number, state: DynamicState): number {
    const ageIndex = Math.min(110, Math.floor(age));
    const uncapped =
      emergencyCare.scale *
      (aeAgeFactor[ageIndex] as number) *
      Math.exp(
        emergencyCare.perDecileOfDeprivation * (5.5 - this.imd) +
          emergencyCare.propensity * this.propensity +
          emergencyCare.perCondition * state.heldCount +
          emergencyCare.frailty * state.frailtyNoise,
      );
    return saturatingRate(uncapped, emergencyCare.maxPerYear);
  }

  private deathRatePerYear(age: number, state: DynamicState): number {
    let log = Math.max(death.floor, death.intercept + death.perYearOfAge * age);
    if (age < 1) log += death.infantExtra;
    return Math.exp(log + state.deathConditionSum + death.frailty * state.frailtyNoise);
  }

  /** Fills stepHazard with each unheld register's onset probability scale for a step; returns the total. */
  private onsetHazards(age: number, years: number, state: DynamicState, out: Float64Array): number {
    const effective = age + this.ageShift;
    let total = 0;
    for (let c = 0; c < conditionCount; c++) {
      if (state.held[c] === 1) {
        out[c] = 0;
        continue;
      }
      const h = (state.multiplier[c] as number) * yearlyHazardAt(c, effective) * years;
      out[c] = h;
      total += h;
    }
    return total;
  }

  private pickOnset(total: number, rng: SeededRandom): number {
    let u = rng.next() * total;
    for (let c = 0; c < conditionCount; c++) {
      u -= this.stepHazard[c] as number;
      if (u < 0) return c;
    }
    let last = conditionCount - 1;
    while (last > 0 && (this.stepHazard[last] as number) === 0) last--;
    return last;
  }

  private advanceFrailty(state: DynamicState, rng: SeededRandom): void {
    state.frailtyNoise = this.persistence * state.frailtyNoise + this.innovationSd * rng.normal();
  }

  private pushRecent(state: DynamicState, step: number, admissions: number): void {
    const slot = step % 12;
    state.recentSum += admissions - (state.recent[slot] as number);
    state.recent[slot] = admissions;
  }

  private runSteps(): void {
    const t = this.timeline;
    const rng = this.processRng;
    const bound = t.stepBound;
    const state = this.live;
    this.resetState(state);
    state.frailtyNoise = frailty.noiseSd * rng.normal();
    let first = 0;
    while (first < t.stepCount - 1 && (bound[first + 1] as number) < this.birthDay) first++;
    const entryDay = Math.max(this.birthDay, (bound[first] as number) + 1);
    this.drawPrevalentConditions(entryDay);

    for (let s = first; s < t.stepCount; s++) {
      if (s === historySteps) this.computeOracle(s);
      const startDay = Math.max(entryDay, (bound[s] as number) + 1);
      if (this.isMeetingStep(s) && startDay === (bound[s] as number) + 1) this.holdMeeting(s, startDay);
      const endDay = bound[s + 1] as number;
      const days = endDay - startDay + 1;
      const years = days / 365;
      const age = Math.max(0, this.ageAt(startDay));
      const eaRate = this.emergencyRatePerYear(age, state) * this.carePlanFactor(s, state) * years;
      const deathProbability = 1 - Math.exp(-this.deathRatePerYear(age, state) * years);
      const onsetTotal = this.onsetHazards(age, years, state, this.stepHazard);

      const dies = rng.next() < deathProbability;
      let lastDay = dies ? startDay + rng.int(days) : endDay;
      // Deaths in the month before as-of mostly fall between snapshots, so later folders show a few.
      if (dies && s === historySteps - 1 && t.extracts > 1 && rng.chance(0.6)) {
        const backfill = t.extractDays[0] as number;
        lastDay = Math.max(startDay, backfill + 1 + rng.int(t.asOf - backfill));
      }
      if (dies) this.deathDay = lastDay;

      const admissions = rng.poisson(eaRate);
      const future = s >= historySteps;
      if (future) this.emergencyAdmissionsNext12m += admissions;
      const written = !future && endDay > t.historyStart;
      if (written) this.drawActivity(startDay, lastDay, age, admissions, years, dies);

      if (onsetTotal > 0 && rng.next() < 1 - Math.exp(-onsetTotal)) {
        const c = this.pickOnset(onsetTotal, rng);
        this.onsetDay[c] = startDay + rng.int(lastDay - startDay + 1);
        this.hold(state, c);
        if (future) this.newConditionsNext12m++;
      }
      this.pushRecent(state, s, admissions);
      this.advanceFrailty(state, rng);
      if (dies) {
        for (const spell of this.spells) if (spell.dischargeDay > lastDay) spell.dischargeDay = lastDay;
        break;
      }
    }
  }

  /**
   * Oracle at as-of: P(>=1 emergency admission) and P(>=1 new register) in the 12 steps after as-of.
   * Paths simulate frailty and onsets with admissions suppressed (before the first admission the process
   * is the same), and death enters through exact survival weights, so
   *   P(none) = E[ sum_m S_m q_m exp(-L_m) + S_12 exp(-L_12) ].
   * For new registers the hazard is the one of the registers held at as-of (no onset yet).
   */
  private computeOracle(firstFutureStep: number): void {
    const t = this.timeline;
    const bound = t.stepBound;
    const rng = this.oracleRng;
    const path = this.path;
    let noAdmission = 0;
    let noOnset = 0;
    for (let m = 0; m < 12; m++) {
      const s = firstFutureStep + m;
      const startDay = (bound[s] as number) + 1;
      const years = ((bound[s + 1] as number) - startDay + 1) / 365;
      this.originalHazard[m] = this.onsetHazards(this.ageAt(startDay), years, this.live, this.stepHazard);
    }
    for (let p = 0; p < oraclePaths; p++) {
      path.copyFrom(this.live);
      let survival = 1;
      let survivalOriginal = 1;
      let cumulativeEa = 0;
      let cumulativeOnset = 0;
      let pathNoAdmission = 0;
      let pathNoOnset = 0;
      for (let m = 0; m < 12; m++) {
        const s = firstFutureStep + m;
        const startDay = (bound[s] as number) + 1;
        const years = ((bound[s + 1] as number) - startDay + 1) / 365;
        const age = this.ageAt(startDay);
        cumulativeEa += this.emergencyRatePerYear(age, path) * this.carePlanFactor(s, path) * years;
        const q = 1 - Math.exp(-this.deathRatePerYear(age, path) * years);
        pathNoAdmission += survival * q * Math.exp(-cumulativeEa);
        survival *= 1 - q;
        // New-register oracle: registers as at as-of, this path's frailty.
        cumulativeOnset += this.originalHazard[m] as number;
        const qOriginal = 1 - Math.exp(-this.deathRatePerYearWith(age, this.live.deathConditionSum, path.frailtyNoise) * years);
        pathNoOnset += survivalOriginal * qOriginal * Math.exp(-cumulativeOnset);
        survivalOriginal *= 1 - qOriginal;

        const onsetTotal = this.onsetHazards(age, years, path, this.stepHazard);
        if (onsetTotal > 0 && rng.next() < 1 - Math.exp(-onsetTotal)) this.hold(path, this.pickOnset(onsetTotal, rng));
        this.pushRecent(path, s, 0);
        this.advanceFrailty(path, rng);
      }
      pathNoAdmission += survival * Math.exp(-cumulativeEa);
      pathNoOnset += survivalOriginal * Math.exp(-cumulativeOnset);
      noAdmission += pathNoAdmission;
      noOnset += pathNoOnset;
    }
    this.pEmergencyAdmission = 1 - noAdmission / oraclePaths;
    this.pNewCondition = 1 - noOnset / oraclePaths;
  }

  // ---- the monthly team meetings and the truth of their care plans -------------------------------------------

  private isMeetingStep(s: number): boolean {
    return s >= this.firstMeetingStep && s <= this.lastMeetingStep;
  }

  private carePlanFactor(s: number, state: DynamicState): number {
    return s < state.carePlanUntilStep ? this.carePlanHazardRatio : 1;
  }

  /**
   * One meeting for `state` on `day` (the first day of step s): the outcome of a review, or null when the person is not
   * on the list (adult; by the day before, listAdmissions emergency admissions in 12 months, or one at listOlderAge or
   * older) or was reviewed in the last notAgainDays, or is not picked. A care plan acts from this step on.
   */
  private meet(state: DynamicState, s: number, day: number, rng: SeededRandom): string | null {
    if (day - state.lastReviewDay < mdtReviews.notAgainDays) return null;
    const age = yearOfDay(day - 1) - yearOfDay(this.birthDay);
    const listed = age >= carePlans.adultAge && (state.recentSum >= carePlans.listAdmissions || (state.recentSum >= 1 && age >= carePlans.listOlderAge));
    if (!listed || !rng.chance(carePlans.reviewedShare)) return null;
    const outcome = mdtReviews.outcomes[rng.pickCumulative(reviewOutcomeCumulative)]![0];
    state.lastReviewDay = day;
    if (outcome === 'CP') state.carePlanUntilStep = s + carePlans.effectSteps;
    return outcome;
  }

  private holdMeeting(s: number, day: number): void {
    const rng = this.meetingRng;
    const previousReview = this.live.lastReviewDay;
    const previousPlanUntil = this.live.carePlanUntilStep;
    const outcome = this.meet(this.live, s, day, rng);
    if (outcome === null) return;
    const [soonest, latest] = mdtReviews.reviewByDays;
    const reviewBy = mdtReviews.plannedOutcomes.includes(outcome) ? day + rng.intBetween(soonest, latest) : -1;
    let truth: CarePlanTruth | undefined;
    if (outcome === 'CP' && day - previousReview > 365) {
      // From the person as the team saw them, before the meeting.
      const before = this.beforeMeeting;
      before.copyFrom(this.live);
      before.lastReviewDay = previousReview;
      before.carePlanUntilStep = previousPlanUntil;
      truth = { withPlan: this.firstAdmissionRisk(s, day, before, true), withoutPlan: this.firstAdmissionRisk(s, day, before, false) };
    }
    this.historyReviews.push({ day, outcome, reviewBy, truth });
  }

  /**
   * P(>= 1 emergency admission) within each horizon from the meeting on `day`, with a care plan made there and without
   * one (not reviewed that day; later meetings may still review them), as the oracle computes it: the same Monte Carlo
   * paths of frailty and onsets in both arms, admissions suppressed before the first, deaths by exact survival weights.
   */
  private firstAdmissionRisk(s0: number, day: number, start: DynamicState, planNow: boolean): number[] {
    const bound = this.timeline.stepBound;
    const horizons = carePlans.horizonSteps;
    const dynamics = this.truthDynamicsRng;
    const meetings = this.truthMeetingRng;
    const review = this.historyReviews.length;
    dynamics.reseed(this.seed, truthDynamicsStream + this.index * 64 + review);
    meetings.reseed(this.seed, truthMeetingStream + this.index * 64 + review);
    const path = this.path;
    const noAdmission = new Float64Array(horizons.length);
    for (let p = 0; p < carePlans.truthPaths; p++) {
      path.copyFrom(start);
      if (planNow) {
        path.lastReviewDay = day;
        path.carePlanUntilStep = s0 + carePlans.effectSteps;
      }
      let survival = 1;
      let cumulativeEa = 0;
      let deathsWithout = 0;
      let h = 0;
      for (let m = 0; m < horizons[horizons.length - 1]!; m++) {
        const s = s0 + m;
        const startDay = (bound[s] as number) + 1;
        const years = ((bound[s + 1] as number) - startDay + 1) / 365;
        const age = Math.max(0, this.ageAt(startDay));
        if (m > 0 && this.isMeetingStep(s)) this.meet(path, s, startDay, meetings);
        cumulativeEa += this.emergencyRatePerYear(age, path) * this.carePlanFactor(s, path) * years;
        const q = 1 - Math.exp(-this.deathRatePerYear(age, path) * years);
        deathsWithout += survival * q * Math.exp(-cumulativeEa);
        survival *= 1 - q;
        if (m + 1 === horizons[h]) noAdmission[h++]! += deathsWithout + survival * Math.exp(-cumulativeEa);
        const onsetTotal = this.onsetHazards(age, years, path, this.stepHazard);
        if (onsetTotal > 0 && dynamics.next() < 1 - Math.exp(-onsetTotal)) this.hold(path, this.pickOnset(onsetTotal, dynamics));
        this.pushRecent(path, s, 0);
        this.advanceFrailty(path, dynamics);
      }
    }
    return Array.from(noAdmission, (none) => 1 - none / carePlans.truthPaths);
  }

  private deathRatePerYearWith(age: number, conditionSum: number, frailtyNoise: number): number {
    let log = Math.max(death.floor, death.intercept + death.perYearOfAge * age);
    if (age < 1) log += death.infantExtra;
    return Math.exp(log + conditionSum + death.frailty * frailtyNoise);
  }

  // ---- activity details (history only) ---------------------------------------------------------

  private drawActivity(startDay: number, lastDay: number, age: number, admissions: number, years: number, dies: boolean): void {
    const rng = this.detailRng;
    const state = this.live;
    const span = lastDay - startDay + 1;
    const f = this.frailtyMean(age, state) + state.frailtyNoise;
    const ageIndex = Math.min(110, Math.floor(age));
    let lastEmergency: SpellEvent | undefined;
    for (let i = 0; i < admissions; i++) {
      const spell = this.emergencySpell(startDay + rng.int(span), age, f);
      if (spell.dischargeDay > lastDay && dies) spell.dischargeDay = lastDay;
      this.spells.push(spell);
      lastEmergency = spell;
    }
    if (dies && lastEmergency !== undefined && rng.chance(0.55)) lastEmergency.dischargeDay = lastDay;

    const aeCount = rng.poisson(this.walkInRatePerYear(age, state) * years);
    for (let i = 0; i < aeCount; i++) this.aeAttendances.push(this.walkInAttendance(startDay + rng.int(span)));

    const recentCancer = this.onsetDay[conditionIndex.CAN] !== NEVER && startDay - (this.onsetDay[conditionIndex.CAN] as number) < 3 * 365;
    const opRate =
      outpatients.scale *
      (opAgeFactor[ageIndex] as number) *
      (1 + outpatients.perCondition * state.heldCount) *
      (recentCancer ? outpatients.recentCancer : 1) *
      Math.exp(outpatients.propensity * this.propensity);
    const opCount = rng.poisson(opRate * years);
    for (let i = 0; i < opCount; i++) this.outpatientAppointments.push(this.outpatientAppointment(startDay + rng.int(span)));

    const electiveRate =
      plannedCare.electiveScale * (electiveAgeFactor[ageIndex] as number) * (1 + plannedCare.electivePerCondition * state.heldCount) +
      (recentCancer ? plannedCare.recentCancerElectivePerYear : 0);
    const electiveCount = rng.poisson(electiveRate * years);
    for (let i = 0; i < electiveCount; i++) this.spells.push(this.electiveSpell(startDay + rng.int(span), age, recentCancer));

    if (this.sex === 2 && age >= 15 && age < 47) {
      const deliveries = rng.poisson((deliveryRate[ageIndex] as number) * years);
      for (let i = 0; i < deliveries; i++) this.addMaternity(startDay + rng.int(span), lastDay);
    }
    if (rng.chance(plannedCare.otherPerYear * years)) {
      const day = startDay + rng.int(span);
      const choice = this.pickChoice(emergencyPrimaryAdult, adultPrimaryCumulative);
      this.spells.push({ admitDay: day, dischargeDay: Math.min(lastDay, day + 1 + rng.int(10)), method: '81', primary: choice.code, secondary: this.secondaryCodes(age, f, choice.code, day), specialty: choice.specialty });
    }
  }

  private pickChoice(list: CodeChoice[], cumulative: Float64Array): CodeChoice {
    return list[this.detailRng.pickCumulative(cumulative)] as CodeChoice;
  }

  private emergencySpell(day: number, age: number, f: number): SpellEvent {
    const rng = this.detailRng;
    const state = this.live;
    let choice: CodeChoice;
    if (age < 16) {
      choice = rng.chance(0.8) || state.heldCount === 0 ? this.pickChoice(emergencyPrimaryChild, childPrimaryCumulative) : this.conditionPrimary();
    } else {
      // Attribute the admission in proportion to each cause's share of the rate.
      let conditionWeight = 0;
      for (let c = 0; c < conditionCount; c++) if (state.held[c] === 1) conditionWeight += Math.exp(eaConditionEffect[c] as number) - 1;
      const frailtyWeight = Math.max(0, Math.exp(emergencyAdmission.frailty * f) - 1) * (age >= 60 ? 1 : 0.3);
      const pregnancyWeight = this.sex === 2 && age < 46 ? 0.08 : 0;
      const u = rng.next() * (1 + conditionWeight + frailtyWeight + pregnancyWeight);
      if (u < conditionWeight) choice = this.conditionPrimary();
      else if (u < conditionWeight + frailtyWeight) choice = this.pickChoice(emergencyPrimaryFrailty, frailtyPrimaryCumulative);
      else if (u < conditionWeight + frailtyWeight + pregnancyWeight) choice = this.pickChoice(emergencyPrimaryPregnancy, pregnancyPrimaryCumulative);
      else choice = this.pickChoice(emergencyPrimaryAdult, adultPrimaryCumulative);
    }
    let los = 0;
    if (!rng.chance(age < 60 ? 0.35 : 0.2)) {
      const mean = Math.exp(0.5 + 0.02 * Math.max(age - 30, 0) + 0.25 * Math.max(f, 0));
      los = Math.min(120, 1 + Math.floor(-Math.log(1 - rng.next()) * mean));
    }
    const method = emergencyMethods[rng.pickCumulative(emergencyMethodCumulative)]![0];
    const spell: SpellEvent = { admitDay: day, dischargeDay: day + los, method, primary: choice.code, secondary: this.secondaryCodes(age, f, choice.code, day), specialty: age < 16 && choice.specialty === '300' ? '420' : choice.specialty };
    if (method === '21' || method === '2A') {
      const lateArrival = rng.chance(0.15);
      const arrivalDay = lateArrival ? day - 1 : day;
      const hour = lateArrival ? 18 + rng.int(6) : rng.pickCumulative(arrivalHourCumulative);
      this.aeAttendances.push({
        day: arrivalDay,
        secondOfDay: hour * 3600 + rng.int(3600),
        departmentType: rng.chance(0.96) ? '01' : '03',
        acuity: acuityCodes[rng.pickCumulative(acuityAdmitted)] as string,
        admitted: true,
      });
    }
    return spell;
  }

  /** A register-driven primary diagnosis, weighted by each held register's excess admission rate. */
  private conditionPrimary(): CodeChoice {
    const rng = this.detailRng;
    const state = this.live;
    let total = 0;
    for (let c = 0; c < conditionCount; c++) if (state.held[c] === 1) total += Math.exp(eaConditionEffect[c] as number) - 1;
    let u = rng.next() * total;
    let chosen = 0;
    for (let c = 0; c < conditionCount; c++) {
      if (state.held[c] !== 1) continue;
      chosen = c;
      u -= Math.exp(eaConditionEffect[c] as number) - 1;
      if (u < 0) break;
    }
    const code = conditionCodes[chosen] as ConditionCode;
    const picked = this.pickChoice(emergencyPrimaryByCondition[code], emergencyByConditionCumulative[chosen] as Float64Array);
    if (code === 'CAN' && rng.chance(0.5)) return { code: this.cancerSite, weight: 1, specialty: '370' };
    if (code === 'DM' && this.diabetesComplicated && rng.chance(0.4)) return { code: rng.pick(diabetesComplicationCodes), weight: 1, specialty: '307' };
    return picked;
  }

  private chronicCode(c: number, day: number): string | undefined {
    const rng = this.detailRng;
    const years = (day - (this.onsetDay[c] as number)) / 365.25;
    if (c === conditionIndex.CAN) return this.metastatic !== '' && years > 1 && rng.chance(0.7) ? this.metastatic : this.cancerSite;
    if (c === conditionIndex.DM && this.diabetesComplicated && years > 5) return rng.pick(diabetesComplicationCodes);
    if (c === conditionIndex.CKD && years > 4 && rng.chance(0.4)) return rng.pick(advancedKidneyCodes);
    const list = chronicSecondaryByCondition[conditionCodes[c] as ConditionCode];
    return list.length > 0 ? rng.pick(list) : undefined;
  }

  private secondaryCodes(age: number, f: number, primary: string, day: number): string[] {
    const rng = this.detailRng;
    const state = this.live;
    const codes: string[] = [];
    const add = (code: string | undefined): void => {
      if (code !== undefined && code !== primary && !codes.includes(code)) codes.push(code);
    };
    for (let c = 0; c < conditionCount; c++) if (state.held[c] === 1 && rng.chance(0.75)) add(this.chronicCode(c, day));
    const frailtyCodes = Math.min(6, rng.poisson(Math.exp(-1.6 + 0.8 * f) * (age >= 65 ? 1 : 0.25)));
    for (let i = 0; i < frailtyCodes; i++) add(frailtySecondary[rng.pickCumulative(frailtySecondaryCumulative)]![0]);
    const general = rng.poisson(0.3 + 0.012 * age);
    for (let i = 0; i < general; i++) add(generalSecondary[rng.pickCumulative(generalSecondaryCumulative)]![0]);
    return codes.slice(0, 14);
  }

  private electiveSpell(day: number, age: number, recentCancer: boolean): SpellEvent {
    const rng = this.detailRng;
    const state = this.live;
    const method = rng.chance(0.6) ? '11' : rng.chance(0.6) ? '12' : '13';
    if (recentCancer && rng.chance(0.75)) {
      const chemo = rng.chance(0.7);
      return {
        admitDay: day,
        dischargeDay: chemo ? day : day + 1 + rng.int(6),
        method: chemo ? '13' : method,
        primary: chemo ? 'Z511' : this.cancerSite,
        secondary: chemo ? [this.cancerSite] : this.secondaryCodes(age, 0, this.cancerSite, day),
        specialty: chemo ? (rng.chance(0.5) ? '370' : '800') : '100',
      };
    }
    let code = 'K219';
    let specialty = '301';
    const byCondition: [string, string][] = [];
    for (let c = 0; c < conditionCount; c++) {
      const list = state.held[c] === 1 ? electiveByCondition[conditionCodes[c] as ConditionCode] : undefined;
      if (list) byCondition.push(...list);
    }
    if (byCondition.length > 0 && rng.chance(0.3)) {
      [code, specialty] = rng.pick(byCondition);
    } else {
      for (let attempt = 0; attempt < 8; attempt++) {
        const candidate = rng.pick(electivePrimary);
        if (age >= candidate.minAge && age <= candidate.maxAge && (candidate.sex === 0 || candidate.sex === this.sex) && rng.chance(candidate.weight / 6)) {
          code = candidate.code;
          specialty = candidate.specialty;
          break;
        }
      }
    }
    const dayCase = rng.chance(0.75);
    const los = dayCase ? 0 : 1 + Math.floor(-Math.log(1 - rng.next()) * 2.5);
    return { admitDay: day, dischargeDay: day + los, method, primary: code, secondary: this.secondaryCodes(age, 0, code, day), specialty };
  }

  private addMaternity(day: number, lastDay: number): void {
    const rng = this.detailRng;
    if (rng.chance(0.12) && day - 20 > this.timeline.historyStart) {
      const code = antenatalCodes[rng.pickCumulative(antenatalCumulative)]![0];
      const admit = day - 5 - rng.int(40);
      this.spells.push({ admitDay: admit, dischargeDay: admit + rng.int(3), method: '31', primary: code, secondary: [], specialty: '501' });
    }
    const code = deliveryCodes[rng.pickCumulative(deliveryCumulative)]![0];
    const caesarean = code.startsWith('O82');
    const los = caesarean ? 2 + rng.int(3) : rng.int(3);
    this.spells.push({ admitDay: day, dischargeDay: Math.min(day + los, Math.max(day, lastDay)), method: '31', primary: code, secondary: ['Z370'], specialty: '501' });
    if (rng.chance(0.05)) {
      const admit = day + los + 2 + rng.int(20);
      if (admit <= lastDay) {
        const post = postnatalCodes[rng.pickCumulative(postnatalCumulative)]![0];
        this.spells.push({ admitDay: admit, dischargeDay: Math.min(lastDay, admit + 1 + rng.int(3)), method: '32', primary: post, secondary: [], specialty: '501' });
      }
    }
  }

  private walkInAttendance(day: number): AeEvent {
    const rng = this.detailRng;
    const u = rng.next();
    const departmentType = u < 0.65 ? '01' : u < 0.95 ? '03' : u < 0.97 ? '02' : '04';
    return {
      day,
      secondOfDay: rng.pickCumulative(arrivalHourCumulative) * 3600 + rng.int(3600),
      departmentType,
      acuity: acuityCodes[rng.pickCumulative(acuityWalkIn)] as string,
      admitted: false,
    };
  }

  private outpatientAppointment(day: number): OutpatientEvent {
    const rng = this.detailRng;
    const state = this.live;
    const dna = Math.min(0.5, (outpatients.dnaBase + outpatients.dnaPerDecile * (10 - this.imd)) * Math.exp(outpatients.dnaPropensity * this.propensity));
    const u = rng.next();
    let status = '5';
    if (u < dna) status = '3';
    else if (u < dna + 0.05) status = '2';
    else if (u < dna + 0.105) status = '4';
    else if (u < dna + 0.117) status = '6';
    else if (u < dna + 0.12) status = '7';
    else if (u < dna + 0.122) status = '0';
    const v = rng.next();
    const firstAttendance = v < 0.28 ? '1' : v < 0.82 ? '2' : v < 0.88 ? '3' : '4';
    let specialty: string;
    if (state.heldCount > 0 && rng.chance(0.55)) {
      let pick = rng.int(state.heldCount);
      let chosen = 0;
      for (let c = 0; c < conditionCount; c++) {
        if (state.held[c] !== 1) continue;
        if (pick-- === 0) {
          chosen = c;
          break;
        }
      }
      specialty = rng.pick(outpatientSpecialtyByCondition[conditionCodes[chosen] as ConditionCode]);
    } else if (this.ageAt(day) < 16 && rng.chance(0.6)) {
      specialty = '420';
    } else {
      specialty = outpatientGeneralSpecialties[rng.pickCumulative(opGeneralCumulative)]![0];
    }
    if (rng.chance(0.01)) specialty = '';
    return { day, status, firstAttendance, specialty };
  }
}
