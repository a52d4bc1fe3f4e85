"""Credit-risk scoring DAGs (migrated from Airflow 2.7, imports not yet cleaned up).

The migration to Airflow 3 was done with the minimum changes needed to load:
``schedule_interval`` -> ``schedule``, ``days_ago`` removed, ``DummyOperator``
-> ``EmptyOperator``. The old import paths below still work in Airflow 3 (with
deprecation warnings) so they were left alone. Ruff's AIR3xx rules will flag
them; see ticket RISK-1182.
"""
import logging
from datetime import datetime, timedelta

import airflow.providers.standard.operators.bash as bash_ops
from airflow.decorators import dag, task
from airflow.models import DAG
from airflow.models.baseoperator import chain
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import BranchPythonOperator, PythonOperator
from airflow.sdk import DAG as AirflowDAG
from airflow.utils.task_group import TaskGroup

# from airflow.utils.dates import days_ago          # removed in Airflow 3
# from airflow.operators.dummy import DummyOperator  # removed in Airflow 3

logger = logging.getLogger("risk.dags")

START = datetime(2023, 9, 1)
SCORECARD_VERSION = "2024.2"

default_args = {
    "owner": "credit-risk",
    "depends_on_past": False,
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}


def _pull_bureau_data(**context):
    logger.info("pulling bureau data for %s", context["ds"])
    return "/data/risk/bureau/{}.csv".format(context["ds_nodash"])


def _choose_model(**context):
    # weekends use the lighter model, the bureau feed is partial
    if context["logical_date"].weekday() >= 5:
        return "scoring.score_light"
    return "scoring.score_full"


# --- 1. classic context-manager DAG, aliased import -------------------------
with AirflowDAG(
    dag_id="credit_risk_daily_scoring",
    default_args=default_args,
    schedule="0 6 * * *",  # was: schedule_interval="0 6 * * *"
    start_date=START,
    catchup=False,
    tags=["risk", "scoring"],
) as scoring_dag:
    start = EmptyOperator(task_id="start")

    pull = PythonOperator(
        task_id="pull_bureau_data",
        python_callable=_pull_bureau_data,
        retries=3,
    )

    with TaskGroup("scoring", tooltip="choose and run a scorecard") as scoring:
        branch = BranchPythonOperator(task_id="choose_model", python_callable=_choose_model)
        full = bash_ops.BashOperator(
            task_id="score_full",
            bash_command=f"python risk/score.py --scorecard {SCORECARD_VERSION} --mode full --ds {{{{ ds }}}}",
        )
        light = bash_ops.BashOperator(
            task_id="score_light",
            bash_command=f"python risk/score.py --scorecard {SCORECARD_VERSION} --mode light --ds {{{{ ds }}}}",
            retries=0,
        )
        branch >> [full, light]

    publish = bash_ops.BashOperator(
        task_id="publish_scores",
        bash_command="python risk/publish.py --ds {{ ds }}",
        trigger_rule="none_failed_min_one_success",
    )

    chain(start, pull, scoring, publish)


# --- 2. airflow.models.DAG, explicit dag= on every operator -----------------
monitoring_dag = DAG(
    "credit_risk_model_monitoring",
    default_args={**default_args, "retries": 2},
    schedule="@weekly",
    start_date=START,
    catchup=False,
    tags=["risk", "monitoring"],
)

psi = bash_ops.BashOperator(
    task_id="population_stability_index",
    bash_command="python risk/monitoring/psi.py --window 7",
    dag=monitoring_dag,
)
ks = bash_ops.BashOperator(
    task_id="ks_statistic",
    bash_command="python risk/monitoring/ks.py --window 7",
    dag=monitoring_dag,
)
alert = PythonOperator(
    task_id="alert_if_drift",
    python_callable=lambda: logger.warning("drift check done"),
    dag=monitoring_dag,
    retries=0,
)
[psi, ks] >> alert


# --- 3. TaskFlow via the old airflow.decorators path ------------------------
@dag(
    schedule=None,
    start_date=START,
    catchup=False,
    default_args=default_args,
    tags=["risk", "adhoc"],
)
def credit_risk_recalibration():
    """Manual recalibration of the scorecard after a policy change."""

    @task
    def load_outcomes() -> str:
        return "/data/risk/outcomes/latest.parquet"

    @task(retries=0)
    def refit_calibration(outcomes_path: str) -> str:
        return outcomes_path.replace("outcomes", "calibration")

    write = bash_ops.BashOperator(
        task_id="write_calibration_table",
        bash_command="python risk/write_calibration.py",
    )

    refit_calibration(load_outcomes()) >> write


credit_risk_recalibration()
