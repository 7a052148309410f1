// writeArrowFile: DuckDB query results written as Arrow IPC files, read back by apache-arrow and, as an
// independent reader, by polars. Each test has its own in-memory DuckDB and temporary folder.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC, type Table } from 'apache-arrow';
import pl from 'nodejs-polars';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeArrowFile, writeArrowFilesByGroup } from '../../pipeline/output/writeArrowFile.ts';

let instance: DuckDBInstance;
let connection: DuckDBConnection;
let folder: string;

beforeEach(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  folder = mkdtempSync(join(tmpdir(), 'strata-arrow-test-'));
});

afterEach(() => {
  connection.closeSync();
  instance.closeSync();
  rmSync(folder, { recursive: true, force: true });
});

/** Every value of a column as apache-arrow returns it, with lists and binaries as plain arrays. */
function arrowValues(table: Table, name: string): unknown[] {
  const vector = table.getChild(name);
  if (!vector) throw new Error(`no column ${name}`);
  return Array.from({ length: vector.length }, (_, row) => plain(vector.get(row)));
}

function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (value !== null && typeof value === 'object' && Symbol.iterator in value) return Array.from(value as Iterable<unknown>, plain);
  return value;
}

/** The stored int64 values of a column (timestamps, times): exact, where get() would round to milliseconds. */
function arrowInt64s(table: Table, name: string): (bigint | null)[] {
  const vector = table.getChild(name)!;
  return vector.data.flatMap((data) =>
    Array.from({ length: data.length }, (_, row) => (data.getValid(row) ? (data.values as BigInt64Array)[row]! : null)),
  );
}

/** A polars column as strings: exact for 64-bit integers and datetimes, which polars would give as doubles. */
function polarsStrings(frame: pl.DataFrame, name: string, via?: pl.DataType): (string | null)[] {
  let series = frame.getColumn(name);
  if (via) series = series.cast(via);
  return series.cast(pl.Utf8).toArray() as (string | null)[];
}

const ALL_TYPES_SQL = `
  WITH source(row_id, flag, tiny, small, int, big, utiny, usmall, uint, ubig, f32, f64, day, ts, ts_tz, ts_ms, ts_ns,
              clock, name, practice, payload, tags, scores) AS (VALUES
    (0, true, -128, -32768, -2147483648, (-9223372036854775808)::BIGINT, 0, 0, 0, 0, 1.5, 0.1,
     DATE '1970-01-01', TIMESTAMP '2024-02-29 12:34:56.789012', TIMESTAMPTZ '2024-02-29 12:34:56.789012+00',
     TIMESTAMP_MS '2024-02-29 12:34:56.789', TIMESTAMP_NS '2024-02-29 12:34:56.789012345', TIME '00:00:00',
     'a', 'A81001', '\\x00\\x01'::BLOB, ['x', 'y'], [1, NULL, 3]),
    (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL),
    (2, false, 127, 32767, 2147483647, 9223372036854775807, 255, 65535, 4294967295, 18446744073709551615, -3.25, -1e300,
     DATE '2025-03-31', TIMESTAMP '1969-12-31 23:59:59.999999', TIMESTAMPTZ '1969-12-31 23:59:59.999999+00',
     TIMESTAMP_MS '1969-12-31 23:59:59.999', TIMESTAMP_NS '1969-12-31 23:59:59.999999999', TIME '23:59:59.999999',
     'a string longer than twelve bytes', 'a practice name longer than twelve bytes', 'a blob longer than twelve bytes'::BLOB,
     ['', NULL, 'emergency_admissions_12m'], []),
    (3, true, 0, 0, 0, 0, 1, 1, 1, 1, 0, 123456.789,
     DATE '1900-02-28', TIMESTAMP '2000-01-01 00:00:00', TIMESTAMPTZ '2000-01-01 00:00:00+00',
     TIMESTAMP_MS '2000-01-01 00:00:00', TIMESTAMP_NS '2000-01-01 00:00:00', TIME '12:34:56.789012',
     'ünïcødé ✓ 🚑', 'A81001', ''::BLOB, [], [42])
  )
  SELECT row_id::INTEGER AS row_id, flag::BOOLEAN AS flag, tiny::TINYINT AS tiny, small::SMALLINT AS small,
    int::INTEGER AS int, big::BIGINT AS big, utiny::UTINYINT AS utiny, usmall::USMALLINT AS usmall,
    uint::UINTEGER AS uint, ubig::UBIGINT AS ubig, f32::FLOAT AS f32, f64::DOUBLE AS f64, day::DATE AS day,
    ts::TIMESTAMP AS ts, ts_tz::TIMESTAMPTZ AS ts_tz, ts_ms::TIMESTAMP_MS AS ts_ms, ts_ns::TIMESTAMP_NS AS ts_ns,
    clock::TIME AS clock, name::VARCHAR AS name, practice::VARCHAR AS practice, payload::BLOB AS payload,
    tags::VARCHAR[] AS tags, scores::INTEGER[] AS scores
  FROM source ORDER BY row_id`;

describe('writeArrowFile', () => {
  it('round-trips every supported type, with nulls, through apache-arrow and polars', async () => {
    const path = join(folder, 'all_types.arrow');
    const written = await writeArrowFile(connection, ALL_TYPES_SQL, undefined, path, {
      columns: { practice: { dictionary: true } },
    });
    expect(written.rows).toBe(4);
    const bytes = readFileSync(path);

    const table = tableFromIPC(bytes);
    expect(table.numRows).toBe(4);
    expect(Object.fromEntries(table.schema.fields.map((field) => [field.name, String(field.type)]))).toEqual({
      row_id: 'Int32',
      flag: 'Bool',
      tiny: 'Int8',
      small: 'Int16',
      int: 'Int32',
      big: 'Int64',
      utiny: 'Uint8',
      usmall: 'Uint16',
      uint: 'Uint32',
      ubig: 'Uint64',
      f32: 'Float32',
      f64: 'Float64',
      day: 'Date32<DAY>',
      ts: 'Timestamp<MICROSECOND>',
      ts_tz: 'Timestamp<MICROSECOND, UTC>',
      ts_ms: 'Timestamp<MILLISECOND>',
      ts_ns: 'Timestamp<NANOSECOND>',
      clock: 'Time64<MICROSECOND>',
      name: 'Utf8',
      practice: 'Dictionary<Int32, Utf8>',
      payload: 'Binary',
      tags: 'List<Utf8>',
      scores: 'List<Int32>',
    });
    expect(table.schema.fields.every((field) => field.nullable)).toBe(true);

    const day = 86_400_000;
    expect(arrowValues(table, 'row_id')).toEqual([0, 1, 2, 3]);
    expect(arrowValues(table, 'flag')).toEqual([true, null, false, true]);
    expect(arrowValues(table, 'tiny')).toEqual([-128, null, 127, 0]);
    expect(arrowValues(table, 'small')).toEqual([-32768, null, 32767, 0]);
    expect(arrowValues(table, 'int')).toEqual([-2147483648, null, 2147483647, 0]);
    expect(arrowValues(table, 'big')).toEqual([-9223372036854775808n, null, 9223372036854775807n, 0n]);
    expect(arrowValues(table, 'utiny')).toEqual([0, null, 255, 1]);
    expect(arrowValues(table, 'usmall')).toEqual([0, null, 65535, 1]);
    expect(arrowValues(table, 'uint')).toEqual([0, null, 4294967295, 1]);
    expect(arrowValues(table, 'ubig')).toEqual([0n, null, 18446744073709551615n, 1n]);
    expect(arrowValues(table, 'f32')).toEqual([1.5, null, -3.25, 0]);
    expect(arrowValues(table, 'f64')).toEqual([0.1, null, -1e300, 123456.789]);
    expect(arrowValues(table, 'day')).toEqual([0, null, 20178 * day, -25509 * day]);
    expect(arrowInt64s(table, 'ts')).toEqual([1709210096789012n, null, -1n, 946684800000000n]);
    expect(arrowInt64s(table, 'ts_tz')).toEqual([1709210096789012n, null, -1n, 946684800000000n]);
    expect(arrowInt64s(table, 'ts_ms')).toEqual([1709210096789n, null, -1n, 946684800000n]);
    expect(arrowInt64s(table, 'ts_ns')).toEqual([1709210096789012345n, null, -1n, 946684800000000000n]);
    expect(arrowInt64s(table, 'clock')).toEqual([0n, null, 86399999999n, 45296789012n]);
    expect(arrowValues(table, 'name')).toEqual(['a', null, 'a string longer than twelve bytes', 'ünïcødé ✓ 🚑']);
    expect(arrowValues(table, 'practice')).toEqual(['A81001', null, 'a practice name longer than twelve bytes', 'A81001']);
    expect(arrowValues(table, 'payload')).toEqual([[0, 1], null, [...Buffer.from('a blob longer than twelve bytes')], []]);
    expect(arrowValues(table, 'tags')).toEqual([['x', 'y'], null, ['', null, 'emergency_admissions_12m'], []]);
    expect(arrowValues(table, 'scores')).toEqual([[1, null, 3], null, [], [42]]);

    // polars cannot hand Binary columns to JS, so the payload column is checked by apache-arrow only.
    const frame = pl.readIPC(bytes).drop('payload');
    expect(frame.height).toBe(4);
    expect(Object.fromEntries(Object.entries(frame.schema).map(([name, type]) => [name, String(type)]))).toMatchObject({
      flag: 'DataType(Bool)',
      ubig: 'DataType(UInt64)',
      day: 'DataType(Date)',
      ts: 'DataType(Datetime(us,))',
      ts_tz: 'DataType(Datetime(us,UTC))',
      practice: 'DataType(Categorical)',
      tags: 'DataType(List(DataType(String)))',
    });
    expect(frame.getColumn('flag').toArray()).toEqual([true, null, false, true]);
    expect(frame.getColumn('tiny').toArray()).toEqual([-128, null, 127, 0]);
    expect(frame.getColumn('int').toArray()).toEqual([-2147483648, null, 2147483647, 0]);
    expect(polarsStrings(frame, 'big')).toEqual(['-9223372036854775808', null, '9223372036854775807', '0']);
    expect(polarsStrings(frame, 'ubig')).toEqual(['0', null, '18446744073709551615', '1']);
    expect(frame.getColumn('usmall').toArray()).toEqual([0, null, 65535, 1]);
    expect(frame.getColumn('f32').toArray()).toEqual([1.5, null, -3.25, 0]);
    expect(frame.getColumn('f64').toArray()).toEqual([0.1, null, -1e300, 123456.789]);
    expect(frame.getColumn('day').cast(pl.Int32).toArray()).toEqual([0, null, 20178, -25509]);
    expect(polarsStrings(frame, 'ts', pl.Int64)).toEqual(['1709210096789012', null, '-1', '946684800000000']);
    expect(polarsStrings(frame, 'ts_tz', pl.Int64)).toEqual(['1709210096789012', null, '-1', '946684800000000']);
    expect(polarsStrings(frame, 'ts_ns', pl.Int64)).toEqual(['1709210096789012345', null, '-1', '946684800000000000']);
    expect(frame.getColumn('clock').toArray()).toEqual(['00:00:00', null, '23:59:59.999999', '12:34:56.789012']);
    expect(frame.getColumn('name').toArray()).toEqual(['a', null, 'a string longer than twelve bytes', 'ünïcødé ✓ 🚑']);
    expect(frame.getColumn('practice').toArray()).toEqual([
      'A81001',
      null,
      'a practice name longer than twelve bytes',
      'A81001',
    ]);
    expect(frame.getColumn('tags').toArray()).toEqual([['x', 'y'], null, ['', null, 'emergency_admissions_12m'], []]);
    expect(frame.getColumn('scores').toArray()).toEqual([[1, null, 3], null, [], [42]]);
  });

  it('copies strings exactly: empty, inlined, exactly 12 bytes, pointed-to, multi-byte, in lists and dictionaries', async () => {
    const strings = [
      '',
      'a',
      'exactly12chr',
      'thirteen char',
      'é',
      '🚑🚑🚑',
      'abcdefghijké',
      'ünïcødé ✓ 🚑 and then some',
      null,
      'exactly12chr',
      'x'.repeat(5000),
      'Ω'.repeat(700),
    ];
    await connection.run('CREATE TABLE words (i INTEGER, s VARCHAR)');
    for (const [i, s] of strings.entries()) await connection.run('INSERT INTO words VALUES ($i, $s)', { i, s });
    const path = join(folder, 'strings.arrow');
    await writeArrowFile(
      connection,
      'SELECT i, s, s AS s_dictionary, [s, NULL, s] AS s_list FROM words ORDER BY i',
      undefined,
      path,
      { columns: { s_dictionary: { dictionary: true } } },
    );
    const bytes = readFileSync(path);
    const table = tableFromIPC(bytes);
    const lists = strings.map((s) => [s, null, s]);
    expect(arrowValues(table, 's')).toEqual(strings);
    expect(arrowValues(table, 's_dictionary')).toEqual(strings);
    expect(arrowValues(table, 's_list')).toEqual(lists);
    const dictionary = table.getChild('s_dictionary')!.data[0]!.dictionary!;
    expect(dictionary.length).toBe(new Set(strings.filter((s) => s !== null)).size);

    const frame = pl.readIPC(bytes);
    expect(frame.getColumn('s').toArray()).toEqual(strings);
    expect(frame.getColumn('s_dictionary').toArray()).toEqual(strings);
    expect(frame.getColumn('s_list').toArray()).toEqual(lists);
  });

  it('writes more rows than one batch and one DuckDB chunk, with one dictionary for the whole file', async () => {
    const path = join(folder, 'many.arrow');
    const sql = `
      SELECT i::INTEGER AS i,
        printf('P%011d', i) AS person_id,
        'practice ' || (i % 7) AS practice_code,
        'a long primary care network name ' || (i % 5) AS pcn_name,
        CASE WHEN i % 3 = 0 THEN NULL ELSE i * 0.5 END::DOUBLE AS half,
        i % 2 = 0 AS even,
        CASE WHEN i % 11 = 0 THEN NULL ELSE [printf('factor_%d_with_a_long_name', i % 4), 'b', ''] END AS top_factors
      FROM range(300000) r(i) ORDER BY i`;
    const written = await writeArrowFile(connection, sql, undefined, path, {
      batchRows: 100_000,
      columns: { practice_code: { dictionary: true }, pcn_name: { dictionary: true } },
    });
    expect(written.rows).toBe(300_000);

    const bytes = readFileSync(path);
    const table = tableFromIPC(bytes);
    expect(table.numRows).toBe(300_000);
    expect(table.batches.map((batch) => batch.numRows)).toEqual([100_000, 100_000, 100_000]);
    for (const name of ['practice_code', 'pcn_name']) {
      const chunks = table.getChild(name)!.data;
      expect(chunks).toHaveLength(3);
      expect(chunks.every((data) => data.dictionary === chunks[0]!.dictionary)).toBe(true);
    }
    expect(table.getChild('practice_code')!.data[0]!.dictionary!.length).toBe(7);
    expect(table.getChild('half')!.nullCount).toBe(100_000);
    expect(table.getChild('top_factors')!.nullCount).toBe(27_273);

    const expectedRow = (i: number) => ({
      i,
      person_id: `P${String(i).padStart(11, '0')}`,
      practice_code: `practice ${i % 7}`,
      pcn_name: `a long primary care network name ${i % 5}`,
      half: i % 3 === 0 ? null : i * 0.5,
      even: i % 2 === 0,
      top_factors: i % 11 === 0 ? null : [`factor_${i % 4}_with_a_long_name`, 'b', ''],
    });
    const rowsToCheck = [0, 1, 2047, 2048, 99_999, 100_000, 100_001, 204_799, 250_001, 299_998, 299_999];
    const frame = pl.readIPC(bytes);
    expect(frame.height).toBe(300_000);
    const names = Object.keys(expectedRow(0));
    const polarsColumns = Object.fromEntries(names.map((name) => [name, frame.getColumn(name).toArray()]));
    for (const i of rowsToCheck) {
      const expected = expectedRow(i);
      const fromArrow = Object.fromEntries(names.map((name) => [name, plain(table.getChild(name)!.get(i))]));
      expect(fromArrow).toEqual(expected);
      const fromPolars = Object.fromEntries(names.map((name) => [name, polarsColumns[name]![i]]));
      expect(fromPolars).toEqual(expected);
    }
    expect(frame.getColumn('practice_code').nUnique()).toBe(7);
  });

  it('matches DuckDB’s own reading of constant, joined and computed columns', async () => {
    await connection.run(`
      CREATE TABLE practices AS
      SELECT 'P' || i AS code, 'practice with a long name ' || i AS name, [i, NULL, i + 1] AS counts FROM range(3) r(i)`);
    // Constants, join output and expressions reach the client as constant and dictionary vectors inside
    // DuckDB; the file must hold the same values as DuckDB's own row reader returns.
    const sql = `
      SELECT r.i::INTEGER AS i, 'a constant longer than twelve' AS constant_text, 42 AS constant_number,
        NULL::INTEGER AS always_null, ['x', 'y'] AS constant_list, p.code, p.name, p.counts,
        CASE WHEN r.i % 4 = 0 THEN NULL ELSE repeat('ab', (r.i % 9)::INTEGER) END AS computed,
        CASE WHEN r.i % 5 = 0 THEN NULL ELSE r.i % 2 = 0 END AS flag
      FROM range(5000) r(i) JOIN practices p ON p.code = 'P' || (r.i % 3)
      ORDER BY r.i`;
    const path = join(folder, 'oracle.arrow');
    // 2999 rows a batch: batch edges fall mid-byte of DuckDB's validity masks, the slow bit-by-bit path.
    await writeArrowFile(connection, sql, undefined, path, { batchRows: 2999, columns: { code: { dictionary: true } } });
    const table = tableFromIPC(readFileSync(path));
    const expected = (await connection.runAndReadAll(sql)).getRowObjectsJS();
    const fromFile = Array.from({ length: table.numRows }, (_, row) =>
      Object.fromEntries(table.schema.fields.map((field) => [field.name, plain(table.getChild(field.name)!.get(row))])),
    );
    expect(fromFile).toHaveLength(5000);
    expect(fromFile).toEqual(expected);
  });

  it('writes a valid file with the full schema when the query returns no rows', async () => {
    const path = join(folder, 'empty.arrow');
    const written = await writeArrowFile(connection, `${ALL_TYPES_SQL.replace('ORDER BY row_id', 'WHERE false')}`, undefined, path, {
      columns: { practice: { dictionary: true, description: 'GP practice' } },
      metadata: { as_of: '2025-03-31' },
    });
    expect(written.rows).toBe(0);
    const bytes = readFileSync(path);
    expect(written.bytes).toBe(bytes.length);

    const table = tableFromIPC(bytes);
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((field) => field.name)).toEqual([
      'row_id', 'flag', 'tiny', 'small', 'int', 'big', 'utiny', 'usmall', 'uint', 'ubig', 'f32', 'f64', 'day', 'ts',
      'ts_tz', 'ts_ms', 'ts_ns', 'clock', 'name', 'practice', 'payload', 'tags', 'scores',
    ]);
    expect(String(table.schema.fields.find((field) => field.name === 'tags')!.type)).toBe('List<Utf8>');
    expect(String(table.schema.fields.find((field) => field.name === 'practice')!.type)).toBe('Dictionary<Int32, Utf8>');
    expect(table.schema.metadata.get('as_of')).toBe('2025-03-31');

    const frame = pl.readIPC(bytes).drop('payload');
    expect(frame.height).toBe(0);
    expect(frame.columns).toContain('scores');
    expect(String(frame.schema['ts'])).toBe('DataType(Datetime(us,))');
    expect(String(frame.schema['practice'])).toBe('DataType(Categorical)');
  });

  it('writes field descriptions and schema metadata', async () => {
    const path = join(folder, 'described.arrow');
    await writeArrowFile(connection, `SELECT 'P1' AS person_id, 0.25::DOUBLE AS ea_risk, 'A81001' AS practice_code`, undefined, path, {
      columns: {
        person_id: { description: 'Pseudonymised person identifier' },
        practice_code: { description: 'GP practice ODS code', dictionary: true },
      },
      metadata: { as_of: '2025-03-31', ea_model_version: 'ea-2025.1' },
    });
    const table = tableFromIPC(readFileSync(path));
    const descriptions = Object.fromEntries(table.schema.fields.map((field) => [field.name, field.metadata.get('description')]));
    expect(descriptions).toEqual({
      person_id: 'Pseudonymised person identifier',
      ea_risk: undefined,
      practice_code: 'GP practice ODS code',
    });
    expect(Object.fromEntries(table.schema.metadata)).toEqual({ as_of: '2025-03-31', ea_model_version: 'ea-2025.1' });
  });

  it('writes byte-identical files for the same result, and reports their size and sha256', async () => {
    const createScores = `
      CREATE TABLE scores AS
      SELECT printf('P%011d', i) AS person_id, 'A' || (i % 13) AS practice_code, (i % 1000) / 1000.0::DOUBLE AS ea_risk,
        CASE WHEN i % 5 = 0 THEN NULL ELSE ['charlson_index_over_twelve', 'age'] END AS top_factors
      FROM range(50000) r(i)`;
    await connection.run(createScores);
    const sql = 'SELECT * FROM scores ORDER BY person_id';
    const options = { batchRows: 20_000, columns: { practice_code: { dictionary: true } }, metadata: { as_of: '2025-03-31' } };
    const first = await writeArrowFile(connection, sql, undefined, join(folder, 'a.arrow'), options);
    const again = await writeArrowFile(connection, sql, undefined, join(folder, 'a.arrow'), options);
    const elsewhere = await writeArrowFile(connection, sql, undefined, join(folder, 'b.arrow'), options);

    // A database with one thread instead of several (so other chunking inside DuckDB) gives the same bytes.
    const other = await DuckDBInstance.create(':memory:', { threads: '1' });
    const otherConnection = await other.connect();
    try {
      await otherConnection.run(createScores);
      const fromOther = await writeArrowFile(otherConnection, sql, undefined, join(folder, 'c.arrow'), options);
      expect(fromOther.sha256).toBe(first.sha256);
    } finally {
      otherConnection.closeSync();
      other.closeSync();
    }

    const content = readFileSync(join(folder, 'a.arrow'));
    expect(again.sha256).toBe(first.sha256);
    expect(elsewhere.sha256).toBe(first.sha256);
    expect(readFileSync(join(folder, 'b.arrow')).equals(content)).toBe(true);
    expect(first.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(first.bytes).toBe(content.length);
    expect(first.path).toBe(join(folder, 'a.arrow'));
    expect(readdirSync(folder).sort()).toEqual(['a.arrow', 'b.arrow', 'c.arrow']);
  });

  it('creates parent folders and leaves no temporary file behind', async () => {
    const path = join(folder, 'out', '2025-03-31', 'case-finding', 'A81001.arrow');
    await writeArrowFile(connection, 'SELECT 1 AS one', undefined, path);
    expect(readdirSync(join(folder, 'out', '2025-03-31', 'case-finding'))).toEqual(['A81001.arrow']);
  });

  it('binds parameters in both passes over the query, and accepts a trailing semicolon or comment', async () => {
    await connection.run(`CREATE TABLE people AS SELECT * FROM (VALUES ('A1', 1), ('A1', 2), ('B2', 3)) t(practice, n)`);
    const path = join(folder, 'bound.arrow');
    for (const sql of [
      'SELECT practice, n FROM people WHERE practice = $practice ORDER BY n;',
      'SELECT practice, n FROM people WHERE practice = $practice ORDER BY n -- the list for one practice',
    ]) {
      const written = await writeArrowFile(connection, sql, { practice: 'A1' }, path, { columns: { practice: { dictionary: true } } });
      expect(written.rows).toBe(2);
      const table = tableFromIPC(readFileSync(path));
      expect(arrowValues(table, 'practice')).toEqual(['A1', 'A1']);
      expect(table.getChild('practice')!.data[0]!.dictionary!.length).toBe(1);
    }
  });

  describe('on failure', () => {
    const previous = 'the previous night’s file';

    function expectOnlyThePreviousFile(path: string): void {
      expect(readFileSync(path, 'utf8')).toBe(previous);
      expect(readdirSync(folder)).toEqual(['scores.arrow']);
    }

    it('leaves no file when the query fails before returning rows', async () => {
      const path = join(folder, 'new', 'scores.arrow');
      await expect(writeArrowFile(connection, 'SELECT * FROM no_such_table', undefined, path)).rejects.toThrow(/no_such_table/);
      expect(existsSync(path)).toBe(false);
      expect(existsSync(join(folder, 'new')) ? readdirSync(join(folder, 'new')) : []).toEqual([]);
    });

    it('keeps the previous file and removes the temporary one when the query fails part-way', async () => {
      const path = join(folder, 'scores.arrow');
      writeFileSync(path, previous);
      // No ORDER BY: DuckDB computes rows as they are fetched, so the error comes about 250K rows in,
      // after several batches are on disk. node-api reports it as an early end of the stream.
      const sql = `SELECT i, CASE WHEN i = 250000 THEN error('boom at row 250000') ELSE 'row ' || i END AS label
                   FROM range(300000) r(i)`;
      await expect(writeArrowFile(connection, sql, undefined, path, { batchRows: 50_000 })).rejects.toThrow(
        /failed after \d+ rows: .*boom at row 250000/,
      );
      expectOnlyThePreviousFile(path);
      // The connection is still usable afterwards.
      expect((await connection.runAndReadAll('SELECT 42 AS answer')).getRowsJS()).toEqual([[42]]);
    });

    it('refuses a type with no Arrow mapping, naming the column, before writing anything', async () => {
      const path = join(folder, 'scores.arrow');
      writeFileSync(path, previous);
      await expect(
        writeArrowFile(connection, 'SELECT 1 AS ok, INTERVAL 3 DAY AS wait_time', undefined, path),
      ).rejects.toThrow(/column "wait_time" has type INTERVAL/);
      await expect(writeArrowFile(connection, 'SELECT 1.5 AS ea_risk', undefined, path)).rejects.toThrow(
        /column "ea_risk" has type DECIMAL\(2,1\).*cast it/,
      );
      expectOnlyThePreviousFile(path);
    });

    it('refuses options that do not fit the result', async () => {
      const path = join(folder, 'scores.arrow');
      writeFileSync(path, previous);
      const sql = `SELECT 'P1' AS person_id, 3 AS ea_tier`;
      await expect(
        writeArrowFile(connection, sql, undefined, path, { columns: { ea_tier: { dictionary: true } } }),
      ).rejects.toThrow(/column "ea_tier" is INTEGER; dictionary: true is only for VARCHAR/);
      await expect(
        writeArrowFile(connection, sql, undefined, path, { columns: { ea_teir: { description: 'typo' } } }),
      ).rejects.toThrow(/"ea_teir", which the query does not return/);
      await expect(writeArrowFile(connection, sql, undefined, path, { batchRows: 0 })).rejects.toThrow(/batchRows/);
      await expect(writeArrowFile(connection, `SELECT 1 AS a, 2 AS a`, undefined, path)).rejects.toThrow(/two columns named "a"/);
      expectOnlyThePreviousFile(path);
    });

    it('refuses a dictionary column whose values change between the two passes', async () => {
      const path = join(folder, 'scores.arrow');
      writeFileSync(path, previous);
      await expect(
        writeArrowFile(connection, 'SELECT uuid()::VARCHAR AS id FROM range(10)', undefined, path, {
          columns: { id: { dictionary: true } },
        }),
      ).rejects.toThrow(/column "id" returned ".*", which was not among its values/);
      expectOnlyThePreviousFile(path);
    });
  });
});

describe('writeArrowFilesByGroup', () => {
  const listSql = `
    SELECT printf('P%06d', i) AS person_id, printf('A%05d', i % 7) AS practice_code,
           CASE WHEN i % 5 = 0 THEN NULL ELSE ['1', '2', '9'][1 + i % 3] END AS sex,
           [printf('factor %d', i % 4)] AS top_factors, i / 1000.0::DOUBLE AS ea_risk,
           CAST(row_number() OVER (PARTITION BY i % 7 ORDER BY i DESC) AS INTEGER) AS rank_in_practice
    FROM range(5000) r(i)`;
  const options = { columns: { practice_code: { dictionary: true }, sex: { dictionary: true, description: 'NHS stated gender' } } };
  const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

  it('writes each group byte for byte as writeArrowFile writes that group alone, and an empty file for a group with no rows', async () => {
    await connection.run(`CREATE TABLE lists AS ${listSql}`);
    const codes = ['A00000', 'A00001', 'A00002', 'A00003', 'A00004', 'A00005', 'A00006', 'A99999'];
    const grouped = await writeArrowFilesByGroup(
      connection,
      'SELECT * FROM lists ORDER BY practice_code, rank_in_practice',
      undefined,
      'practice_code',
      codes.map((code) => ({ value: code, path: join(folder, 'grouped', `${code}.arrow`), metadata: { as_of: '2026-11-22', practice_code: code } })),
      { ...options, batchRows: 300 },
    );
    expect(grouped.map((g) => g.rows)).toEqual([715, 715, 714, 714, 714, 714, 714, 0]);
    for (const [i, code] of codes.entries()) {
      const alone = await writeArrowFile(
        connection,
        'SELECT * FROM lists WHERE practice_code = $code ORDER BY rank_in_practice',
        { code },
        join(folder, 'alone', `${code}.arrow`),
        { ...options, batchRows: 300, metadata: { as_of: '2026-11-22', practice_code: code } },
      );
      expect(grouped[i]!.sha256).toBe(alone.sha256);
      expect(sha(join(folder, 'grouped', `${code}.arrow`))).toBe(alone.sha256);
    }
    expect(tableFromIPC(readFileSync(join(folder, 'grouped', 'A99999.arrow'))).numRows).toBe(0);
  });

  it('refuses rows of a group that is not listed, or groups that are not together', async () => {
    await connection.run(`CREATE TABLE lists AS ${listSql}`);
    const only = [{ value: 'A00000', path: join(folder, 'A00000.arrow'), metadata: {} }];
    await expect(
      writeArrowFilesByGroup(connection, 'SELECT * FROM lists ORDER BY practice_code', undefined, 'practice_code', only, options),
    ).rejects.toThrow(/not among the groups/);
    const all = ['A00000', 'A00001', 'A00002', 'A00003', 'A00004', 'A00005', 'A00006'].map((value) => ({
      value, path: join(folder, `${value}.arrow`), metadata: {},
    }));
    await expect(
      writeArrowFilesByGroup(connection, 'SELECT * FROM lists ORDER BY person_id', undefined, 'practice_code', all, options),
    ).rejects.toThrow(/not listed or not together/);
    expect(readdirSync(folder).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
