"""Fine-tune a support-ticket intent classifier with the in-house trainer image.

All steps are container components: the trainer CLI is a Go binary wrapped
around torchrun and it has its own flag conventions, hence the
ConcatPlaceholder / IfPresentPlaceholder gymnastics below.

TODO(nlp-infra): move the tokenizer flags into a config file, this is getting silly.
"""
from typing import Optional

from kfp import compiler, dsl
from kfp.dsl import (
    ConcatPlaceholder,
    Dataset,
    IfPresentPlaceholder,
    Input,
    Metrics,
    Model,
    Output,
    OutputPath,
)

TRAINER_IMAGE = "us-docker.pkg.dev/acme-nlp/trainer/ft-cli:4.2.0"
HF_BASE_MODEL = "distilroberta-base"


@dsl.container_component
def prepare_tickets(export_uri: str, language: str, tickets: Output[Dataset], n_rows: OutputPath(str)):
    return dsl.ContainerSpec(
        image="us-docker.pkg.dev/acme-nlp/tools/ticket-export:1.0.3",
        command=["sh", "-c"],
        args=[
            f"python3 -m ticket_export --src {export_uri} --lang {language} "
            f"--out {tickets.path} && wc -l < {tickets.path} > {n_rows}"
        ],
    )


@dsl.container_component
def finetune(
    tickets: Input[Dataset],
    base_model: str,
    epochs: int,
    model: Output[Model],
    learning_rate: float = 3e-5,
    lora_rank: Optional[int] = None,
    wandb_project: Optional[str] = None,
):
    return dsl.ContainerSpec(
        image=TRAINER_IMAGE,
        command=["ft-cli", "train"],
        args=[
            "--data",
            tickets.path,
            ConcatPlaceholder(["--base-model=", base_model]),
            ConcatPlaceholder(["--epochs=", epochs, "--lr=", learning_rate]),
            IfPresentPlaceholder(
                input_name="lora_rank",
                then=["--lora", ConcatPlaceholder(["--lora-rank=", lora_rank])],
                else_=["--full-finetune"],
            ),
            IfPresentPlaceholder(input_name="wandb_project", then=[f"--wandb={wandb_project}"]),
            "--output-dir",
            model.path,
        ],
    )


@dsl.container_component
def evaluate_intents(model: Input[Model], tickets: Input[Dataset], metrics: Output[Metrics], report_uri: dsl.OutputPath(str)):
    return dsl.ContainerSpec(
        image=TRAINER_IMAGE,
        command=["ft-cli", "eval"],
        args=[
            f"--model={model.path}",
            f"--data={tickets.path}",
            f"--metrics-out={metrics.path}",
            "--report-uri-file",
            report_uri,
        ],
    )


@dsl.pipeline(name="support-intent-finetune", description="LoRA vs full finetune of the intent model")
def intent_finetune(
    export_uri: str = "gs://acme-support/exports/tickets-2024-06.jsonl",
    language: str = "en",
    epochs: int = 3,
    wandb_project: str = "intent-clf",
):
    data = prepare_tickets(export_uri=export_uri, language=language)

    lora = finetune(
        tickets=data.outputs["tickets"],
        base_model=HF_BASE_MODEL,
        epochs=epochs,
        lora_rank=16,
        wandb_project=wandb_project,
    )
    lora.set_display_name("finetune-lora-r16")
    lora.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(1)

    full = finetune(tickets=data.outputs["tickets"], base_model=HF_BASE_MODEL, epochs=1, learning_rate=1e-5)
    full.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(4)
    full.set_memory_request("64G").set_cpu_request("16")

    for run in (lora, full):
        evaluate_intents(model=run.outputs["model"], tickets=data.outputs["tickets"])


if __name__ == "__main__":
    compiler.Compiler().compile(intent_finetune, "intent_finetune.yaml")
