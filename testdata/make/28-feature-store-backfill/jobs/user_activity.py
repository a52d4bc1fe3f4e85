"""user_activity job for the feature backfill."""
