"""Weekly CTR model refresh (BROKEN -- does not compile).

`learning_rate=1` is an int literal, but the component's input is a float:
the SDK checks argument types strictly and raises InconsistentTypeException.
Someone "simplified" 1.0 to 1 in a cleanup PR.
"""
from kfp import dsl
from kfp.dsl import Dataset, Input, Model, Output

TRAIN_IMAGE = "us-docker.pkg.dev/acme-ads/ml/ctr-train:2.8.1"


@dsl.component(base_image=TRAIN_IMAGE)
def sample_impressions(days: int, impressions: Output[Dataset]):
    open(impressions.path, "w").write("clicks")


@dsl.component(base_image=TRAIN_IMAGE)
def fit_ctr_model(
    impressions: Input[Dataset],
    learning_rate: float,
    l2: float,
    epochs: int,
    model: Output[Model],
):
    open(model.path, "w").write("weights")


@dsl.pipeline(name="ctr-weekly-refresh")
def ctr_weekly_refresh(days: int = 14, l2: float = 0.001):
    imps = sample_impressions(days=days).set_retry(2)
    fit_ctr_model(
        impressions=imps.outputs["impressions"],
        learning_rate=1,
        l2=l2,
        epochs=3,
    ).set_retry(2)
