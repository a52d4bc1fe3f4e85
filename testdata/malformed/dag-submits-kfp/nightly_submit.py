"""Nightly: compile the ranking pipeline and submit it to the KFP cluster."""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.python import PythonOperator

import kfp
from kfp import compiler, dsl

KFP_HOST = "https://kfp.internal.example.com"


@dsl.component(base_image="python:3.11.9-slim")
def rank(day: str) -> str:
    return day


@dsl.pipeline(name="ranking-nightly")
def ranking(day: str):
    rank(day=day).set_retry(2)


def submit(ds, **_):
    compiler.Compiler().compile(ranking, "/tmp/ranking.yaml")
    kfp.Client(host=KFP_HOST).create_run_from_pipeline_package(
        "/tmp/ranking.yaml", arguments={"day": ds}


with DAG(
    "ranking_submit",
    start_date=datetime(2024, 1, 1),
    schedule="0 3 * * *",
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
) as dag:
    PythonOperator(task_id="submit", python_callable=submit)
