// The synthetic inbox generator behind `strata generate`.
export { generateInbox, type GenerateResult } from './generateInbox.ts';
export { parseGenerateSettings, generateDefaults, type GenerateSettings } from './parseGenerateSettings.ts';
export { carePlanTruthPath, carePlanTruthColumns } from './MdtReviewWriter.ts';
export { plantedNhsNumber, type PlantedRow } from './BadRowPlanter.ts';
export { tableColumns, tableNames, truthColumns, type TableName } from './inboxTables.ts';
export { createPersonId } from './createPersonId.ts';
