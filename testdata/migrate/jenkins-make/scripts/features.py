"""Weekly SKU x store features for the elasticity model, straight from the DWH."""
import argparse

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text

QUERY = text("""
    SELECT sku_id, store_id, date_trunc('week', sold_on)::date AS week,
           SUM(units) AS units, AVG(unit_price) AS price, AVG(list_price) AS list_price,
           MAX(promo_flag::int) AS promo
    FROM sales_daily
    WHERE sold_on >= current_date - (:weeks * 7)
    GROUP BY 1, 2, 3
""")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dwh-url", required=True)
    ap.add_argument("--weeks", type=int, default=104)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    engine = create_engine(args.dwh_url)
    with engine.connect() as conn:
        df = pd.read_sql(QUERY, conn, params={"weeks": args.weeks})

    df = df[(df["units"] > 0) & (df["price"] > 0)].copy()
    df["log_units"] = np.log(df["units"])
    df["log_price"] = np.log(df["price"])
    df["discount"] = 1.0 - df["price"] / df["list_price"].where(df["list_price"] > 0)
    df["weekofyear"] = pd.to_datetime(df["week"]).dt.isocalendar().week.astype(int)
    df = df.sort_values(["sku_id", "store_id", "week"])
    df["log_units_lag1"] = df.groupby(["sku_id", "store_id"])["log_units"].shift(1)
    df = df.dropna(subset=["discount", "log_units_lag1"])
    df.to_parquet(args.out, index=False)
    print(f"{len(df):,} rows -> {args.out}")


if __name__ == "__main__":
    main()
