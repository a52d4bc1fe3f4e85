"""chain with labels, chain_linear, set_upstream on a group, XComArg helpers."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, Label, TaskGroup, chain, chain_linear, task

with DAG("chain_variants", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    a, b, c, d, e, f = (BashOperator(task_id=n, bash_command=f"echo {n}") for n in "abcdef")
    chain(a, Label("then"), b)
    chain_linear(b, [c, d], [e, f])

    with TaskGroup("late") as late:
        x = BashOperator(task_id="x", bash_command="echo x")
    late.set_upstream(f)

    @task
    def numbers():
        return [1, 2, 3]

    @task
    def total(values):
        return sum(values)

    doubled = numbers().map(lambda n: n * 2)
    total(doubled)

    @task(multiple_outputs=True)
    def split():
        return {"train": "/data/train.parquet", "test": "/data/test.parquet"}

    @task
    def fit(train_path):
        return train_path

    parts = split()
    fit(parts["train"])
