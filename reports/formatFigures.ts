// Turns published figures into the text a commissioner reads. Locale-free on purpose: the same numbers must
// give the same bytes on any machine, whatever ICU data or LANG it has.
import type { Figure } from './suppressSmallNumbers.ts';

export const suppressedMark = '*';
/** Shown where a rate has no value (nobody in the group). */
export const noValueMark = '–';

/** 1234567 → "1,234,567"; fractional digits are kept as given. */
export function formatNumber(value: number, decimals = 0): string {
  const fixed = Math.abs(value).toFixed(decimals);
  const [whole = '0', fraction] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  // -0.0 after rounding reads as 0.0.
  const negative = value < 0 && Number(fixed) !== 0;
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

export function formatCount(figure: Figure): string {
  if (figure.kind === 'suppressed') return suppressedMark;
  if (figure.kind === 'none') return noValueMark;
  return formatNumber(figure.value);
}

/** A rate per 1,000 (or any other base), one decimal place by default. */
export function formatRate(figure: Figure, decimals = 1): string {
  if (figure.kind === 'suppressed') return suppressedMark;
  if (figure.kind === 'none') return noValueMark;
  return formatNumber(figure.value, decimals);
}

/** A percentage already scaled to 0-100. */
export function formatPercent(figure: Figure, decimals = 1): string {
  if (figure.kind === 'suppressed') return suppressedMark;
  if (figure.kind === 'none') return noValueMark;
  return `${formatNumber(figure.value, decimals)}%`;
}

/** A proportion such as a tier cut-off, 0.005 → "0.5%". */
export function formatProportion(proportion: number): string {
  return `${Number((proportion * 100).toFixed(3))}%`;
}

/** Rounds for chart data, so the SVG carries the figure as published, not a float's last digits. */
export function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

const numberWords = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
/** Small whole numbers in words: a digit from 1 to 7 in the report's text reads like a count someone could be. */
export function inWords(n: number): string {
  return numberWords[n] ?? formatNumber(n);
}
