"""Turn the claims export into a modelling table (one row per closed claim)."""
import argparse

import numpy as np
import pandas as pd

KEEP = ["claim_id", "policy_id", "loss_date", "close_date", "line_of_business", "region",
        "vehicle_age", "driver_age", "sum_insured", "deductible", "paid_amount", "status"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--min-year", type=int, default=2019)
    args = ap.parse_args()

    df = pd.read_csv(args.input, usecols=KEEP, parse_dates=["loss_date", "close_date"], low_memory=False)
    df = df[(df["status"] == "CLOSED") & (df["loss_date"].dt.year >= args.min_year)]
    df = df[df["paid_amount"] >= 0]
    df["days_to_close"] = (df["close_date"] - df["loss_date"]).dt.days.clip(lower=0)
    df["log_sum_insured"] = np.log1p(df["sum_insured"])
    df["deductible_ratio"] = (df["deductible"] / df["sum_insured"].replace(0, np.nan)).fillna(0)
    df["loss_year"] = df["loss_date"].dt.year
    for col in ("line_of_business", "region"):
        df[col] = df[col].str.strip().str.upper().astype("category")
    df.drop(columns=["status", "close_date"]).to_parquet(args.output, index=False)
    print(f"{len(df):,} closed claims -> {args.output}")


if __name__ == "__main__":
    main()
