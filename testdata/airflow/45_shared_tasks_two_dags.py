"""Module-level TaskFlow functions used by two DAGs, explicit ids repeated."""
from datetime import datetime

from airflow.sdk import DAG, task


@task
def extract(source: str):
    return source


@task(task_id="load_it")
def load(rows):
    return rows


for name in ["daily", "hourly"]:
    with DAG(f"shared_{name}", schedule=f"@{name}", start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
        load(extract("a"))
        load(extract("b"))
        extract.override(task_id="extract_c")("c")
        extract.override(task_id="extract_c")("d")
