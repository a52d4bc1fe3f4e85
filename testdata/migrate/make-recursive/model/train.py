"""Train the claim severity model: XGBoost with a Tweedie objective."""
import argparse

import pandas as pd
import xgboost as xgb

FEATURES = ["line_of_business", "region", "vehicle_age", "driver_age",
            "log_sum_insured", "deductible_ratio", "loss_year"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, default=1500)
    ap.add_argument("--max-depth", type=int, default=5)
    ap.add_argument("--lr", type=float, default=0.03)
    ap.add_argument("--tweedie-power", type=float, default=1.5)
    args = ap.parse_args()

    df = pd.read_parquet(args.data)
    train = df[df["loss_year"] < df["loss_year"].max()]  # newest year is the test set
    dtrain = xgb.DMatrix(train[FEATURES], label=train["paid_amount"], enable_categorical=True)
    params = {
        "objective": "reg:tweedie",
        "tweedie_variance_power": args.tweedie_power,
        "max_depth": args.max_depth,
        "eta": args.lr,
        "subsample": 0.8,
        "colsample_bytree": 0.8,
        "tree_method": "hist",
    }
    booster = xgb.train(params, dtrain, num_boost_round=args.rounds)
    booster.save_model(args.out)


if __name__ == "__main__":
    main()
