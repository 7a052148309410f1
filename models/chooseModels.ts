// Picks the models a run scores with: the newest registered ones, unless a model is missing, was
// fitted for a later date, is older than the configured age, or a retrain was asked for.
import type { Database } from '../core/db/Database.ts';
import type { ProgressFactory } from '../core/logging/Logger.ts';
import { modelAgeInDays, newestModelCard, saveModelCards } from './modelRegistry.ts';
import { modelSpecs } from './modelSpecs.ts';
import type { ModelCard } from './modelCard.ts';
import { type TrainingSettings, trainModels } from './trainModels.ts';

export interface ModelChoice {
  cards: ModelCard[];
  trained: boolean;
  reason: string;
}

export interface ChooseOptions extends TrainingSettings {
  maxModelAgeDays: number;
  retrain: boolean;
}

export async function chooseModels(
  db: Database,
  asOf: string,
  options: ChooseOptions,
  log: (line: string) => void = () => {},
  progress?: ProgressFactory,
): Promise<ModelChoice> {
  const existing = await Promise.all(modelSpecs.map((spec) => newestModelCard(db, spec.target, asOf)));
  let reason: string | null = null;
  if (options.retrain) reason = 'retraining was asked for (--retrain)';
  else if (existing.some((card) => card === null)) reason = 'no model is registered yet for this date';
  else {
    const stale = existing.find((card) => modelAgeInDays(card!, asOf) > options.maxModelAgeDays);
    if (stale) reason = `${stale.model_version} is ${modelAgeInDays(stale, asOf)} days old (limit ${options.maxModelAgeDays})`;
  }
  if (reason === null) {
    return { cards: existing as ModelCard[], trained: false, reason: `reused the newest models (within ${options.maxModelAgeDays} days)` };
  }
  log(`training models: ${reason}`);
  const cards = await trainModels(db, asOf, options, log, progress);
  await saveModelCards(db, cards);
  return { cards, trained: true, reason };
}
