"""Churn model retrain, the Kubeflow version.

Ported from the old Makefile in early 2024. Most handoffs are typed
artifacts now; the model export still hands a GCS path to the deploy step
because the serving team's image reads `--model-uri`.

    python pipeline.py            # writes churn_retrain.yaml
"""
from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output

PY_IMAGE = "python:3.11-slim"
SERVING_IMAGE = "us-docker.pkg.dev/acme-ml/serving/deployer:1.4.0@sha256:4c1f9e2b7a0d3c6f8e1b4a7d0c3f6e9b2a5d8c1f4e7b0a3d6c9f2e5b8a1d4c7f"


@dsl.component(base_image=PY_IMAGE, packages_to_install=["google-cloud-bigquery[pandas]==3.11.4", "pyarrow"])
def load_events(source_table: str, rows: Output[Dataset]):
    from google.cloud import bigquery

    df = bigquery.Client().query(f"SELECT * FROM `{source_table}`").to_dataframe()
    df.to_parquet(rows.path)
    rows.metadata["rows"] = len(df)


@dsl.component(base_image=PY_IMAGE, packages_to_install=["pandas==2.2.2", "scikit-learn>=1.4"])
def train(rows: Input[Dataset], model: Output[Model], n_estimators: int = 200):
    import pickle

    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier

    df = pd.read_parquet(rows.path)
    clf = RandomForestClassifier(n_estimators=n_estimators).fit(df.drop(columns=["churned"]), df["churned"])
    with open(model.path, "wb") as f:
        pickle.dump(clf, f)


@dsl.component(base_image=PY_IMAGE, packages_to_install=["pandas==2.2.2", "scikit-learn==1.4.2"])
def evaluate(rows: Input[Dataset], model: Input[Model], metrics: Output[Metrics]) -> float:
    import pickle

    import pandas as pd

    df = pd.read_parquet(rows.path)
    with open(model.path, "rb") as f:
        clf = pickle.load(f)
    auc = float(clf.score(df.drop(columns=["churned"]), df["churned"]))
    metrics.log_metric("accuracy", auc)
    return auc


@dsl.component(base_image=PY_IMAGE, packages_to_install=["google-cloud-storage==2.16.0"])
def export_model(model: Input[Model], bucket: str) -> str:
    from google.cloud import storage

    model_uri = f"gs://{bucket}/churn/model.pkl"
    storage.Client().bucket(bucket).blob("churn/model.pkl").upload_from_filename(model.path)
    return model_uri


@dsl.container_component
def deploy(model_uri: str, endpoint: str):
    return dsl.ContainerSpec(
        image=SERVING_IMAGE,
        command=["deploy"],
        args=["--model-uri", model_uri, "--endpoint", endpoint],
    )


@dsl.pipeline(name="churn-retrain", description="Weekly churn retrain: BigQuery -> RF -> endpoint")
def churn_retrain(
    source_table: str = "analytics.customer_events",
    bucket: str = "acme-ml-models",
    endpoint: str = "churn-prod",
    min_accuracy: float = 0.8,
):
    rows = load_events(source_table=source_table).set_retry(3, backoff_duration="60s")
    model = train(rows=rows.outputs["rows"]).set_cpu_limit("4").set_memory_limit("16G")
    score = evaluate(rows=rows.outputs["rows"], model=model.outputs["model"]).set_retry(2)
    with dsl.If(score.outputs["Output"] >= min_accuracy, name="good-enough"):
        uri = export_model(model=model.outputs["model"], bucket=bucket).set_retry(2)
        deploy(model_uri=uri.output, endpoint=endpoint).set_retry(2)


if __name__ == "__main__":
    compiler.Compiler().compile(churn_retrain, "churn_retrain.yaml")
