"""Weekly MLOps pipeline: bash steps handing files to each other."""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

REPO = "/opt/ml-pipelines"
PY = "python "

with DAG(
    "weekly_mlops",
    schedule="0 1 * * 0",
    start_date=datetime(2024, 1, 1),
    default_args={"owner": "mlops", "retries": 1, "retry_delay": timedelta(minutes=10)},
):
    deps = BashOperator(task_id="install_deps", bash_command="pip install -r requirements.txt && pip install pandas")
    featurize = BashOperator(
        task_id="featurize",
        bash_command="""
        set -euo pipefail
        python pipelines/featurize.py \\
            --input data/raw/events.csv \\
            --output data/features.parquet
        """,
    )
    train = BashOperator(
        task_id="train",
        bash_command="python pipelines/train.py --input data/features.parquet --output models/model.pkl",
        retries=0,
    )
    evaluate = BashOperator(
        task_id="evaluate",
        bash_command=PY + "pipelines/evaluate.py models/model.pkl reports/metrics.json",
    )
    deps >> featurize >> train >> evaluate
