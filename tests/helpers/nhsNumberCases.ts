// Test helper: the masking rule's cases (data-contract.md §3), shared by the TypeScript and SQL tests.
import { directIdentifierMask } from '../../core/privacy/maskDirectIdentifiers.ts';

export const M = directIdentifierMask;

/** Input, and what every file Strata writes must show instead. */
export const maskingCases: [string, string][] = [
  // Every written form, and 10 digits beside letters or marks.
  ['9434765919', M],
  ['943 476 5919', M],
  ['943-476-5919', M],
  ['943-476 5919', M],
  ['943 476-5919', M],
  ['SP6907366258', `SP${M}`],
  ['8836075983_A', `${M}_A`],
  ['RX1454981741', `RX${M}`],
  ['"9434765919"', `"${M}"`],
  ['a9434765919b', `a${M}b`],
  ['P9434765919', `P${M}`],
  ['x-943-476-5919', `x-${M}`],
  ['NHS no: 943 476 5919.', `NHS no: ${M}.`],
  ['2026-11-22T9434765919Z', `2026-11-22T${M}Z`],
  // Not NHS numbers: a longer run of digits, a failed check, other groupings, other separators.
  ['94347659190', '94347659190'],
  ['19434765919', '19434765919'],
  ['9434765918', '9434765918'],
  ['943476591', '943476591'],
  ['943  476 5919', '943  476 5919'],
  ['943 476  5919', '943 476  5919'],
  ['943_476_5919', '943_476_5919'],
  ['943.476.5919', '943.476.5919'],
  ['943 4765 919', '943 4765 919'],
  ['9434 765 919', '9434 765 919'],
  ['1943 476 5919', '1943 476 5919'],
  ['943 476 59190', '943 476 59190'],
  ['943 476 591', '943 476 591'],
  ['943 476 5918', '943 476 5918'],
  // Check digit 10 never passes, whatever the tenth digit.
  ['0000000060', '0000000060'],
  // Overlapping candidates: one that fails never hides one that starts inside or after it.
  ['123 943 476 5919', `123 ${M}`],
  ['123-456-943-476-5919', `123-456-${M}`],
  ['1234567890 943-476-5919', `1234567890 ${M}`],
  ['9434765919 9434765919', `${M} ${M}`],
  ['9434765919-9434765919', `${M}-${M}`],
  ['943-476-5919-476-5919', `${M}-476-5919`],
  ['12 943 476 5919 3', `12 ${M} 3`],
  // Several in one string, in different forms.
  ['SP6907366258,943 476 5919,x,8836075983_A', `SP${M},${M},x,${M}_A`],
  ['', ''],
];

