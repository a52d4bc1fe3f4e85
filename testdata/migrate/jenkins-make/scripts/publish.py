"""Upload a trained model to the internal model registry and announce it."""
import argparse
import hashlib
import os
import sys

import requests

REGISTRY = os.environ.get("ML_REGISTRY_URL", "https://models.internal.example.com/api/v1")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--model", required=True)
    ap.add_argument("--channel", required=True, help="release channel, e.g. ml-releases")
    ap.add_argument("--name", default="price-elasticity")
    args = ap.parse_args()

    token = os.environ.get("REGISTRY_TOKEN")
    if not token:
        sys.exit("REGISTRY_TOKEN not set (Jenkins injects it)")

    with open(args.model, "rb") as fh:
        blob = fh.read()
    digest = hashlib.sha256(blob).hexdigest()
    resp = requests.post(
        f"{REGISTRY}/models/{args.name}/versions",
        headers={"Authorization": f"Bearer {token}"},
        data={"channel": args.channel, "sha256": digest, "build": os.environ.get("BUILD_NUMBER", "local")},
        files={"artifact": (os.path.basename(args.model), blob)},
        timeout=120,
    )
    resp.raise_for_status()
    print(f"published {args.name} {resp.json()['version']} ({digest[:12]}) to {args.channel}")


if __name__ == "__main__":
    main()
