"""Churn model: decide between full retrain, warm-start or no-op from drift.

Branching logic (agreed with the retention PMs, see doc "churn-retrain-policy"):
  drift > 0.3            -> full retrain (+ extra sanity check in prod)
  0.1 < drift <= 0.3     -> warm-start from the current model
  otherwise              -> just log and move on
A second If/Elif (no Else!) picks the notification channel, and the report
step runs after both.
"""
import kfp
import kfp.dsl as dsl
from kfp.dsl import Dataset, Input, Model, Output

CHURN_IMAGE = "gcr.io/acme-growth/churn:2024.07.1"


@dsl.component(base_image=CHURN_IMAGE)
def measure_drift(reference_uri: str, current_uri: str) -> float:
    # population stability index on the top-20 features, computed offline
    import random

    print(f"psi({reference_uri}, {current_uri})")
    return round(random.random() * 0.5, 3)


@dsl.component(base_image=CHURN_IMAGE)
def build_training_set(current_uri: str, train: Output[Dataset]):
    with open(train.path, "w") as fh:
        fh.write(f"source={current_uri}\n")


@dsl.component(base_image=CHURN_IMAGE)
def train_churn(train: Input[Dataset], warm_start: bool, model: Output[Model]):
    with open(model.path, "w") as fh:
        fh.write(f"warm_start={warm_start} data={train.uri}")


@dsl.component(base_image=CHURN_IMAGE)
def sanity_check(model: Input[Model], env: str) -> bool:
    return env != "prod" or model.uri.startswith("gs://")


@dsl.component(base_image="python:3.11-slim")
def log_message(msg: str):
    print(msg)


@dsl.component(base_image="python:3.11-slim", packages_to_install=["slack_sdk"])
def notify(channel: str, drift: float):
    print(f"{channel}: churn drift={drift}")


@dsl.pipeline(name="churn-retrain-policy")
def churn_retrain(
    reference_uri: str = "gs://acme-growth/churn/reference/2024-01",
    current_uri: str = "gs://acme-growth/churn/current",
    env: str = "staging",
    page_on_drift: bool = False,
):
    drift = measure_drift(reference_uri=reference_uri, current_uri=current_uri)
    drift.set_caching_options(False)
    data = build_training_set(current_uri=current_uri)

    with dsl.If(drift.output > 0.3, name="big-drift"):
        full = train_churn(train=data.outputs["train"], warm_start=False)
        full.set_display_name("full-retrain")
        # nested condition on a pipeline parameter
        with dsl.If(env == "prod", name="prod-only"):
            sanity_check(model=full.outputs["model"], env=env)
    with dsl.Elif(drift.output > 0.1, name="medium-drift"):
        train_churn(train=data.outputs["train"], warm_start=True)
    with dsl.Else(name="no-drift"):
        log_message(msg="drift below threshold, keeping current model")

    # second chain: If/Elif without an Else.
    # NOTE(kfp 2.17): without an Else the SDK never pops the hidden
    # "condition-branches" group, so everything below (the Condition and the
    # final log step) ends up *inside* condition-branches-6 in the compiled
    # spec. It still runs unconditionally, it just looks odd in the UI.
    with dsl.If(env == "prod"):
        notify(channel="#churn-prod", drift=drift.output)
    with dsl.Elif(page_on_drift == True):  # noqa: E712 (KFP needs the comparison)
        notify(channel="#churn-dev", drift=drift.output)

    # the old-style condition; still around in a few pipelines
    with dsl.Condition(env != "prod", name="non-prod-report"):
        log_message(msg="non-prod run finished")

    log_message(msg="churn retrain policy evaluated").after(drift)


if __name__ == "__main__":
    kfp.compiler.Compiler().compile(churn_retrain, "churn_retrain.yaml")
