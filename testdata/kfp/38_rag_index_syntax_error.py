"""RAG document index rebuild for the internal help-desk bot (BROKEN: SyntaxError).

What's wrong: a merge conflict resolution left `chunk_documents` without the
closing parenthesis of its signature (`overlap: int = 64:`), so the file
does not even parse; Python reports the `(` opened on the `def` line as
never closed. The oracle records a SyntaxError; a static reader
has to survive it too.
"""
from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Output

RAG_IMAGE = "python:3.11-slim"
EMBED_MODEL = "BAAI/bge-small-en-v1.5"


@dsl.component(base_image=RAG_IMAGE, packages_to_install=["atlassian-python-api==3.41.14"])
def crawl_confluence(space_keys: list, docs: Output[Dataset]):
    with open(docs.path, "w") as fh:
        for key in space_keys:
            fh.write(f"https://acme.atlassian.net/wiki/spaces/{key}\n")


@dsl.component(base_image=RAG_IMAGE, packages_to_install=["langchain-text-splitters==0.2.2"])
def chunk_documents(docs: Input[Dataset], chunk_size: int, chunks: Output[Dataset],
                    overlap: int = 64:
    with open(docs.path) as src, open(chunks.path, "w") as dst:
        for line in src:
            dst.write(f"{line.strip()}|{chunk_size}|{overlap}\n")


@dsl.component(base_image=RAG_IMAGE, packages_to_install=["sentence-transformers", "qdrant-client==1.10.1"])
def embed_and_upsert(chunks: Input[Dataset], model_name: str, collection: str, qdrant_url: str):
    print(f"embedding {chunks.uri} with {model_name} into {qdrant_url}/{collection}")


@dsl.pipeline(name="helpdesk-rag-index")
def rag_index(
    space_keys: list = ["IT", "HR", "SEC"],
    collection: str = "helpdesk-v2",
    qdrant_url: str = "https://qdrant.acme.internal:6333",
):
    docs = crawl_confluence(space_keys=space_keys)
    docs.set_caching_options(False)
    chunks = chunk_documents(docs=docs.outputs["docs"], chunk_size=800)
    embed_and_upsert(chunks=chunks.outputs["chunks"], model_name=EMBED_MODEL, collection=collection, qdrant_url=qdrant_url)


if __name__ == "__main__":
    compiler.Compiler().compile(rag_index, "rag_index.yaml")
