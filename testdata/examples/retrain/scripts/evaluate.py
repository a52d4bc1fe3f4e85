"""Evaluate the model and write metrics as JSON."""
import argparse
import json

import joblib
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--metrics", required=True)
    args = parser.parse_args()

    clf = joblib.load(args.model)
    df = pd.read_parquet(args.data)
    X, y = df.drop(columns=["is_fraud"]), df["is_fraud"]
    scores = clf.predict_proba(X)[:, 1]
    metrics = {"roc_auc": roc_auc_score(y, scores), "average_precision": average_precision_score(y, scores)}
    with open(args.metrics, "w") as fh:
        json.dump(metrics, fh, indent=2)


if __name__ == "__main__":
    main()
