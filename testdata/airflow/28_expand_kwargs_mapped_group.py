"""Per-market demand forecast with dynamic task mapping.

* One training config per market, passed with ``expand_kwargs`` (list of dicts).
* The whole "fit → backtest → publish" chain is a mapped task group, expanded
  over the markets returned by ``discover_markets``.
* Exports use ``BashOperator.partial(...)`` so the retry policy is set once.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, task, task_group

MARKETS = ["de", "fr", "it", "es"]
HORIZON_DAYS = 28

TRAIN_CONFIGS = [
    {"market": "de", "model": "lightgbm", "lags": 14},
    {"market": "fr", "model": "lightgbm", "lags": 14},
    {"market": "it", "model": "prophet", "lags": 7},
    {"market": "es", "model": "prophet", "lags": 7},
]


def _on_retry(context):
    ti = context["ti"]
    print(f"retrying {ti.task_id} map_index={ti.map_index}")


with DAG(
    dag_id="demand_forecast_by_market",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 2, 1, tz="UTC"),
    catchup=False,
    default_args={
        "owner": "forecasting",
        "retries": 1,
        "retry_delay": timedelta(minutes=15),
        "on_retry_callback": _on_retry,
    },
    doc_md=__doc__,
    tags=["forecasting", "mapping"],
) as dag:

    @task
    def discover_markets() -> list[str]:
        # in prod this reads the markets table; hard-coded while EU-only
        return MARKETS

    @task(retries=3)
    def fit(market: str, model: str, lags: int) -> str:
        path = f"/mnt/models/{market}/{model}_lags{lags}.bin"
        print("fitting", market, model, lags, "->", path)
        return path

    fitted = fit.expand_kwargs(TRAIN_CONFIGS)

    @task_group(group_id="per_market")
    def per_market(market: str):
        @task
        def load_history(market: str) -> str:
            return f"/mnt/history/{market}.parquet"

        @task(retries=0)
        def backtest(history_path: str, horizon: int = HORIZON_DAYS) -> dict:
            return {"path": history_path, "mape": 0.12, "horizon": horizon}

        @task
        def publish(result: dict) -> None:
            print(json.dumps(result))

        publish(backtest(load_history(market)))

    markets = discover_markets()
    grouped = per_market.expand(market=markets)

    export = BashOperator.partial(
        task_id="export_forecast",
        retries=4,
        retry_exponential_backoff=True,
        max_retry_delay=timedelta(hours=1),
    ).expand(
        bash_command=[
            f"python forecast/export.py --market {m} --horizon {HORIZON_DAYS} --date {{{{ ds }}}}"
            for m in MARKETS
        ]
    )

    summary = BashOperator(
        task_id="summarize_run",
        bash_command="python forecast/summarize.py --date {{ ds }}",
        retries=0,
    )

    fitted >> grouped >> export >> summary
