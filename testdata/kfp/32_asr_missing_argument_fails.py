"""Speech recognition (ASR) adaptation for the call-center domain (BROKEN).

What's wrong: `fine_tune_whisper` has a required `learning_rate: float`
(no default) and the call in `asr_domain_adaptation` forgets it after the
refactor that removed the HPARAMS dict. The SDK raises
"TypeError: fine-tune-whisper() missing 1 required argument: learning_rate".
The evaluation-only pipeline defined first compiles.
"""
from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output

ASR_IMAGE = "us-docker.pkg.dev/acme-voice/asr/whisper-train:1.3.0"
BASE_CHECKPOINT = "openai/whisper-small"
# HPARAMS = {"learning_rate": 1e-5, "warmup_steps": 500}   # removed in #812


@dsl.component(base_image=ASR_IMAGE, packages_to_install=["datasets==2.19.1", "soundfile"])
def prepare_call_audio(manifest_uri: str, sample_rate: int, audio: Output[Dataset]):
    with open(audio.path, "w") as fh:
        fh.write(f"{manifest_uri}@{sample_rate}Hz\n")


@dsl.component(base_image=ASR_IMAGE)
def fine_tune_whisper(
    audio: Input[Dataset],
    base_checkpoint: str,
    learning_rate: float,
    model: Output[Model],
    max_steps: int = 4000,
    freeze_encoder: bool = True,
):
    with open(model.path, "w") as fh:
        fh.write(f"{base_checkpoint} lr={learning_rate} steps={max_steps} frozen={freeze_encoder}")


@dsl.component(base_image=ASR_IMAGE, packages_to_install=["jiwer==3.0.4"])
def word_error_rate(model: Input[Model], audio: Input[Dataset], metrics: Output[Metrics]) -> float:
    metrics.log_metric("wer", 0.142)
    return 0.142


@dsl.pipeline(name="asr-baseline-eval")
def asr_baseline_eval(manifest_uri: str = "gs://acme-voice/calls/eval/manifest.jsonl"):
    audio = prepare_call_audio(manifest_uri=manifest_uri, sample_rate=16000)
    base = dsl.importer(
        artifact_uri=f"gs://acme-voice/checkpoints/{BASE_CHECKPOINT}", artifact_class=Model, reimport=False
    )
    word_error_rate(model=base.output, audio=audio.outputs["audio"])


@dsl.pipeline(name="asr-domain-adaptation")
def asr_domain_adaptation(
    train_manifest: str = "gs://acme-voice/calls/train/manifest.jsonl",
    eval_manifest: str = "gs://acme-voice/calls/eval/manifest.jsonl",
    max_steps: int = 8000,
):
    train_audio = prepare_call_audio(manifest_uri=train_manifest, sample_rate=16000)
    eval_audio = prepare_call_audio(manifest_uri=eval_manifest, sample_rate=16000)

    ft = fine_tune_whisper(
        audio=train_audio.outputs["audio"],
        base_checkpoint=BASE_CHECKPOINT,
        max_steps=max_steps,
        freeze_encoder=False,
    )
    ft.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(2).set_memory_limit("48G")
    word_error_rate(model=ft.outputs["model"], audio=eval_audio.outputs["audio"])


if __name__ == "__main__":
    compiler.Compiler().compile(asr_domain_adaptation, "asr_domain_adaptation.yaml")
