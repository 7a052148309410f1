// Test helper: scans a rendered cohort report for a count from 1 to 7 that is not suppressed (data contract §4),
// wherever a reader could see it: table cells, text drawn in a chart, the page's prose, and the charts' titles and
// descriptions. What is not a count is named here, one rule at a time, so the scan fails on anything it does not
// know rather than letting it through:
// - in tables, a whole number is a count, except in the row-header column (labels: "IMD decile 2") and in columns
//   that count something other than people or events ("Practices" in a PCN, a model's "Terms");
// - in charts, axis and legend text are scale values and names; any other text (a panel title, a label on a bar) is
//   scanned as prose;
// - in prose, dates, decimals, percentages, ranges ("1–2", "1 to 7") and money go first, then every remaining whole
//   number from 1 to 7 must sit in one of the phrases listed in `notCounts`.
import { countIn, reportTables, textOf, unescapeHtml } from './reportHtml.ts';

/** Columns whose whole numbers count things that are not people or events. */
const nonCountColumns = new Set(['Practices', 'Terms']);

/** Text roles vega gives to scale values and names, never to data. */
const chartLabelRoles = new Set(['axis-label', 'axis-title', 'legend-label', 'legend-title']);

/**
 * Phrases in which a whole number from 1 to 7 is not a count of people or events. `#` stands for the number.
 * Each is a label, a rank, a scale point, a period, or a count of rows of the report itself.
 */
const notCounts: readonly string[] = [
  // deciles, quintiles and tenths are ranks (tier numbers and section numbers are cleared before the scan)
  'Tenth #', 'tenth #', 'decile #', 'quintile #', '# (most deprived)', '# = most deprived', '# = the most deprived',
  // the reading notes' scales
  '# is perfect', '# is ideal', 'below # the', 'above # too', 'above # fewer', 'below # the model', '# if it did', '# if not',
  '# or more', '# decimal place',
  // observed / expected: 1 is "the same as the matches"
  'ratio below #', 'ratio above #', 'ratio of #',
  // periods
  'last # months', '# months',
  // how many rows of the report are left out or exist: counts of bars, months, practices, registers, extracts
  '# bar(s)', '# month(s)', '# practice(s)', '# segment(s)', '# register(s)', '# point(s)', '# extract(s)', ', #.',
  '# are above', 'and # below',
];

export interface SmallCountFinding {
  readonly where: string;
  readonly text: string;
}

export function findUnsuppressedSmallCounts(html: string, threshold = 8): SmallCountFinding[] {
  const small = (value: number | null): boolean => value !== null && value >= 1 && value < threshold;
  const findings: SmallCountFinding[] = [];

  for (const table of reportTables(html)) {
    for (const row of table.rows) {
      row.forEach((cell, index) => {
        const header = table.headers[index] ?? '';
        if (index === 0 || nonCountColumns.has(header)) return;
        if (small(countIn(cell))) findings.push({ where: `table "${table.caption}", row "${row[0]}", column "${header}"`, text: cell });
      });
    }
  }

  for (const svg of html.matchAll(/<svg[^>]*>(.*?)<\/svg>/gs)) {
    const body = svg[1] as string;
    const labelled = [...body.matchAll(/<g class="mark-text role-([a-z-]+)"[^>]*>(.*?)<\/g>/gs)];
    const textsInGroups = labelled.reduce((sum, group) => sum + ((group[2] as string).match(/<text/g) ?? []).length, 0);
    const allTexts = (body.match(/<text/g) ?? []).length;
    if (textsInGroups !== allTexts) findings.push({ where: 'chart', text: `${allTexts - textsInGroups} text element(s) outside a vega text mark` });
    for (const group of labelled) {
      if (chartLabelRoles.has(group[1] as string)) continue;
      for (const text of (group[2] as string).matchAll(/<text[^>]*>(.*?)<\/text>/gs)) {
        for (const finding of scanProse(textOf(text[1] as string), threshold)) findings.push({ where: `chart text (${group[1]})`, text: finding });
      }
    }
    // The SVG's own title and description are prose.
    for (const part of body.matchAll(/<(title|desc)[^>]*>(.*?)<\/\1>/gs)) {
      for (const finding of scanProse(textOf(part[2] as string), threshold)) findings.push({ where: `chart ${part[1]}`, text: finding });
    }
  }

  const prose = html
    .replace(/<style>.*?<\/style>/gs, ' ')
    .replace(/<table[^>]*>.*?<\/table>/gs, ' ')
    .replace(/<svg[^>]*>.*?<\/svg>/gs, ' ');
  for (const block of prose.split(/<\/(?:p|li|dd|dt|h\d|figcaption|summary|title)>/)) {
    for (const finding of scanProse(textOf(block), threshold)) findings.push({ where: 'text', text: finding });
  }
  // Attribute text a screen reader reads.
  for (const label of html.matchAll(/aria-label="([^"]*)"/g)) {
    for (const finding of scanProse(unescapeHtml(label[1] as string), threshold)) findings.push({ where: 'aria-label', text: finding });
  }
  return findings;
}

/** Whole numbers from 1 to threshold-1 in running text that are not in a known non-count phrase, with context. */
export function scanProse(text: string, threshold = 8): string[] {
  const cleared = text
    .replace(/^\d+\. (?=[A-Z])/, ' SECTION ')
    .replace(/\b\d{4}-\d{2}-\d{2}(T[\d:]+)?\b/g, ' DATE ')
    .replace(/\b(January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b/g, ' MONTH ')
    .replace(/£[\d,]+(\.\d+)?/g, ' MONEY ')
    .replace(/-?\d[\d,]*\.\d+%?/g, ' DECIMAL ')
    .replace(/\b\d[\d,]*%/g, ' PERCENT ')
    .replace(/\b\d+\s*(?:–|-|to)\s*\d+\+?/g, ' RANGE ')
    .replace(/\b\d+\+/g, ' RANGE ')
    .replace(/\b[Tt]iers? (RANGE|\d+((, \d+)* and \d+)?\b)/g, ' TIERS ')
    .replace(/\b[A-Z]\d{5}\b/g, ' CODE ')
    .replace(/\b[a-z]+-\d{4}-\d{2}-\d{2}-[0-9a-f]+\b/g, ' VERSION ');
  const found: string[] = [];
  for (const match of cleared.matchAll(/(?<![\w.])\d{1,3}(?:,\d{3})*(?![\w])/g)) {
    const value = Number(match[0].replaceAll(',', ''));
    if (value < 1 || value >= threshold) continue;
    const at = match.index ?? 0;
    const known = notCounts.some((phrase) => {
      const [before, after] = phrase.split('#') as [string, string];
      return cleared.slice(at - before.length, at) === before && cleared.slice(at + match[0].length, at + match[0].length + after.length) === after;
    });
    if (!known) found.push(`…${cleared.slice(Math.max(0, at - 40), at + match[0].length + 40)}…`);
  }
  return found;
}

/**
 * Hidden cells worked out from a table's total: in a table whose last row is a total ("All ...") and whose other
 * non-total rows add up to it, the hidden cells of a count column add up to the total less the shown cells. One
 * hidden cell is then known exactly; two or more are known together, and that sum must not be a count from 1 to 7.
 */
export function findHiddenSumsFromTotals(html: string, threshold = 8): SmallCountFinding[] {
  const findings: SmallCountFinding[] = [];
  for (const table of reportTables(html)) {
    const last = table.rows.length - 1;
    if (last < 1 || !table.totals[last] || !/^All\b/.test(table.rows[last]?.[0] ?? '')) continue;
    const parts = table.rows.filter((_row, index) => !table.totals[index]);
    table.headers.forEach((header, column) => {
      const total = column === 0 ? null : countIn(table.rows[last]?.[column] ?? '');
      if (total === null) return;
      const cells = parts.map((row) => row[column] ?? '');
      // Only columns of counts: every part shown as a whole number or hidden.
      if (!cells.every((cell) => cell === '*' || countIn(cell) !== null)) return;
      const hidden = cells.filter((cell) => cell === '*').length;
      if (hidden === 0) return;
      const hiddenSum = total - cells.reduce((sum, cell) => sum + (countIn(cell) ?? 0), 0);
      const where = `table "${table.caption}", column "${header}"`;
      if (hidden === 1) findings.push({ where, text: `the one hidden cell is ${hiddenSum}` });
      else if (hiddenSum >= 1 && hiddenSum < threshold) findings.push({ where, text: `${hidden} hidden cells add up to ${hiddenSum}` });
    });
  }
  return findings;
}
