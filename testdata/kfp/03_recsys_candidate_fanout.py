"""Two-tower recsys: per-segment candidate generation, fanned out twice.

  list_segments  -> one shard of candidates per user segment (loop over a task output)
  for each retrieval model (pipeline param) x each segment -> generate candidates
  merge the shards of every model (dsl.Collected -> Input[List[Dataset]])

Parallelism is capped because the ANN index servers fall over above ~8
concurrent clients (INC-2291).
"""
from typing import List

from kfp import compiler, dsl

RECSYS_IMAGE = "us-central1-docker.pkg.dev/acme-recsys/images/two-tower:1.12.0"
MAX_PARALLEL_SEGMENTS = 4


@dsl.component(base_image=RECSYS_IMAGE)
def list_segments(segment_table: str, min_users: int = 1000) -> List[str]:
    # the real thing queries the segment registry; hard-coded for the dry run
    print(f"reading {segment_table} (min_users={min_users})")
    return ["new_users", "power_users", "dormant", "b2b"]


@dsl.component(base_image=RECSYS_IMAGE)
def export_user_embeddings(segment: str, snapshot: str, embeddings: dsl.Output[dsl.Dataset]):
    with open(embeddings.path, "w") as fh:
        fh.write(f"{segment}@{snapshot}\n")


@dsl.component(base_image=RECSYS_IMAGE, packages_to_install=["faiss-cpu==1.8.0", "numpy>=1.26"])
def generate_candidates(
    embeddings: dsl.Input[dsl.Dataset],
    retrieval_model: str,
    top_k: int,
    candidates: dsl.Output[dsl.Dataset],
):
    with open(embeddings.path) as src, open(candidates.path, "w") as dst:
        for line in src:
            dst.write(f"{retrieval_model},{top_k},{line}")


@dsl.component(base_image=RECSYS_IMAGE, packages_to_install=["pandas"])
def merge_candidate_shards(
    shards: dsl.Input[List[dsl.Dataset]], retrieval_model: str, merged: dsl.Output[dsl.Dataset]
) -> int:
    n = 0
    with open(merged.path, "w") as out:
        for shard in shards:
            with open(shard.path) as fh:
                for line in fh:
                    out.write(line)
                    n += 1
    merged.metadata["model"] = retrieval_model
    return n


# no base_image: runs on the KFP default image (fine, it only makes an RPC)
@dsl.component
def push_to_serving(merged_count: int, retrieval_model: str, namespace: str = "recsys-staging"):
    print(f"pushing {merged_count} candidates for {retrieval_model} to {namespace}")


@dsl.pipeline(name="recsys-candidate-generation")
def candidate_generation(
    segment_table: str = "acme-recsys.registry.segments",
    snapshot: str = "2024-07-15",
    retrieval_models: List[str] = ["two-tower-v7", "two-tower-v8-distilled"],
    top_k: int = 500,
):
    segments = list_segments(segment_table=segment_table)
    segments.set_caching_options(False)  # registry changes daily

    with dsl.ParallelFor(retrieval_models, name="per-model") as model_name:
        with dsl.ParallelFor(segments.output, parallelism=MAX_PARALLEL_SEGMENTS) as segment:
            emb = export_user_embeddings(segment=segment, snapshot=snapshot)
            cands = generate_candidates(
                embeddings=emb.outputs["embeddings"], retrieval_model=model_name, top_k=top_k
            )
            cands.set_memory_limit("32G")
        merged = merge_candidate_shards(
            shards=dsl.Collected(cands.outputs["candidates"]), retrieval_model=model_name
        )
        push_to_serving(merged_count=merged.outputs["Output"], retrieval_model=model_name)

    # a second, smaller pass just for the b2b segment with a bigger top_k
    b2b_emb = export_user_embeddings(segment="b2b", snapshot=snapshot)
    generate_candidates(embeddings=b2b_emb.outputs["embeddings"], retrieval_model="two-tower-v7", top_k=2000)


if __name__ == "__main__":
    compiler.Compiler().compile(candidate_generation, "candidate_generation.yaml")
