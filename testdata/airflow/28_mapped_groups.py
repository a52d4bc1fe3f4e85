"""Per-country model training with a mapped task group."""
from datetime import datetime

from airflow.sdk import DAG, task, task_group

with DAG("country_models", schedule="@weekly", start_date=datetime(2024, 1, 1), default_args={"retries": 1}):

    @task
    def countries():
        return ["de", "fr", "it"]

    @task_group
    def per_country(country):
        @task(retries=3)
        def fit(c):
            return f"/models/{c}.pkl"

        @task
        def check(model_path):
            return model_path

        check(fit(country))

    @task
    def configs():
        return [{"x": 1}, {"x": 2}]

    @task
    def run(x, scale=1):
        return x * scale

    per_country.expand(country=countries())
    run.partial(scale=2).expand_kwargs(configs())
