"""Wait for upstream data, then build the daily aggregates."""
from datetime import datetime, timedelta

from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.providers.standard.sensors.time_delta import TimeDeltaSensor
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, task

with DAG("daily_aggregates", schedule="0 6 * * *", start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    wait_file = FileSensor(task_id="wait_for_export", filepath="/landing/export_{{ ds_nodash }}.csv", poke_interval=300)
    wait_ingest = ExternalTaskSensor(
        task_id="wait_for_ingest",
        external_dag_id="ingest_crm",
        external_task_id="merge",
        mode="reschedule",
        retries=0,
    )
    settle = TimeDeltaSensor(task_id="settle", delta=timedelta(minutes=10))

    @task.sensor(poke_interval=60, timeout=3600, mode="reschedule")
    def partition_ready() -> bool:
        return True

    build = BashOperator(task_id="build_aggregates", bash_command="python aggregates.py {{ ds }}")
    [wait_file, wait_ingest] >> settle >> partition_ready() >> build
