"""Collect the ACD daily exports into one tidy table: date x queue -> offered calls."""
import argparse
import glob
import os
from datetime import date, timedelta

import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--acd-dir", required=True, help="directory of acd_YYYYMMDD.csv exports")
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    since = date.today() - timedelta(days=args.days)
    frames = []
    for path in sorted(glob.glob(os.path.join(args.acd_dir, "acd_*.csv"))):
        day = pd.to_datetime(os.path.basename(path)[4:12], format="%Y%m%d").date()
        if day < since:
            continue
        # the ACD writes latin-1 and a trailing summary row we don't want
        df = pd.read_csv(path, sep=";", encoding="latin-1", skipfooter=1, engine="python")
        df["date"] = pd.Timestamp(day)
        frames.append(df[["date", "Queue", "Offered", "Abandoned"]])
    if not frames:
        raise SystemExit(f"no exports newer than {since} in {args.acd_dir}")

    calls = (
        pd.concat(frames)
        .rename(columns={"Queue": "queue", "Offered": "offered", "Abandoned": "abandoned"})
        .groupby(["date", "queue"], as_index=False)[["offered", "abandoned"]]
        .sum()
    )
    calls.to_parquet(args.out, index=False)
    print(f"{calls['date'].nunique()} days, {calls['queue'].nunique()} queues -> {args.out}")


if __name__ == "__main__":
    main()
