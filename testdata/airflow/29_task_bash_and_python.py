"""@task.bash, @task.python and external Python in one DAG."""
from datetime import datetime

from airflow.sdk import DAG, task

with DAG("nlp_refresh", schedule="@daily", start_date=datetime(2024, 1, 1), default_args={"retries": 1}):

    @task.bash
    def build_vocab() -> str:
        return "make -C ml vocab"

    @task.bash(retries=3)
    def train_tokenizer() -> str:
        return "python tokenizer.py --input data/vocab.txt --output models/tokenizer.json"

    @task.python
    def sanity():
        return True

    @task.virtualenv(requirements=["sentencepiece", "transformers==4.41.2"])
    def export():
        pass

    build_vocab() >> train_tokenizer() >> sanity() >> export()
