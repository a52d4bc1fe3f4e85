"""Hyper-parameter sweep for the ranking model, wrapped in an exit handler.

Flow:
  prepare data -> (if data is big enough) -> sweep learning rates in parallel
  -> pick the best trial from the collected scores -> notify Slack on exit.

The notify step always runs, even if the sweep blows up.
"""
import json
from typing import List

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Model, Output, PipelineTaskFinalStatus

# shared base image for all steps, pinned by the platform team
BASE = "us-docker.pkg.dev/acme-ml/images/ranker-base:2024.05"


@dsl.component(base_image=BASE)
def prepare_ranking_data(dataset_uri: str, sample_frac: float, prepared: Output[Dataset]) -> int:
    import random

    rows = 0
    with open(prepared.path, "w") as out:
        for i in range(1000):
            if random.random() < sample_frac:
                out.write(f"{i},query_{i % 17},{random.random():.4f}\n")
                rows += 1
    prepared.metadata["source_uri"] = dataset_uri
    return rows


@dsl.component(base_image=BASE)
def train_trial(data: Input[Dataset], learning_rate: float, trial_model: Output[Model]) -> float:
    """One sweep trial; returns validation NDCG."""
    import math

    with open(data.path) as fh:
        n = sum(1 for _ in fh)
    score = 1.0 - abs(math.log10(learning_rate) + 2.5) / 10.0
    with open(trial_model.path, "w") as fh:
        fh.write(json.dumps({"lr": learning_rate, "n": n, "ndcg": score}))
    return score


@dsl.component(base_image=BASE)
def pick_best_trial(scores: List[float], models: Input[List[Model]]) -> str:
    best = max(range(len(scores)), key=lambda i: scores[i])
    print("scores:", scores)
    return models[best].uri


@dsl.component(base_image=BASE, packages_to_install=["requests"])
def notify_slack(channel: str, status: PipelineTaskFinalStatus):
    import requests  # noqa: F401  (webhook call disabled in dev)

    msg = f"[{status.pipeline_job_resource_name}] finished: {status.state}"
    if status.error_message:
        msg += f" error={status.error_message}"
    print(f"would post to {channel}: {msg}")


@dsl.pipeline(name="ranker-lr-sweep", description="LR sweep for the ranking model")
def ranker_sweep(
    dataset_uri: str = "gs://acme-ml-data/ranking/2024-05/train.csv",
    sample_frac: float = 0.25,
    learning_rates: List[float] = [0.1, 0.01, 0.001, 0.0001],
    min_rows: int = 100,
    slack_channel: str = "#ranking-alerts",
):
    notify = notify_slack(channel=slack_channel)
    notify.set_caching_options(False)

    with dsl.ExitHandler(notify, name="sweep-guard"):
        data = prepare_ranking_data(dataset_uri=dataset_uri, sample_frac=sample_frac)
        with dsl.Condition(data.outputs["Output"] >= min_rows, name="enough-rows"):
            with dsl.ParallelFor(learning_rates, parallelism=2) as lr:
                trial = train_trial(data=data.outputs["prepared"], learning_rate=lr)
                trial.set_cpu_limit("4").set_memory_limit("16G")
            best = pick_best_trial(
                scores=dsl.Collected(trial.outputs["Output"]),
                models=dsl.Collected(trial.outputs["trial_model"]),
            )
            best.set_display_name("select-best-lr")


if __name__ == "__main__":
    compiler.Compiler().compile(ranker_sweep, package_path="ranker_sweep.yaml")
