"""Nested groups with their own default_args."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, TaskGroup

MODELS = ["gbm", "linear"]

with DAG("nested_defaults", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    with TaskGroup("train", default_args={"retries": 3}) as train:
        with TaskGroup("models") as models:
            for m in MODELS:
                with TaskGroup(f"{m}_grp", default_args={"retries": 5}):
                    fit = BashOperator(task_id="fit", bash_command=f"python fit.py {m}")
                    cv = BashOperator(task_id="cv", bash_command=f"python cv.py {m}", retries=0)
                    fit >> cv
        summary = BashOperator(task_id="summary", bash_command="python summary.py")
        models >> summary
    publish = BashOperator(task_id="publish", bash_command="python publish.py")
    train >> publish
