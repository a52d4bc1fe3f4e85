# -*- coding: utf-8 -*-
"""Daily sales forecast -- classic Airflow 2 style (dag=dag everywhere)."""
from datetime import datetime, timedelta

from airflow.models import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

args = {
    'owner': 'forecasting',
    'depends_on_past': False,
    'start_date': datetime(2022, 6, 1),
    'retries': 1,
    'retry_delay': timedelta(minutes=10),
}

dag = DAG(
    dag_id='sales_forecast_daily',
    default_args=args,
    schedule='@daily',
    catchup=False,
    max_active_runs=1,
)


def _check_rows(**context):
    import pandas as pd
    df = pd.read_csv('/data/sales/clean.csv')
    assert len(df) > 1000


pull = BashOperator(
    task_id='pull_sales',
    bash_command='python /opt/forecast/pull.py --out /data/sales/raw.csv',
    dag=dag,
)

clean = BashOperator(
    task_id='clean_sales',
    bash_command='python /opt/forecast/clean.py /data/sales/raw.csv /data/sales/clean.csv',
    dag=dag,
)

check = PythonOperator(task_id='check_rows', python_callable=_check_rows, dag=dag)

fit = BashOperator(
    task_id='fit_prophet',
    bash_command='python /opt/forecast/fit.py --input /data/sales/clean.csv --output /models/prophet.pkl',
    retries=3,
    execution_timeout=timedelta(hours=2),
    dag=dag,
)

publish = BashOperator(
    task_id='publish_forecast',
    bash_command='python /opt/forecast/publish.py /models/prophet.pkl',
    retries=0,
    dag=dag,
)

pull >> clean >> check >> fit >> publish
