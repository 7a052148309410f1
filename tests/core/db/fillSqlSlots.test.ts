// fillSqlSlots: a SQL file's slots take Strata's own generated SQL, every slot filled and none invented.
import { describe, expect, it } from 'vitest';
import { fillSqlSlots, quoteIdentifier } from '../../../core/db/Database.ts';

describe('fillSqlSlots', () => {
  it('fills every occurrence of a slot, taking the code literally ($ patterns included)', () => {
    const sql = 'SELECT {{risk}} AS r FROM {{features}} f, (SELECT count(*) FROM {{features}})';
    expect(fillSqlSlots(sql, { risk: "$ea_b0 + $ea_b1 * x || '$&'", features: quoteIdentifier('scoring "features"') })).toBe(
      `SELECT $ea_b0 + $ea_b1 * x || '$&' AS r FROM "scoring ""features""" f, (SELECT count(*) FROM "scoring ""features""")`,
    );
  });

  it('refuses a slot the SQL does not have, and a slot left unfilled', () => {
    expect(() => fillSqlSlots('SELECT 1', { risk: '1' })).toThrow(/no slot \{\{risk\}\}/);
    expect(() => fillSqlSlots('SELECT {{risk}}, {{other}}', { risk: '1' })).toThrow(/\{\{other\}\} was not filled/);
  });
});
