"""Per-market scoring, one task group per market (called twice)."""
from datetime import datetime

from airflow.sdk import dag, task, task_group


@task
def fetch(market: str) -> str:
    return f"/data/{market}/scores_input.parquet"


@task(retries=2)
def score(path: str) -> str:
    return path.replace("input", "output")


@task
def publish(paths):
    print(paths)


@task_group
def market_pipeline(market: str):
    @task_group(group_id="quality")
    def quality(path):
        @task
        def null_check(p):
            return p

        @task
        def range_check(p):
            return p

        return [null_check(path), range_check(path)]

    scored = score(fetch(market))
    quality(scored)
    return scored


@dag(dag_id="market_scoring", schedule="30 5 * * *", start_date=datetime(2024, 2, 1), catchup=False)
def market_scoring():
    de = market_pipeline("de")
    fr = market_pipeline("fr")
    publish([de, fr])


market_scoring()
