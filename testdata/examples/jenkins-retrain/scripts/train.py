"""Train the fraud classifier (gradient boosted trees)."""
import argparse

import joblib
import pandas as pd
from xgboost import XGBClassifier


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--features", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--n-estimators", type=int, default=400)
    args = p.parse_args()

    df = pd.read_parquet(args.features)
    X, y = df.drop(columns=["is_fraud"]), df["is_fraud"]
    pos = max(int(y.sum()), 1)
    clf = XGBClassifier(
        n_estimators=args.n_estimators,
        max_depth=6,
        learning_rate=0.05,
        subsample=0.8,
        scale_pos_weight=(len(y) - pos) / pos,
        eval_metric="aucpr",
        n_jobs=-1,
    )
    clf.fit(X, y)
    joblib.dump(clf, args.out)


if __name__ == "__main__":
    main()
