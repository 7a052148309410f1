// How much one source file (one extract's file) may write to quarantine.csv. The database's quarantine keeps
// every row whatever these say; they bound the CSV only: an 80 KB parquet file once expanded into a 409 MB
// quarantine.csv (issue 13). Settable in the run's configuration (pipeline/config.ts).

/** The most rows one source file contributes to quarantine.csv, first lines first. */
export const defaultQuarantineCsvMaxRows = 10_000;

/** The most bytes one source file's rows take in quarantine.csv, as written (masked, neutralised, quoted). */
export const defaultQuarantineCsvMaxBytes = 16 * 1024 * 1024;

export interface QuarantineCsvLimits {
  maxRowsPerSourceFile: number;
  maxBytesPerSourceFile: number;
}

export const defaultQuarantineCsvLimits: QuarantineCsvLimits = {
  maxRowsPerSourceFile: defaultQuarantineCsvMaxRows,
  maxBytesPerSourceFile: defaultQuarantineCsvMaxBytes,
};
