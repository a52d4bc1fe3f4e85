"""Build the model's feature table from the raw card transactions."""
import argparse

import numpy as np
import pandas as pd


def build(df: pd.DataFrame) -> pd.DataFrame:
    df = df.sort_values(["card_id", "ts"])
    df["ts"] = pd.to_datetime(df["ts"], utc=True)
    df["hour"] = df["ts"].dt.hour
    df["log_amount"] = np.log1p(df["amount"].clip(lower=0))
    g = df.groupby("card_id")
    df["amount_vs_card_mean"] = df["amount"] / g["amount"].transform("mean").replace(0, np.nan)
    df["secs_since_prev"] = g["ts"].diff().dt.total_seconds().fillna(-1)
    df["n_tx_card"] = g.cumcount()
    df["merchant_fraud_rate"] = df.groupby("merchant_id")["is_fraud"].transform(
        lambda s: s.shift().expanding().mean()
    ).fillna(0.0)
    cols = ["hour", "log_amount", "amount_vs_card_mean", "secs_since_prev", "n_tx_card", "merchant_fraud_rate"]
    return df[cols + ["is_fraud"]].fillna(0.0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--in", dest="src", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    raw = pd.read_csv(args.src)
    build(raw).to_parquet(args.out, index=False)


if __name__ == "__main__":
    main()
