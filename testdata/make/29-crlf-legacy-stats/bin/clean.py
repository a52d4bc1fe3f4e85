"""clean for the claims model."""
