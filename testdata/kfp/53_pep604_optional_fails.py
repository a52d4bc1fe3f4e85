"""Churn scoring for the CRM sync (Python 3.11 codebase: `X | None` everywhere).

kfp 2.17 does not read PEP 604 unions in component signatures, even for
an optional input: the decorator raises at import time.
"""
from kfp import dsl
from kfp.dsl import Input, Model, Output, Dataset

IMAGE = "europe-docker.pkg.dev/acme-ml/base/py311:2024.05"


@dsl.component(base_image=IMAGE, packages_to_install=["pandas==2.2.2"])
def extract_accounts(snapshot_date: str, accounts: Output[Dataset]):
    import pandas as pd

    pd.DataFrame({"id": [1, 2]}).to_parquet(accounts.path)


@dsl.component(base_image=IMAGE, packages_to_install=["pandas==2.2.2", "lightgbm==4.3.0"])
def score_accounts(
    accounts: Input[Dataset],
    model: Input[Model],
    scores: Output[Dataset],
    min_tenure_days: int | None = None,
):
    import pandas as pd

    df = pd.read_parquet(accounts.path)
    if min_tenure_days is not None:
        df = df[df.tenure >= min_tenure_days]
    df.to_parquet(scores.path)


@dsl.pipeline(name="crm-churn-scoring")
def crm_churn_scoring(snapshot_date: str, model_uri: str):
    accounts = extract_accounts(snapshot_date=snapshot_date).set_retry(2)
    model = dsl.importer(artifact_uri=model_uri, artifact_class=Model, reimport=False)
    score_accounts(accounts=accounts.outputs["accounts"], model=model.output).set_retry(2)
