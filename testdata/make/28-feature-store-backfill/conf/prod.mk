WAREHOUSE := s3a://acme-features/warehouse
WAREHOUSE_SCHEMA_STAMP := .prod-schema
