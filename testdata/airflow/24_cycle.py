"""A DAG someone broke: the backfill step feeds the extract again."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG("broken_cycle", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    extract = BashOperator(task_id="extract", bash_command="python extract.py")
    transform = BashOperator(task_id="transform", bash_command="python transform.py")
    backfill = BashOperator(task_id="backfill", bash_command="python backfill.py")
    extract >> transform >> backfill
    backfill >> extract
