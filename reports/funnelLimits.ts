// Control limits for a funnel plot of a proportion (practices' share of people in tiers 1-2), by the exact
// binomial method with interpolation of Spiegelhalter (Statistics in Medicine 2005; 24:1185-1202, appendix A.1.1),
// widened for over-dispersion by the additive random-effects method of Spiegelhalter (Qual Saf Health Care 2005;
// 14:347-351) when the practices vary more than chance alone would make them.
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

/** One group on the funnel: its size and how many of it have the outcome (people in tiers 1-2). */
export interface FunnelGroup {
  readonly n: number;
  readonly events: number;
}

/** How much more the groups vary than chance alone would make them, from `estimateOverdispersion`. */
export interface Overdispersion {
  /** Groups the estimate is from: those of size 1 or more. */
  readonly groups: number;
  /** Over-dispersion factor: the mean of the squared Winsorised z-scores (about 1 when only chance is at work). */
  readonly phi: number;
  /** True when groups * phi > groups - 1, the condition under which the paper's tau² is above 0. */
  readonly overdispersed: boolean;
  /** Between-group variance of the underlying proportions (proportion²), 0 when not over-dispersed. */
  readonly tau2: number;
}

// Standard normal quantiles for two-sided 95% and 99.8% limits: Φ⁻¹(0.975) and Φ⁻¹(0.999).
const z95 = 1.959963984540054;
const z998 = 3.090232306167813;

// Spiegelhalter (2005, QSHC) pulls in the most extreme 10% of z-scores at each end, so that the outliers the
// funnel is meant to find do not themselves widen the limits.
const winsorisedFraction = 0.1;

/**
 * The additive random-effects estimate of Spiegelhalter (Qual Saf Health Care 2005; 14:347-351), for groups
 * compared with `target`:
 * - z_i = (y_i − target) / s_i, with y_i = events_i / n_i and s_i = √(target (1 − target) / n_i), the standard
 *   error a group of n_i would have at the target;
 * - the z-scores are Winsorised at their 10% and 90% points (quantiles by linear interpolation between order
 *   statistics, as R's default), and phi = (1/k) Σ z_w²;
 * - if k phi > k − 1, tau² = (k phi − (k − 1)) / (Σ w_i − Σ w_i² / Σ w_i) with w_i = 1 / s_i²
 *   (the DerSimonian-Laird estimator); otherwise tau² = 0.
 * Groups of size 0 carry no information and are left out. With fewer than two groups, or a target of 0 or 1
 * (no chance variation to compare with), nothing can be estimated: phi 0 and tau² 0.
 */
export function estimateOverdispersion(target: number, groups: readonly FunnelGroup[]): Overdispersion {
  if (!(target >= 0 && target <= 1)) throw new Error(`funnel target must be a proportion, got ${target}`);
  for (const { n, events } of groups) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`funnel group size must be a whole number >= 0, got ${n}`);
    if (!(events >= 0 && events <= n)) throw new Error(`funnel group events must be between 0 and ${n}, got ${events}`);
  }
  const sized = groups.filter((group) => group.n > 0);
  const k = sized.length;
  const none: Overdispersion = { groups: k, phi: 0, overdispersed: false, tau2: 0 };
  if (k < 2 || target === 0 || target === 1) return none;

  const variances = sized.map((group) => (target * (1 - target)) / group.n);
  const zScores = sized.map((group, index) => (group.events / group.n - target) / Math.sqrt(variances[index]));
  const sorted = [...zScores].sort((a, b) => a - b);
  const low = quantile(sorted, winsorisedFraction);
  const high = quantile(sorted, 1 - winsorisedFraction);
  const phi = zScores.reduce((sum, z) => sum + Math.min(high, Math.max(low, z)) ** 2, 0) / k;
  if (!(k * phi > k - 1)) return { ...none, phi };

  const weights = variances.map((variance) => 1 / variance);
  const sumWeights = weights.reduce((sum, w) => sum + w, 0);
  const sumSquaredWeights = weights.reduce((sum, w) => sum + w * w, 0);
  const tau2 = (k * phi - (k - 1)) / (sumWeights - sumSquaredWeights / sumWeights);
  return { groups: k, phi, overdispersed: true, tau2 };
}

/**
 * Limits around `target` (a proportion) for a group of `n`. With `tau2` 0 (no over-dispersion) they are the exact
 * binomial limits; with `tau2` above 0 they are target ± z √(target (1 − target) / n + tau2), the paper's
 * random-effects limits (normal, as the paper's are), kept within 0 and 1.
 */
export function funnelLimits(target: number, n: number, tau2 = 0): FunnelLimits {
  if (!(target >= 0 && target <= 1)) throw new Error(`funnel target must be a proportion, got ${target}`);
  if (!Number.isInteger(n) || n < 1) throw new Error(`funnel group size must be a whole number >= 1, got ${n}`);
  if (!(tau2 >= 0 && Number.isFinite(tau2))) throw new Error(`funnel tau² must be a finite number >= 0, got ${tau2}`);
  if (tau2 > 0) {
    const sd = Math.sqrt((target * (1 - target)) / n + tau2);
    const clamp = (value: number): number => Math.min(1, Math.max(0, value));
    return {
      n,
      lower95: clamp(target - z95 * sd),
      upper95: clamp(target + z95 * sd),
      lower998: clamp(target - z998 * sd),
      upper998: clamp(target + z998 * sd),
    };
  }
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

/** The q-quantile of ascending `sorted` by linear interpolation between order statistics (R's type 7). */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}
