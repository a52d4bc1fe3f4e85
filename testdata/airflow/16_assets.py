"""Asset-driven feature pipeline (Airflow 3)."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Asset, asset

FEATURES = Asset("s3://ml-lake/features/daily.parquet")
LABELS = Asset("s3://ml-lake/labels/daily.parquet")

with DAG("features_producer", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    BashOperator(task_id="build_features", bash_command="python build_features.py", outlets=[FEATURES])

with DAG("labels_producer", schedule="@daily", start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="build_labels", bash_command="python build_labels.py", outlets=[LABELS])

with DAG("train_on_new_data", schedule=[FEATURES, LABELS], start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="train", bash_command="python train.py", retries=2)

with DAG("drift_on_either", schedule=(FEATURES | LABELS), start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="drift_report", bash_command="python drift.py")


@asset(schedule="@daily", uri="s3://ml-lake/reference/holidays.parquet")
def holidays_reference():
    return None
