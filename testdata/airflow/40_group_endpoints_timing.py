"""Group roots and leaves as Airflow computes them: when the dependency is set."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, TaskGroup

with DAG("group_endpoint_timing", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    start = EmptyOperator(task_id="start")
    end = EmptyOperator(task_id="end")

    with TaskGroup("early") as early:
        a = BashOperator(task_id="a", bash_command="echo a")
        b = BashOperator(task_id="b", bash_command="echo b")
    # wired before a >> b: every task is a root and a leaf now
    start >> early >> end
    a >> b

    with TaskGroup("with_teardown") as wt:
        create = BashOperator(task_id="create", bash_command="echo create").as_setup()
        work = BashOperator(task_id="work", bash_command="echo work")
        delete = BashOperator(task_id="delete", bash_command="echo delete").as_teardown(setups=create)
        create >> work >> delete
    wt >> end
    start >> wt
