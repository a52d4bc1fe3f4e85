"""Container images approved by the platform team (bumped quarterly)."""

BASE_IMAGE = "us-docker.pkg.dev/acme-platform/base/python:3.11-2024q3"
SPARK_IMAGE = "us-docker.pkg.dev/acme-platform/spark/pyspark:3.5.1-2024q3"
FEAST_VERSION = "0.38.0"
