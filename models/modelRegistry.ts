// The model registry: every fitted model is versioned and kept in the database (its card as JSON),
// and written beside each run's outputs as a card and a coefficients CSV.
import { join } from 'node:path';
import type { Database } from '../core/db/Database.ts';
import { dateParam } from '../core/db/dateParam.ts';
import { StrataError } from '../core/errors.ts';
import { stringifyMasked } from '../core/privacy/maskDirectIdentifiers.ts';
import { writeFileAtomic } from '../core/files/writeFileAtomic.ts';
import { type ModelCard, parseModelCard, resolveTerms } from './modelCard.ts';

export async function saveModelCards(db: Database, cards: ModelCard[]): Promise<void> {
  // Both models are registered together or not at all, so a crash never leaves one without the other.
  await db.transaction(async () => {
    for (const card of cards) {
      await db.run('DELETE FROM models WHERE model_version = $version', { version: card.model_version });
      await db.run('INSERT INTO models VALUES ($version, $target, $fitted_for_as_of, $card)', {
        version: card.model_version,
        target: card.target,
        fitted_for_as_of: dateParam(card.fitted_for_as_of),
        card: JSON.stringify(card),
      });
    }
  });
}

/**
 * The newest model for a target that was fitted for a date on or before as_of (never a later one), checked: a card
 * that is not one this version reads is refused with one line telling the analyst to retrain.
 */
export async function newestModelCard(db: Database, target: ModelCard['target'], asOf: string): Promise<ModelCard | null> {
  const rows = await db.rows<{ card_json: string }>(
    `SELECT card_json FROM models WHERE target = $target AND fitted_for_as_of <= $as_of
     ORDER BY fitted_for_as_of DESC, model_version DESC LIMIT 1`,
    { target, as_of: dateParam(asOf) },
  );
  if (!rows[0]) return null;
  let json: unknown;
  try {
    json = JSON.parse(rows[0].card_json);
  } catch {
    throw new StrataError(`a ${target} model card in ${db.path} is not valid JSON: retrain with \`strata run --retrain\` (or \`strata train\`)`);
  }
  return parseModelCard(json, db.path);
}

export function modelAgeInDays(card: ModelCard, asOf: string): number {
  return Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${card.fitted_for_as_of}T00:00:00Z`)) / 86_400_000);
}

/** Writes `<folder>/models/<target>_model_card.json` and `<target>_coefficients.csv`; returns their paths and sha256. */
export function writeModelFiles(folder: string, card: ModelCard): { path: string; rows: number; sha256: string }[] {
  const cardFile = `models/${card.target}_model_card.json`;
  const coefficientsFile = `models/${card.target}_coefficients.csv`;
  // Term ids and factors are the registry's own words ([a-z0-9_]), so no field needs quoting.
  const held = new Set(card.training.terms_held_at_zero);
  const lines = [
    'model_version,term,factor,coefficient,held_at_zero',
    `${card.model_version},(intercept),,${card.intercept},false`,
    ...resolveTerms(card).map((t) => [card.model_version, t.id, t.factor, String(t.coefficient), String(held.has(t.id))].join(',')),
  ];
  // Masked as JSON, so a number whose digits read as an NHS number becomes a masked string, not broken JSON.
  const writtenCard = writeFileAtomic(join(folder, cardFile), `${stringifyMasked(card, 2)}\n`);
  const writtenCsv = writeFileAtomic(join(folder, coefficientsFile), `${lines.join('\n')}\n`);
  return [
    { path: cardFile, rows: 1, sha256: writtenCard.sha256 },
    { path: coefficientsFile, rows: card.terms.length + 1, sha256: writtenCsv.sha256 },
  ];
}
