-- Validation and normalisation rules shared by the staging queries (sql/staging/*.sql).
-- Each rule lives here once, as a DuckDB macro, so the staging files read as lists of checks.

-- A pseudonymised person_id: 1 to 64 characters of [A-Za-z0-9_-].
CREATE OR REPLACE MACRO strata_valid_person_id(x) AS regexp_full_match(x, '[A-Za-z0-9_-]{1,64}');

-- A 10-digit value that passes the NHS number modulus-11 check is a direct identifier.
CREATE OR REPLACE MACRO strata_is_nhs_number(x) AS
  CASE WHEN regexp_full_match(x, '[0-9]{10}')
       THEN (11 - list_sum(list_transform(range(9), lambda i: CAST(substr(x, i + 1, 1) AS INTEGER) * (10 - i))) % 11) % 11
            = CAST(substr(x, 10, 1) AS INTEGER)
       ELSE false END;

-- A strict ISO date: YYYY-MM-DD that names a real day (year 0001 to 9999). A value that casts to a date and
-- prints back as exactly itself in 10 characters is one: the cast alone also takes 2020-1-1, 2020/01/01,
-- padding and words such as 'epoch'. Half the cost of a regex and strptime on 28M prescription dates.
CREATE OR REPLACE MACRO strata_date(x) AS
  CASE WHEN length(x) = 10 AND CAST(try_cast(x AS DATE) AS VARCHAR) = x THEN try_cast(x AS DATE) END;

-- A strict ISO timestamp: YYYY-MM-DDTHH:MM:SS (a space instead of T is accepted, as parquet casts print it).
CREATE OR REPLACE MACRO strata_timestamp(x) AS
  CASE WHEN regexp_full_match(x, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}')
       THEN try_strptime(replace(x, ' ', 'T'), '%Y-%m-%dT%H:%M:%S') END;

-- A whole number written plainly (no sign tricks, no decimals).
CREATE OR REPLACE MACRO strata_integer(x) AS
  CASE WHEN regexp_full_match(x, '-?[0-9]{1,9}') THEN CAST(x AS INTEGER) END;

-- ICD-10: upper case, strip the dot, strip trailing X and - fillers, keep 3-4 characters.
CREATE OR REPLACE MACRO strata_icd10_clean(x) AS
  CASE WHEN length(replace(upper(trim(x)), '.', '')) > 3
       THEN regexp_replace(replace(upper(trim(x)), '.', ''), '[X-]+$', '')
       ELSE replace(upper(trim(x)), '.', '') END;
CREATE OR REPLACE MACRO strata_icd10_valid(x) AS
  regexp_full_match(strata_icd10_clean(x), '[A-Z][0-9]{2}[0-9A-Z]{0,3}');
CREATE OR REPLACE MACRO strata_icd10(x) AS left(strata_icd10_clean(x), 4);

-- A secondary diagnosis list: codes separated by ';' (empty items ignored).
CREATE OR REPLACE MACRO strata_icd10_items(x) AS
  list_filter(list_transform(string_split(x, ';'), lambda c: trim(c)), lambda c: c <> '');

-- One CSV field, quoted as RFC 4180 requires, to rebuild a quarantined row.
CREATE OR REPLACE MACRO strata_csv_field(x) AS
  CASE WHEN x IS NULL THEN ''
       WHEN regexp_matches(x, '[",\r\n]') THEN '"' || replace(x, '"', '""') || '"'
       ELSE x END;

-- Masks every 10-digit value that passes the NHS number check, for every file Strata writes.
CREATE OR REPLACE MACRO strata_mask_identifiers(x) AS
  list_reduce(
    list_prepend(x, list_filter(regexp_extract_all(x, '\b[0-9]{10}\b'), lambda t: strata_is_nhs_number(t))),
    lambda acc, t: replace(acc, t, '[direct identifier removed]'));
