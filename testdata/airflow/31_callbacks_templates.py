"""Callbacks, templating and timeouts."""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG


def notify_slack(context):
    print("failed:", context["task_instance"].task_id)


with DAG(
    "templated_reports",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    template_searchpath=["/opt/airflow/sql"],
    user_defined_macros={"env": "prod"},
    render_template_as_native_obj=True,
    doc_md=__doc__,
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(hours=2),
        "on_failure_callback": notify_slack,
    },
):
    render = BashOperator(task_id="render", bash_command="python render.py --date {{ ds }} --env {{ env }}")
    ship = BashOperator(task_id="ship", bash_command="python ship.py {{ ds }}", execution_timeout=timedelta(minutes=30))
    render >> ship
