// Test helper: finds NHS numbers in raw bytes, written apart from core/privacy/maskDirectIdentifiers.ts so
// that a mistake there is not repeated here. It looks at every byte position in turn and asks whether either
// written form of data-contract.md §3 starts there: 10 digits, or 3+3+4 digits with one space or hyphen
// between the groups, with no digit just before or just after, whose digits pass the modulus-11 check.

const weights = [10, 9, 8, 7, 6, 5, 4, 3, 2];

function digitAt(bytes: Uint8Array, position: number): number | null {
  if (position < 0 || position >= bytes.length) return null;
  const value = bytes[position]! - 0x30;
  return value >= 0 && value <= 9 ? value : null;
}

function separatorAt(bytes: Uint8Array, position: number): boolean {
  return bytes[position] === 0x20 || bytes[position] === 0x2d;
}

/** Modulus 11 over nine digits: the remainder's complement is the check digit, and 10 means no valid number. */
function checkDigitOf(nine: number[]): number | null {
  let total = 0;
  weights.forEach((weight, i) => (total += weight * nine[i]!));
  const remainder = total % 11;
  const check = remainder === 0 ? 0 : 11 - remainder;
  return check === 10 ? null : check;
}

/** The digits at `positions`, or null when any of them is not a digit. */
function digitsAt(bytes: Uint8Array, positions: number[]): number[] | null {
  const digits: number[] = [];
  for (const position of positions) {
    const digit = digitAt(bytes, position);
    if (digit === null) return null;
    digits.push(digit);
  }
  return digits;
}

export interface FoundNhsNumber {
  /** Byte offset where it starts. */
  offset: number;
  /** As written (latin1), e.g. "943 476 5919". */
  text: string;
}

/** Every NHS number written in `bytes`, in either form, at every byte position. */
export function scanForNhsNumbers(bytes: Uint8Array): FoundNhsNumber[] {
  const found: FoundNhsNumber[] = [];
  const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
  const shapes = [
    { length: 10, digitPositions: range(0, 10), separators: [] as number[] },
    { length: 12, digitPositions: [...range(0, 3), ...range(4, 3), ...range(8, 4)], separators: [3, 7] },
  ];
  for (let start = 0; start < bytes.length; start++) {
    if (digitAt(bytes, start) === null || digitAt(bytes, start - 1) !== null) continue;
    for (const shape of shapes) {
      if (digitAt(bytes, start + shape.length) !== null) continue;
      if (!shape.separators.every((s) => separatorAt(bytes, start + s))) continue;
      const digits = digitsAt(bytes, shape.digitPositions.map((p) => start + p));
      if (digits === null) continue;
      if (checkDigitOf(digits.slice(0, 9)) === digits[9]) {
        found.push({ offset: start, text: Buffer.from(bytes.subarray(start, start + shape.length)).toString('latin1') });
      }
    }
  }
  return found;
}

/** A valid NHS number made from `seed` (nine digits and their check digit), for planting. */
export function makeNhsNumber(seed: number): string {
  for (let n = seed; ; n++) {
    const nine = [...String(100_000_000 + (n % 800_000_000)).padStart(9, '0')].map(Number);
    const check = checkDigitOf(nine);
    if (check !== null) return `${nine.join('')}${check}`;
  }
}
