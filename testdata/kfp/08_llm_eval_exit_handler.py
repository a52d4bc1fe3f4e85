"""Nightly LLM eval harness for the support assistant checkpoints.

Each benchmark runs in its own loop iteration; the summary step should run
even if a benchmark dies (ignore_upstream_failure), and the exit handler
posts the final status to the eval channel no matter what.

Benchmarks config lives here until the eval registry ships (EVAL-88).
"""
import json  # noqa: F401
import os  # noqa: F401

from kfp import compiler
from kfp import dsl
from kfp.dsl import HTML, Input, Markdown, Metrics, Output, PipelineTaskFinalStatus

EVAL_IMAGE = "us-docker.pkg.dev/acme-llm/eval/harness:0.14.2"

BENCHMARKS = [
    {"name_": "support-qa", "split": "test", "max_samples": 500},
    {"name_": "refusals", "split": "redteam", "max_samples": 200},
    {"name_": "tool-use", "split": "test", "max_samples": 300},
]


@dsl.component(base_image=EVAL_IMAGE)
def run_benchmark(checkpoint_uri: str, benchmark: str, split: str, max_samples: str, metrics: Output[Metrics]) -> float:
    # max_samples is a str: loop-item fields arrive as STRING even for ints
    max_samples = int(max_samples)
    score = 0.8 if benchmark != "refusals" else 0.95
    metrics.log_metric(f"{benchmark}/{split}", score)
    metrics.metadata["checkpoint"] = checkpoint_uri
    print(f"evaluated {max_samples} samples")
    return score


@dsl.component(base_image=EVAL_IMAGE)
def judge_with_llm(checkpoint_uri: str, judge_model: str, rubric: Output[Markdown]) -> float:
    with open(rubric.path, "w") as fh:
        fh.write(f"# Judge report\n\n* checkpoint: `{checkpoint_uri}`\n* judge: {judge_model}\n")
    return 7.5


@dsl.component(base_image=EVAL_IMAGE, packages_to_install=["jinja2==3.1.4"])
def build_leaderboard(checkpoint_uri: str, leaderboard: Output[HTML], judge_score: float = -1.0, note: str = ""):
    # judge_score needs a default, otherwise KFP refuses ignore_upstream_failure()
    with open(leaderboard.path, "w") as fh:
        fh.write(f"<h1>{checkpoint_uri}</h1><p>judge={judge_score}</p><p>{note}</p>")


@dsl.component(base_image="python:3.11-slim", packages_to_install=["requests"])
def post_eval_status(webhook_url: str, status: PipelineTaskFinalStatus, run_label: str = "nightly"):
    import requests  # noqa: F401

    print(f"[{run_label}] {status.pipeline_task_name}: {status.state} {status.error_message or ''}")


@dsl.pipeline(
    name="llm-support-eval-nightly",
    display_name="LLM support eval (nightly)",
    pipeline_root="gs://acme-llm-pipeline-root/eval",
)
def llm_eval(
    checkpoint_uri: str = "gs://acme-llm-ckpts/support-assistant/step-42000",
    judge_model: str = "acme-judge-70b",
    webhook_url: str = "https://hooks.slack.com/services/T000/B000/XXXX",
):
    exit_task = post_eval_status(webhook_url=webhook_url, run_label="nightly")
    exit_task.set_caching_options(False)

    with dsl.ExitHandler(exit_task, name="eval-with-status"):
        with dsl.ParallelFor(BENCHMARKS, parallelism=2) as bench:
            run = run_benchmark(
                checkpoint_uri=checkpoint_uri,
                benchmark=bench.name_,
                split=bench.split,
                max_samples=bench.max_samples,
            )
            run.set_retry(1)
            run.set_display_name("benchmark")

        judge = judge_with_llm(checkpoint_uri=checkpoint_uri, judge_model=judge_model)
        judge.after(run)
        judge.set_caching_options(False)

        board = build_leaderboard(checkpoint_uri=checkpoint_uri, judge_score=judge.outputs["Output"], note="partial ok")
        board.ignore_upstream_failure()


if __name__ == "__main__":
    compiler.Compiler().compile(llm_eval, "llm_eval.yaml")
