-- features/person_features: the person-level feature table, one row per person in cohort at $as_of.
-- Joins the feature tables built by the runner from sql/intermediate/features/*.sql (named feature_<file>).
-- Rows come in no particular order: every reader orders them itself (sorting 3M wide rows here cost seconds).
-- Columns come in the feature registry's order (feature_registry.csv, by id): a feature added later goes last.
-- Inputs: feature_demographic_features, feature_utilisation_features, feature_ltc_features,
-- feature_charlson_features, feature_frailty_features, feature_medication_features, feature_segment_features.
SELECT
  d.*,
  u.* EXCLUDE (person_id, emergency_spell_open),
  l.* EXCLUDE (person_id),
  ch.* EXCLUDE (person_id),
  fr.* EXCLUDE (person_id),
  m.* EXCLUDE (person_id),
  sg.* EXCLUDE (person_id),
  u.emergency_spell_open
FROM feature_demographic_features d
JOIN feature_utilisation_features u USING (person_id)
JOIN feature_ltc_features l USING (person_id)
JOIN feature_charlson_features ch USING (person_id)
JOIN feature_frailty_features fr USING (person_id)
JOIN feature_medication_features m USING (person_id)
JOIN feature_segment_features sg USING (person_id)
