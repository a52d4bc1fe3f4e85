"""score for the claims model."""
