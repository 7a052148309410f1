// The masking rule of data-contract.md §3, case by case, and held against the independent scanner in
// tests/helpers/nhsNumberScanner.ts on random text.
import { describe, expect, it } from 'vitest';
import {
  findNhsNumbers, holdsNhsNumber, maskDirectIdentifiers, maskJsonValue, passesNhsCheck, stringifyMasked,
} from '../../../core/privacy/maskDirectIdentifiers.ts';
import { maskingCases, M } from '../../helpers/nhsNumberCases.ts';
import { makeNhsNumber, scanForNhsNumbers } from '../../helpers/nhsNumberScanner.ts';
import { seeded } from '../../helpers/seeded.ts';

describe('maskDirectIdentifiers', () => {
  it.each(maskingCases)('%j becomes %j', (input, expected) => {
    expect(maskDirectIdentifiers(input)).toBe(expected);
    expect(holdsNhsNumber(input)).toBe(expected !== input);
  });

  it('checks the modulus-11 rule on ten digits', () => {
    expect(passesNhsCheck('9434765919')).toBe(true);
    expect(passesNhsCheck('9434765918')).toBe(false);
    expect(passesNhsCheck('94347659a9')).toBe(false);
    expect(passesNhsCheck('P0a1b2c3')).toBe(false);
    expect(passesNhsCheck('943476591')).toBe(false);
    // About 1 in 11 of all 10-digit values passes (none whose check digit works out as 10).
    let passing = 0;
    for (let n = 0; n < 110_000; n++) if (passesNhsCheck(String(1_000_000_000 + n * 7919))) passing++;
    expect(passing / 110_000).toBeCloseTo(1 / 11, 2);
  });

  it('finds the spans of every NHS number, in order', () => {
    expect(findNhsNumbers('a 943 476 5919 b 9434765919')).toEqual([{ start: 2, end: 14 }, { start: 17, end: 27 }]);
  });

  it('agrees with the independent scanner on random text, and leaves nothing for it to find', () => {
    const random = seeded(20261122);
    const alphabet = '0123456789 -_aZ",.';
    const planted = [makeNhsNumber(11), '943 476 5919', '943-476 5919'];
    let holding = 0;
    for (let n = 0; n < 5000; n++) {
      let text = '';
      const length = 5 + Math.floor(random() * 40);
      while (text.length < length) {
        const roll = random();
        if (roll < 0.05) text += planted[Math.floor(random() * planted.length)];
        else if (roll < 0.55) text += String(Math.floor(random() * 10));
        else text += alphabet[Math.floor(random() * alphabet.length)];
      }
      const scanned = scanForNhsNumbers(Buffer.from(text, 'latin1'));
      expect(holdsNhsNumber(text), text).toBe(scanned.length > 0);
      expect(findNhsNumbers(text).map((s) => s.start), text).toEqual(scanned.map((f) => f.offset));
      const masked = maskDirectIdentifiers(text);
      expect(scanForNhsNumbers(Buffer.from(masked, 'latin1')), masked).toEqual([]);
      expect(maskDirectIdentifiers(masked)).toBe(masked);
      if (scanned.length > 0) holding++;
    }
    expect(holding).toBeGreaterThan(500);
  });
});

describe('maskJsonValue', () => {
  it('masks every string and key, and a number whose digits are an NHS number', () => {
    expect(maskJsonValue({ message: 'file 943-476-5919.csv', '9434765919': [1, 9434765919, 'SP6907366258'], nested: { n: 2.5 } })).toEqual({
      message: `file ${M}.csv`, [M]: [1, M, `SP${M}`], nested: { n: 2.5 },
    });
  });

  it('writes no escape whose hex digits could join a value into a 10-digit run', () => {
    // Written plainly, "\u0001" + "234560" is the text \u0001234560 in the file: 0001234560 passes the check.
    // So is a lone surrogate: \ud800 + 1234568 reads 8001234568.
    expect(passesNhsCheck('0001234560') && passesNhsCheck('8001234568')).toBe(true);
    expect(scanForNhsNumbers(Buffer.from(JSON.stringify('\u0001234560 \ud8001234568'))).map((f) => f.text)).toEqual(['0001234560', '8001234568']);
    const text = stringifyMasked({ name: '\u0001234560 \ud8001234568' });
    expect(scanForNhsNumbers(Buffer.from(text))).toEqual([]);
    expect(JSON.parse(text)).toEqual({ name: '\ufffd234560 \ufffd1234568' });
  });

  it('keeps what JSON.stringify keeps and drops what it drops', () => {
    expect(stringifyMasked({ a: undefined, b: null, c: true, d: new Date('2026-11-22T00:00:00Z') })).toBe('{"b":null,"c":true,"d":"2026-11-22T00:00:00.000Z"}');
  });
});
