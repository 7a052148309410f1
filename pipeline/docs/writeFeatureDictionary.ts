// `npm run docs:features`: regenerates docs/features.md from the feature registry.
import { writeFileSync } from 'node:fs';
import { dictionaryPath, readFeatureRegistry, renderFeatureDictionary } from './featureDictionary.ts';

writeFileSync(dictionaryPath, renderFeatureDictionary(await readFeatureRegistry()));
process.stdout.write(`wrote ${dictionaryPath}\n`);
