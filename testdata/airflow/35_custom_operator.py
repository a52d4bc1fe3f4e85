"""A team-specific operator subclass defined in the DAG file."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, BaseOperator


class SparkSubmitLite(BaseOperator):
    def __init__(self, app, **kwargs):
        super().__init__(**kwargs)
        self.app = app

    def execute(self, context):
        print(self.app)


class NightlyBash(BashOperator):
    pass


with DAG("custom_ops", schedule="@daily", start_date=datetime(2024, 1, 1)):
    s = SparkSubmitLite(task_id="spark_features", app="features.py", retries=2)
    n = NightlyBash(task_id="nightly", bash_command="python nightly.py")
    s >> n
