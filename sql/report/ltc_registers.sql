-- ltc_registers: the QOF long-term-condition registers and the words an MDT uses for each (report section 5).
-- Grain: one row per register (code), in the order of sql/reference/ltc_registers.csv: DuckDB keeps a table's
-- insertion order when a query does not sort (preserve_insertion_order, on by default), and ref_ltc_registers is
-- loaded from the file in its order (core/db/initDatabase.ts).
-- Inputs: ref_ltc_registers.
WITH final AS (
  SELECT condition AS code, condition_name AS name
  FROM ref_ltc_registers
)
SELECT * FROM final
