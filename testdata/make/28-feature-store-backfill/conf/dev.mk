# dev: local warehouse, small partitions
WAREHOUSE := warehouse/dev
WAREHOUSE_SCHEMA_STAMP := $(WAREHOUSE)/.schema
override SPARK_SUBMIT += --conf spark.sql.shuffle.partitions=8
