"""Pull the quarter's ticket export from S3 and write a stratified train/test split.

Credentials come from the environment: AWS_PROFILE must name a profile that
can read the export bucket.
"""
import argparse
import io
import os
import sys
from urllib.parse import urlparse

import boto3
import numpy as np
import pandas as pd
import yaml
from sklearn.model_selection import train_test_split

from textprep import normalize

MIN_PER_QUEUE = 50


def read_export(uri: str, profile: str) -> pd.DataFrame:
    url = urlparse(uri)
    s3 = boto3.Session(profile_name=profile).client("s3")
    frames = []
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=url.netloc, Prefix=url.path.lstrip("/")):
        for obj in page.get("Contents", []):
            if not obj["Key"].endswith(".jsonl"):
                continue
            body = s3.get_object(Bucket=url.netloc, Key=obj["Key"])["Body"].read()
            frames.append(pd.read_json(io.BytesIO(body), lines=True))
    if not frames:
        sys.exit(f"no .jsonl files under {uri}")
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source", required=True, help="s3:// prefix of the ticket export")
    ap.add_argument("--test-frac", type=float, default=0.15)
    ap.add_argument("--train-out", required=True)
    ap.add_argument("--test-out", required=True)
    ap.add_argument("--queues", default="configs/queues.yaml",
                    help="queue list; falls back to whatever is in the data")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()

    profile = os.environ.get("AWS_PROFILE")
    if not profile:
        sys.exit("AWS_PROFILE is not set")

    df = read_export(args.source, profile)
    df["text"] = (df["subject"].fillna("") + " . " + df["body"].fillna("")).map(normalize)
    df = df[df["text"].str.len() > 10]

    if os.path.exists(args.queues):
        with open(args.queues) as fh:
            keep = {q["name"] for q in yaml.safe_load(fh)["queues"]}
        df = df[df["queue"].isin(keep)]

    counts = df["queue"].value_counts()
    rare = counts[counts < MIN_PER_QUEUE].index
    df.loc[df["queue"].isin(rare), "queue"] = "other"
    labels = sorted(df["queue"].unique())
    df["label"] = df["queue"].map({q: i for i, q in enumerate(labels)}).astype(np.int64)

    train, test = train_test_split(
        df[["ticket_id", "text", "label", "queue"]],
        test_size=args.test_frac,
        stratify=df["label"],
        random_state=args.seed,
    )
    train.to_parquet(args.train_out, index=False)
    test.to_parquet(args.test_out, index=False)
    print(f"{len(train)} train / {len(test)} test rows, {len(labels)} queues")


if __name__ == "__main__":
    main()
