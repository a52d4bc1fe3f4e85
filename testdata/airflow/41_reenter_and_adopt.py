"""A DAG object entered twice, and tasks made outside any DAG that join one."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

dag = DAG("reentered", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 2})

with dag:
    first = BashOperator(task_id="first", bash_command="echo 1")

with dag:
    second = BashOperator(task_id="second", bash_command="echo 2")
    first >> second

loose = BashOperator(task_id="loose", bash_command="echo loose")
second >> loose
