"""Global pricing model: regional fan-out / fan-in.

For each sales region we ingest orders, build features, train a local
elasticity model and score the catalogue; the regional scores are then merged
into a single price recommendation table and pushed to the pricing service.

Retry policy (agreed with the data-eng on-call, see RUNBOOK.md):

* default: 1 retry
* warehouse / network-bound steps: ``RETRIES`` (3)
* anything that writes to prod tables: 0 retries, a human looks first
"""
from __future__ import annotations

import datetime as dt

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, TaskGroup

RETRIES = 3
REGIONS = ["emea", "amer", "apac", "latam"]
WAREHOUSE_CONN = "snowflake_pricing"
SCORES_PREFIX = "s3://acme-pricing/scores"

default_args = {
    "owner": "pricing-ml",
    "retries": 1,
    "retry_delay": dt.timedelta(minutes=5),
    "email": ["pricing-oncall@acme.io"],
    "email_on_failure": True,
}


def _validate_orders(region: str, **context) -> None:
    print(f"validating orders for {region} on {context['ds']}")


def _merge_scores(regions, **_):
    print("merging", ", ".join(regions))


def _check_drift(**_):
    # placeholder — the drift job moved to the monitoring DAG
    return None


def region_cmd(script: str, region: str, extra: str = "") -> str:
    return f"python pricing/{script}.py --region {region} --date {{{{ ds }}}} {extra}".strip()


with DAG(
    dag_id="global_pricing_model",
    schedule="0 3 * * *",
    start_date=dt.datetime(2024, 1, 15),
    catchup=False,
    default_args=default_args,
    max_active_tasks=16,
    tags=["pricing", "ml", "regional"],
    doc_md=__doc__,
) as dag:
    begin = EmptyOperator(task_id="begin")

    refresh_fx = BashOperator(
        task_id="refresh_fx_rates",
        bash_command="python pricing/fx.py --date {{ ds }}",
        retries=RETRIES,
    )
    refresh_catalogue = BashOperator(
        task_id="refresh_catalogue",
        bash_command="python pricing/catalogue.py --snapshot {{ ds_nodash }}",
        retries=RETRIES,
    )

    inputs_ready = EmptyOperator(task_id="inputs_ready")
    begin >> [refresh_fx, refresh_catalogue] >> inputs_ready

    regional_done = []
    for region in REGIONS:
        with TaskGroup(group_id=f"region_{region}") as tg:
            ingest = BashOperator(
                task_id="ingest_orders",
                bash_command=region_cmd("ingest_orders", region, f"--conn {WAREHOUSE_CONN}"),
                retries=RETRIES,
            )
            validate = PythonOperator(
                task_id="validate_orders",
                python_callable=_validate_orders,
                op_kwargs={"region": region},
            )
            features = BashOperator(
                task_id="build_features",
                bash_command=region_cmd("features", region),
            )
            train = BashOperator(
                task_id="train_elasticity",
                bash_command=region_cmd("train", region, "--model-out models/{}.pkl".format(region)),
                retries=0 if region == "apac" else RETRIES,  # apac trains on spot, fails fast
                execution_timeout=dt.timedelta(hours=2),
            )
            score = BashOperator(
                task_id="score_catalogue",
                bash_command=region_cmd("score", region, f"--out {SCORES_PREFIX}/{region}/{{{{ ds }}}}.parquet"),
            )
            ingest >> validate >> features >> train >> score
        inputs_ready >> tg
        regional_done.append(tg)

    merge = PythonOperator(
        task_id="merge_regional_scores",
        python_callable=_merge_scores,
        op_args=[REGIONS],
    )

    drift = PythonOperator(task_id="check_drift", python_callable=_check_drift, retries=RETRIES)

    write_prod = BashOperator(
        task_id="write_price_table",
        bash_command="python pricing/write_prod.py --date {{ ds }} --table PRICING.RECOMMENDATIONS",
        retries=0,
    )
    push = BashOperator(
        task_id="push_to_pricing_service",
        bash_command="curl -fsS -X POST https://pricing.internal/api/v1/reload?date={{ ds }}",
        retries=RETRIES,
    )
    report = BashOperator(
        task_id="publish_report",
        bash_command="python pricing/report.py --date {{ ds }} --to pricing-weekly@acme.io",
        retries=0,
        trigger_rule="all_done",
    )
    end = EmptyOperator(task_id="end", trigger_rule="none_failed")

    regional_done >> merge
    merge >> [drift, write_prod]
    write_prod >> push >> end
    [drift, push] >> report
    report >> end

    # if False:  # old sequential version, kept for reference
    #     for a, b in zip(regional_done, regional_done[1:]):
    #         a >> b
