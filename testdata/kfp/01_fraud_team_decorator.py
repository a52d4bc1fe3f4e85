"""Card-fraud batch scoring, written with the risk team's component decorator.

Security review (RISK-311) requires every risk component to run on the
hardened base image, so instead of repeating base_image= on every step we
wrap dsl.component in a tiny factory. `team_component(...)` behaves exactly
like `dsl.component(...)` with the image filled in.

Owner: risk-ml@ -- on-call rotation in #fraud-oncall
"""
import functools  # noqa: F401  (was used by the old decorator, keep for now)
import logging
from typing import NamedTuple

from kfp import compiler
from kfp import dsl as kfp_dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output

log = logging.getLogger(__name__)

TEAM_IMAGE = "europe-docker.pkg.dev/acme-risk/base/python-risk:3.11-2024.06"
SCORING_PACKAGES = ["pandas==2.2.2", "pyarrow==16.1.0", "xgboost==2.0.3"]


def team_component(**kw):
    """dsl.component with the hardened risk image baked in."""
    return kfp_dsl.component(base_image=TEAM_IMAGE, **kw)


# a pre-configured variant, used as a bare decorator below
scoring_component = team_component(packages_to_install=SCORING_PACKAGES)


@team_component(packages_to_install=["google-cloud-bigquery[pandas]==3.11.4", "db-dtypes"])
def load_transactions(txn_table: str, score_date: str, txns: Output[Dataset]) -> int:
    from google.cloud import bigquery

    sql = f"SELECT * FROM `{txn_table}` WHERE DATE(ts) = '{score_date}'"
    df = bigquery.Client().query(sql).to_dataframe()
    df.to_parquet(txns.path)
    return len(df)


@scoring_component
def score_transactions(
    txns: Input[Dataset],
    model: Input[Model],
    scored: Output[Dataset],
    metrics: Output[Metrics],
) -> NamedTuple("ScoreOutputs", [("flagged_rate", float), ("model_version", str)]):
    import pandas as pd
    import xgboost as xgb

    df = pd.read_parquet(txns.path)
    booster = xgb.Booster()
    booster.load_model(model.path)
    df["score"] = booster.predict(xgb.DMatrix(df.select_dtypes("number")))
    df.to_parquet(scored.path)
    rate = float((df["score"] > 0.9).mean())
    metrics.log_metric("flagged_rate", rate)
    outputs = NamedTuple("ScoreOutputs", [("flagged_rate", float), ("model_version", str)])
    return outputs(rate, model.metadata.get("version", "unknown"))


@team_component()
def page_fraud_oncall(flagged_rate: float, model_version: str, channel: str = "#fraud-oncall"):
    print(f"[{channel}] flagged rate {flagged_rate:.3%} with model {model_version}")


@kfp_dsl.component(base_image=TEAM_IMAGE)
def publish_scores(scored: Input[Dataset], dest_table: str):
    print(f"loading {scored.uri} into {dest_table}")


@kfp_dsl.pipeline(name="card-fraud-batch-scoring", description="Daily card fraud scoring.")
def fraud_scoring(
    txn_table: str = "acme-risk.cards.transactions",
    score_date: str = "2024-06-30",
    model_uri: str = "gs://acme-risk-models/xgb-fraud/v12",
    alert_rate: float = 0.02,
    dest_table: str = "acme-risk.cards.scores_daily",
):
    txns = load_transactions(txn_table=txn_table, score_date=score_date)
    txns.set_caching_options(False)

    model = kfp_dsl.importer(
        artifact_uri=model_uri, artifact_class=Model, reimport=False, metadata={"version": "v12"}
    )
    scored = score_transactions(txns=txns.outputs["txns"], model=model.output)
    scored.set_cpu_limit("4").set_memory_limit("16G")

    with kfp_dsl.If(scored.outputs["flagged_rate"] > alert_rate, name="too-many-flags"):
        page_fraud_oncall(
            flagged_rate=scored.outputs["flagged_rate"],
            model_version=scored.outputs["model_version"],
        )

    publish_scores(scored=scored.outputs["scored"], dest_table=dest_table)


if __name__ == "__main__":
    compiler.Compiler().compile(fraud_scoring, "fraud_scoring.yaml")
