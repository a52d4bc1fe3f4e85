"""A/B experiment readout for checkout experiments.

`metric_readout` computes lift + CI for one metric and is reused for the
primary and guardrail metrics. If the primary metric is significant we also
run a segment deep-dive (another sub-pipeline, inside a dsl.If).

Experimentation platform contact: xp-team@
"""
from typing import NamedTuple

from kfp import compiler
from kfp import dsl as kfp_dsl
from kfp.dsl import Dataset, Input, Markdown, Output

XP_IMAGE = "gcr.io/acme-xp/stats:2.3.0"


@kfp_dsl.component(base_image=XP_IMAGE, packages_to_install=["google-cloud-bigquery[pandas]==3.11.4"])
def pull_assignments(experiment_id: str, exposures_table: str, assignments: Output[Dataset]):
    with open(assignments.path, "w") as fh:
        fh.write(f"{experiment_id} from {exposures_table}\n")


@kfp_dsl.component(base_image=XP_IMAGE, packages_to_install=["scipy~=1.13", "numpy>=1.26"])
def compute_lift(assignments: Input[Dataset], metric: str, alpha: float) -> NamedTuple(
    "LiftOutputs", [("lift", float), ("p_value", float)]
):
    from collections import namedtuple

    print(f"{metric} on {assignments.uri}, alpha={alpha}")
    return namedtuple("LiftOutputs", ["lift", "p_value"])(0.021, 0.003)


@kfp_dsl.component(base_image=XP_IMAGE)
def segment_breakdown(assignments: Input[Dataset], metric: str, segment: str, table: Output[Markdown]):
    with open(table.path, "w") as fh:
        fh.write(f"| segment | metric |\n|---|---|\n| {segment} | {metric} |\n")


@kfp_dsl.component(base_image=XP_IMAGE)
def write_readout(primary_lift: float, primary_p: float, guardrail_lift: float, readout: Output[Markdown]):
    with open(readout.path, "w") as fh:
        fh.write(f"primary {primary_lift:+.2%} (p={primary_p:.4f}), guardrail {guardrail_lift:+.2%}\n")


@kfp_dsl.pipeline
def metric_readout(assignments: Input[Dataset], metric: str, alpha: float = 0.05) -> NamedTuple(
    "MetricReadout", [("lift", float), ("p_value", float)]
):
    """Lift and p-value for one metric."""
    res = compute_lift(assignments=assignments, metric=metric, alpha=alpha)
    Readout = NamedTuple("MetricReadout", [("lift", float), ("p_value", float)])
    return Readout(lift=res.outputs["lift"], p_value=res.outputs["p_value"])


@kfp_dsl.pipeline(name="segment_deep_dive")
def segment_deep_dive(assignments: Input[Dataset], metric: str):
    for segment in ("new_customers", "returning", "mobile_web"):
        segment_breakdown(assignments=assignments, metric=metric, segment=segment)


@kfp_dsl.pipeline(
    name="Checkout_AB_Readout",
    display_name="Checkout A/B readout",
    pipeline_root="gs://acme-xp-pipeline-root",
)
def checkout_ab_readout(
    experiment_id: str = "xp-checkout-1187",
    exposures_table: str = "acme-xp.exposures.daily",
    primary_metric: str = "conversion_rate",
    guardrail_metric: str = "refund_rate",
):
    """Primary + guardrail readout for a checkout experiment, with a segment
    deep-dive when the primary metric moves."""
    assignments = pull_assignments(experiment_id=experiment_id, exposures_table=exposures_table)
    assignments.set_caching_options(False)

    primary = metric_readout(assignments=assignments.outputs["assignments"], metric=primary_metric, alpha=0.01)
    guardrail = metric_readout(assignments=assignments.outputs["assignments"], metric=guardrail_metric)

    with kfp_dsl.If(primary.outputs["p_value"] < 0.01, name="significant"):
        segment_deep_dive(assignments=assignments.outputs["assignments"], metric=primary_metric)

    write_readout(
        primary_lift=primary.outputs["lift"],
        primary_p=primary.outputs["p_value"],
        guardrail_lift=guardrail.outputs["lift"],
    )


if __name__ == "__main__":
    compiler.Compiler().compile(checkout_ab_readout, "checkout_ab_readout.yaml")
