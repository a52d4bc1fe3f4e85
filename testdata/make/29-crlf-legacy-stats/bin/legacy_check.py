"""legacy_check for the claims model."""
