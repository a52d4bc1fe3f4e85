"""Render the fraud-ops morning report from the latest metrics."""
import argparse
import datetime as dt
import html
import json


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--metrics", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()

    with open(args.metrics) as fh:
        m = json.load(fh)
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in m.items())
    page = f"<h1>Fraud model, {dt.date.today():%Y-%m-%d}</h1><table>{rows}</table>"
    with open(args.out, "w") as fh:
        fh.write(page)


if __name__ == "__main__":
    main()
