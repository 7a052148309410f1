// The data dictionary (docs/features.md) is generated from the feature registry, never written twice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../../core/db/Database.ts';
import { projectRoot } from '../../core/files/projectRoot.ts';

export const repoRoot = projectRoot;
export const registryPath = join(repoRoot, 'sql', 'intermediate', 'features', 'feature_registry.csv');
export const dictionaryPath = join(repoRoot, 'docs', 'features.md');

export interface RegisteredFeature {
  id: string;
  name: string;
  sql_file: string;
  description: string;
  unit: string;
}

export async function readFeatureRegistry(db?: Database): Promise<RegisteredFeature[]> {
  const own = db === undefined;
  const connection = db ?? (await Database.open({ path: ':memory:' }));
  try {
    return await connection.rows<RegisteredFeature>(
      `SELECT id, name, sql_file, description, unit
       FROM read_csv($path, header = true, comment = '#', all_varchar = true, auto_detect = true)
       ORDER BY id`,
      { path: registryPath },
    );
  } finally {
    if (own) connection.close();
  }
}

export function renderFeatureDictionary(features: RegisteredFeature[]): string {
  const lines = [
    '# Strata features: the data dictionary',
    '',
    '<!-- Generated from sql/intermediate/features/feature_registry.csv by `npm run docs:features`. Do not edit by hand. -->',
    '',
    'One row per person per index date. The same SQL builds training rows (index date = as_of - 365 days)',
    'and scoring rows (index date = as_of). "Last 12 months" is the 365 days ending on the index date.',
    'Code lists and weights are in `sql/reference/`, each with its citation.',
    '',
  ];
  const files = [...new Set(features.map((f) => f.sql_file))];
  for (const file of files) {
    const header = readFileSync(join(repoRoot, file), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('--'))
      .map((l) => l.replace(/^--\s?/, ''))
      .join(' ');
    lines.push(`## \`${file}\``, '', header, '', '| id | feature | unit | description |', '|---|---|---|---|');
    for (const f of features.filter((x) => x.sql_file === file)) {
      lines.push(`| ${f.id} | \`${f.name}\` | ${f.unit} | ${f.description.replaceAll('|', '\\|')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
