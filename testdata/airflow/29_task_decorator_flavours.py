"""NLP intent classifier: nightly retrain.

Uses several ``@task.*`` flavours because the steps have very different
dependency footprints:

* ``@task.bash``          — the Makefile-based training entrypoint owned by the DS team
* ``@task.external_python`` — tokenisation in the pre-built conda env with CUDA wheels
* ``@task.virtualenv``    — evaluation in a throwaway venv with pinned scikit-learn
* ``@task.python``        — plain glue (same thing as ``@task``, spelled out)
"""
from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

CONDA_PYTHON = "/opt/conda/envs/nlp-cuda/bin/python"
EVAL_REQUIREMENTS = [
    "scikit-learn==1.4.2",
    "pandas==2.2.1",
    "pyarrow>=15",  # not pinned, nobody remembers why
]
DATA_DIR = "/mnt/nlp/intents"


def failure_alert(context):
    print("intent classifier failed:", context.get("exception"))


@dag(
    schedule="0 1 * * *",
    start_date=pendulum.datetime(2024, 4, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "nlp", "retries": 1, "retry_delay": timedelta(minutes=5)},
    on_failure_callback=failure_alert,
    tags=["nlp", "intents"],
)
def intent_classifier_nightly():
    @task.python(task_id="collect_labelled_utterances")
    def collect(ds=None) -> str:
        path = f"{DATA_DIR}/raw/{ds}.jsonl"
        print("collecting to", path)
        return path

    @task.external_python(python=CONDA_PYTHON, retries=2)
    def tokenize(raw_path: str) -> str:
        # imports live inside the function: this runs in the conda interpreter
        from transformers import AutoTokenizer  # noqa: F401

        return raw_path.replace("/raw/", "/tokenized/").replace(".jsonl", ".arrow")

    @task.bash(retries=0, cwd="/opt/nlp/intent-classifier")
    def train(tokenized_path: str) -> str:
        # the returned string is the command that actually runs
        return "make -C ml train DATA=" + tokenized_path

    @task.bash
    def package_model() -> str:
        return "make -C ml package && ls -la ml/dist"

    @task.virtualenv(
        requirements=EVAL_REQUIREMENTS,
        system_site_packages=False,
        python_version="3.11",
    )
    def evaluate(tokenized_path: str) -> dict:
        import pandas as pd  # noqa: F401

        return {"f1_macro": 0.91, "data": tokenized_path}

    @task.python
    def gate(metrics: dict) -> None:
        if metrics["f1_macro"] < 0.88:
            raise ValueError(f"f1 too low: {metrics}")

    raw = collect()
    tok = tokenize(raw)
    trained = train(tok)
    metrics = evaluate(tok)
    trained >> metrics
    gate(metrics) >> package_model()

    # @task.docker(image="acme/nlp-eval:latest")
    # def evaluate_in_docker(): ...


intent_classifier_nightly()
