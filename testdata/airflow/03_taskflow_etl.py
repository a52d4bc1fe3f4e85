"""TaskFlow ETL for the recommendations feature store.

Dependencies come only from passing return values around.
"""
import pendulum
from airflow.sdk import dag, task


@dag(
    schedule="@hourly",
    start_date=pendulum.datetime(2024, 3, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "recs", "retries": 1},
    tags=["recs"],
)
def recs_feature_etl():
    @task
    def extract_events() -> str:
        return "/data/recs/events.parquet"

    @task
    def extract_items():
        return {"path": "/data/recs/items.parquet"}

    @task(retries=4)
    def join(events_path: str, items: dict) -> str:
        # heavy join, spot instances -> extra retries
        return "/data/recs/joined.parquet"

    @task
    def validate(joined_path):
        print("validating", joined_path)

    @task
    def load(joined_path):
        print("loading", joined_path)

    joined = join(extract_events(), extract_items())
    validate(joined)
    load(joined)
    # a second validation pass over the same output, kept on purpose
    validate(joined)


recs_feature_etl()
