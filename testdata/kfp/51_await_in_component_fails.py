"""Async scoring client (BROKEN -- the file does not import).

The component awaits an HTTP call but is a plain `def`: Python refuses
`await` outside an async function.
"""
from kfp import dsl


@dsl.component(base_image="python:3.11.9-slim", packages_to_install=["httpx==0.27.0"])
def score_batch(endpoint: str, batch_uri: str) -> str:
    import httpx

    async with httpx.AsyncClient() as client:  # noqa
        resp = await client.post(endpoint, json={"uri": batch_uri})
    return resp.text


@dsl.pipeline(name="async-scoring")
def async_scoring(endpoint: str = "https://scoring.acme.internal/v1"):
    score_batch(endpoint=endpoint, batch_uri="gs://acme/batches/latest").set_retry(2)
