// The one masking rule for NHS numbers (data-contract.md §3), applied wherever Strata's text leaves the process:
// logs, stderr, run.json, runs.message, status, quarantine.csv, the report and model files.

/** What an NHS number becomes in every file and line Strata writes. */
export const directIdentifierMask = '[direct identifier removed]';

/** A span [start, end) of `text` holding an NHS number in one of its written forms. */
export interface IdentifierSpan {
  start: number;
  end: number;
}

const zero = 48;
const nine = 57;

function isDigitAt(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= zero && code <= nine;
}

function isSeparatorAt(text: string, index: number): boolean {
  const c = text[index];
  return c === ' ' || c === '-';
}

/**
 * True when `tenDigits` is ten digits that pass the NHS number modulus-11 check (a check digit of 10 is never
 * valid). The one check in TypeScript; sql/schema/macros.sql has the same rule as strata_passes_nhs_check.
 */
export function passesNhsCheck(tenDigits: string): boolean {
  if (tenDigits.length !== 10) return false;
  for (let i = 0; i < 10; i++) if (!isDigitAt(tenDigits, i)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (tenDigits.charCodeAt(i) - zero) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check === tenDigits.charCodeAt(9) - zero;
}

/** The end of the run of digits that starts at `start`. */
function digitRunEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && isDigitAt(text, end)) end++;
  return end;
}

/**
 * Every NHS number in `text`, in order: a run of exactly 10 digits, or 3, 3 and 4 digits each separated by
 * one space or hyphen, neither part of a longer run of digits (letters and marks beside it do not matter),
 * whose ten digits pass the check. Every run of digits is tried as a start, so a candidate that fails the
 * check never hides one that begins inside it.
 */
export function findNhsNumbers(text: string): IdentifierSpan[] {
  const spans: IdentifierSpan[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isDigitAt(text, i)) {
      i++;
      continue;
    }
    const end = digitRunEnd(text, i);
    const length = end - i;
    if (length === 10 && passesNhsCheck(text.slice(i, end))) spans.push({ start: i, end });
    else if (length === 3 && isSeparatorAt(text, end) && isDigitAt(text, end + 1)) {
      const secondEnd = digitRunEnd(text, end + 1);
      if (secondEnd - end - 1 === 3 && isSeparatorAt(text, secondEnd) && isDigitAt(text, secondEnd + 1)) {
        const thirdEnd = digitRunEnd(text, secondEnd + 1);
        const digits = text.slice(i, end) + text.slice(end + 1, secondEnd) + text.slice(secondEnd + 1, thirdEnd);
        if (thirdEnd - secondEnd - 1 === 4 && passesNhsCheck(digits)) spans.push({ start: i, end: thirdEnd });
      }
    }
    // The next candidate can start at the next run of digits, even one inside a candidate that failed.
    i = end;
  }
  return spans;
}

/** True when `text` holds an NHS number in any written form the masking rule knows. */
export function holdsNhsNumber(text: string): boolean {
  return findNhsNumbers(text).length > 0;
}

/** `text` with every NHS number replaced by the mask; the same string when there is none. */
export function maskDirectIdentifiers(text: string): string {
  const spans = findNhsNumbers(text);
  if (spans.length === 0) return text;
  let masked = '';
  let from = 0;
  for (const span of spans) {
    masked += text.slice(from, span.start) + directIdentifierMask;
    from = span.end;
  }
  return masked + text.slice(from);
}

/**
 * A JSON-ready value with every string (object keys included) masked, and any number whose digits would be
 * masked turned into the masked text. Characters that JSON.stringify writes as \uXXXX escapes (control
 * characters, lone surrogates) become U+FFFD first: an escape's hex digits beside a value's digits could
 * otherwise make a 10-digit run in the written file that is in no value.
 */
export function maskJsonValue(value: unknown): unknown {
  if (typeof value === 'string') return maskDirectIdentifiers(value.replace(escapedInJson, '\uFFFD'));
  if (typeof value === 'number') {
    const text = String(value);
    const masked = maskDirectIdentifiers(text);
    return masked === text ? value : masked;
  }
  if (Array.isArray(value)) return value.map(maskJsonValue);
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return maskJsonValue((value as { toJSON: () => unknown }).toJSON());
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [maskJsonValue(key) as string, maskJsonValue(item)]));
  }
  return value;
}

/** JSON.stringify(value, null, space) with maskJsonValue applied first. */
export function stringifyMasked(value: unknown, space?: number): string {
  return JSON.stringify(maskJsonValue(value), null, space);
}

// Control characters other than \b \t \n \f \r, and lone surrogates: JSON.stringify writes these as \uXXXX.
const escapedInJson = /[\u0000-\u0007\u000b\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
