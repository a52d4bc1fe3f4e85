"""Clean the raw settlements CSV: types, FX to EUR, drop test merchants."""
import argparse

import numpy as np
import pandas as pd

# rough monthly rates; finance owns the real table, this is good enough for features
EUR_PER = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "SEK": 0.087, "PLN": 0.23}
TEST_MERCHANT_PREFIX = "TST"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--in", dest="src", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    df = pd.read_csv(args.src, parse_dates=["settled_at"], dtype={"merchant_id": str})
    df = df[~df["merchant_id"].str.startswith(TEST_MERCHANT_PREFIX)]
    df["currency"] = df["currency"].str.upper()
    unknown = set(df["currency"]) - set(EUR_PER)
    if unknown:
        print(f"dropping {df['currency'].isin(unknown).sum()} rows in {sorted(unknown)}")
        df = df[~df["currency"].isin(unknown)]
    df["amount"] = df["amount"].astype(float) * df["currency"].map(EUR_PER)
    for col in ("is_refund", "is_chargeback"):
        df[col] = df[col].astype(str).str.lower().isin(["1", "true", "t"]).astype(np.int8)
    df["label_fraud_90d"] = pd.to_numeric(df["label_fraud_90d"], errors="coerce").fillna(0).astype(np.int8)
    df.drop(columns=["currency"]).to_parquet(args.out, index=False)


if __name__ == "__main__":
    main()
