"""Download one day of transactions from the warehouse export."""
import argparse
import io
from urllib.parse import urlparse

import boto3
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", required=True, help="s3://bucket/prefix of the export")
    parser.add_argument("--date", required=True, help="snapshot date, YYYY-MM-DD")
    parser.add_argument("--out", required=True, help="CSV file to write")
    args = parser.parse_args()

    url = urlparse(args.source)
    key = f"{url.path.lstrip('/')}/dt={args.date}/transactions.csv"
    body = boto3.client("s3").get_object(Bucket=url.netloc, Key=key)["Body"].read()
    frame = pd.read_csv(io.BytesIO(body))
    frame.to_csv(args.out, index=False)
    print(f"{len(frame)} transactions -> {args.out}")


if __name__ == "__main__":
    main()
