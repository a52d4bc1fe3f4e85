"""Airflow-2-era import paths and aliases that still load."""
from datetime import datetime

import airflow.providers.standard.operators.bash as bash_ops
from airflow.decorators import dag, task
from airflow.models import DAG as AirflowDAG
from airflow.operators.python import PythonOperator
from airflow.utils.task_group import TaskGroup


def _hello():
    print("hello")


with AirflowDAG("legacy_imports", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    with TaskGroup("g") as g:
        a = bash_ops.BashOperator(task_id="a", bash_command="echo a")
        b = PythonOperator(task_id="b", python_callable=_hello)
        a >> b


@dag(schedule=None, start_date=datetime(2024, 1, 1))
def decorators_v2():
    @task
    def one():
        return 1

    @task(retries=2)
    def two(x):
        return x + 1

    two(one())


decorators_v2()
