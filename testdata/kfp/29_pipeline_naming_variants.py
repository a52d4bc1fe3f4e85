"""Inference smoke tests for the recommendation service.

Contains a small reusable sub-pipeline (no explicit name -> derived from the
function) and the top-level pipeline, whose name= has capitals and
underscores because that's what the release dashboard expects.
"""
from kfp import compiler, dsl


@dsl.component(base_image="python:3.11-slim", packages_to_install=["requests==2.32.3"])
def call_endpoint(endpoint: str, payload: str) -> str:
    import requests

    r = requests.post(endpoint, data=payload, timeout=10)
    return r.text[:200]


@dsl.component(base_image="python:3.11-slim")
def assert_contains(body: str, needle: str):
    assert needle in body, f"{needle!r} not in response"


@dsl.pipeline
def smoke_check_endpoint(endpoint: str, payload: str, expect: str):
    resp = call_endpoint(endpoint=endpoint, payload=payload)
    resp.set_caching_options(False)
    assert_contains(body=resp.output, needle=expect)


@dsl.pipeline(
    name="Recsys_Smoke Tests v2",
    display_name="Recsys smoke tests (v2)",
    description="Hits staging and canary with canned payloads.",
)
def recsys_smoke_tests(
    staging_url: str = "https://recsys.staging.acme.io/v1/recommend",
    canary_url: str = "https://recsys.canary.acme.io/v1/recommend",
):
    stage = smoke_check_endpoint(endpoint=staging_url, payload='{"user_id": 42}', expect="items")
    canary = smoke_check_endpoint(endpoint=canary_url, payload='{"user_id": 42}', expect="items")
    canary.after(stage)

    # a third, hand-rolled check outside the sub-pipeline
    raw = call_endpoint(endpoint=canary_url, payload="{}")
    assert_contains(body=raw.output, needle="error")


if __name__ == "__main__":
    compiler.Compiler().compile(recsys_smoke_tests, "recsys_smoke_tests.yaml")
