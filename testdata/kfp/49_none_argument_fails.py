"""Model card generation (BROKEN -- does not compile).

`owner=None` is passed explicitly to an optional input: the SDK accepts
only str/int/float/bool/list/dict constants and raises a ValueError;
leaving the argument out would use the default.
"""
from typing import Optional

from kfp import dsl
from kfp.dsl import HTML, Input, Model, Output

IMAGE = "us-docker.pkg.dev/acme-ml/tools/model-card:0.4.2"


@dsl.component(base_image=IMAGE)
def pick_model(registry: str, model: Output[Model]):
    open(model.path, "w").write("m")


@dsl.component(base_image=IMAGE)
def render_card(model: Input[Model], card: Output[HTML], owner: Optional[str] = None):
    open(card.path, "w").write("<h1>card</h1>")


@dsl.pipeline(name="model-card")
def model_card(registry: str = "vertex://acme/churn"):
    m = pick_model(registry=registry).set_retry(2)
    render_card(model=m.outputs["model"], owner=None).set_retry(2)
