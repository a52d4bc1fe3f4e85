"""Reverse arrows and tasks kept in a dict."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

STEPS = ["download", "unpack", "tokenize", "shard", "upload"]

with DAG("corpus_build", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    tasks = {}
    for name in STEPS:
        tasks[name] = BashOperator(task_id=name, bash_command=f"python corpus.py {name}")
    for up, down in zip(STEPS, STEPS[1:]):
        tasks[down] << tasks[up]

    t1 = BashOperator(task_id="stats_a", bash_command="python stats.py a")
    t2 = BashOperator(task_id="stats_b", bash_command="python stats.py b")
    t3 = BashOperator(task_id="stats_merge", bash_command="python stats.py merge")
    t4 = BashOperator(task_id="stats_schema", bash_command="python stats.py schema")
    [t1, t2] >> t3 << t4
    checks = [BashOperator(task_id=f"check_{i}", bash_command=f"python check.py {i}") for i in range(3)]
    tasks["upload"] << checks
