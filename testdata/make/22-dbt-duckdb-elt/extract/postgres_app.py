"""Extract postgres_app into raw parquet."""
