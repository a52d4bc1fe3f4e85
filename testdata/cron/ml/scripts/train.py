import argparse

import joblib
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

p = argparse.ArgumentParser()
p.add_argument("--features", required=True)
p.add_argument("--items", required=True)
p.add_argument("--out", required=True)
p.add_argument("--epochs", type=int, default=10)  # boosting rounds / 10, kept for the old CLI
a = p.parse_args()

df = pd.read_parquet(a.features)
labels = pd.read_parquet("/data/exports/labels/churned.parquet")
df = df.merge(labels, on="customer_id")
X = df[["n_events", "n_sessions"]]
model = HistGradientBoostingClassifier(max_iter=a.epochs * 10).fit(X, df["churned"])
joblib.dump(model, a.out)
