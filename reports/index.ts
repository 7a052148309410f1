// The cohort report's public surface: render the page, and the one small-number rule it uses.
export { type ReportInput, renderReport } from './renderReport.ts';
export {
  type CountGroup,
  type Figure,
  type SuppressedFigures,
  type SuppressionRequest,
  defaultSuppressionThreshold,
  rateOf,
  suppressSmallNumbers,
} from './suppressSmallNumbers.ts';
