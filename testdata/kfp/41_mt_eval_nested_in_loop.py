"""Machine-translation release eval: every language pair through the same
sub-pipeline, fanned out with ParallelFor, plus the low-resource pairs
behind a flag.

The sub-pipeline returns a class-style NamedTuple so the release dashboard
can read `bleu` and `comet` by name; the loop results are collected for the
go/no-go step.
"""
from typing import List, NamedTuple

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Markdown, Output

MT_IMAGE = "us-docker.pkg.dev/acme-mt/eval/mt-eval:1.9.0"
CANDIDATE_MODEL = "gs://acme-mt-models/nllb-distilled-600m/rc3"

LANGUAGE_PAIRS = [
    {"src": "en", "tgt": "de", "testset": "wmt23"},
    {"src": "en", "tgt": "ja", "testset": "wmt23"},
    {"src": "de", "tgt": "fr", "testset": "flores200"},
]


class PairScores(NamedTuple):
    bleu: float
    comet: float


@dsl.component(base_image=MT_IMAGE, packages_to_install=["sacrebleu==2.4.2"])
def fetch_testset(testset: str, src: str, tgt: str, pairs: Output[Dataset]):
    with open(pairs.path, "w") as fh:
        fh.write(f"{testset}:{src}-{tgt}\n")


@dsl.component(base_image=MT_IMAGE)
def translate(pairs: Input[Dataset], model_uri: str, beam: int, hyps: Output[Dataset]):
    with open(hyps.path, "w") as fh:
        fh.write(f"{model_uri} beam={beam} on {pairs.uri}\n")


@dsl.component(base_image=MT_IMAGE, packages_to_install=["sacrebleu==2.4.2", "unbabel-comet==2.2.2"])
def score_hypotheses(pairs: Input[Dataset], hyps: Input[Dataset]) -> NamedTuple("Scores", [("bleu", float), ("comet", float)]):
    from collections import namedtuple

    return namedtuple("Scores", ["bleu", "comet"])(31.2, 0.84)


@dsl.component(base_image=MT_IMAGE)
def release_gate(bleus: List[float], comets: List[float], min_comet: float, verdict: Output[Markdown]) -> bool:
    ok = min(comets) >= min_comet
    with open(verdict.path, "w") as fh:
        fh.write(f"# MT release gate\n\nBLEU: {bleus}\n\nCOMET: {comets}\n\n**{'GO' if ok else 'NO-GO'}**\n")
    return ok


@dsl.pipeline(name="mt-eval-language-pair")
def eval_language_pair(src: str, tgt: str, testset: str, model_uri: str, beam: int = 4) -> PairScores:
    data = fetch_testset(testset=testset, src=src, tgt=tgt)
    hyps = translate(pairs=data.outputs["pairs"], model_uri=model_uri, beam=beam)
    hyps.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(1)
    sc = score_hypotheses(pairs=data.outputs["pairs"], hyps=hyps.outputs["hyps"])
    return PairScores(bleu=sc.outputs["bleu"], comet=sc.outputs["comet"])


@dsl.pipeline(name="mt-release-eval", description="Go/no-go eval for an MT release candidate.")
def mt_release_eval(model_uri: str = CANDIDATE_MODEL, min_comet: float = 0.8, include_low_resource: bool = False):
    with dsl.ParallelFor(LANGUAGE_PAIRS, parallelism=2) as pair:
        scores = eval_language_pair(src=pair.src, tgt=pair.tgt, testset=pair.testset, model_uri=model_uri)

    gate = release_gate(
        bleus=dsl.Collected(scores.outputs["bleu"]),
        comets=dsl.Collected(scores.outputs["comet"]),
        min_comet=min_comet,
    )

    with dsl.If(include_low_resource == True, name="low-resource"):  # noqa: E712
        sw = eval_language_pair(src="en", tgt="sw", testset="flores200", model_uri=model_uri, beam=8)
        sw.set_display_name("eval-en-sw")
        yo = eval_language_pair(src="en", tgt="yo", testset="flores200", model_uri=model_uri, beam=8)
        yo.after(gate)


if __name__ == "__main__":
    compiler.Compiler().compile(mt_release_eval, "mt_release_eval.yaml")
