from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG("train", schedule="@daily", start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="train", bash_command="python train.py")
