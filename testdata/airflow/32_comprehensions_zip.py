"""Tasks from comprehensions, zip and enumerate."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

SHARDS = ["a", "b", "c"]
OWNERS = ["alice", "bob", "carol"]


def shard_task(shard, *, owner, priority=1):
    return BashOperator(
        task_id=f"shard_{shard}",
        bash_command=f"python shard.py {shard}",
        owner=owner,
        priority_weight=priority,
    )


with DAG("sharded_scoring", schedule=None, start_date=datetime(2024, 1, 1), default_args={"retries": 1}):
    shards = {s: shard_task(s, owner=o, priority=i) for i, (s, o) in enumerate(zip(SHARDS, OWNERS))}
    merge = BashOperator(task_id="merge", bash_command="python merge.py")
    for name, t in sorted(shards.items()):
        t >> merge
