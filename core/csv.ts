// RFC 4180 CSV text, field by field: the one splitter of a row's text and the one field quoter, for every floor.
// (pipeline/ingest/CsvRecordScanner.ts splits a file's bytes into records in bounded memory; this splits one
// record's text into its fields. In SQL, the rebuilt rows of quarantine use the macro strata_csv_field in
// sql/schema/macros.sql, which quotes only a field that needs it.)

/** Splits one row's text into its fields (RFC 4180: quoted fields may hold commas and doubled quotes). */
export function splitCsvRow(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') inQuotes = false;
      else field += c;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '"' && field === '') inQuotes = true;
    else field += c;
  }
  fields.push(field);
  return fields;
}

/** One field, always quoted (RFC 4180: a quote inside is doubled), so it may hold commas, quotes and line ends. */
export function quoteCsvField(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}
