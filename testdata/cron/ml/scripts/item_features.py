"""Item popularity features (30-day window)."""
import argparse

import pandas as pd

p = argparse.ArgumentParser()
p.add_argument("--out", required=True)
a = p.parse_args()

orders = pd.read_parquet("/data/exports/orders/last_30d.parquet")
items = orders.groupby("item_id").agg(n_orders=("order_id", "nunique"), revenue=("amount", "sum"))
items.reset_index().to_parquet(a.out, index=False)
