"""train for the claims model."""
