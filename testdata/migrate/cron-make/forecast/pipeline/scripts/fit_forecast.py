"""Fit one Holt-Winters model per queue (weekly seasonality) and forecast HORIZON days."""
import argparse
import warnings

import holidays
import numpy as np
import pandas as pd
from statsmodels.tsa.holtwinters import ExponentialSmoothing

warnings.filterwarnings("ignore", category=RuntimeWarning)


def fit_queue(series: pd.Series, horizon: int, alpha: float) -> pd.DataFrame:
    model = ExponentialSmoothing(
        np.log1p(series), trend="add", damped_trend=True, seasonal="add", seasonal_periods=7
    ).fit(optimized=True)
    mean = model.forecast(horizon)
    resid_sd = np.std(model.resid[-90:])
    z = {0.1: 1.645, 0.2: 1.282, 0.05: 1.96}.get(alpha, 1.645)
    return pd.DataFrame({
        "date": mean.index,
        "forecast": np.expm1(mean).clip(lower=0).round(1),
        "lo": np.expm1(mean - z * resid_sd).clip(lower=0).round(1),
        "hi": np.expm1(mean + z * resid_sd).round(1),
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", required=True)
    ap.add_argument("--horizon", type=int, default=35)
    ap.add_argument("--alpha", type=float, default=0.1, help="1 - interval coverage")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    calls = pd.read_parquet(args.calls)
    de_holidays = holidays.country_holidays("DE", years=range(2019, 2031))
    out = []
    for queue, grp in calls.groupby("queue"):
        s = grp.set_index("date")["offered"].asfreq("D", fill_value=0)
        if len(s) < 8 * 7:
            print(f"skip {queue}: only {len(s)} days")
            continue
        fc = fit_queue(s, args.horizon, args.alpha)
        fc.loc[fc["date"].dt.date.isin(de_holidays), ["forecast", "lo", "hi"]] *= 0.35
        fc.insert(0, "queue", queue)
        out.append(fc)
    pd.concat(out).to_csv(args.out, index=False, date_format="%Y-%m-%d")


if __name__ == "__main__":
    main()
