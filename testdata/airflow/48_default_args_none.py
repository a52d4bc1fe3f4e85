"""`default_args=None` written out: Airflow 3 cannot load this file."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG("retries_none_args", schedule=None, start_date=datetime(2024, 1, 1), default_args=None):
    BashOperator(task_id="plain", bash_command="echo")
