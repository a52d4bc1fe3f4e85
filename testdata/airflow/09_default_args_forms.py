"""default_args written every way people write them."""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.standard.operators.bash import BashOperator

BASE = dict(owner="ml", retries=2, retry_delay=timedelta(minutes=1))

merged = {**BASE, "retries": 5}

copied = BASE.copy()
copied.update({"retries": 1})
copied["retries"] = 3

with DAG("args_dict_call", default_args=BASE, schedule=None, start_date=datetime(2024, 1, 1)):
    a = BashOperator(task_id="inherits", bash_command="echo a")
    b = BashOperator(task_id="overrides_zero", bash_command="echo b", retries=0)
    a >> b

with DAG("args_merge", default_args=merged, schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="inherits", bash_command="echo c")

with DAG("args_copy_update", default_args=copied, schedule=None, start_date=datetime(2024, 1, 1)):
    c = BashOperator(task_id="inherits", bash_command="echo d")
    d = BashOperator(task_id="own_default_args", bash_command="echo e", default_args={"retries": 7})
    c >> d

with DAG("args_none", schedule=None, start_date=datetime(2024, 1, 1)):
    BashOperator(task_id="no_retries", bash_command="echo f")
