"""DAGs from a builder class: properties, static and class methods, a subclass."""
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, TaskGroup


class PipelineBuilder:
    DEFAULT_RETRIES = 2

    def __init__(self, name, tables, schedule="@daily"):
        self.name = name
        self.tables = tables
        self.schedule = schedule

    @property
    def dag_id(self):
        return f"builder_{self.name}"

    @staticmethod
    def command(table):
        return f"python sync.py {table}"

    @classmethod
    def default(cls):
        return cls("default", ["a"])

    def _task(self, table):
        return BashOperator(task_id=f"sync_{table}", bash_command=self.command(table), retries=self.DEFAULT_RETRIES)

    def build(self):
        with DAG(self.dag_id, schedule=self.schedule, start_date=datetime(2024, 1, 1)) as dag:
            prev = None
            for t in self.tables:
                op = self._task(t)
                if prev is not None:
                    prev >> op
                prev = op
        return dag


class SpecialBuilder(PipelineBuilder):
    DEFAULT_RETRIES = 5


sales = PipelineBuilder("sales", ["orders", "refunds"]).build()
default = PipelineBuilder.default().build()
special = SpecialBuilder("special", ["x", "y", "z"], schedule="@hourly").build()
