"""Rolling-origin backtest of the nightly forecast; writes per-queue MAPE."""
import argparse
import json

import numpy as np
import pandas as pd

from fit_forecast import fit_queue


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", required=True)
    ap.add_argument("--horizon", type=int, default=35)
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    calls = pd.read_parquet(args.calls)
    result = {}
    for queue, grp in calls.groupby("queue"):
        s = grp.set_index("date")["offered"].asfreq("D", fill_value=0)
        errs = []
        for k in range(args.folds, 0, -1):
            cut = len(s) - k * args.horizon
            if cut < 8 * 7:
                continue
            fc = fit_queue(s.iloc[:cut], args.horizon, 0.1)
            actual = s.iloc[cut:cut + args.horizon].to_numpy()
            errs.append(float(np.mean(np.abs(fc["forecast"].to_numpy() - actual) / np.maximum(actual, 1))))
        if errs:
            result[queue] = {"mape": round(float(np.mean(errs)), 4), "folds": len(errs)}
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()
