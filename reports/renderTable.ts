// Renders one table of the report: plain HTML, first column as row headers, numbers right-aligned.
import { escapeHtml } from './escapeHtml.ts';

export interface TableColumn {
  readonly header: string;
  /** Right-aligned, tabular figures. */
  readonly numeric?: boolean;
}

export interface TableRow {
  /** Already formatted text, one per column; escaped here. */
  readonly cells: readonly string[];
  /** A total ("All") row, set in bold. */
  readonly total?: boolean;
}

export interface TableSpec {
  readonly caption: string;
  readonly columns: readonly TableColumn[];
  readonly rows: readonly TableRow[];
  /** A line under the table (what the units are, what was left out). */
  readonly note?: string;
  /** Wide tables get a smaller font. */
  readonly compact?: boolean;
  /**
   * 'secondary': a detail, folded under its caption on the page (one click opens it) and left out of the printed
   * report, so the page reads quickly and each section prints on one page.
   */
  readonly print?: 'secondary';
}

export function renderTable(spec: TableSpec): string {
  const head = spec.columns
    .map((column) => `<th scope="col"${column.numeric ? ' class="num"' : ''}>${escapeHtml(column.header)}</th>`)
    .join('');
  const body = spec.rows
    .map((row) => {
      if (row.cells.length !== spec.columns.length) {
        throw new Error(`table "${spec.caption}": a row has ${row.cells.length} cells for ${spec.columns.length} columns`);
      }
      const cells = row.cells
        .map((text, index) => {
          const column = spec.columns[index];
          const attributes = column?.numeric ? ' class="num"' : '';
          return index === 0
            ? `<th scope="row"${attributes}>${escapeHtml(text)}</th>`
            : `<td${attributes}>${escapeHtml(text)}</td>`;
        })
        .join('');
      return `<tr${row.total ? ' class="total"' : ''}>${cells}</tr>`;
    })
    .join('\n');
  const note = spec.note ? `\n<p class="table-note">${escapeHtml(spec.note)}</p>` : '';
  const table =
    `<div class="table-wrap"><table${spec.compact ? ' class="compact"' : ''}>` +
    `<caption>${escapeHtml(spec.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>${note}</div>`;
  return spec.print === 'secondary' ? foldedDetail(`Table: ${spec.caption}`, table) : table;
}

/** A detail folded under a one-line summary on the page, and left out of print. */
export function foldedDetail(summary: string, html: string): string {
  return `<details class="detail" data-print="secondary"><summary>${escapeHtml(summary)}</summary>\n${html}\n</details>`;
}

