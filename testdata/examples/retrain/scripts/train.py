"""Train the fraud classifier."""
import argparse

import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--model-out", required=True)
    parser.add_argument("--n-estimators", type=int, default=300)
    args = parser.parse_args()

    df = pd.read_parquet(args.data)
    X, y = df.drop(columns=["is_fraud"]), df["is_fraud"]
    clf = RandomForestClassifier(n_estimators=args.n_estimators, class_weight="balanced", n_jobs=-1)
    clf.fit(X, y)
    joblib.dump(clf, args.model_out)


if __name__ == "__main__":
    main()
