"""validate job for the feature backfill."""
