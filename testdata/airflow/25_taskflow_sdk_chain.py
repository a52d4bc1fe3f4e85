"""
### Churn model — weekly retrain (Airflow 3 / TaskFlow)

Owner: ml-platform (#ml-platform-alerts)

Pulls the last 90 days of subscription events from the warehouse, builds the
feature table, retrains the gradient-boosted churn model and, if it beats the
current champion on AUC, registers it in the model registry.

Ported from the old Airflow 2 `churn_weekly_retrain` DAG in Q1; the classic
BashOperator steps are kept where the data-eng team still owns the scripts.
"""
from __future__ import annotations

import logging
from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import Param, TaskGroup, chain, dag, task

log = logging.getLogger(__name__)

FEATURE_BUCKET = "s3://acme-ml-features/churn"
MODEL_NAME = "churn-gbm"
# MIN_AUC = 0.78  # raised after the Q3 review, see below
MIN_AUC = 0.81

default_args = {
    "owner": "ml-platform",
    "depends_on_past": False,
    "email": ["ml-platform@acme.io"],
    "email_on_failure": False,
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
}


@dag(
    dag_id="churn_weekly_retrain_v2",
    schedule="0 4 * * 1",
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Berlin"),
    catchup=False,
    default_args=default_args,
    max_active_runs=1,
    tags=["ml", "churn", "retrain"],
    doc_md=__doc__,
    params={
        "lookback_days": Param(90, type="integer", minimum=7, maximum=365),
        "force_register": Param(False, type="boolean"),
        "sample_frac": 1.0,
    },
)
def churn_weekly_retrain():
    start = EmptyOperator(task_id="start")

    @task
    def snapshot_date(**context) -> str:
        # logical date in the DAG's timezone, used as the partition key everywhere
        return context["logical_date"].strftime("%Y-%m-%d")

    extract_events = BashOperator(
        task_id="extract_subscription_events",
        bash_command=(
            "python -m etl.extract_events "
            "--since '{{ macros.ds_add(ds, -params.lookback_days) }}' "
            "--until '{{ ds }}' "
            f"--out {FEATURE_BUCKET}/raw/{{{{ ds_nodash }}}}/events.parquet"
        ),
        retries=4,  # warehouse is flaky on Monday mornings
    )

    with TaskGroup(group_id="features", tooltip="feature engineering") as features:

        @task
        def build_usage_features(day: str) -> str:
            out = f"{FEATURE_BUCKET}/features/{day}/usage.parquet"
            log.info("writing %s", out)
            return out

        @task
        def build_billing_features(day: str) -> str:
            return f"{FEATURE_BUCKET}/features/{day}/billing.parquet"

        @task(retries=0)
        def join_features(usage: str, billing: str) -> str:
            # cheap, deterministic: no point retrying
            return usage.replace("usage", "joined")

        day = snapshot_date()
        joined = join_features(build_usage_features(day), build_billing_features(day))

    @task(retries=1, execution_timeout=timedelta(hours=3))
    def train_model(params=None) -> dict:
        frac = (params or {}).get("sample_frac", 1.0)
        log.info("training %s on %.0f%% of rows", MODEL_NAME, frac * 100)
        return {"run_id": "mlflow-run-id", "auc": 0.83}

    @task
    def evaluate(metrics: dict) -> bool:
        return metrics["auc"] >= MIN_AUC

    @task.short_circuit
    def should_register(passed: bool, params=None) -> bool:
        return passed or bool((params or {}).get("force_register"))

    register = BashOperator(
        task_id="register_model",
        bash_command=f"mlflow models register --name {MODEL_NAME} "
        "--run-id {{ ti.xcom_pull(task_ids='train_model')['run_id'] }}",
    )

    notify = EmptyOperator(task_id="notify_done", trigger_rule="none_failed_min_one_success")

    metrics = train_model()
    verdict = evaluate(metrics)

    # NB: chain() wires each element to the next, a TaskGroup counts as one node
    chain(start, extract_events, features, metrics)
    chain(*[verdict, should_register(verdict), register, notify])

    # def _old_wiring():
    #     start >> extract_events >> [features, metrics] >> register


churn_weekly_retrain()
