"""Legacy tabular cleaning pipeline, ported from KFP v1 with minimal changes.

Uses the old InputPath/OutputPath file-handoff style. The "CSV" type name is a
leftover from the v1 days; it is NOT one of the built-in artifact types.
"""
from kfp import compiler, dsl
from kfp.dsl import InputPath, OutputPath


@dsl.component(base_image="python:3.8", packages_to_install=["requests==2.31.0"])
def download_csv(url: str, output_csv: OutputPath("CSV")):
    import requests

    resp = requests.get(url, timeout=60)
    resp.raise_for_status()
    with open(output_csv, "wb") as fh:
        fh.write(resp.content)


@dsl.component(base_image="python:3.8", packages_to_install=["pandas==1.5.3"])
def drop_bad_rows(
    input_csv: InputPath("CSV"),
    cleaned_csv: OutputPath("CSV"),
    dropped_rows: OutputPath(int),
    required_columns: str = "id,amount",
):
    import pandas as pd

    df = pd.read_csv(input_csv)
    before = len(df)
    df = df.dropna(subset=required_columns.split(","))
    df.to_csv(cleaned_csv, index=False)
    with open(dropped_rows, "w") as fh:
        fh.write(str(before - len(df)))


@dsl.component(base_image="python:3.8", packages_to_install=["pandas==1.5.3"])
def summarize(cleaned: InputPath(), summary: OutputPath(), notes: InputPath(str)):
    # `cleaned` has no type on purpose (old code, nobody remembers why)
    import json

    import pandas as pd

    df = pd.read_csv(cleaned)
    with open(notes) as fh:
        note_text = fh.read()
    with open(summary, "w") as fh:
        json.dump({"rows": len(df), "cols": list(df.columns), "notes": note_text}, fh)


@dsl.component(base_image="python:3.8")
def alert_if_many_dropped(dropped: int, limit: int = 1000):
    if dropped > limit:
        raise RuntimeError(f"dropped {dropped} rows (> {limit})")


@dsl.pipeline(name="legacy-txn-cleaning")
def legacy_cleaning(
    source_url: str = "https://data.acme.internal/exports/transactions.csv",
    drop_limit: int = 500,
):
    dl = download_csv(url=source_url)
    dl.set_caching_options(False)  # the export changes every hour

    cleaned = drop_bad_rows(input_csv=dl.outputs["output_csv"])
    summarize(cleaned=cleaned.outputs["cleaned_csv"], notes="nightly run")
    alert_if_many_dropped(dropped=cleaned.outputs["dropped_rows"], limit=drop_limit)


if __name__ == "__main__":
    compiler.Compiler().compile(legacy_cleaning, "legacy_cleaning.yaml")
