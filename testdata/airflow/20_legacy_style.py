# Legacy DAG, ported from Airflow 1.10 in 2021 and kept loading since.
# TODO(jsmith): move to TaskFlow
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator

default_args = {
    "owner": "airflow",
    "depends_on_past": False,
    "email_on_failure": False,
    "retries": 1,
    "retry_delay": timedelta(minutes=5),
}


def print_context(ds=None, **kwargs):
    print(ds)


dag = DAG(
    "legacy_reporting",
    default_args=default_args,
    description="Old reporting DAG",
    schedule="0 3 * * *",  # was schedule_interval before Airflow 3
    start_date=datetime(2021, 1, 1),
    catchup=False,
    max_active_runs=1,
)

t1 = BashOperator(task_id="print_date", bash_command="date", dag=dag)
t2 = BashOperator(task_id="sleep", depends_on_past=False, bash_command="sleep 5", retries=3, dag=dag)
t3 = PythonOperator(task_id="print_the_context", python_callable=print_context, dag=dag)
# t4 = BashOperator(task_id="old_export", bash_command="python export.py", dag=dag)
orphan = EmptyOperator(task_id="not_wired_yet", dag=dag)

t1 >> [t2, t3]

if __name__ == "__main__":
    dag.test()
