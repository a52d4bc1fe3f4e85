"""Odd retries values people write."""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, TaskGroup

with DAG(
    "retries_edges",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    default_args={"retries": 3, "retry_delay": timedelta(seconds=30)},
):
    BashOperator(task_id="from_dag", bash_command="echo")
    BashOperator(task_id="task_default_args", bash_command="echo", default_args={"retries": 6})
    with TaskGroup("g", default_args={"retries": 0}):
        BashOperator(task_id="group_zero", bash_command="echo")
        BashOperator(task_id="group_zero_task_wins", bash_command="echo", retries=2)
