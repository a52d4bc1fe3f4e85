"""The team's task factories: every ingest DAG is built from these."""
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import TaskGroup

from dag_common.defaults import REGIONS


def ingest_group(source, retries=1):
    """extract >> load for one source, in a task group named after it."""
    with TaskGroup(group_id=f"ingest_{source}") as group:
        extract = BashOperator(
            task_id="extract",
            bash_command=f"python ingest.py extract {source} --out data/{source}.csv",
            retries=retries,
        )
        load = BashOperator(task_id="load", bash_command=f"python ingest.py load data/{source}.csv")
        extract >> load
    return group


def per_region(prefix):
    return [BashOperator(task_id=f"{prefix}_{r}", bash_command=f"python region.py {r}") for r in REGIONS]
