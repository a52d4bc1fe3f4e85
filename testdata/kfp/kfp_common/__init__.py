"""Shared bits for the team's KFP pipelines (images, common steps).

Import as `from kfp_common import images` / `from kfp_common.steps import ...`.
Nothing in here defines a pipeline: pipelines live in the top-level files.
"""
from kfp_common.images import BASE_IMAGE, SPARK_IMAGE  # noqa: F401

__all__ = ["BASE_IMAGE", "SPARK_IMAGE"]
