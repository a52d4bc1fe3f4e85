"""Score the newest loss year and write Gini / deviance."""
import argparse
import json

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import mean_tweedie_deviance

from train import FEATURES


def gini(y, p):
    order = np.argsort(-p)
    cum = np.cumsum(y[order]) / y.sum()
    return float(1 - 2 * cum.mean() + 1 / len(y))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--metrics", required=True)
    args = ap.parse_args()

    df = pd.read_parquet(args.data)
    test = df[df["loss_year"] == df["loss_year"].max()]
    booster = xgb.Booster()
    booster.load_model(args.model)
    pred = booster.predict(xgb.DMatrix(test[FEATURES], enable_categorical=True))
    y = test["paid_amount"].to_numpy()
    metrics = {"n": int(len(test)), "gini": gini(y, pred),
               "tweedie_deviance": float(mean_tweedie_deviance(y, pred, power=1.5))}
    with open(args.metrics, "w") as fh:
        json.dump(metrics, fh, indent=2)


if __name__ == "__main__":
    main()
