"""Embedding refresh (BROKEN -- the file does not import).

`List` is used in an annotation but never imported from typing: Python
raises a NameError when it defines the component.
"""
from kfp import dsl

IMAGE = "us-docker.pkg.dev/acme-search/ml/embed:0.9.4"


@dsl.component(base_image=IMAGE)
def list_shards(index: str) -> list:
    return ["shard-0", "shard-1"]


@dsl.component(base_image=IMAGE)
def embed_shards(shards: List[str], model_name: str) -> int:
    return len(shards)


@dsl.pipeline(name="embedding-refresh")
def embedding_refresh(index: str = "docs-v3"):
    shards = list_shards(index=index).set_retry(2)
    embed_shards(shards=shards.output, model_name="e5-large").set_retry(2)
