"""common job for the feature backfill."""
