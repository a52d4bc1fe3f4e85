from kfp import dsl
from kfp.dsl import Dataset, Output

from .settings import FEATURE_COLUMNS, RANKER_IMAGE


@dsl.component(base_image=RANKER_IMAGE)
def build_query_features(click_table: str, day: str, features: Output[Dataset]):
    import pandas as pd

    cols = FEATURE_COLUMNS  # noqa: F841 -- baked in at build time
    pd.DataFrame({"q": ["shoes"], "bm25": [1.2]}).to_parquet(features.path)
