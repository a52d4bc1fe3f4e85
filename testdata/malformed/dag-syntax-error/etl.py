from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG("etl", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 2}):
    extract = BashOperator(task_id="extract", bash_command="python extract.py"
    load = BashOperator(task_id="load", bash_command="python load.py")
    extract >> load
