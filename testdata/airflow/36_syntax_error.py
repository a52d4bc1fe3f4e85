"""Half-edited DAG: the scheduler shows an import error for it."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG("half_edited", schedule="@daily", start_date=datetime(2024, 1, 1)):
    a = BashOperator(task_id="a", bash_command="echo a"
    b = BashOperator(task_id="b", bash_command="echo b")
    a >> b
