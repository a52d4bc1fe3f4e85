"""Regional demand models: fan-out over regions, fan-in to a global report."""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

RETRIES = 4
REGIONS = ["emea", "amer", "apac", "latam"]
STAGES = ["extract", "features", "train", "evaluate"]

default_args = {"owner": "demand", "retries": 1, "retry_delay": timedelta(minutes=5)}

with DAG("regional_demand", schedule="0 2 * * *", start_date=datetime(2024, 1, 1), default_args=default_args):
    start = EmptyOperator(task_id="start")
    report = BashOperator(task_id="global_report", bash_command="python report.py", retries=RETRIES)
    for region in REGIONS:
        prev = start
        for stage in STAGES:
            op = BashOperator(
                task_id=f"{region}_{stage}",
                bash_command=f"python demand.py {stage} --region {region}",
                retries=0 if stage == "extract" else RETRIES if stage == "train" else 1,
            )
            prev >> op
            prev = op
        prev >> report
    cleanup = BashOperator(task_id="cleanup", bash_command="rm -rf /tmp/demand", trigger_rule="all_done")
    report >> cleanup
