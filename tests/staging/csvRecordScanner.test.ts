// The record scanner gives the same records, rejects, blank lines and errors however the file's bytes are cut
// into chunks: fed whole (where most records take the fast path of native searches) and fed one byte at a time
// (where every byte goes through the state machine), on random files full of quotes, CRs and empty lines.
import { describe, expect, it } from 'vitest';
import { CsvFileError, CsvRecordScanner } from '../../pipeline/ingest/CsvRecordScanner.ts';
import { seeded } from '../helpers/seeded.ts';

function scan(bytes: Buffer, chunkSizes: () => number): string {
  const scanner = new CsvRecordScanner();
  const copy: Buffer[] = [];
  let rejects = '';
  let blanks = '';
  const take = () => {
    const taken = scanner.take();
    copy.push(...taken.copy);
    rejects += taken.rejects;
    blanks += taken.blanks;
  };
  try {
    for (let at = 0; at < bytes.length;) {
      const size = Math.max(1, chunkSizes());
      scanner.push(bytes.subarray(at, at + size));
      take();
      at += size;
    }
    scanner.finish();
    take();
  } catch (error) {
    if (error instanceof CsvFileError) return `error: ${error.message}`;
    throw error;
  }
  return JSON.stringify({ header: scanner.header?.toString('latin1'), copy: Buffer.concat(copy).toString('latin1'), rejects, blanks, counts: scanner.counts });
}

describe('CsvRecordScanner', () => {
  it('gives the same result fed whole, byte by byte and in random chunks, on 3,000 random files', () => {
    const random = seeded(13);
    const pieces = ['a', 'bc', ',', ',', '"', '""', '\r', '\n', '\n', '\r\n', '\r\n', 'x,y\n'];
    for (let file = 0; file < 3000; file++) {
      const length = Math.floor(random() * 40);
      let text = 'h1,h2\n';
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      const bytes = Buffer.from(text, 'latin1');
      const whole = scan(bytes, () => bytes.length);
      expect(scan(bytes, () => 1), JSON.stringify(text)).toBe(whole);
      expect(scan(bytes, () => 1 + Math.floor(random() * 7)), JSON.stringify(text)).toBe(whole);
    }
  });

  it('copies plain records with their line numbers, CRLF or LF, and counts blank lines', () => {
    const result = JSON.parse(scan(Buffer.from('a,b\r\n1,2\r\n\n3,4\n\r\n5,6'), () => 1 << 20));
    expect(result.header).toBe('a,b');
    expect(result.copy).toBe('2,1,2\n4,3,4\n6,5,6\n');
    expect(result.blanks).toBe('3,3\n5,5\n');
    expect(result.counts).toEqual({ recordsWritten: 3, recordsRejected: 0, blankLines: 2 });
  });

  it('writes every line number right across digit boundaries, and records short and long copied whole', () => {
    const records = Array.from({ length: 1_000_010 }, (_, i) => (i % 250_000 === 7 ? 'x'.repeat(300 + i % 5000) : String(i % 10)));
    const file = Buffer.from(`a\n${records.join('\n')}\n`, 'latin1');
    const copy = JSON.parse(scan(file, () => 1 << 20)).copy as string;
    const expected = records.map((record, i) => `${i + 2},${record}\n`).join('');
    expect(copy.length).toBe(expected.length);
    expect(copy === expected).toBe(true);
  });

  it('rejects a record with more fields than the header, an empty extra field (a trailing comma) included', () => {
    const file = 'a,"b,c",d\n1,2,\n1,2,,\r\n1,2,3,""\n"1",2,\n"1",2,,\n1,2,3,4\n';
    for (const size of [1 << 20, 1]) {
      const result = JSON.parse(scan(Buffer.from(file), () => size));
      // 1,2,3,4 is left to DuckDB's reader, which rejects it with the same reason (tests/staging/quarantine.test.ts).
      expect(result.copy).toBe('2,1,2,\n5,"1",2,\n7,1,2,3,4\n');
      expect(result.rejects.split('\n').filter(Boolean)).toEqual([
        '3,bad_value,"row has more fields than the header","1,2,,"',
        '4,bad_value,"row has more fields than the header","1,2,3,"""""',
        '6,bad_value,"row has more fields than the header","""1"",2,,"',
      ]);
    }
  });
});
