"""Forecast refresh: settings come from the team's shared module."""
from datetime import datetime

import dag_common.defaults as shared
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG
from dag_common.defaults import DEFAULT_ARGS, NIGHTLY, REGIONS

with DAG("forecast_refresh", schedule=NIGHTLY, start_date=datetime(2024, 1, 1), default_args=DEFAULT_ARGS):
    prev = None
    for region in REGIONS:
        fit = BashOperator(task_id=f"fit_{region}", bash_command=f"python fit.py {region}")
        if prev is not None:
            prev >> fit
        prev = fit
    BashOperator(
        task_id="publish",
        bash_command="python publish.py",
        retries=shared.DEFAULT_ARGS["retries"] + 2,
    ) << prev
