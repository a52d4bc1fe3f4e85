"""
# Ad-click CTR model — feature backfill & retrain

Runs every 6 hours. SQL lives in ``sql/ctr/`` (see ``template_searchpath``) and
is rendered with a couple of team macros (``partition_path``, ``feature_version``).

**On failure** a Slack message goes to ``#ads-ml-alerts`` with the log URL.

`render_template_as_native_obj=True` is on so that ``params.feature_cols``
arrives in Python tasks as a real list rather than its string repr.
"""
from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Variable

SLACK_WEBHOOK_VAR = "ads_ml_slack_webhook"
FEATURE_VERSION = "v12"


def notify_slack(context):
    """Post a failure message to Slack. Never raise from a callback."""
    ti = context["task_instance"]
    text = f":red_circle: {ti.dag_id}.{ti.task_id} failed (try {ti.try_number}) — {ti.log_url}"
    try:
        url = Variable.get(SLACK_WEBHOOK_VAR)
        req = urllib.request.Request(url, data=json.dumps({"text": text}).encode(), method="POST")
        urllib.request.urlopen(req, timeout=10)
    except Exception as exc:  # noqa: BLE001
        print("slack notification failed:", exc)


def notify_success(context):
    print("ok:", context["dag_run"].run_id)


def sla_alert(dag, task_list, blocking_task_list, slas, blocking_tis):
    # Airflow 2 leftover — SLAs are gone in Airflow 3 (Deadline Alerts replace them)
    print("SLA missed:", task_list)


def partition_path(ds: str, table: str) -> str:
    return f"s3://acme-ads/{table}/dt={ds}/"


def _train(feature_cols, **context):
    # feature_cols is a list thanks to render_template_as_native_obj
    print("training on", len(feature_cols), "features at", context["ts"])


default_args = {
    "owner": "ads-ml",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    "execution_timeout": timedelta(hours=2),
    "on_failure_callback": notify_slack,
}

with DAG(
    "ctr_model_retrain",
    default_args=default_args,
    schedule="0 */6 * * *",
    start_date=datetime(2024, 6, 1),
    catchup=False,
    dagrun_timeout=timedelta(hours=5),
    template_searchpath=["/opt/airflow/sql/ctr", "/opt/airflow/sql/common"],
    user_defined_macros={
        "partition_path": partition_path,
        "feature_version": FEATURE_VERSION,
    },
    user_defined_filters={"upper": lambda s: str(s).upper()},
    render_template_as_native_obj=True,
    on_success_callback=notify_success,
    sla_miss_callback=sla_alert,
    params={"feature_cols": ["hour", "device", "placement", "advertiser_id"]},
    doc_md=__doc__,
    tags=["ads", "ctr"],
) as dag:
    extract_clicks = BashOperator(
        task_id="extract_clicks",
        bash_command=(
            "python ads/extract.py "
            "--out {{ partition_path(ds, 'clicks') }} "
            "--hour {{ logical_date.strftime('%H') }}"
        ),
        retries=4,
    )

    build_features = BashOperator(
        task_id="build_features",
        bash_command="python ads/features.py --version {{ feature_version }} "
        "--in {{ partition_path(ds, 'clicks') }} --out {{ partition_path(ds, 'features_' ~ feature_version) }}",
        execution_timeout=timedelta(hours=1),
    )

    train = PythonOperator(
        task_id="train_ctr_model",
        python_callable=_train,
        op_kwargs={"feature_cols": "{{ params.feature_cols }}"},
        retries=1,
        retry_exponential_backoff=False,
        on_failure_callback=[notify_slack],
    )

    calibrate = BashOperator(
        task_id="calibrate",
        bash_command="python ads/calibrate.py --model-dir /mnt/ads/models/{{ ts_nodash }} --method isotonic",
    )

    shadow_deploy = BashOperator(
        task_id="shadow_deploy",
        bash_command="kubectl -n ads rollout restart deploy/ctr-shadow",
        retries=0,
        on_failure_callback=None,  # shadow is best-effort, don't page
    )

    extract_clicks >> build_features >> train >> calibrate >> shadow_deploy
