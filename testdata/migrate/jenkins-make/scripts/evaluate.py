"""Evaluate on the last 8 weeks (the ones train.py held out)."""
import argparse
import json

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, r2_score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    bundle = joblib.load(args.model)
    df = pd.read_parquet(args.features)
    test = df[df["week"] > pd.Timestamp(bundle["cutoff"])]
    pred = bundle["model"].predict(test[bundle["features"]])

    metrics = {
        "n_test": int(len(test)),
        "mae_log_units": float(mean_absolute_error(test["log_units"], pred)),
        "r2": float(r2_score(test["log_units"], pred)),
        "wape": float(np.abs(np.exp(pred) - test["units"]).sum() / test["units"].sum()),
    }
    with open(args.out, "w") as fh:
        json.dump(metrics, fh, indent=2)
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
