"""sas2csv for the claims model."""
