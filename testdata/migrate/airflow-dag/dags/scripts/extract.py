"""Download one day of settlements from the payments API as CSV."""
import argparse
import csv
import os
import sys
import time

import requests

API = os.environ.get("SETTLEMENTS_API", "https://payments.internal.example.com/v3/settlements")
FIELDS = ["settlement_id", "merchant_id", "settled_at", "amount", "currency",
          "is_refund", "is_chargeback", "label_fraud_90d"]


def fetch(day: str, token: str):
    cursor = None
    while True:
        params = {"date": day, "limit": 5000}
        if cursor:
            params["cursor"] = cursor
        r = requests.get(API, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        if r.status_code == 429:
            time.sleep(int(r.headers.get("Retry-After", "10")))
            continue
        r.raise_for_status()
        body = r.json()
        yield from body["items"]
        cursor = body.get("next_cursor")
        if not cursor:
            return


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--date", required=True, help="YYYY-MM-DD (Airflow's ds)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    token = os.environ.get("SETTLEMENTS_TOKEN")
    if not token:
        sys.exit("SETTLEMENTS_TOKEN not set (comes from the Airflow connection env)")

    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    n = 0
    with open(args.out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for row in fetch(args.date, token):
            w.writerow(row)
            n += 1
    print(f"{n} settlements for {args.date} -> {args.out}")


if __name__ == "__main__":
    main()
