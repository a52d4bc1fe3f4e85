"""Extract stripe into raw parquet."""
