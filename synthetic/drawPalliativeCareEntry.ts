// The day a simulated person goes on the palliative care register (QOF PC, contract v2), or NEVER: people who die
// (most in the weeks to months before death) and a few with advanced illness who live on. Drawn from the person's
// own palliative-care stream, after the process has run, so no other draw of the generator moves.
import { conditionIndex, interpolateAgeCurve, palliativeCare, type ConditionCode } from './knownProcess.ts';
import { NEVER, type PersonSimulator } from './PersonSimulator.ts';
import type { SeededRandom } from './SeededRandom.ts';
import type { Timeline } from './createTimeline.ts';

/** The stream of person `index`: beyond every index * 4 + k stream (their high word is 0) and the geography's. */
export function palliativeCareStream(index: number): number {
  return 2 ** 32 + index;
}

/** The factor of the first register in `table` the person holds on `day`, or undefined with none. */
function firstHeld(sim: PersonSimulator, table: [ConditionCode, number][], day: number): number | undefined {
  for (const [code, factor] of table) if ((sim.onsetDay[conditionIndex[code]] as number) <= day) return factor;
  return undefined;
}

export function drawPalliativeCareEntry(sim: PersonSimulator, timeline: Timeline, rng: SeededRandom): number {
  const p = palliativeCare;
  if (sim.deathDay !== NEVER) {
    const chance = firstHeld(sim, p.beforeDeath, sim.deathDay) ?? p.beforeDeathOtherwise;
    if (!rng.chance(chance)) return NEVER;
    const daysBefore = Math.round(Math.exp(Math.log(p.medianDaysBeforeDeath) + p.logSdDaysBeforeDeath * rng.normal()));
    return Math.max(sim.birthDay, sim.deathDay - Math.max(1, daysBefore));
  }
  const register = firstHeld(sim, p.stayerRegister, timeline.asOf);
  if (register === undefined) return NEVER;
  const chance = p.stayer * register * interpolateAgeCurve(p.stayerAge, sim.ageAt(timeline.asOf));
  if (!rng.chance(chance)) return NEVER;
  return Math.max(sim.birthDay, timeline.asOf - rng.int(p.stayWindowDays));
}
