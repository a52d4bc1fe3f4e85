"""Warehouse -> lake sync, one task per table, generated from config."""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

SCHEMA = "analytics"
TABLES = ["customers", "orders", "payments", "refunds"]
EXTRA = {
    "clickstream": {"partitions": 24},
    "sessions": {"partitions": 4},
}

with DAG(
    dag_id=f"{SCHEMA}_lake_sync",
    schedule=timedelta(hours=6),
    start_date=datetime(2024, 1, 1),
    default_args={"retries": 3},
) as dag:
    start = EmptyOperator(task_id="start")
    end = EmptyOperator(task_id="end", trigger_rule="all_done")

    for table in TABLES:
        export = BashOperator(task_id=f"export_{table}", bash_command=f"python export.py {SCHEMA}.{table}")
        load = BashOperator(task_id="load_" + table, bash_command="python load.py " + table)
        start >> export >> load >> end

    for name, cfg in EXTRA.items():
        parts = [
            BashOperator(task_id=f"{name}_part_{i:02d}", bash_command=f"python part.py {name} {i}")
            for i in range(cfg["partitions"] // 4)
        ]
        start >> parts >> end

    for i in range(2):
        BashOperator(task_id="vacuum_%d" % i, bash_command="python vacuum.py", dag=dag)
