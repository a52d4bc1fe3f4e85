"""Embedding refresh: steps hand each other GCS paths as plain strings.

We don't use artifacts here because the embedding job writes sharded output
directly to GCS and the downstream index builder wants a prefix, not a file.
"""
from kfp import compiler, dsl

BUCKET = "gs://acme-search-embeddings"


@dsl.component(base_image="python:3.11-slim", packages_to_install=["google-cloud-storage>=2.10"])
def export_documents(snapshot_date: str, output_prefix: str) -> str:
    """Writes docs-*.jsonl under output_prefix and returns the folder URI."""
    from google.cloud import storage  # noqa: F401

    output_uri = f"{output_prefix}/docs/{snapshot_date}"
    print("exporting to", output_uri)
    return output_uri


@dsl.component(base_image="python:3.11-slim", packages_to_install=["google-cloud-storage>=2.10", "sentence-transformers"])
def embed_documents(docs_uri: str, model_name: str, batch_size: int = 64) -> str:
    output_uri = docs_uri.replace("/docs/", "/embeddings/")
    print(f"embedding {docs_uri} with {model_name} bs={batch_size} -> {output_uri}")
    return output_uri


@dsl.component(base_image="python:3.11-slim", packages_to_install=["faiss-cpu==1.8.0"])
def build_index(embeddings_uri: str, nlist: int) -> str:
    index_uri = embeddings_uri.rstrip("/") + "/index.faiss"
    with open("/tmp/index.meta", "w") as fh:
        fh.write(f"nlist={nlist}\n")
    return index_uri


@dsl.component(base_image="python:3.11-slim")
def swap_serving_alias(index_uri: str, alias: str):
    print(f"pointing {alias} -> {index_uri}")


@dsl.pipeline(name="search-embedding-refresh")
def embedding_refresh(
    snapshot_date: str = "2024-07-01",
    model_name: str = "all-MiniLM-L6-v2",
    alias: str = "search-prod",
):
    docs = export_documents(snapshot_date=snapshot_date, output_prefix=BUCKET)
    emb = embed_documents(docs_uri=docs.output, model_name=model_name)
    emb.set_gpu_limit(1)
    emb.set_accelerator_type("nvidia.com/gpu")
    idx = build_index(embeddings_uri=emb.output, nlist=1024)
    swap = swap_serving_alias(index_uri=idx.output, alias=alias)
    swap.set_caching_options(False)


if __name__ == "__main__":
    compiler.Compiler().compile(embedding_refresh, "embedding_refresh.yaml")
