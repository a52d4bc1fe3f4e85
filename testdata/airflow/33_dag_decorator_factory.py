"""One training DAG per region from a single @dag-decorated factory."""
from datetime import datetime

from airflow.sdk import dag, task

REGIONS = ["eu", "us"]


def build(region):
    @dag(dag_id=f"train_{region}", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 2})
    def pipeline():
        @task
        def fit():
            return region

        @task(retries=0)
        def push(x):
            return x

        push(fit())

    return pipeline()


for r in REGIONS:
    globals()[f"train_{r}"] = build(r)
