"""Ingest jobs built by helper functions (the team's 'mini framework')."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, TaskGroup

SOURCES = ["stripe", "zendesk", "hubspot"]


def make_ingest(dag, source, retries=1):
    extract = BashOperator(task_id=f"{source}_extract", bash_command=f"meltano run tap-{source}", dag=dag, retries=retries)
    load = BashOperator(task_id=f"{source}_load", bash_command=f"python load.py {source}", dag=dag)
    extract >> load
    return extract, load


def quality_group(name, checks=("freshness", "volume")):
    with TaskGroup(group_id=f"{name}_quality") as group:
        prev = None
        for check in checks:
            op = BashOperator(task_id=check, bash_command=f"soda scan {name} {check}")
            if prev is not None:
                prev >> op
            prev = op
    return group


with DAG("saas_ingest", schedule="@hourly", start_date=datetime(2024, 1, 1), default_args={"retries": 2}) as dag:
    start = EmptyOperator(task_id="start")
    for s in SOURCES:
        first, last = make_ingest(dag, s, retries=3 if s == "stripe" else 1)
        start >> first
        last >> quality_group(s)
    dbt = BashOperator(task_id="dbt_build", bash_command="dbt build --select tag:saas")
    [quality_group("all_sources", checks=("schema",))] >> dbt
