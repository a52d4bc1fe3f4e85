"""Ingest DAG assembled from the team's shared task factories."""
from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG
from dag_common import factories
from dag_common.defaults import DEFAULT_ARGS
from dag_common.factories import ingest_group

with DAG("shared_factories_ingest", schedule="@daily", start_date=datetime(2024, 1, 1), default_args=DEFAULT_ARGS):
    start = EmptyOperator(task_id="start")
    done = EmptyOperator(task_id="done")
    for source in ["crm", "billing"]:
        start >> ingest_group(source, retries=4 if source == "billing" else 1) >> done
    done >> factories.per_region("publish")
