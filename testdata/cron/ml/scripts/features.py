"""Daily customer features from the events export."""
import argparse

import pandas as pd

p = argparse.ArgumentParser()
p.add_argument("--date", required=True)
p.add_argument("--out", required=True)
a = p.parse_args()

ev = pd.read_parquet(f"/data/exports/events/{a.date}.parquet")
feats = ev.groupby("customer_id").agg(
    n_events=("event", "size"),
    n_sessions=("session_id", "nunique"),
    last_seen=("ts", "max"),
)
feats.reset_index().to_parquet(a.out, index=False)
