"""Build the tokenized pretraining corpus and publish it to the Hub.

Reusable pieces come from ./components/*.yaml (shared with the other NLP
pipelines) and are loaded at import time relative to this file.
"""
import os

from kfp import compiler, components, dsl
from kfp.dsl import Dataset, Output

_HERE = os.path.dirname(os.path.abspath(__file__))
_COMPONENTS_DIR = os.path.join(_HERE, "components")

tokenize_op = components.load_component_from_file(os.path.join(_COMPONENTS_DIR, "tokenize_corpus.yaml"))
upload_op = components.load_component_from_file(_COMPONENTS_DIR + "/upload_to_hub.yaml")


@dsl.component(base_image="python:3.11-slim", packages_to_install=["datasets==2.19.1"])
def fetch_corpus(hf_dataset: str, split: str, corpus: Output[Dataset]):
    from datasets import load_dataset

    ds = load_dataset(hf_dataset, split=split)
    with open(corpus.path, "w", encoding="utf-8") as fh:
        for row in ds:
            fh.write(row["text"].replace("\n", " ") + "\n")


@dsl.pipeline(name="pretrain-corpus-build")
def corpus_build(
    hf_dataset: str = "wikitext",
    hub_repo: str = "acme/wikitext-tok",
    vocab_size: int = 50000,
):
    train_text = fetch_corpus(hf_dataset=hf_dataset, split="train")
    val_text = fetch_corpus(hf_dataset=hf_dataset, split="validation")

    train_tok = tokenize_op(corpus=train_text.outputs["corpus"], vocab_size=vocab_size)
    # validation keeps case, the eval harness is case-sensitive
    val_tok = tokenize_op(corpus=val_text.outputs["corpus"], vocab_size=vocab_size, lowercase=False)

    up = upload_op(tokens=train_tok.outputs["tokens"], repo_id=hub_repo)
    up.set_caching_options(False)  # always re-push
    up.after(val_tok)


if __name__ == "__main__":
    compiler.Compiler().compile(corpus_build, "corpus_build.yaml")
