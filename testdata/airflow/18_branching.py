"""Retrain only when drift is detected; short-circuit on holidays."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import ShortCircuitOperator
from airflow.sdk import DAG, Label, task


def _not_holiday(**ctx):
    return True


with DAG("drift_gated_retrain", schedule="0 7 * * *", start_date=datetime(2024, 1, 1), default_args={"retries": 2}):
    not_holiday = ShortCircuitOperator(task_id="not_holiday", python_callable=_not_holiday)

    @task.branch
    def drift_detected():
        return "retrain"

    @task.short_circuit
    def has_new_labels():
        return True

    retrain = BashOperator(task_id="retrain", bash_command="python retrain.py")
    skip = EmptyOperator(task_id="skip")
    join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success")

    branch = drift_detected()
    not_holiday >> has_new_labels() >> branch
    branch >> Label("drift") >> retrain >> join
    branch >> Label("no drift") >> skip >> join
