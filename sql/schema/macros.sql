-- Validation and normalisation rules shared by the staging queries (sql/staging/*.sql).
-- Each rule lives here once, as a DuckDB macro, so the staging files read as lists of checks.

-- A pseudonymised person_id: 1 to 64 characters of [A-Za-z0-9_-].
CREATE OR REPLACE MACRO strata_valid_person_id(x) AS regexp_full_match(x, '[A-Za-z0-9_-]{1,64}');

-- Ten digits that pass the NHS number modulus-11 check (a check digit worked out as 10 never passes).
CREATE OR REPLACE MACRO strata_passes_nhs_check(nhs_digits) AS
  CASE WHEN regexp_full_match(nhs_digits, '[0-9]{10}')
       THEN (11 - list_sum(list_transform(range(9),
                 lambda nhs_pos: CAST(substr(nhs_digits, nhs_pos + 1, 1) AS INTEGER) * (10 - nhs_pos))) % 11) % 11
            = CAST(substr(nhs_digits, 10, 1) AS INTEGER)
       ELSE false END;

-- A value that is, or holds anywhere in it, an NHS number in a form the masking rule masks (data-contract.md
-- §3; core/privacy/maskDirectIdentifiers.ts is the same rule in TypeScript, and
-- tests/staging/directIdentifier.test.ts holds the two to the same cases): a run of exactly 10 digits, or
-- 3, 3 and 4 digits separated by single spaces or hyphens, not part of a longer run of digits, passing the
-- check. It covers the contract's person_id rule (10 digits passing the check once spaces and hyphens are
-- removed) and more: a person_id is written unmasked into population_scores.arrow and the case-finding
-- lists, so a pseudonym such as 8836075983_A or P9434765919 would carry an NHS number into them.
-- How: every maximal chain of digit groups joined by single spaces or hyphens is split into its groups; a
-- group of 10 digits, or three groups in a row of 3, 3 and 4 digits, is a candidate. The regex guard in
-- front is only a cheap necessary condition, so most pseudonyms skip the list work.
CREATE OR REPLACE MACRO strata_holds_direct_identifier(x) AS
  CASE WHEN regexp_matches(x, '[0-9]{10}|[0-9]{3}[ -][0-9]{3}[ -][0-9]{4}')
       THEN list_bool_or(list_transform(
              list_transform(regexp_extract_all(x, '[0-9]+(?:[ -][0-9]+)*'),
                             lambda nhs_chain: string_split_regex(nhs_chain, '[ -]')),
              lambda nhs_groups: list_bool_or(list_transform(range(1, len(nhs_groups) + 1),
                lambda nhs_at: strata_passes_nhs_check(nhs_groups[nhs_at])
                  OR (nhs_at + 2 <= len(nhs_groups)
                      AND len(nhs_groups[nhs_at]) = 3 AND len(nhs_groups[nhs_at + 1]) = 3 AND len(nhs_groups[nhs_at + 2]) = 4
                      AND strata_passes_nhs_check(nhs_groups[nhs_at] || nhs_groups[nhs_at + 1] || nhs_groups[nhs_at + 2]))))))
       ELSE false END;

-- The person_id checks of every staging file, the first that fails as {reason, detail}, NULL when all pass:
-- is or holds an NHS number (direct_identifier), empty (missing_value), not 1 to 64 characters of
-- [A-Za-z0-9_-] (bad_value). An activity file passes `checked` false for a person already in known_persons:
-- that person_id passed these checks in demographics. Each file puts this problem before its own column
-- checks, and unknown_person last.
CREATE OR REPLACE MACRO strata_person_id_problem(person_id, checked) AS
  CASE WHEN NOT checked THEN NULL
       WHEN strata_holds_direct_identifier(person_id)
         THEN {'reason': 'direct_identifier', 'detail': 'person_id is or holds an NHS number, not a pseudonym'}
       WHEN person_id IS NULL THEN {'reason': 'missing_value', 'detail': 'person_id is empty'}
       WHEN NOT strata_valid_person_id(person_id)
         THEN {'reason': 'bad_value', 'detail': 'person_id must be 1-64 characters of A-Z, a-z, 0-9, _ or -'}
  END;

-- The problem of one activity row (sql/staging/<table>.sql), in priority order: its person_id's own problem first
-- (person_id_problem, from strata_person_id_problem: a direct identifier above all), then the table's own checks
-- (checks: NULL when the row passes them), and an unknown person last, so a row that is wrong in itself is
-- quarantined for that, whoever it is about.
CREATE OR REPLACE MACRO strata_activity_row_problem(person_id_problem, checks, known_person) AS
  coalesce(person_id_problem, checks, CASE WHEN NOT known_person
    THEN {'reason': 'unknown_person', 'detail': 'person_id is in no demographics snapshot loaded so far'} END);

-- A strict ISO date: YYYY-MM-DD that names a real day (year 0001 to 9999). A value that casts to a date and
-- prints back as exactly itself in 10 characters is one: the cast alone also takes 2020-1-1, 2020/01/01,
-- padding and words such as 'epoch'. Half the cost of a regex and strptime on 28M prescription dates.
CREATE OR REPLACE MACRO strata_date(x) AS
  CASE WHEN length(x) = 10 AND CAST(try_cast(x AS DATE) AS VARCHAR) = x THEN try_cast(x AS DATE) END;

-- A strict ISO timestamp: YYYY-MM-DDTHH:MM:SS (a space instead of T is accepted, as parquet casts print it), in
-- year 0001 to 9999 as for dates: strptime reads year 0000 as 1 BC, which no extract means.
CREATE OR REPLACE MACRO strata_timestamp(x) AS
  CASE WHEN regexp_full_match(x, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}') AND NOT starts_with(x, '0000')
       THEN try_strptime(replace(x, ' ', 'T'), '%Y-%m-%dT%H:%M:%S') END;

-- A date (or timestamp) of a person before 1 January of their year of birth, which no date of theirs may be
-- (data-contract.md §2, date_order). NULL, so no problem, when either is unknown.
CREATE OR REPLACE MACRO strata_before_birth_year(x, birth_year) AS CAST(x AS DATE) < make_date(birth_year, 1, 1);

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

-- A quarantine.csv cell a spreadsheet will not run as a formula (data-contract.md §3): a value beginning with
-- =, +, @, a tab, a carriage return, or - followed by anything but a digit (a lone - included) gets a leading '.
-- Applied after NHS-number masking, which can put a mark first: -9434765919 is masked to -[direct identifier
-- removed]. NULL stays NULL (an empty cell).
CREATE OR REPLACE MACRO strata_spreadsheet_safe(x) AS
  CASE WHEN regexp_matches(x, '^(?:[=+@\t\r]|-(?:[^0-9]|$))') THEN '''' || x ELSE x END;

-- An upper bound on the bytes one text cell takes in a CSV that DuckDB writes: its UTF-8 bytes, two quotes around
-- it and one more for each quote it holds (0 for NULL), to bound the size of quarantine.csv before writing it.
CREATE OR REPLACE MACRO strata_csv_cell_bytes(x) AS
  coalesce(strlen(x) + 2 + strlen(x) - strlen(replace(x, '"', '')), 0);

-- The words the case-finding lists show for the NHS stated gender code (data-contract.md v2, sex_label): 9
-- (indeterminate) and X (not known) are both 'Not recorded'.
CREATE OR REPLACE MACRO strata_sex_label(sex) AS
  CASE sex WHEN '1' THEN 'Male' WHEN '2' THEN 'Female' ELSE 'Not recorded' END;

-- quarantine.csv is masked in TypeScript (core/privacy/maskDirectIdentifiers.ts); the SQL macro that
-- masked only \b[0-9]{10}\b is dropped from databases made before.
DROP MACRO IF EXISTS strata_mask_identifiers;
DROP MACRO IF EXISTS strata_is_nhs_number;
