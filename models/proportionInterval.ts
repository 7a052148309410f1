// Exact (Clopper-Pearson) confidence intervals for a proportion x / n, from the Beta distribution's quantiles
// (jstat): the interval a governance board can rely on at small counts, where a normal approximation is not.
// Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case of the binomial.
// Biometrika 1934;26:404-13.
import jstat from 'jstat';

export interface Proportion {
  value: number;
  lower: number;
  upper: number;
}

/** x of n, with its exact two-sided interval at `level` (default 95%); null when n is 0. */
export function clopperPearson(x: number, n: number, level = 0.95): Proportion | null {
  if (!Number.isInteger(x) || !Number.isInteger(n) || x < 0 || x > n) {
    throw new Error(`clopperPearson: ${x} of ${n} is not a count within a whole number of trials`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`clopperPearson: the level must be in (0, 1), got ${level}`);
  if (n === 0) return null;
  const tail = (1 - level) / 2;
  return {
    value: x / n,
    lower: x === 0 ? 0 : jstat.jStat.beta.inv(tail, x, n - x + 1),
    upper: x === n ? 1 : jstat.jStat.beta.inv(1 - tail, x + 1, n - x),
  };
}
