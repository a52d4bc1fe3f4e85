"""Training in containers: Docker for prep, Kubernetes for GPU training."""
from datetime import datetime, timedelta

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

IMAGE_TAG = "2.3.1"

with DAG(
    "containerised_training",
    schedule="0 4 * * 1",
    start_date=datetime(2024, 1, 1),
    default_args={"retries": 1, "retry_delay": timedelta(minutes=3)},
):
    prep = DockerOperator(task_id="prep", image="python:3.11", command="python prep.py", auto_remove="success")
    lint_data = DockerOperator(task_id="lint_data", image="myorg/datalint:latest", command="datalint /data")
    features = DockerOperator(task_id="features", image="myorg/features", command="python features.py")
    train = KubernetesPodOperator(
        task_id="train_gpu",
        name="train-gpu",
        namespace="ml",
        image=f"gcr.io/acme-ml/trainer:{IMAGE_TAG}",
        cmds=["python", "train.py"],
        arguments=["--epochs", "20"],
        retries=4,
    )
    evaluate = KubernetesPodOperator(
        task_id="evaluate",
        name="evaluate",
        namespace="ml",
        image="gcr.io/acme-ml/evaluator@sha256:9b2a0c4e1f7d3b5a8c6e2f0d4b1a3c5e7f9d2b4a6c8e0f1d3b5a7c9e1f2d4b6a",
        cmds=["python", "evaluate.py"],
    )
    prep >> lint_data >> features >> train >> evaluate
