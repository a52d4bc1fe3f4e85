"""Weekly churn model: Airflow schedules it, the Makefile in ml/ builds it.

The DAG replaced a Jenkins cron job in 2024. Feature building and training
still run through `make`, so the Makefile's own steps inherit the retries
set here; the scoring and reporting steps were rewritten as Airflow tasks.
"""
from datetime import datetime, timedelta

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, task

default_args = {
    "owner": "growth-ml",
    "retry_delay": timedelta(minutes=10),
}

with DAG(
    dag_id="churn_weekly",
    schedule="0 4 * * 1",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args=default_args,
    tags=["churn"],
) as dag:
    build = BashOperator(task_id="build_model", bash_command="make -C ../ml train", retries=3)

    score = DockerOperator(
        task_id="score_customers",
        image="growth/churn-scorer:latest",
        command="python score.py --model /models/model.pkl --out /scores/churn.parquet",
    )

    @task.virtualenv(requirements=["pandas", "plotly==5.22.0"])
    def weekly_report() -> str:
        return "/reports/churn_weekly.html"

    @task
    def publish(report_path: str):
        print("publishing", report_path)

    build >> score >> publish(weekly_report())
