"""Email spam classifier retrain (BROKEN).

What's wrong: `tokenize_emails` declares `max_len` without a type
annotation (someone "cleaned up" the signature). KFP needs a type for every
component parameter, so decorating the component raises
"TypeError: Missing type annotation for argument: max_len". Nothing in this
file compiles because the failure happens at import, before any pipeline
is defined.

The v1-style OutputPath("Model") / InputPath("CSV") handoffs are otherwise
fine.
"""
import os  # noqa: F401

from kfp import compiler, dsl
from kfp.dsl import InputPath, OutputPath

SPAM_IMAGE = "python:3.9-slim"
VOCAB_SIZE = 30000


@dsl.component(base_image=SPAM_IMAGE, packages_to_install=["pandas<2", "google-cloud-storage"])
def export_labelled_emails(mailbox_dump_uri: str, labelled_csv: OutputPath("CSV")):
    import pandas as pd

    pd.DataFrame({"text": ["win $$$ now", "meeting at 3"], "spam": [1, 0]}).to_csv(labelled_csv, index=False)
    print("source:", mailbox_dump_uri)


@dsl.component(base_image=SPAM_IMAGE, packages_to_install=["tokenizers==0.19.1"])
def tokenize_emails(labelled_csv: InputPath("CSV"), max_len, tokens: OutputPath("Dataset")):
    with open(labelled_csv) as src, open(tokens, "w") as dst:
        for line in src:
            dst.write(line[: int(max_len)])


@dsl.component(base_image=SPAM_IMAGE, packages_to_install=["scikit-learn~=1.4"])
def train_spam_nb(tokens: InputPath("Dataset"), alpha: float, model_file: OutputPath("Model")) -> float:
    with open(tokens) as fh, open(model_file, "w") as out:
        out.write(f"multinomial-nb alpha={alpha} n={sum(1 for _ in fh)}")
    return 0.97


@dsl.pipeline(name="spam-filter-retrain")
def spam_retrain(mailbox_dump_uri: str = "gs://acme-mail-ml/dumps/2024-07/", alpha: float = 0.1):
    emails = export_labelled_emails(mailbox_dump_uri=mailbox_dump_uri)
    toks = tokenize_emails(labelled_csv=emails.outputs["labelled_csv"], max_len=512)
    train_spam_nb(tokens=toks.outputs["tokens"], alpha=alpha)


if __name__ == "__main__":
    compiler.Compiler().compile(spam_retrain, "spam_retrain.yaml")
