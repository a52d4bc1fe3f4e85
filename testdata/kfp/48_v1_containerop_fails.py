"""Legacy feature export, half-migrated from KFP v1 (BROKEN).

The first step was ported to a v2 component, the second still builds a
v1 `dsl.ContainerOp`, which kfp 2 no longer has: the pipeline fails with an
AttributeError when it is built.
"""
from kfp import dsl


@dsl.component(base_image="python:3.10.14-slim")
def snapshot_features(day: str) -> str:
    return f"gs://acme-features/snapshots/{day}/"


@dsl.pipeline(name="feature-export")
def feature_export(day: str = "2024-06-01"):
    snap = snapshot_features(day=day).set_retry(2)
    dsl.ContainerOp(
        name="export-to-bq",
        image="gcr.io/acme/exporter:1.0.0",
        arguments=["--src", snap.output],
    )
