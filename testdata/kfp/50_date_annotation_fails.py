"""Partition freshness check (BROKEN -- does not compile).

The component returns a `datetime.date`: KFP can only pass parameters (str,
int, float, bool, list, dict) and artifacts between tasks, so the SDK
raises a TypeError when it reads the signature. Return an ISO string.
"""
import datetime

from kfp import dsl


@dsl.component(base_image="python:3.11.9-slim")
def latest_partition(table: str) -> datetime.date:
    import datetime

    return datetime.date.today()


@dsl.component(base_image="python:3.11.9-slim")
def alert_if_stale(table: str, max_age_days: int):
    print(table, max_age_days)


@dsl.pipeline(name="partition-freshness")
def partition_freshness(table: str = "ops.orders"):
    latest_partition(table=table).set_retry(2)
    alert_if_stale(table=table, max_age_days=2).set_retry(2)
