"""Score the held-out split and write metrics.json.

The Makefile runs this from inside scripts/ (`cd scripts && python3 evaluate.py`),
so every path argument is relative to scripts/.
"""
import argparse
import json

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import accuracy_score, classification_report, f1_score
from transformers import AutoModelForSequenceClassification, AutoTokenizer

import textprep


@torch.no_grad()
def predict(model, tok, texts, batch_size=64):
    preds = []
    for i in range(0, len(texts), batch_size):
        enc = tok(texts[i:i + batch_size], truncation=True, max_length=256, padding=True, return_tensors="pt")
        preds.append(model(**enc).logits.argmax(-1).numpy())
    return np.concatenate(preds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--git-sha", default="unknown")
    args = ap.parse_args()

    df = pd.read_parquet(args.test)
    # prepare.py already normalised, but old exports weren't -- cheap to redo
    texts = [textprep.normalize(t) for t in df["text"]]

    tok = AutoTokenizer.from_pretrained(args.model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(args.model_dir).eval()
    y_pred = predict(model, tok, texts)
    y_true = df["label"].to_numpy()

    metrics = {
        "git_sha": args.git_sha,
        "n_test": int(len(df)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
        "per_queue": classification_report(
            y_true, y_pred, target_names=[model.config.id2label[i] for i in sorted(model.config.id2label)],
            output_dict=True, zero_division=0,
        ),
    }
    with open(args.out, "w") as fh:
        json.dump(metrics, fh, indent=2)
    print(f"macro_f1={metrics['macro_f1']:.3f} accuracy={metrics['accuracy']:.3f}")


if __name__ == "__main__":
    main()
