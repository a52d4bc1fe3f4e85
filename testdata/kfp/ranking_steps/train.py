from kfp import dsl
from kfp.dsl import Dataset, Input, Model, Output

from . import settings


@dsl.component(base_image=settings.RANKER_IMAGE, packages_to_install=["lightgbm==4.3.0"])
def train_ranker(features: Input[Dataset], num_leaves: int, model: Output[Model]):
    import lightgbm  # noqa: F401

    open(model.path, "w").write("model")
