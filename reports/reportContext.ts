// What every section of the cohort report is given, and what it gives back.
import type { Database } from '../core/db/Database.ts';
import type { PopulationFigures } from './populationFigures.ts';
import type { ResolvedReportInput } from './reportInput.ts';
import type { TierMovement } from './tierMovement.ts';

export interface ReportContext {
  readonly db: Database;
  readonly input: ResolvedReportInput;
  /** Person counts shared by sections 1-5, already suppressed together. */
  readonly population: PopulationFigures;
  /** The people scored today by their tier in the previous run and now, suppressed together (sections 1 and 7). */
  readonly movement: TierMovement;
}

export interface ReportSection {
  /** Anchor for the contents list: letters, digits and '-'. */
  readonly id: string;
  /** The section heading, e.g. "Risk pyramid". */
  readonly title: string;
  /** The section body (everything under its heading). */
  readonly html: string;
  /** What the section found, in one sentence: shown first, under the heading, and in the summary's contents. */
  readonly finding?: string;
}
