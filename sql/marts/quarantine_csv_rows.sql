-- quarantine_csv_rows: the quarantined rows as quarantine.csv writes them, each source file's first rows up to the
-- limits ($max_rows rows, $max_bytes bytes as written), with their source file and order (source_extract,
-- source_file, nth) beside the cells. Every text cell is masked (NHS numbers in any written form, by the generated
-- expressions in slots masked_file_name, masked_detail and masked_raw_row: core/privacy/registerMaskingFunction.ts)
-- and then made spreadsheet-safe (strata_spreadsheet_safe, after masking, which can change a cell's first
-- character). Only rows within the row limit are masked; the byte limit is taken on the cells as written.
-- Grain: one row per quarantined row written (source_extract, source_file, nth).
-- Inputs: quarantine, quarantine_csv_source_files (sql/marts/quarantine_csv_source_files.sql: the files in scope).
-- Parameters: $max_rows, $max_bytes.
WITH in_scope AS (
  SELECT q.*, row_number() OVER (PARTITION BY q.extract_date, q.file_name ORDER BY q.line, q.reason, q.detail, q.raw_row) AS nth
  FROM quarantine q JOIN quarantine_csv_source_files s USING (extract_date, file_name)
),
cells AS (
  SELECT extract_date AS source_extract, file_name AS source_file, nth,
         strata_spreadsheet_safe(strftime(extract_date, '%Y-%m-%d')) AS extract_date,
         strata_spreadsheet_safe({{masked_file_name}}) AS file, line,
         strata_spreadsheet_safe(reason) AS reason,
         strata_spreadsheet_safe({{masked_detail}}) AS detail,
         strata_spreadsheet_safe({{masked_raw_row}}) AS "row"
  FROM in_scope
  WHERE nth <= $max_rows
),
sized AS (
  -- Five commas and a line end (two bytes at most) beside the cells.
  SELECT *, sum(strata_csv_cell_bytes(extract_date) + strata_csv_cell_bytes(file) + strlen(CAST(line AS VARCHAR))
                + strata_csv_cell_bytes(reason) + strata_csv_cell_bytes(detail) + strata_csv_cell_bytes("row") + 7)
              OVER (PARTITION BY source_extract, source_file ORDER BY nth ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS bytes_through
  FROM cells
)
SELECT * FROM sized WHERE bytes_through <= $max_bytes
