"""Daily embedding refresh for the search index.

The DAG id is derived from this file's name so that copying the file for a new
index (``cp this_file.py search_embeddings_eu.py``) is all it takes to get a
new DAG. Do not hard-code the id: the on-call dashboards key on the file name.

A second DAG, ``<file stem>_backfill``, is manually triggered and re-embeds a
date range passed in ``params``.
"""
import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

DAG_ID = os.path.basename(__file__).replace(".py", "")
BACKFILL_DAG_ID = Path(__file__).stem + "_backfill"

INDEX_NAME = "products-v7"
EMBED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
BATCH_SIZE = 512

DEFAULT_ARGS = {
    "owner": "search-relevance",
    "retries": 3,
    "retry_delay": timedelta(minutes=2),
    "email_on_retry": False,
}


def _check_index_health(index_name, **_):
    # TODO(ana): hit the cluster health endpoint instead of trusting the alias
    print(f"checking {index_name}")


def _swap_alias(index_name, **context):
    print(f"swapping alias for {index_name} at {context['ds']}")


with DAG(
    dag_id=DAG_ID,
    description="Re-embed changed products and push vectors to the ANN index",
    schedule="30 2 * * *",
    start_date=datetime(2024, 5, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["search", "embeddings"],
) as dag:
    dag.doc_md = __doc__

    changed = BashOperator(
        task_id="export_changed_products",
        bash_command="python jobs/export_changed.py --since {{ prev_ds }} --out /tmp/changed_{{ ds_nodash }}.jsonl",
    )

    embed = BashOperator(
        task_id="embed_products",
        bash_command=(
            f"python jobs/embed.py --model {EMBED_MODEL} --batch-size {BATCH_SIZE} "
            "--in /tmp/changed_{{ ds_nodash }}.jsonl --out /tmp/vectors_{{ ds_nodash }}.npy"
        ),
        retries=1,  # GPU pool; a retry mostly just waits for another slot
        pool="gpu",
    )

    health = PythonOperator(
        task_id="check_index_health",
        python_callable=_check_index_health,
        op_kwargs={"index_name": INDEX_NAME},
    )

    upsert = BashOperator(
        task_id="upsert_vectors",
        bash_command=f"python jobs/upsert.py --index {INDEX_NAME} " + "--vectors /tmp/vectors_{{ ds_nodash }}.npy",
    )

    swap = PythonOperator(
        task_id="swap_alias",
        python_callable=_swap_alias,
        op_args=[INDEX_NAME],
    )

    changed >> embed >> upsert >> swap
    health >> upsert


# ---------------------------------------------------------------------------
# Manual backfill variant: same steps, no schedule, date range from params.
# ---------------------------------------------------------------------------
backfill_dag = DAG(
    BACKFILL_DAG_ID,
    schedule=None,
    start_date=datetime(2024, 5, 1),
    default_args={**DEFAULT_ARGS, "retries": 0},
    params={"start": "2024-05-01", "end": "2024-05-31"},
    tags=["search", "embeddings", "backfill"],
)

export_range = BashOperator(
    task_id="export_range",
    bash_command="python jobs/export_changed.py --since {{ params.start }} --until {{ params.end }} --out /tmp/backfill.jsonl",
    dag=backfill_dag,
)
embed_range = BashOperator(
    task_id="embed_range",
    bash_command=f"python jobs/embed.py --model {EMBED_MODEL} --in /tmp/backfill.jsonl --out /tmp/backfill.npy",
    dag=backfill_dag,
    retries=2,
)
upsert_range = BashOperator(
    task_id="upsert_range",
    bash_command=f"python jobs/upsert.py --index {INDEX_NAME} --vectors /tmp/backfill.npy",
    dag=backfill_dag,
)

export_range.set_downstream(embed_range)
upsert_range.set_upstream(embed_range)
