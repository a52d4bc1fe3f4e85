"""Extract hubspot into raw parquet."""
