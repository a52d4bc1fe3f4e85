"""run_sql job for the feature backfill."""
