"""Clean raw transactions and build model features."""
import argparse

import numpy as np
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    df = pd.read_csv(args.input, parse_dates=["event_time"])
    df = df.dropna(subset=["amount", "merchant_id"])
    df["log_amount"] = np.log1p(df["amount"].clip(lower=0))
    df["hour"] = df["event_time"].dt.hour
    df["merchant_txn_count"] = df.groupby("merchant_id")["amount"].transform("count")
    features = df[["log_amount", "hour", "merchant_txn_count", "is_fraud"]]
    features.to_parquet(args.output, index=False)


if __name__ == "__main__":
    main()
