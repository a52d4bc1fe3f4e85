"""Daily merchant risk score.

Pulls yesterday's settlements, cleans them, builds rolling features, retrains
the risk model and scores every active merchant. Replaces the old
`risk-batch` cron box (decommissioned 2024-03).

Data lives on the shared /data volume that every worker mounts; tasks hand
files to each other by path. The scripts are synced with the DAG folder
(dags/scripts/); the Bash tasks run with cwd set to the DAG folder so that
`python scripts/...` finds them.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.decorators import task
from airflow.models.baseoperator import chain
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

DAG_DIR = os.path.dirname(os.path.abspath(__file__))
SLACK_CHANNEL = "#risk-ml"

default_args = {
    "owner": "risk-ml",
    "depends_on_past": False,
    "email": ["risk-ml-alerts@example.com"],
    "email_on_failure": True,
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}


def _post_to_slack(text: str) -> None:
    """Post to the team channel via the slack_risk_ml webhook connection."""
    from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook

    SlackWebhookHook(slack_webhook_conn_id="slack_risk_ml").send(text=text, channel=SLACK_CHANNEL)


def build_features(clean_path: str, out_path: str, window_days: int = 28, min_txns: int = 5) -> str:
    """Rolling per-merchant aggregates over the last `window_days` days.

    Imports are local so the scheduler does not pay for pandas at parse time.
    """
    import numpy as np
    import pandas as pd

    df = pd.read_parquet(clean_path)
    df = df.sort_values(["merchant_id", "settled_at"]).set_index("settled_at")
    g = df.groupby("merchant_id")
    win = f"{window_days}D"
    feats = pd.DataFrame({
        "txn_count": g["amount"].rolling(win).count(),
        "amount_sum": g["amount"].rolling(win).sum(),
        "amount_std": g["amount"].rolling(win).std(),
        "chargeback_rate": g["is_chargeback"].rolling(win).mean(),
        "refund_rate": g["is_refund"].rolling(win).mean(),
    }).reset_index()
    last = feats.groupby("merchant_id").tail(1)
    last = last[last["txn_count"] >= min_txns].copy()
    last["log_amount_sum"] = np.log1p(last["amount_sum"].clip(lower=0))
    last = last.merge(df.reset_index()[["merchant_id", "label_fraud_90d"]].drop_duplicates("merchant_id"),
                      on="merchant_id", how="left")
    last.fillna({"amount_std": 0.0, "label_fraud_90d": 0}).to_parquet(out_path, index=False)
    return out_path


with DAG(
    dag_id="merchant_risk_daily",
    description="Retrain and score the merchant risk model",
    schedule="30 2 * * *",
    start_date=datetime(2024, 3, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["risk", "ml"],
) as dag:
    # settlements API is flaky in the early morning -- give it more tries
    extract = BashOperator(
        task_id="extract",
        bash_command="python scripts/extract.py --date {{ ds }} --out /data/raw.csv",
        cwd=DAG_DIR,
        retries=5,
    )

    clean = BashOperator(
        task_id="clean",
        bash_command="python scripts/clean.py --in /data/raw.csv --out /data/clean.parquet",
        cwd=DAG_DIR,
    )

    features = PythonOperator(
        task_id="build_features",
        python_callable=build_features,
        op_kwargs={
            "clean_path": "/data/clean.parquet",
            "out_path": "/data/features.parquet",
            "window_days": 28,
            "min_txns": 5,
        },
    )

    @task
    def train_model(features_path: str, n_estimators: int = 300, learning_rate: float = 0.05,
                    model_path: str = "/data/models/risk_model.joblib") -> str:
        """Fit the risk classifier; returns where the model was written (XCom)."""
        import joblib
        import pandas as pd
        from sklearn.ensemble import HistGradientBoostingClassifier

        df = pd.read_parquet(features_path)
        X = df.drop(columns=["merchant_id", "label_fraud_90d", "settled_at"], errors="ignore")
        y = df["label_fraud_90d"].astype(int)
        clf = HistGradientBoostingClassifier(max_iter=n_estimators, learning_rate=learning_rate,
                                             class_weight="balanced", random_state=7)
        clf.fit(X, y)
        joblib.dump({"model": clf, "columns": list(X.columns)}, model_path)
        return model_path

    model = train_model("/data/features.parquet", n_estimators=400)

    evaluate = BashOperator(
        task_id="evaluate",
        bash_command=(
            "python scripts/evaluate.py "
            "--model {{ ti.xcom_pull(task_ids='train_model') }} "
            "--data /data/features.parquet --metrics /data/metrics.json"
        ),
        cwd=DAG_DIR,
        retries=0,  # deterministic; if it fails a human should look
    )

    @task
    def notify(**context) -> None:
        """Post the run summary to Slack."""
        import json

        ti = context["ti"]
        model_path = ti.xcom_pull(task_ids="train_model")
        with open("/data/metrics.json") as fh:
            metrics = json.load(fh)
        _post_to_slack(
            f"merchant_risk_daily {context['ds']}: AUC={metrics['roc_auc']:.3f} "
            f"PR-AUC={metrics['pr_auc']:.3f}, model at {model_path}"
        )

    extract >> clean
    chain(clean, features, model, evaluate, notify())
