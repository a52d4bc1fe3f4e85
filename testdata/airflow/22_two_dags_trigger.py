"""Two DAGs in one file: train, then a separate deploy DAG it triggers."""
from datetime import datetime

from airflow import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

dag1 = DAG("ranker_train", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 1})
dag2 = DAG("ranker_deploy", schedule=None, start_date=datetime(2024, 1, 1))

train = BashOperator(task_id="train", bash_command="python ranker/train.py", dag=dag1)
register = BashOperator(task_id="register", bash_command="python ranker/register.py", dag=dag1)
trigger = TriggerDagRunOperator(task_id="trigger_deploy", trigger_dag_id="ranker_deploy", dag=dag1)
train >> register >> trigger

canary = BashOperator(task_id="canary", bash_command="python ranker/deploy.py --canary", dag=dag2, retries=2)
rollout = BashOperator(task_id="rollout", bash_command="python ranker/deploy.py --all", dag=dag2)
canary >> rollout
