// The model files beside a run's outputs: masked like every text Strata writes, and still valid JSON when a number's
// digits would read as an NHS number (0.9434765919 holds ten digits that pass the check).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeModelFiles } from '../../models/modelRegistry.ts';
import { scanForNhsNumbers } from '../helpers/nhsNumberScanner.ts';
import { temporaryFolder } from '../helpers/testDatabase.ts';
import { testModelCard } from '../helpers/testModelCard.ts';

describe('writeModelFiles', () => {
  it('writes a card that parses as JSON and a coefficients file, neither holding an NHS number', () => {
    const folder = temporaryFolder();
    const card = testModelCard('ea', { log_emergency_admissions_12m: 0.9434765919 }, -3);
    writeModelFiles(folder, card);
    const cardText = readFileSync(join(folder, 'models', 'ea_model_card.json'), 'utf8');
    const parsed = JSON.parse(cardText);
    expect(parsed.terms.find((t: { id: string }) => t.id === 'log_emergency_admissions_12m').coefficient).toBe('0.[direct identifier removed]');
    expect(scanForNhsNumbers(Buffer.from(cardText))).toEqual([]);
    const csv = readFileSync(join(folder, 'models', 'ea_coefficients.csv'));
    expect(scanForNhsNumbers(csv)).toEqual([]);
    expect(csv.toString('utf8').split('\n')[0]).toBe('model_version,term,factor,coefficient,held_at_zero');
  });
});
