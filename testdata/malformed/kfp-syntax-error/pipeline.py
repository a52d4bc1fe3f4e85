from kfp import dsl

IMAGE = "python:3.11.9-slim@sha256:7d3e5f2a9c1b4e6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d"


@dsl.component(base_image=IMAGE)
def extract(day: str) -> str:
    return f"gs://acme-raw/events/{day}/"


@dsl.pipeline(name="events-etl")
def events_etl(day: str):
    raw = extract(day=day
    raw.set_retry(2)
