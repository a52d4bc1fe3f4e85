"""Evaluate the risk model on the latest features; writes metrics JSON."""
import argparse
import json

import joblib
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--metrics", required=True)
    args = ap.parse_args()

    bundle = joblib.load(args.model)
    df = pd.read_parquet(args.data)
    X = df[bundle["columns"]]
    y = df["label_fraud_90d"].astype(int)
    p = bundle["model"].predict_proba(X)[:, 1]
    metrics = {"n": int(len(df)), "positives": int(y.sum()),
               "roc_auc": float(roc_auc_score(y, p)), "pr_auc": float(average_precision_score(y, p))}
    with open(args.metrics, "w") as fh:
        json.dump(metrics, fh, indent=2)
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
