// The registered population's places: GP practices (ODS codes) grouped into PCNs, and LSOAs with an IMD
// decile each. Practices draw their lists from LSOAs around their own level of deprivation.
import type { SeededRandom } from './SeededRandom.ts';

export interface Practice {
  code: string;
  pcnCode: string;
  /** Relative list size. */
  weight: number;
  /** Centre of the IMD deciles of its catchment (1 most deprived). */
  deprivationCentre: number;
}

export interface Geography {
  practices: Practice[];
  /** Per IMD decile (index 0 = decile 1): cumulative weights over practices of drawing a resident of that decile. */
  practiceCumulativeByDecile: Float64Array[];
  /** LSOA codes by IMD decile (index 0 = decile 1). */
  lsoasByDecile: string[][];
}

const practiceLetters = 'ABCDEFGHJKLMNPY';

export function createGeography(persons: number, rng: SeededRandom): Geography {
  const practiceCount = Math.max(5, Math.round(persons / 8000));
  const usedCodes = new Set<string>();
  const practices: Practice[] = [];
  for (let i = 0; i < practiceCount; i++) {
    let code: string;
    do {
      code = `${practiceLetters[rng.int(practiceLetters.length)]}${String(rng.intBetween(81001, 89999)).padStart(5, '0')}`;
    } while (usedCodes.has(code));
    usedCodes.add(code);
    practices.push({
      code,
      pcnCode: '',
      weight: Math.exp(0.45 * rng.normal()),
      deprivationCentre: 0.5 + rng.next() * 10,
    });
  }
  assignPcns(practices, rng);

  const lsoaCount = Math.max(20, Math.round(persons / 1600));
  const lsoasByDecile: string[][] = Array.from({ length: 10 }, () => []);
  const usedLsoas = new Set<string>();
  const deciles = rng.shuffle(Array.from({ length: lsoaCount }, (_, i) => i % 10));
  for (const decile of deciles) {
    let code: string;
    do {
      code = `E01${String(rng.intBetween(1, 35672)).padStart(6, '0')}`;
    } while (usedLsoas.has(code));
    usedLsoas.add(code);
    (lsoasByDecile[decile] as string[]).push(code);
  }

  // People's deciles are uniform; a practice draws mostly from deciles near its own centre.
  const practiceCumulativeByDecile = Array.from({ length: 10 }, (_, d) => {
    const cumulative = new Float64Array(practiceCount);
    let total = 0;
    practices.forEach((p, i) => {
      total += p.weight * Math.exp(-((d + 1 - p.deprivationCentre) ** 2) / (2 * 2.5 * 2.5));
      cumulative[i] = total;
    });
    return cumulative;
  });
  return { practices, practiceCumulativeByDecile, lsoasByDecile };
}

/** Groups practices into PCNs of 3 to 6; about one practice in 25 belongs to none (pcn_code null). */
function assignPcns(practices: Practice[], rng: SeededRandom): void {
  const order = rng.shuffle(practices.map((_, i) => i));
  const outside = Math.floor(practices.length / 25);
  const usedCodes = new Set<string>();
  let i = outside;
  while (i < order.length) {
    let size = rng.intBetween(3, 6);
    if (order.length - (i + size) < 3) size = order.length - i;
    let code: string;
    do {
      code = `U${String(rng.intBetween(10000, 99999))}`;
    } while (usedCodes.has(code));
    usedCodes.add(code);
    for (let k = i; k < i + size; k++) (practices[order[k] as number] as Practice).pcnCode = code;
    i += size;
  }
}
