// The defaults of `strata generate`, apart from the settings' checks, so the command line can show them in --help
// without loading the generator or its schema.
export const generateDefaults = { persons: 10_000, seed: 1, asOf: '2026-11-22', extracts: 3, carePlanEffect: 1 } as const;
