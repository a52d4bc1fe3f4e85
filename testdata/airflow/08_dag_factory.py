"""One ingestion DAG per source system, from a factory.

Each DAG is put in the module globals so the scheduler finds it.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.standard.operators.bash import BashOperator

SOURCES = {
    "crm": {"schedule": "0 1 * * *", "retries": 2},
    "erp": {"schedule": "0 2 * * *", "retries": 0},
    "web": {"schedule": "@hourly", "retries": 5},
}

BASE_ARGS = {"owner": "data-eng", "retry_delay": timedelta(minutes=2)}


def create_dag(dag_id, schedule, default_args):
    with DAG(dag_id, schedule=schedule, default_args=default_args, start_date=datetime(2024, 1, 1)) as dag:
        pull = BashOperator(task_id="pull", bash_command=f"python ingest.py pull {dag_id}")
        stage = BashOperator(task_id="stage", bash_command=f"python ingest.py stage {dag_id}")
        merge = BashOperator(task_id="merge", bash_command=f"python ingest.py merge {dag_id}")
        pull >> stage >> merge
    return dag


for source, conf in SOURCES.items():
    dag_id = f"ingest_{source}"
    globals()[dag_id] = create_dag(dag_id, conf["schedule"], {**BASE_ARGS, "retries": conf["retries"]})

with DAG("ingest_healthcheck", schedule="*/30 * * * *", start_date=datetime(2024, 1, 1)) as health:
    BashOperator(task_id="ping", bash_command="curl -fsS http://ingest.internal/health")
