"""Churn features: file paths handed around through XCom."""
from datetime import datetime

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, XComArg, task


def _extract():
    out = "/data/tmp/churn_raw.parquet"
    return out


def _clean(input_path, **_):
    print("cleaning", input_path)
    return "/data/tmp/churn_clean.parquet"


def _train(ti=None, **_):
    path = ti.xcom_pull(task_ids="clean", key="return_value")
    print(path)


with DAG("churn_xcom_paths", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    extract = PythonOperator(task_id="extract", python_callable=_extract)
    clean = PythonOperator(
        task_id="clean",
        python_callable=_clean,
        op_kwargs={"input_path": "{{ ti.xcom_pull(task_ids='extract') }}"},
    )
    train = PythonOperator(task_id="train", python_callable=_train)

    @task
    def profile(path):
        print(path)

    @task
    def export_features() -> str:
        return "/data/tmp/churn_features.parquet"

    @task
    def upload(features_file):
        print(features_file)

    extract >> clean >> train
    profile(clean.output)
    upload(XComArg(export_features.override(task_id="export")()))
    archive = PythonOperator(task_id="archive", python_callable=print, op_args=[extract.output])
