"""Feature flags and environment switches at import time."""
import os
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

ENV = os.getenv("DEPLOY_ENV", "dev")
ENABLE_SHADOW = False
MODELS = {"prod": ["gbm", "nn"], "dev": ["gbm"]}[ENV]

with DAG(f"scoring_{ENV}", schedule="@daily" if ENV == "prod" else None, start_date=datetime(2024, 1, 1)):
    gate = BashOperator(task_id="gate", bash_command="echo gate", retries=1 if ENV == "dev" else 5)
    for m in MODELS:
        score = BashOperator(task_id=f"score_{m}", bash_command=f"python score.py {m}")
        gate >> score
        if ENABLE_SHADOW:
            shadow = BashOperator(task_id=f"shadow_{m}", bash_command="echo")
            score >> shadow
    if not ENABLE_SHADOW and len(MODELS) == 1:
        BashOperator(task_id="single_model_note", bash_command="echo single")
