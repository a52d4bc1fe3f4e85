"""Hyper-parameter sweep with dynamic task mapping."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, task

LEARNING_RATES = [0.1, 0.01, 0.001]

with DAG("hparam_sweep", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 1}) as dag:

    @task
    def list_configs():
        return [{"lr": lr} for lr in LEARNING_RATES]

    @task(retries=2)
    def train(config: dict, epochs: int) -> float:
        return 0.9

    @task
    def pick_best(scores):
        return max(scores)

    configs = list_configs()
    scores = train.partial(epochs=5).expand(config=configs)
    best = pick_best(scores)

    export = BashOperator.partial(task_id="export_model", retries=3).expand(
        bash_command=["python export.py onnx", "python export.py torchscript"]
    )
    smoke = BashOperator.partial(task_id="smoke_test").expand_kwargs(
        [{"bash_command": "pytest tests/smoke -k onnx"}, {"bash_command": "pytest tests/smoke -k ts"}]
    )
    best >> export >> smoke
