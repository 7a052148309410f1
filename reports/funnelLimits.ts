// Control limits for a funnel plot of a proportion (practices' share of people in tiers 1-2), by the exact
// binomial method with interpolation of Spiegelhalter (Statistics in Medicine 2005; 24:1185-1202, appendix A.1.1).
import { gammaln } from 'simple-statistics';

export interface FunnelLimits {
  /** Group size the limits are for. */
  readonly n: number;
  /** Proportions (0-1): 95% (2 s.d.) and 99.8% (3 s.d.) two-sided limits around the target. */
  readonly lower95: number;
  readonly upper95: number;
  readonly lower998: number;
  readonly upper998: number;
}

/** Limits around `target` (a proportion) for a group of `n`. */
export function funnelLimits(target: number, n: number): FunnelLimits {
  if (!(target >= 0 && target <= 1)) throw new Error(`funnel target must be a proportion, got ${target}`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`funnel group size must be a whole number >= 1, got ${n}`);
  return {
    n,
    lower95: binomialLimit(n, target, 0.025),
    upper95: binomialLimit(n, target, 0.975),
    lower998: binomialLimit(n, target, 0.001),
    upper998: binomialLimit(n, target, 0.999),
  };
}

/** Group sizes spread evenly on a log scale from `from` to `to`, for drawing the funnel's curves. */
export function funnelGrid(from: number, to: number, points = 60): number[] {
  const low = Math.max(1, Math.floor(from));
  const high = Math.max(low, Math.ceil(to));
  const sizes = new Set<number>();
  for (let index = 0; index < points; index += 1) {
    const fraction = points === 1 ? 0 : index / (points - 1);
    sizes.add(Math.round(Math.exp(Math.log(low) + fraction * (Math.log(high) - Math.log(low)))));
  }
  return [...sizes].sort((a, b) => a - b);
}

/**
 * (r_p − α) / n, where r_p is the smallest r with P(X ≤ r) ≥ q for X ~ Binomial(n, p), and
 * α = (P(X ≤ r_p) − q) / P(X = r_p) interpolates so the limit is smooth in n.
 */
function binomialLimit(n: number, p: number, q: number): number {
  if (p === 0 || p === 1) return p;
  const mean = n * p;
  const sd = Math.sqrt(n * p * (1 - p));
  // Outside mean ± 12 s.d. the probability mass is far below double precision: skip it.
  const first = Math.max(0, Math.floor(mean - 12 * sd - 10));
  const last = Math.min(n, Math.ceil(mean + 12 * sd + 10));
  const logChoose = gammaln(n + 1);
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let cumulative = 0;
  for (let r = first; r <= last; r += 1) {
    const probability = Math.exp(logChoose - gammaln(r + 1) - gammaln(n - r + 1) + r * logP + (n - r) * logQ);
    cumulative += probability;
    if (cumulative >= q) {
      const alpha = probability > 0 ? (cumulative - q) / probability : 0;
      return Math.min(1, Math.max(0, (r - alpha) / n));
    }
  }
  return last / n;
}
