-- Strata's persistent tables. Created once per database; every statement is idempotent.
-- Loaded activity keeps its provenance (extract_date, source_file, source_line) so any row can be traced.

-- One row per extract folder loaded, in load order.
CREATE TABLE IF NOT EXISTS extracts (
  extract_date DATE NOT NULL,
  run_id VARCHAR NOT NULL,
  loaded_at TIMESTAMP NOT NULL,
  manifest_sha256 VARCHAR NOT NULL
);

-- One row per data file loaded: rows_read = rows_loaded + rows_quarantined.
CREATE TABLE IF NOT EXISTS extract_files (
  extract_date DATE NOT NULL,
  run_id VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  rows_read BIGINT NOT NULL,
  rows_loaded BIGINT NOT NULL,
  rows_quarantined BIGINT NOT NULL,
  rows_corrected BIGINT NOT NULL
);

-- Every rejected row, whole. raw_row keeps a direct identifier so the sender can be told;
-- every file Strata writes masks it.
CREATE TABLE IF NOT EXISTS quarantine (
  extract_date DATE NOT NULL,
  run_id VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  line BIGINT NOT NULL,
  reason VARCHAR NOT NULL,
  detail VARCHAR,
  raw_row VARCHAR
);

-- One row per correction: a loaded activity row that replaced an earlier version of its record, by whose row it
-- is, so that the report can count only the corrections of people it may count (reports/sections/dataQuality.ts).
CREATE TABLE IF NOT EXISTS corrections (
  extract_date DATE NOT NULL,
  run_id VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  person_id VARCHAR NOT NULL,
  source_line BIGINT NOT NULL
);

-- The newest known demographics of everyone ever seen in a snapshot.
-- last_extract says whether the person is in the newest snapshot.
CREATE TABLE IF NOT EXISTS persons (
  person_id VARCHAR NOT NULL,
  year_of_birth INTEGER NOT NULL,
  sex VARCHAR NOT NULL,
  ethnic_category VARCHAR,
  lsoa_code VARCHAR,
  imd_decile INTEGER,
  practice_code VARCHAR NOT NULL,
  pcn_code VARCHAR,
  registered_on DATE NOT NULL,
  date_of_death DATE,
  opt_out VARCHAR NOT NULL,
  first_extract DATE NOT NULL,
  last_extract DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS inpatient_spells (
  spell_id VARCHAR NOT NULL,
  person_id VARCHAR NOT NULL,
  admission_date DATE NOT NULL,
  discharge_date DATE,
  admission_method VARCHAR NOT NULL,
  primary_diagnosis VARCHAR NOT NULL,
  secondary_diagnoses VARCHAR[],
  treatment_specialty VARCHAR,
  extract_date DATE NOT NULL,
  source_line BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS ae_attendances (
  attendance_id VARCHAR NOT NULL,
  person_id VARCHAR NOT NULL,
  arrival_at TIMESTAMP NOT NULL,
  department_type VARCHAR NOT NULL,
  acuity INTEGER,
  admitted VARCHAR NOT NULL,
  extract_date DATE NOT NULL,
  source_line BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS outpatient_appointments (
  appointment_id VARCHAR NOT NULL,
  person_id VARCHAR NOT NULL,
  appointment_date DATE NOT NULL,
  attendance_status VARCHAR NOT NULL,
  first_attendance VARCHAR NOT NULL,
  treatment_specialty VARCHAR,
  extract_date DATE NOT NULL,
  source_line BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS gp_conditions (
  person_id VARCHAR NOT NULL,
  condition VARCHAR NOT NULL,
  diagnosed_on DATE NOT NULL,
  extract_date DATE NOT NULL,
  source_line BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS prescriptions (
  prescription_id VARCHAR NOT NULL,
  person_id VARCHAR NOT NULL,
  issued_on DATE NOT NULL,
  bnf_code VARCHAR NOT NULL,
  extract_date DATE NOT NULL,
  source_line BIGINT NOT NULL
);

-- The practices' multidisciplinary team reviews of listed people (optional extract, contract v2).
CREATE TABLE IF NOT EXISTS mdt_reviews (
  review_id VARCHAR NOT NULL,
  person_id VARCHAR NOT NULL,
  reviewed_on DATE NOT NULL,
  outcome VARCHAR NOT NULL,
  review_by DATE,
  extract_date DATE NOT NULL,
  source_line BIGINT NOT NULL
);

-- Every scoring run's tiers, one row per person per as_of, so "new to list" and movers are exact, with the practice
-- whose list the person was on (for who left which list: sql/marts/case_finding_left.sql). A database made before
-- the practice was kept gets the column, null in its earlier rows.
CREATE TABLE IF NOT EXISTS tier_history (
  as_of DATE NOT NULL,
  person_id VARCHAR NOT NULL,
  ea_tier INTEGER NOT NULL,
  ea_risk DOUBLE NOT NULL,
  practice_code VARCHAR
);
ALTER TABLE tier_history ADD COLUMN IF NOT EXISTS practice_code VARCHAR;

-- Fitted models: one row per coefficient, with the model card as JSON beside it.
CREATE TABLE IF NOT EXISTS models (
  model_version VARCHAR NOT NULL,
  target VARCHAR NOT NULL,
  fitted_for_as_of DATE NOT NULL,
  card_json VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
  run_id VARCHAR NOT NULL,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  status VARCHAR NOT NULL,
  as_of DATE,
  message VARCHAR
);
