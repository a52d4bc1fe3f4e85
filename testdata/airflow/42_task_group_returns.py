"""@task_group return values and explicit group ids called twice."""
from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, task, task_group


@task
def step(x):
    return x


@task_group(group_id="stage")
def stage(x):
    return [step(x), step.override(task_id="other")(x)]


@task_group
def nothing_returned():
    step(1)
    step(2)


with DAG("group_returns", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    begin = EmptyOperator(task_id="begin")
    done = EmptyOperator(task_id="done")
    begin >> stage(1) >> done
    begin >> stage(2) >> done
    begin >> nothing_returned() >> done
    stage.override(group_id="renamed")(3)
