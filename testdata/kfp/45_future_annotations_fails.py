"""Churn scoring (BROKEN -- does not compile).

Someone added `from __future__ import annotations` for a type-checker: every
annotation below becomes a string and the KFP SDK reads none of them as a
type, so the first component raises a TypeError at import.
"""
from __future__ import annotations

from kfp import dsl
from kfp.dsl import Dataset, Input, Output

IMAGE = "python:3.11.9-slim"


@dsl.component(base_image=IMAGE, packages_to_install=["pandas==2.2.2"])
def score_customers(snapshot: str, scores: Output[Dataset]):
    import pandas as pd

    pd.DataFrame({"id": [1], "p_churn": [0.2]}).to_parquet(scores.path)


@dsl.component(base_image=IMAGE)
def publish(scores: Input[Dataset], table: str):
    print(scores.path, table)


@dsl.pipeline(name="churn-scoring")
def churn_scoring(snapshot: str = "2024-06-01"):
    s = score_customers(snapshot=snapshot).set_retry(2)
    publish(scores=s.outputs["scores"], table="crm.churn_scores").set_retry(2)
