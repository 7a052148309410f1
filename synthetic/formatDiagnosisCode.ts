// Renders canonical ICD-10 codes (J441, I10) in the mixed styles real senders use and the contract says
// the loader must accept: J44.1, J441, J44.1X, I10X, I10-, and now and then lower case.
import type { SeededRandom } from './SeededRandom.ts';

export type DiagnosisStyle = 'dotted' | 'plain' | 'paddedX' | 'dottedX' | 'dashed';

const styles: [DiagnosisStyle, number][] = [['dotted', 45], ['plain', 30], ['paddedX', 15], ['dottedX', 5], ['dashed', 5]];
const styleTotal = styles.reduce((sum, [, w]) => sum + w, 0);

/** One style per spell: a sender codes a whole record one way. */
export function pickDiagnosisStyle(rng: SeededRandom): DiagnosisStyle {
  let u = rng.next() * styleTotal;
  for (const [style, weight] of styles) {
    u -= weight;
    if (u < 0) return style;
  }
  return 'dotted';
}

export function formatDiagnosisCode(code: string, style: DiagnosisStyle): string {
  const short = code.length === 3;
  switch (style) {
    case 'plain':
      return code;
    case 'dotted':
      return short ? code : `${code.slice(0, 3)}.${code.slice(3)}`;
    case 'paddedX':
      return short ? `${code}X` : code;
    case 'dottedX':
      return short ? `${code}X` : `${code.slice(0, 3)}.${code.slice(3)}X`;
    case 'dashed':
      return short ? `${code}-` : `${code.slice(0, 3)}.${code.slice(3)}`;
  }
}
