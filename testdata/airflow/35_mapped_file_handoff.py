"""Image-embedding batch job: map over shards, reduce into one index.

``list_shards`` returns the *paths* of the new image shards (tar files written
by the crawler); each mapped ``embed_shard`` writes a ``.npy`` next to it and
returns that path; ``build_index`` receives the lazy list of all of them.

Paths are passed through XCom as plain strings. Yes, we know — a dataset /
asset would be nicer. See the "paths as XCom" section in the platform docs.
"""
from __future__ import annotations

import glob
import os
from datetime import timedelta

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, task

SHARD_ROOT = "/mnt/crawler/images"
EMB_ROOT = "/mnt/embeddings/clip-vit-b32"
MAX_SHARDS = 64

with DAG(
    dag_id="image_embedding_batch",
    schedule="@hourly",
    start_date=pendulum.datetime(2024, 7, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "vision", "retries": 1, "retry_delay": timedelta(minutes=2)},
    tags=["vision", "embeddings", "mapping"],
    doc_md=__doc__,
) as dag:

    @task(retries=3)
    def list_shards(data_interval_start=None) -> list[str]:
        hour = data_interval_start.strftime("%Y%m%d%H") if data_interval_start else "latest"
        paths = sorted(glob.glob(os.path.join(SHARD_ROOT, hour, "*.tar")))
        # cap fan-out; the rest is picked up next hour
        return paths[:MAX_SHARDS]

    @task(max_active_tis_per_dag=8)
    def embed_shard(shard_path: str, model_name: str, batch_size: int) -> str:
        out = os.path.join(EMB_ROOT, os.path.basename(shard_path).replace(".tar", ".npy"))
        print(f"embedding {shard_path} with {model_name} (bs={batch_size}) -> {out}")
        return out

    @task(retries=0)
    def build_index(embedding_paths: list[str]) -> str:
        paths = list(embedding_paths)
        index_path = os.path.join(EMB_ROOT, "index", "faiss.ivf")
        print(f"merging {len(paths)} shards into {index_path}")
        return index_path

    shards = list_shards()
    embeddings = embed_shard.partial(model_name="openai/clip-vit-base-patch32", batch_size=256).expand(
        shard_path=shards
    )
    index_path = build_index(embeddings)

    # a classic operator mapped over the same upstream list: checksum every shard
    checksum = BashOperator.partial(task_id="checksum_shard", retries=0).expand(
        bash_command=shards.map(lambda p: f"sha256sum {p} >> {p}.sha256")
    )

    swap = BashOperator(
        task_id="swap_serving_index",
        bash_command="ln -sfn {{ ti.xcom_pull(task_ids='build_index') }} " + EMB_ROOT + "/index/current",
    )

    index_path >> swap
    checksum >> swap
