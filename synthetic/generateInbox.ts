// Runs the generator's stages in order: geography -> per-person simulation -> rows streamed into the
// extract folders (with planted bad rows) -> the teams' reviews of the highest risks (mdt_reviews) ->
// manifests -> folders renamed into place, truth and planted lists.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BadRowPlanter, type PlantedRow } from './BadRowPlanter.ts';
import { CsvFileWriter } from './CsvFileWriter.ts';
import { ExtractFolderWriter, type Manifest } from './ExtractFolderWriter.ts';
import { MdtReviewWriter, carePlanTruthColumns, carePlanTruthPath } from './MdtReviewWriter.ts';
import { PersonRecordWriter } from './PersonRecordWriter.ts';
import { PersonSimulator } from './PersonSimulator.ts';
import { SeededRandom } from './SeededRandom.ts';
import { createGeography } from './createGeography.ts';
import { createTimeline } from './createTimeline.ts';
import { tableNames, truthColumns, type TableName } from './inboxTables.ts';
import type { GenerateSettings } from './parseGenerateSettings.ts';

export interface GenerateResult {
  /** Extract folders written, oldest first. */
  folders: string[];
  manifests: Manifest[];
  /** Data rows per table over all folders (planted rows included). */
  rowsPerTable: Record<TableName, number>;
  /** People simulated who are in the population (some die before the written history starts). */
  personsInPopulation: number;
  /** Rows of the truth file (alive and in the newest snapshot at as-of). */
  truthRows: number;
  /** Rows of the care-plan truth file beside it (first care plans in a year that Strata can compare). */
  carePlanTruthRows: number;
  planted: PlantedRow[];
  seconds: number;
}

const drainEvery = 256;
const temporaryFolderName = '.strata-generate.tmp';

export async function generateInbox(settings: GenerateSettings): Promise<GenerateResult> {
  const started = process.hrtime.bigint();
  const timeline = createTimeline(settings.asOf, settings.extracts);
  const geography = createGeography(settings.persons, new SeededRandom(settings.seed, 0xfffffff0));

  // Write under a temporary folder and rename each extract into place at the end, so a reader (or a
  // crash) never leaves half-written extract folders in --out.
  mkdirSync(settings.out, { recursive: true });
  const staging = join(settings.out, temporaryFolderName);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  const folders = timeline.extractDays.map((day) => new ExtractFolderWriter(staging, day, settings.gzip));

  let truthWriter: CsvFileWriter | undefined;
  let carePlanWriter: CsvFileWriter | undefined;
  let truthTemporary = '';
  let carePlanTemporary = '';
  if (settings.truth !== undefined) {
    mkdirSync(dirname(settings.truth), { recursive: true });
    truthTemporary = `${settings.truth}.tmp`;
    truthWriter = new CsvFileWriter(truthTemporary, 'truth.csv', truthColumns, false);
    carePlanTemporary = `${carePlanTruthPath(settings.truth)}.tmp`;
    carePlanWriter = new CsvFileWriter(carePlanTemporary, 'truth-care-plans.csv', carePlanTruthColumns, false);
  }

  const simulator = new PersonSimulator(settings.seed, timeline, geography, settings.carePlanEffect);
  const records = new PersonRecordWriter(settings.seed, timeline, geography, folders, settings.persons);
  const reviews = new MdtReviewWriter(settings.seed, timeline, folders, settings.persons, settings.carePlanEffect, carePlanWriter);
  const planter = settings.badRows ? new BadRowPlanter(timeline, geography, folders, records, reviews, settings.persons) : undefined;

  let personsInPopulation = 0;
  for (let index = 0; index < settings.persons; index++) {
    simulator.simulate(index);
    if (!records.write(simulator, index)) continue;
    personsInPopulation++;
    if (truthWriter !== undefined && records.inTruthPopulation(simulator)) {
      truthWriter.writeRow(
        `${records.personId},${simulator.pEmergencyAdmission.toFixed(6)},${simulator.pNewCondition.toFixed(6)},` +
          `${simulator.emergencyAdmissionsNext12m},${simulator.newConditionsNext12m},${records.optedOutAtAsOf() ? 'Y' : 'N'},` +
          `${settings.carePlanEffect}`,
      );
    }
    reviews.add(index, simulator, records);
    planter?.afterPerson(index, simulator);
    if (index % drainEvery === 0) {
      for (const folder of folders) await folder.drain();
      await truthWriter?.drain();
      await carePlanWriter?.drain();
    }
  }
  // The teams' reviews need everyone's risk, so they are written last, before the planter's own rows for them.
  reviews.write();
  planter?.finish();

  const manifests: Manifest[] = [];
  for (const folder of folders) manifests.push(await folder.close());
  const truthFile = truthWriter === undefined ? undefined : await truthWriter.close();
  const carePlanFile = carePlanWriter === undefined ? undefined : await carePlanWriter.close();
  for (const folder of folders) renameSync(folder.directory, join(settings.out, folder.extractDate));
  rmSync(staging, { recursive: true, force: true });
  if (settings.truth !== undefined) {
    renameSync(truthTemporary, settings.truth);
    renameSync(carePlanTemporary, carePlanTruthPath(settings.truth));
  }
  const planted = planter?.planted ?? [];
  if (settings.planted !== undefined) {
    mkdirSync(dirname(settings.planted), { recursive: true });
    writeFileSync(settings.planted, `${JSON.stringify(planted, null, 2)}\n`);
  }

  const rowsPerTable = Object.fromEntries(tableNames.map((t) => [t, 0])) as Record<TableName, number>;
  for (const manifest of manifests) {
    for (const file of manifest.files) rowsPerTable[file.name.replace(/\.csv(\.gz)?$/, '') as TableName] += file.rows;
  }
  return {
    folders: folders.map((f) => f.extractDate),
    manifests,
    rowsPerTable,
    personsInPopulation,
    truthRows: truthFile?.rows ?? 0,
    carePlanTruthRows: carePlanFile?.rows ?? 0,
    planted,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}
