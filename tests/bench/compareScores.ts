// How far apart are two runs' outputs? `npx tsx tests/bench/compareScores.ts OUT_A/AS_OF OUT_B/AS_OF`. Where
// compareOutputs.ts says only "differs", this measures: for population_scores.arrow and every case-finding list, whether
// the people, their order, tiers, ranks, top_factors and every other non-float column are the same, and the largest
// absolute difference of each float column (ea_risk, ltc_risk, ...); for each model card, the largest absolute
// difference of the intercept, of each coefficient and of every calibration figure, and any other field that differs;
// and report.html's differing lines. Written for issue 14 (one logistic routine), whose change of convergence moves
// risks and coefficients in their last digits only. Exits 1 when a non-float value differs.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const [first, second] = process.argv.slice(2);
if (!first || !second) {
  console.error('usage: npx tsx tests/bench/compareScores.ts OUT_A/AS_OF OUT_B/AS_OF');
  process.exit(2);
}

let structuralDifferences = 0;

function filesUnder(folder: string): string[] {
  return readdirSync(folder).sort().flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function text(value: unknown): string {
  if (value !== null && typeof value === 'object' && Symbol.iterator in value) return JSON.stringify([...(value as Iterable<unknown>)].map(text));
  return typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
}

function compareArrow(name: string): void {
  const a = tableFromIPC(readFileSync(join(first!, name)));
  const b = tableFromIPC(readFileSync(join(second!, name)));
  const columnsA = a.schema.fields.map((f) => f.name);
  const columnsB = b.schema.fields.map((f) => f.name);
  if (a.numRows !== b.numRows || text(columnsA) !== text(columnsB)) {
    structuralDifferences++;
    console.log(`${name}: rows ${a.numRows} vs ${b.numRows}; columns ${columnsA.join(',')} vs ${columnsB.join(',')}`);
    return;
  }
  const parts: string[] = [];
  for (const field of a.schema.fields) {
    const x = a.getChild(field.name)!;
    const y = b.getChild(field.name)!;
    if (String(field.type) === 'Float64') {
      let max = 0;
      let changed = 0;
      for (let i = 0; i < a.numRows; i++) {
        const u = x.get(i) as number | null;
        const v = y.get(i) as number | null;
        if (u === v) continue;
        if (u === null || v === null) {
          structuralDifferences++;
          max = Infinity;
        } else max = Math.max(max, Math.abs(u - v));
        changed++;
      }
      parts.push(`${field.name} max |diff| ${max.toExponential(2)} (${changed} of ${a.numRows} rows differ)`);
    } else {
      let changed = 0;
      for (let i = 0; i < a.numRows; i++) if (text(x.get(i)) !== text(y.get(i))) changed++;
      structuralDifferences += changed;
      if (changed > 0 || ['person_id', 'ea_tier', 'rank_in_practice', 'rank_in_pcn', 'top_factors'].includes(field.name)) {
        parts.push(`${field.name} ${changed === 0 ? 'same' : `${changed} rows differ`}`);
      }
    }
  }
  console.log(`${name} (${a.numRows} rows, same row order checked by person_id): ${parts.join('; ')}`);
}

/** Numeric leaves of a JSON value by path, terms named by their id rather than their position. */
function leaves(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const id = item !== null && typeof item === 'object' && 'id' in item ? String((item as { id: unknown }).id) : String(i);
      leaves(item, `${path}[${id}]`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) leaves(inner, path ? `${path}.${key}` : key, out);
  } else out.set(path, value);
  return out;
}

function compareCard(name: string): void {
  const a = leaves(JSON.parse(readFileSync(join(first!, name), 'utf8')), '', new Map());
  const b = leaves(JSON.parse(readFileSync(join(second!, name), 'utf8')), '', new Map());
  const groups = new Map<string, { max: number; at: string; changed: number; total: number }>();
  const other: string[] = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const u = a.get(path);
    const v = b.get(path);
    if (typeof u === 'number' && typeof v === 'number' && !/iterations|rows|events|n_flagged|true_positives|observed$|\.n$/.test(path)) {
      // Coefficients one by one; everything else by the field it is (its last name), across subgroups and deciles.
      const key = /^terms\[/.test(path) ? path : `${path.split('.').pop()!.replace(/\[.*\]$/, '')}`;
      const group = groups.get(key) ?? { max: 0, at: '', changed: 0, total: 0 };
      const diff = Math.abs(u - v);
      group.total++;
      if (diff > 0) group.changed++;
      if (diff > group.max) Object.assign(group, { max: diff, at: path });
      groups.set(key, group);
    } else if (text(u) !== text(v)) other.push(`${path}: ${text(u)} -> ${text(v)}`);
  }
  console.log(`${name}:`);
  const coefficients = [...groups.entries()].filter(([key]) => key.startsWith('terms['));
  const largest = coefficients.reduce((m, [key, g]) => (g.max > m.max ? { key, max: g.max } : m), { key: '', max: 0 });
  console.log(`  coefficients: ${coefficients.filter(([, g]) => g.changed > 0).length} of ${coefficients.length} differ, max |diff| ${largest.max.toExponential(2)} (${largest.key})`);
  for (const [key, g] of [...groups.entries()].filter(([k]) => !k.startsWith('terms[')).sort()) {
    if (g.changed > 0) console.log(`  ${key}: max |diff| ${g.max.toExponential(2)} at ${g.at} (${g.changed} of ${g.total} differ)`);
  }
  for (const line of other) console.log(`  not a figure: ${line}`);
}

function compareHtml(name: string): void {
  const a = readFileSync(join(first!, name), 'utf8').split('\n');
  const b = readFileSync(join(second!, name), 'utf8').split('\n');
  const differing = a.flatMap((line, i) => (line === b[i] ? [] : [i + 1]));
  if (a.length !== b.length) console.log(`${name}: ${a.length} vs ${b.length} lines`);
  console.log(`${name}: ${differing.length === 0 && a.length === b.length ? 'identical' : `${differing.length} lines differ`}`);
  for (const n of differing) {
    // The differing stretch of each line, with a little context either side.
    const u = a[n - 1]!;
    const v = b[n - 1] ?? '';
    let start = 0;
    while (start < u.length && u[start] === v[start]) start++;
    let end = 0;
    while (end < u.length - start && end < v.length - start && u[u.length - 1 - end] === v[v.length - 1 - end]) end++;
    const from = Math.max(0, start - 30);
    console.log(`  line ${n}: …${u.slice(from, u.length - end + 10)}… -> …${v.slice(from, v.length - end + 10)}…`);
  }
}

const names = filesUnder(first).map((path) => relative(first, path));
for (const name of names) {
  if (name.endsWith('.arrow')) compareArrow(name);
  else if (name.endsWith('_model_card.json')) compareCard(name);
  else if (name.endsWith('.html')) compareHtml(name);
}
console.log(structuralDifferences === 0 ? 'every non-float value is the same' : `${structuralDifferences} non-float values differ`);
process.exit(structuralDifferences === 0 ? 0 : 1);
