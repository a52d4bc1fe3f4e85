"""Score the hold-out month and write the metrics the report reads."""
import argparse
import json

import joblib
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", required=True)
    p.add_argument("--features", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--holdout-frac", type=float, default=0.2)
    args = p.parse_args()

    df = pd.read_parquet(args.features)
    holdout = df.tail(int(len(df) * args.holdout_frac))
    X, y = holdout.drop(columns=["is_fraud"]), holdout["is_fraud"]
    proba = joblib.load(args.model).predict_proba(X)[:, 1]
    metrics = {
        "rows": int(len(holdout)),
        "roc_auc": float(roc_auc_score(y, proba)),
        "pr_auc": float(average_precision_score(y, proba)),
    }
    with open(args.out, "w") as fh:
        json.dump(metrics, fh, indent=2)


if __name__ == "__main__":
    main()
