"""Airflow 3 TaskFlow mixed with classic operators, and chain(*list)."""
import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import chain, dag, task


@dag(
    dag_id="embeddings_refresh",
    schedule="0 */4 * * *",
    start_date=pendulum.datetime(2024, 5, 1, tz="Europe/Berlin"),
    default_args={"retries": 2},
    params={"batch_size": 512},
    tags=["nlp"],
)
def embeddings():
    @task
    def list_new_docs():
        return ["a", "b"]

    @task
    def embed(docs):
        return len(docs)

    steps = [
        BashOperator(task_id="pull_model", bash_command="python pull.py"),
        BashOperator(task_id="warm_cache", bash_command="python warm.py"),
    ]
    index = BashOperator(task_id="rebuild_index", bash_command="python index.py", retries=0)
    chain(*steps, embed(list_new_docs()), index)


embeddings()
