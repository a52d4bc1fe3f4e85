"""item_popularity job for the feature backfill."""
