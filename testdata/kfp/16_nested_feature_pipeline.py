"""Churn model training with a reusable feature-engineering sub-pipeline.

The feature sub-pipeline is owned by the data platform team and gets
embedded twice here: once for the training window and once for the
holdout window. Keep the two calls in sync when changing defaults.

Owner: growth-ml@ (ping #churn-model before touching thresholds)
"""
from typing import NamedTuple

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output

PYTHON_IMAGE = "python:3.10-slim"


@dsl.component(base_image=PYTHON_IMAGE, packages_to_install=["pandas==2.1.4", "pyarrow==14.0.2"])
def extract_events(source_table: str, start_date: str, end_date: str, events: Output[Dataset]):
    """Pull raw product events for a date window (parquet export)."""
    import pandas as pd

    # TODO(jdoe): switch to the BigQuery storage API once quota is sorted
    df = pd.DataFrame(
        {"user_id": [1, 2, 3], "event": ["login", "purchase", "login"], "ts": [start_date] * 3}
    )
    df.to_parquet(events.path)
    events.metadata["source"] = source_table
    events.metadata["window"] = f"{start_date}..{end_date}"


@dsl.component(base_image=PYTHON_IMAGE, packages_to_install=["pandas==2.1.4", "pyarrow==14.0.2"])
def build_features(events: Input[Dataset], lookback_days: int, features: Output[Dataset]) -> int:
    import pandas as pd

    df = pd.read_parquet(events.path)
    agg = df.groupby("user_id").agg(n_events=("event", "count")).reset_index()
    agg["lookback"] = lookback_days
    agg.to_parquet(features.path)
    return len(agg)


@dsl.pipeline(name="feature-engineering", description="Events -> per-user features.")
def feature_engineering(
    source_table: str,
    start_date: str,
    end_date: str,
    lookback_days: int = 28,
) -> NamedTuple("FeatureOutputs", [("features", Dataset), ("row_count", int)]):
    raw = extract_events(source_table=source_table, start_date=start_date, end_date=end_date)
    feats = build_features(events=raw.outputs["events"], lookback_days=lookback_days)
    Outputs = NamedTuple("FeatureOutputs", [("features", Dataset), ("row_count", int)])
    return Outputs(features=feats.outputs["features"], row_count=feats.outputs["Output"])


@dsl.component(base_image=PYTHON_IMAGE, packages_to_install=["scikit-learn==1.3.2", "pandas==2.1.4", "pyarrow"])
def train_churn_model(
    train_features: Input[Dataset],
    n_estimators: int,
    model: Output[Model],
):
    import pickle

    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier

    df = pd.read_parquet(train_features.path)
    clf = RandomForestClassifier(n_estimators=n_estimators)
    # labels are fake until the label join lands
    clf.fit(df[["n_events"]], (df["n_events"] > 1).astype(int))
    with open(model.path, "wb") as fh:
        pickle.dump(clf, fh)


@dsl.component(base_image=PYTHON_IMAGE, packages_to_install=["scikit-learn==1.3.2", "pandas==2.1.4", "pyarrow"])
def evaluate_churn_model(
    model: Input[Model],
    holdout_features: Input[Dataset],
    holdout_rows: int,
    metrics: Output[Metrics],
) -> float:
    import pickle

    import pandas as pd

    with open(model.path, "rb") as fh:
        clf = pickle.load(fh)
    df = pd.read_parquet(holdout_features.path)
    acc = float(clf.score(df[["n_events"]], (df["n_events"] > 1).astype(int)))
    metrics.log_metric("accuracy", acc)
    metrics.log_metric("holdout_rows", holdout_rows)
    return acc


# NOTE: no name= here on purpose, the pipeline name comes from the function name
@dsl.pipeline(description="Weekly churn model retrain.")
def churn_training(
    source_table: str = "analytics.events_v2",
    train_start: str = "2024-01-01",
    train_end: str = "2024-03-31",
    holdout_start: str = "2024-04-01",
    holdout_end: str = "2024-04-30",
    n_estimators: int = 200,
):
    train_feats = feature_engineering(
        source_table=source_table, start_date=train_start, end_date=train_end
    )
    train_feats.set_display_name("train-window-features")

    holdout_feats = feature_engineering(
        source_table=source_table,
        start_date=holdout_start,
        end_date=holdout_end,
        lookback_days=14,
    )
    # the holdout export flakes on Mondays
    holdout_feats.set_retry(num_retries=2)

    model = train_churn_model(
        train_features=train_feats.outputs["features"], n_estimators=n_estimators
    )
    evaluate_churn_model(
        model=model.outputs["model"],
        holdout_features=holdout_feats.outputs["features"],
        holdout_rows=holdout_feats.outputs["row_count"],
    )


if __name__ == "__main__":
    compiler.Compiler().compile(churn_training, "churn_training.yaml")
