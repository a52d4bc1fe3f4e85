from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Variable

with DAG("sync_tables", schedule="@hourly", start_date=datetime(2024, 1, 1), default_args={"retries": 2}):
    for table in Variable.get("tables", deserialize_json=True):
        BashOperator(task_id=f"sync_{table}", bash_command=f"python sync.py {table}")
