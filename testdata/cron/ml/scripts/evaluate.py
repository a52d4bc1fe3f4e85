import argparse
import json

import joblib
import pandas as pd
from sklearn.metrics import roc_auc_score

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--features", required=True)
p.add_argument("--out", required=True)
a = p.parse_args()

df = pd.read_parquet(a.features).merge(pd.read_parquet("/data/exports/labels/churned.parquet"), on="customer_id")
proba = joblib.load(a.model).predict_proba(df[["n_events", "n_sessions"]])[:, 1]
with open(a.out, "w") as fh:
    json.dump({"auc": roc_auc_score(df["churned"], proba), "rows": len(df)}, fh)
