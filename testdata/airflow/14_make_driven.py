"""The old Makefile pipeline, scheduled from Airflow.

Every step still lives in ml/Makefile; Airflow only decides when.
"""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(
    dag_id="fraud_retrain",
    schedule="15 2 * * *",
    start_date=datetime(2023, 1, 1),
    catchup=False,
    default_args={"owner": "risk-ml", "retry_delay": timedelta(minutes=15)},
) as dag:
    setup_env = BashOperator(task_id="setup_env", bash_command="pip install pandas scikit-learn && pip install -r requirements.txt")
    features = BashOperator(task_id="features", bash_command="make -C ml features")
    train = BashOperator(
        task_id="train",
        bash_command="python train.py --input data/features.parquet --output models/model.pkl",
        retries=2,
    )
    evaluate = BashOperator(task_id="evaluate", bash_command="python evaluate.py models/model.pkl reports/metrics.json")
    deploy = BashOperator(task_id="deploy", bash_command="cd /opt/repo && make deploy MODEL=models/model.pkl")
    setup_env >> features >> train >> evaluate >> deploy
