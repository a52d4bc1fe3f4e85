"""Half-migrated to Airflow 3: new imports, old schedule_interval argument."""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(
    "half_migrated",
    schedule_interval=timedelta(days=1),
    start_date=datetime(2024, 1, 1),
    default_args={"retries": 2},
):
    BashOperator(task_id="run", bash_command="python run.py")
