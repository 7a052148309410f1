// Draws a report chart on the server: vega-lite → vega → inline SVG, so the report needs no script to read.
// The SVG is normalised so the same data always gives the same bytes and the page stays self-contained.
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';
import { escapeHtml } from './escapeHtml.ts';
import { renderTable, type TableColumn, type TableRow } from './renderTable.ts';

/** The report's palette: NHS identity colours, chosen to stay apart in greyscale print. */
export const chartColours = {
  blue: '#005EB8',
  darkBlue: '#003087',
  orange: '#ED8B00',
  purple: '#330072',
  pink: '#AE2573',
  green: '#009639',
  grey: '#768692',
  lightGrey: '#AEB7BD',
} as const;

const fontFamily = 'Arial, Helvetica, sans-serif';

/**
 * The plotting width of a chart that spans the page: the report's column is 1,200 px wide less its margins, and a
 * chart's axis labels and legend take the rest. Print scales every chart down to the A4 column.
 */
export const fullChartWidth = 960;
/** Each of two panels side by side. */
export const halfChartWidth = 440;

const chartConfig = {
  // No ARIA on every bar and point: the chart is one image to assistive technology, named by its <title>, described
  // by its description, with the figures in the data table under it.
  aria: false,
  font: fontFamily,
  background: 'white',
  view: { stroke: null },
  // labelLimit 0: never cut a label short with an ellipsis ("Coronary heart dise…").
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'bold', labelColor: '#212B32', titleColor: '#212B32', labelLimit: 0 },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom', labelLimit: 0 },
  range: {
    category: [
      chartColours.blue,
      chartColours.orange,
      chartColours.purple,
      chartColours.green,
      chartColours.pink,
      chartColours.grey,
      chartColours.darkBlue,
      chartColours.lightGrey,
    ],
  },
} as const;

// vega-util's log levels: 0 none, 1 error, 2 warn. An empty chart (everything suppressed) warns about
// infinite extents; that is expected and not worth the noise in a nightly log.
const vegaLogLevelError = 1;

export interface ChartFigure {
  /** Unique in the report; prefixes every id inside the SVG. Letters, digits and '-' only. */
  readonly id: string;
  readonly spec: TopLevelSpec;
  /** The chart's title: shown above it, and its accessible name (the SVG's <title>). */
  readonly caption: string;
  /**
   * What the chart shows, in words, with its key figure ("Tiers 1–2 are 5.0% of people and had 75.8% of ..."):
   * shown under the title and given to the SVG as its description (<desc> and aria-describedby).
   */
  readonly description: string;
  /** The figures the chart plots, as a table (suppressed figures as '*'), for anyone who cannot see the chart. */
  readonly dataTable: { readonly columns: readonly TableColumn[]; readonly rows: readonly TableRow[] };
  /** Shown under the chart, e.g. which bars were left out because their numbers are too small to publish. */
  readonly note?: string;
  /** 'secondary': left out of the printed report, so each section prints on one page. */
  readonly print?: 'secondary';
}

/**
 * A <figure>: title, description, the chart as inline SVG (with <title> and <desc>), a note, and the data table in a
 * <details> under it. Refuses a chart without a title, description or data rows.
 */
export async function renderChart(chart: ChartFigure): Promise<string> {
  const caption = chart.caption.trim();
  const description = chart.description.trim();
  if (caption === '') throw new Error(`chart ${chart.id}: a chart needs a title`);
  if (description === '') throw new Error(`chart ${chart.id}: a chart needs a description in words`);
  if (chart.dataTable.rows.length === 0) throw new Error(`chart ${chart.id}: a chart needs a data table with at least one row`);
  const svg = await renderChartSvg(chart.spec, chart.id);
  const titleId = `${chart.id}-title`;
  const descriptionId = `${chart.id}-description`;
  const accessible = svg.replace(
    /^<svg ([^>]*)>/,
    `<svg role="img" aria-labelledby="${titleId}" aria-describedby="${descriptionId}" $1>` +
      `<title id="${titleId}">${escapeHtml(caption)}</title><desc>${escapeHtml(description)}</desc>`,
  );
  const note = chart.note ? `<p class="chart-note">${escapeHtml(chart.note)}</p>` : '';
  const table = renderTable({ caption: `Data table: ${caption}`, columns: chart.dataTable.columns, rows: chart.dataTable.rows, compact: true });
  return (
    `<figure class="chart" id="${chart.id}" aria-labelledby="${chart.id}-caption"${chart.print === 'secondary' ? ' data-print="secondary"' : ''}>` +
    `<figcaption id="${chart.id}-caption">${escapeHtml(caption)}</figcaption>` +
    `<p class="chart-description" id="${descriptionId}">${escapeHtml(description)}</p>` +
    `${accessible}${note}` +
    `<details class="chart-data"><summary>Data table: the figures in this chart</summary>${table}</details>` +
    '</figure>'
  );
}

export async function renderChartSvg(spec: TopLevelSpec, chartId: string): Promise<string> {
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(chartId)) throw new Error(`chart id must be letters, digits and '-': ${chartId}`);
  const withConfig = { ...spec, config: { ...chartConfig, ...(spec.config ?? {}) } } as TopLevelSpec;
  const view = new View(parse(compile(withConfig).spec), { renderer: 'none', logLevel: vegaLogLevelError });
  try {
    return normaliseSvg(await view.toSVG(), chartId);
  } finally {
    view.finalize();
  }
}

/**
 * Makes vega's SVG stable and self-contained:
 * - vega numbers clip paths from a process-wide counter (clip1, clip2, ...), so a second render in the same
 *   process differs, and two charts on one page could share an id: ids are renumbered per chart, prefixed by it;
 * - the xmlns attributes (the only URLs vega writes) are not needed for SVG inside HTML: dropped;
 * - coordinates are rounded to 2 decimals: the same picture, a smaller file.
 */
export function normaliseSvg(svg: string, chartId: string): string {
  let out = svg.replace(/ xmlns(?::\w+)?="[^"]*"/g, '');
  const ids = new Map<string, string>();
  for (const match of out.matchAll(/ id="([^"]+)"/g)) {
    const id = match[1] as string;
    if (!ids.has(id)) ids.set(id, `${chartId}-${ids.size + 1}`);
  }
  out = out.replace(/ id="([^"]+)"/g, (_whole, id: string) => ` id="${ids.get(id) ?? id}"`);
  out = out.replace(/url\(#([^)]+)\)/g, (whole, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : whole));
  out = out.replace(/href="#([^"]+)"/g, (whole, id: string) => (ids.has(id) ? `href="#${ids.get(id)}"` : whole));
  out = out.replace(/-?\d+\.\d{3,}/g, (number) => String(Number(Number(number).toFixed(2))));
  return out;
}
