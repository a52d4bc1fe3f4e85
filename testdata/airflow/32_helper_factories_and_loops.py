"""Data-quality checks for the ML feature store.

Tasks are generated from small constant tables below. Adding a new table means
editing ``TABLES``/``OWNERS`` (kept in the same order, zipped together) —
please keep them aligned, the linter in CI does not check this.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

TABLES = ["user_features", "item_features", "session_features"]
OWNERS = ["growth", "catalog", "personalization"]
CHECKS = ("row_count", "null_rate", "freshness")
STAGES = [("bronze", 0), ("silver", 1), ("gold", 2)]
GE_SUITE_DIR = "great_expectations/expectations"


def dq_command(table: str, check: str, *, threshold: float = 0.01) -> str:
    return f"python dq/run_check.py --table {table} --check {check} --threshold {threshold} --ds {{{{ ds }}}}"


def make_table_checks(dag, table, owner, *, retries=1, strict=False):
    """Return (first, last) tasks of the per-table check chain."""

    def _check(check_name, idx):
        # nested helper: one task per (table, check)
        return BashOperator(
            task_id=f"{table}__{check_name}",
            bash_command=dq_command(table, check_name, threshold=0.0 if strict else 0.01),
            owner=owner,
            retries=retries if idx > 0 else retries + 1,
            dag=dag,
        )

    tasks = [_check(check_name=c, idx=i) for i, c in enumerate(CHECKS)]
    for upstream, downstream in zip(tasks, tasks[1:]):
        upstream >> downstream
    return tasks[0], tasks[-1]


with DAG(
    dag_id="feature_store_dq",
    schedule="15 * * * *",
    start_date=datetime(2024, 3, 10),
    catchup=False,
    default_args={"owner": "ml-platform", "retries": 2, "retry_delay": timedelta(minutes=1)},
    tags=["dq", "feature-store"],
) as dag:
    start = EmptyOperator(task_id="start")
    all_checks_passed = EmptyOperator(task_id="all_checks_passed")

    for table, owner in zip(TABLES, OWNERS):
        first, last = make_table_checks(
            dag=dag,
            table=table,
            owner=owner,
            retries=0 if owner == "growth" else 1,
            strict=(table == "user_features"),
        )
        start >> first
        last >> all_checks_passed

    # one promotion task per medallion stage, keyed by stage name
    promote = {
        stage: BashOperator(
            task_id=f"promote_{stage}",
            bash_command=f"python dq/promote.py --stage {stage} --level {level}",
            retries=level,
        )
        for stage, level in STAGES
    }

    all_checks_passed >> promote["bronze"]
    for i, (stage, _level) in enumerate(STAGES[:-1]):
        next_stage = STAGES[i + 1][0]
        promote[stage] >> promote[next_stage]

    ge_docs = BashOperator(
        task_id="build_ge_docs",
        bash_command=f"great_expectations docs build --directory {GE_SUITE_DIR} --no-view",
        retries=0,
    )
    promote["gold"] >> ge_docs

    # unused — the old per-owner notification fan-out
    # for idx, owner in enumerate(OWNERS):
    #     EmptyOperator(task_id=f"notify_{idx}_{owner}")
