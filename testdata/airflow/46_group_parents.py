"""Explicit parent_group and prefix_group_id=False inside a prefixed group."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, TaskGroup

with DAG("group_parents", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    outer = TaskGroup("outer")
    inner = TaskGroup("inner", parent_group=outer)
    flat = TaskGroup("flat", parent_group=outer, prefix_group_id=False)
    one = BashOperator(task_id="one", bash_command="echo", task_group=inner)
    two = BashOperator(task_id="two", bash_command="echo", task_group=flat)
    with TaskGroup("ctx", prefix_group_id=False) as ctx:
        with TaskGroup("deeper"):
            three = BashOperator(task_id="three", bash_command="echo")
    one >> two >> three
