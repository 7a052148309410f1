// Test helper: reads the cohort report's own HTML back into tables, figures and prose. The report is written by
// reports/renderTable.ts and reports/renderChart.ts, so its markup is regular (no nested tables, every text
// escaped); this is a reader for that markup, not a general HTML parser.

export interface ReportTable {
  readonly caption: string;
  /** Column headers, first column included. */
  readonly headers: readonly string[];
  /** Body rows: the row header first, then the cells, as the reader sees the text. */
  readonly rows: readonly (readonly string[])[];
  /** For each body row, whether it is a total or subtotal row (set in bold). */
  readonly totals: readonly boolean[];
}

export interface ReportFigure {
  readonly id: string;
  /** The whole <figure> element. */
  readonly html: string;
}

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

export function unescapeHtml(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity);
}

/** The text of an HTML fragment: tags dropped, entities decoded, white space collapsed. */
export function textOf(html: string): string {
  return unescapeHtml(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
}

export function reportTables(html: string): ReportTable[] {
  return [...html.matchAll(/<table[^>]*>(.*?)<\/table>/gs)].map((match) => {
    const table = match[1] as string;
    const caption = textOf(/<caption>(.*?)<\/caption>/s.exec(table)?.[1] ?? '');
    const head = /<thead>(.*?)<\/thead>/s.exec(table)?.[1] ?? '';
    const body = /<tbody>(.*?)<\/tbody>/s.exec(table)?.[1] ?? '';
    const headers = [...head.matchAll(/<th[^>]*>(.*?)<\/th>/gs)].map((cell) => textOf(cell[1] as string));
    const bodyRows = [...body.matchAll(/<tr([^>]*)>(.*?)<\/tr>/gs)];
    const rows = bodyRows.map((row) => [...(row[2] as string).matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((cell) => textOf(cell[1] as string)));
    const totals = bodyRows.map((row) => /class="total"/.test(row[1] as string));
    return { caption, headers, rows, totals };
  });
}

/** The table with this caption; throws when there is none or more than one. */
export function tableByCaption(html: string, caption: string): ReportTable {
  const found = reportTables(html).filter((table) => table.caption === caption);
  if (found.length !== 1) throw new Error(`expected one table captioned "${caption}", found ${found.length}`);
  return found[0] as ReportTable;
}

export function reportFigures(html: string): ReportFigure[] {
  return [...html.matchAll(/<figure[^>]* id="([^"]+)"[^>]*>.*?<\/figure>/gs)].map((match) => ({
    id: match[1] as string,
    html: match[0],
  }));
}

/** A published count: "1,234" → 1234; '*', '–' and anything else that is not a whole number → null. */
export function countIn(cell: string): number | null {
  return /^\d{1,3}(,\d{3})*$/.test(cell) ? Number(cell.replaceAll(',', '')) : null;
}
