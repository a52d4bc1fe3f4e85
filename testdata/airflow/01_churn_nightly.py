"""Nightly churn model retrain.

Owner: ml-platform. Moved from the old cron box in 2023; the bash commands
still call the same scripts the Makefile used to.
"""
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import TaskGroup, task

DAG_ID = os.path.basename(__file__).replace(".py", "")
TABLES = ["orders", "users"]

default_args = {
    "owner": "ml-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    # "email": ["ml-alerts@example.com"],
}

with DAG(
    DAG_ID,
    schedule="0 3 * * *",
    default_args=default_args,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["ml", "churn"],
) as dag:
    start = EmptyOperator(task_id="start")
    extract = BashOperator(
        task_id="extract",
        bash_command="python scripts/extract.py data/raw.csv data/clean.csv",
        retries=0,  # extract is not idempotent (see INC-2291)
    )
    train = BashOperator(
        task_id="train",
        bash_command="pip install pandas && python scripts/train.py data/clean.csv models/model.pkl",
    )
    with TaskGroup("load") as load:
        for t in TABLES:
            BashOperator(task_id=f"load_{t}", bash_command=f"make -C ml load TABLE={t}")

    @task
    def features():
        return "/data/tmp/features.parquet"

    @task(retries=3)
    def fit(features_path):
        print(features_path)

    f = features()
    start >> extract >> [train, load]
    load >> fit(f)
    # second fit on a fresh features run, kept for the A/B comparison
    fit(features())
