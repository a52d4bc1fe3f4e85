import argparse

import joblib
import pandas as pd

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--features", required=True)
p.add_argument("--out", required=True)
p.add_argument("--date")
a = p.parse_args()

df = pd.read_parquet(a.features)
df["score"] = joblib.load(a.model).predict_proba(df[["n_events", "n_sessions"]])[:, 1]
df[["customer_id", "score"]].to_parquet(a.out, index=False)
