"""Upload the latest forecast to the WFM scheduling tool."""
import argparse
import csv
import os
import sys

import requests


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--forecast", required=True)
    ap.add_argument("--api", required=True)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()

    with open(args.forecast, newline="") as fh:
        rows = [
            {"queue": r["queue"], "date": r["date"], "volume": float(r["forecast"])}
            for r in csv.DictReader(fh)
        ]
    if args.dry_run:
        print(f"would push {len(rows)} rows")
        return
    # token lives in ~/.wfm_token, readable by svc-wfm only
    with open(os.path.expanduser("~/.wfm_token")) as fh:
        token = fh.read().strip()
    r = requests.put(f"{args.api}/forecasts/call-volume", json={"rows": rows},
                     headers={"Authorization": f"Token {token}"}, timeout=60)
    if r.status_code >= 300:
        sys.exit(f"WFM rejected the upload: {r.status_code} {r.text[:300]}")
    print(f"pushed {len(rows)} rows")


if __name__ == "__main__":
    main()
