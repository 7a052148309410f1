// A fitted model as SQL: the linear predictor with every coefficient bound as a parameter.
import type { Params } from '../core/db/Database.ts';

export interface LinearModel {
  intercept: number;
  terms: readonly { sql: string; coefficient: number }[];
}

/** `intercept + sum(coefficient * term)`, binding $<prefix>_b0, $<prefix>_b1, ... into params. */
export function linearPredictorSql(model: LinearModel, prefix: string, params: Params): string {
  params[`${prefix}_b0`] = model.intercept;
  const terms = model.terms.map((t, j) => {
    params[`${prefix}_b${j + 1}`] = t.coefficient;
    return `$${prefix}_b${j + 1} * (${t.sql})`;
  });
  return [`$${prefix}_b0`, ...terms].join(' + ');
}

/** The probability: the logistic of the linear predictor. */
export function riskSql(model: LinearModel, prefix: string, params: Params): string {
  return `1 / (1 + exp(-(${linearPredictorSql(model, prefix, params)})))`;
}
