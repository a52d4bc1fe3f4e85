"""Fit the log-log demand model (XGBoost, monotone in price)."""
import argparse

import joblib
import pandas as pd
import xgboost as xgb

FEATURES = ["log_price", "discount", "promo", "weekofyear", "log_units_lag1"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--features", required=True)
    ap.add_argument("--max-depth", type=int, default=6)
    ap.add_argument("--eta", type=float, default=0.05)
    ap.add_argument("--rounds", type=int, default=800)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    df = pd.read_parquet(args.features)
    cutoff = df["week"].max() - pd.Timedelta(weeks=8)
    train = df[df["week"] <= cutoff]

    model = xgb.XGBRegressor(
        n_estimators=args.rounds,
        max_depth=args.max_depth,
        learning_rate=args.eta,
        subsample=0.8,
        colsample_bytree=0.8,
        # demand must not go up when price goes up
        monotone_constraints="(-1,0,0,0,0)",
        tree_method="hist",
        n_jobs=-1,
    )
    model.fit(train[FEATURES], train["log_units"])
    joblib.dump({"model": model, "features": FEATURES, "cutoff": str(cutoff)}, args.out)


if __name__ == "__main__":
    main()
