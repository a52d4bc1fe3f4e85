"""Backfill the user-activity feature views in Feast, one month at a time.

The per-month work is a small sub-pipeline (compute -> validate ->
materialize) reused inside a ParallelFor over a hard-coded list of windows.
Shared steps and images come from kfp_common (see kfp_common/steps.py).

Run manually; the scheduler has its own incremental job.
"""
from typing import NamedTuple

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Output

from kfp_common import SPARK_IMAGE
from kfp_common import images
from kfp_common.steps import materialize_feature_view, write_audit_log

BACKFILL_WINDOWS = [
    {"start": "2024-01-01", "end": "2024-02-01", "partitions": 64},
    {"start": "2024-02-01", "end": "2024-03-01", "partitions": 64},
    {"start": "2024-03-01", "end": "2024-04-01", "partitions": 128},
]


@dsl.component(base_image=SPARK_IMAGE)
def compute_activity_features(
    source_table: str, start: str, end: str, partitions: str, features: Output[Dataset]
):
    # pyspark job, trimmed for the fixture; partitions arrives as a string
    with open(features.path, "w") as fh:
        fh.write(f"{source_table}[{start}:{end}] x{partitions}\n")
    features.metadata["window"] = [start, end]


@dsl.component(base_image=images.BASE_IMAGE, packages_to_install=["great-expectations==0.18.12"])
def validate_features(features: Input[Dataset], max_null_rate: float = 0.01) -> bool:
    print(f"validating {features.uri} (max nulls {max_null_rate})")
    return True


@dsl.pipeline(name="backfill-one-window")
def backfill_window(
    source_table: str, feature_view: str, start: str, end: str, partitions: str
) -> NamedTuple("WindowOutputs", [("features", Dataset), ("rows", int)]):
    feats = compute_activity_features(source_table=source_table, start=start, end=end, partitions=partitions)
    feats.set_memory_limit("32G")
    ok = validate_features(features=feats.outputs["features"])
    mat = materialize_feature_view(
        features=feats.outputs["features"], feature_view=feature_view, start=start, end=end
    )
    mat.after(ok)
    outs = NamedTuple("WindowOutputs", [("features", Dataset), ("rows", int)])
    return outs(features=feats.outputs["features"], rows=mat.output)


@dsl.pipeline(name="User Activity Backfill", description="Backfills user_activity_v3 in Feast.")
def activity_backfill(
    source_table: str = "acme-analytics.events.user_activity",
    feature_view: str = "user_activity_v3",
):
    with dsl.ParallelFor(BACKFILL_WINDOWS, parallelism=1) as window:
        done = backfill_window(
            source_table=source_table,
            feature_view=feature_view,
            start=window.start,
            end=window.end,
            partitions=window.partitions,
        )
        done.set_display_name("backfill-month")

    audit = write_audit_log(pipeline_name="user-activity-backfill", message="backfill finished")
    audit.after(done)
    audit.set_caching_options(False)


if __name__ == "__main__":
    compiler.Compiler().compile(activity_backfill, "activity_backfill.yaml")
