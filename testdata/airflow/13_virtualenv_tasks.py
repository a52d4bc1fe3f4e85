"""Isolated Python environments for the scoring job."""
from datetime import datetime

from airflow.providers.standard.operators.python import ExternalPythonOperator, PythonVirtualenvOperator
from airflow.sdk import DAG, task

SCORING_REQUIREMENTS = ["pandas", "scikit-learn==1.3.2", "xgboost>=1.7"]


def _score():
    import xgboost  # noqa: F401


def _report():
    print("report")


with DAG("isolated_scoring", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 2}):
    score = PythonVirtualenvOperator(
        task_id="score",
        python_callable=_score,
        requirements=SCORING_REQUIREMENTS,
        system_site_packages=False,
    )

    @task.virtualenv(requirements=["lightgbm==4.3.0", "polars"], system_site_packages=False)
    def retrain():
        import lightgbm  # noqa: F401

    report = ExternalPythonOperator(task_id="report", python="/opt/venvs/reporting/bin/python", python_callable=_report)

    @task.external_python(python="/opt/venvs/ml/bin/python", retries=0)
    def archive():
        pass

    score >> retrain() >> report >> archive()
