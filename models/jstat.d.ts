// The one function Strata uses from jstat (which ships no types): the Beta distribution's quantile function.
declare module 'jstat' {
  export const jStat: {
    beta: {
      /** The p-quantile of Beta(alpha, beta). */
      inv(p: number, alpha: number, beta: number): number;
    };
  };
}
