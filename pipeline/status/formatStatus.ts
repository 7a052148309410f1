// Renders `strata status` for a person at a terminal: aligned tables, UTC times, failures with their reason.
import type { StrataStatus } from './readStatus.ts';

/** Extract rows shown as text; --json lists every one. */
const extractsShown = 10;

export function formatStatus(status: StrataStatus): string {
  const lines: string[] = [`Strata database ${status.database} (times are UTC)`, ''];

  if (status.runs.length === 0) lines.push('Runs: none yet');
  else {
    const shown = status.runs.length < status.runs_total ? `last ${status.runs.length} of ${status.runs_total}` : `${status.runs_total}`;
    lines.push(`Runs (${shown}, newest first):`);
    const table: string[][] = [['run_id', 'started', 'finished', 'duration', 'status', 'as_of']];
    const notes = new Map<number, string>();
    status.runs.forEach((run, i) => {
      table.push([
        run.run_id, time(run.started_at), time(run.finished_at), duration(run.duration_ms),
        run.interrupted ? 'interrupted' : run.status, run.as_of ?? '-',
      ]);
      if (run.interrupted) notes.set(i + 1, 'recorded as running, but no process holds the database: it was killed or crashed; the next run redoes its work');
      else if (run.message) notes.set(i + 1, run.message);
    });
    lines.push(...renderTable(table, [], notes));
  }
  lines.push('');

  if (status.extracts.length === 0) lines.push('Extracts loaded: none yet');
  else {
    const newest = status.extracts[0]!.extract_date;
    const oldest = status.extracts.at(-1)!.extract_date;
    lines.push(`Extracts loaded: ${status.extracts.length}${status.extracts.length > 1 ? ` (${oldest} to ${newest})` : ''}, newest first:`);
    const table: string[][] = [['extract', 'loaded at', 'by run', 'files', 'rows read', 'loaded', 'quarantined']];
    for (const e of status.extracts.slice(0, extractsShown)) {
      table.push([e.extract_date, time(e.loaded_at), e.run_id, count(e.files), count(e.rows_read), count(e.rows_loaded), count(e.rows_quarantined)]);
    }
    lines.push(...renderTable(table, [3, 4, 5, 6]));
    const hidden = status.extracts.length - extractsShown;
    if (hidden > 0) lines.push(`  ... and ${hidden} earlier (strata status --json lists them all)`);
  }
  lines.push('');

  if (status.models.length === 0) lines.push('Models: none registered yet');
  else {
    lines.push('Models (the newest per target is the one the next run reuses while young enough):');
    const table: string[][] = [['target', 'version', 'fitted for as_of', 'training rows', 'outcomes', 'validation AUROC', '']];
    for (const m of status.models) {
      table.push([
        m.target, m.model_version, m.fitted_for_as_of, m.training_rows === null ? '-' : count(m.training_rows),
        m.training_events === null ? '-' : count(m.training_events),
        m.validation_auroc === null ? 'not validated' : m.validation_auroc.toFixed(3), m.newest_for_target ? 'newest' : '',
      ]);
    }
    lines.push(...renderTable(table, [3, 4, 5]));
  }
  lines.push('');

  if (status.quarantine.length === 0) lines.push('Rows quarantined: none');
  else {
    lines.push(`Rows quarantined: ${count(status.rows_quarantined)}, by extract and reason:`);
    const table: string[][] = [['extract', 'reason', 'rows', 'files']];
    for (const q of status.quarantine) table.push([q.extract_date, q.reason, count(q.rows), q.files.join(', ')]);
    lines.push(...renderTable(table, [2]));
  }
  return `${lines.join('\n')}\n`;
}

/** Pads columns to a common width (right-aligned where numeric); a note prints under its row. */
function renderTable(rows: string[][], rightAligned: number[], notes = new Map<number, string>()): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.flatMap((row, i) => {
    const cells = row.map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)));
    const line = `  ${cells.join('  ')}`.trimEnd();
    const note = notes.get(i);
    return note === undefined ? [line] : [line, `      ${note}`];
  });
}

function time(isoUtc: string | null): string {
  return isoUtc === null ? '-' : isoUtc.replace('T', ' ').replace(/Z$/, '');
}

function duration(ms: number | null): string {
  if (ms === null) return '-';
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function count(n: number): string {
  return n.toLocaleString('en-GB');
}
