"""Uses the platform team's component wrapper from an internal package."""
from acme_mlops.kfp import platform_component
from kfp import dsl

IMAGE = "python:3.11.9-slim@sha256:7d3e5f2a9c1b4e6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d"


@platform_component(cpu="2")
def featurize(day: str) -> str:
    return f"gs://acme-features/{day}/"


@dsl.component(base_image=IMAGE)
def train(features_uri: str) -> str:
    return features_uri


@dsl.pipeline(name="platform-train")
def platform_train(day: str):
    feats = featurize(day=day)
    train(features_uri=feats.output).set_retry(2)
